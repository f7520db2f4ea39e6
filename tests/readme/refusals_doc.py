#!/usr/bin/env python3
"""docs/refusals.md against the code: every refusal the headers word is listed there, and nothing else.

  refusals_doc.py ROOT          checks; exits 1 and names what is missing on either side
  refusals_doc.py ROOT --list   prints the problems the headers word, one a line

A refusal's problem is the second argument of refuse(), raise_type_error() or raise_value_error(), or the first
member of a `return {...}` in the refusal describers (detail/view_refusals.hpp, detail/geometry.hpp, detail/import.hpp, detail/refusal_parts.hpp). Its string
literals are joined, and each run of code between them (a name, a device, a layout) becomes "{}". The document
lists each problem as the first cell of a table row, in backticks.
"""
import pathlib
import re
import sys

CALL = re.compile(r"\b(refuse|raise_type_error|raise_value_error)\s*\(")
DESCRIBERS = {"view_refusals.hpp", "geometry.hpp", "import.hpp", "refusal_parts.hpp"}
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def arguments(text, start, close):
    """The top-level comma-separated arguments from text[start] up to the matching `close`."""
    depth, args, current, i = 0, [], [], start
    while i < len(text):
        c = text[i]
        if c == '"':
            end = text.index('"', i + 1)
            while text[end - 1] == "\\":
                end = text.index('"', end + 1)
            current.append(text[i:end + 1])
            i = end + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0 and c == close:
                args.append("".join(current))
                return args
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(current))
            current = []
            i += 1
            continue
        current.append(c)
        i += 1
    return args


def problem_of(argument):
    """The problem an argument words, with "{}" for the code between its literals; None without a literal."""
    parts = []
    last = 0
    for m in LITERAL.finditer(argument):
        code = argument[last:m.start()].strip(" \n+")
        if code and not re.fullmatch(r"(std::string\()?", code):
            parts.append("{}")
        parts.append(m.group(1))
        last = m.end()
    if not parts:
        return None
    if argument[last:].strip(" \n+)"):
        parts.append("{}")
    return re.sub(r"(\{\})+", "{}", "".join(parts))


def code_problems(root):
    found = set()
    for path in sorted((root / "include").rglob("*.hpp")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"//[^\n]*", "", text)
        for m in CALL.finditer(text):
            args = arguments(text, m.end(), ")")
            if len(args) >= 2:
                p = problem_of(args[1])
                if p:
                    found.add(p)
        if path.name in DESCRIBERS:
            for m in re.finditer(r"return\s*\{", text):
                args = arguments(text, m.end(), "}")
                if len(args) >= 3:
                    p = problem_of(args[0])
                    if p and p != "no refusal":
                        found.add(p)
    return found


def documented_problems(root):
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|", (root / "docs" / "refusals.md").read_text(encoding="utf-8"), re.M)
    return set(rows)


def main():
    root = pathlib.Path(sys.argv[1])
    code = code_problems(root)
    if "--list" in sys.argv:
        print("\n".join(sorted(code)))
        return 0
    documented = documented_problems(root)
    missing, stale = sorted(code - documented), sorted(documented - code)
    for p in missing:
        print(f"worded in include/ but not in docs/refusals.md: `{p}`")
    for p in stale:
        print(f"in docs/refusals.md but worded nowhere in include/: `{p}`")
    print(f"{len(code & documented)} passed, {len(missing) + len(stale)} failed")
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
