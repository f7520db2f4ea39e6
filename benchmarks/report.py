"""Turns one benchmark run into the targets' ratios (report.md) and a chart (chart.png).

Usage: report.py RESULTS_DIR [--previous REV]
(reads results.json and compile_times.json written by scripts/bench.sh, the python_calls*.json of
bench_python.py, and the GPU machine's threads.json and transfer.json in RESULTS_DIR/gpu-machine, written by
scripts/gpu-check.sh). With --previous, each ratio is shown beside the same ratio of the run recorded in the
git revision REV (its RESULTS_DIR files): scripts/bench.sh passes HEAD, the recording the new run replaces.
Every ratio compares two numbers of the same run: the machine is shared and noisy, absolute times are not.
"""
import json
import os
import subprocess
import sys


def load_medians(path):
    with open(path) as f:
        return medians_of(json.load(f))


def medians_of(data):
    medians = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        name = b.get("run_name", b["name"])
        fn, _, rest = name.partition("/")
        args = [int(a) for a in rest.split("/") if a.isdigit()]
        # One argument: the element count. Two (the thread benchmarks): (elements, threads).
        arg = args[0] if len(args) == 1 else tuple(args)
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        medians.setdefault(fn, {})[arg] = b["real_time"] * scale
    return data.get("context", {}), medians

# Each copy, the peer it replaces and the floor it is held to, at every size.
EVERY_SIZE = [
    ("to_tensor_f64_to_f32", "peer_tensor_to_f32", "floor_convert_into_fresh_memory"),
    ("to_tensor_f64_to_f32_lazy", "to_tensor_f64_to_f32", "floor_convert_into_fresh_memory"),
    ("to_tensor_f64_to_f32_transposed", "to_tensor_f64_to_f32", "floor_convert_into_fresh_memory"),
    ("to_xarray_f64_to_f32", "peer_xt_cast_f32", "floor_convert_into_fresh_memory"),
    ("to_xarray_f64_to_f32_transposed", "to_xarray_f64_to_f32", "floor_convert_into_fresh_memory"),
    ("to_xtensor_f64_to_f32", "peer_xt_cast_f32", "floor_convert_into_fresh_memory"),
    ("to_tensor_f64", "peer_tensor_clone_f64", "floor_memcpy_f64"),
    ("to_xarray_f64", "peer_tensor_clone_f64", "floor_memcpy_f64"),
]


def fmt_time(v):
    return f"{v * 1e3:.2f} ms" if v >= 1e-4 else f"{v * 1e6:.2f} us"


def every_size(t):
    sizes = sorted({n for fn, _, _ in EVERY_SIZE for n in t.get(fn, {}) if isinstance(n, int)})
    if not sizes:
        return []
    head = "| call | against | " + " | ".join(f"2^{n.bit_length() - 1}" for n in sizes) + " |"
    lines = ["", "Every size: the median, then the ratio to the peer (or, for transposed and lazy sources, to the",
             "contiguous call) and to the floor (a cast or memcpy into new memory, or into touched memory for",
             "memcpy):", "", head, "|" + "---|" * (len(sizes) + 2)]
    for fn, peer, floor in EVERY_SIZE:
        if fn not in t:
            continue
        times, vs_peer, vs_floor = [], [], []
        for n in sizes:
            v, p, f = t[fn].get(n), t.get(peer, {}).get(n), t.get(floor, {}).get(n)
            times.append(fmt_time(v) if v else "")
            vs_peer.append(f"{v / p:.2f}" if v and p else "")
            vs_floor.append(f"{v / f:.2f}" if v and f else "")
        lines.append(f"| `{fn}` | time | " + " | ".join(times) + " |")
        lines.append(f"| | / `{peer}` | " + " | ".join(vs_peer) + " |")
        lines.append(f"| | / `{floor}` | " + " | ".join(vs_floor) + " |")
    return lines


def thread_table(t):
    lines = []
    for fn in sorted(f for f in t if f.startswith("threads_")):
        runs = sorted(k for k in t[fn] if isinstance(k, tuple))
        if not runs:
            continue
        if not lines:
            lines = ["", "Threads (torch's intra-op threads, at::set_num_threads): median, and speedup over 1 thread:", "",
                     "| benchmark | elements | threads | time | speedup |", "|---|---|---|---|---|"]
        for n, threads in runs:
            one = t[fn].get((n, 1))
            v = t[fn][(n, threads)]
            lines.append(f"| `{fn}` | 2^{n.bit_length() - 1} | {threads} | {fmt_time(v)} | "
                         f"{one / v:.2f} |" if one else f"| `{fn}` | 2^{n.bit_length() - 1} | {threads} | {fmt_time(v)} | |")
    return lines


# Each transfer and the pinned tensor.copy_ it is measured against.
TRANSFERS = [
    ("to_device_async_from_pinned_view", "baseline_pinned_copy_h2d"),
    ("to_tensor_from_pageable_xarray", "baseline_pinned_copy_h2d"),
    ("to_host_async_into_pinned_view", "baseline_pinned_copy_d2h"),
    ("to_xarray_from_device_into_pageable", "baseline_pinned_copy_d2h"),
]


def python_calls_section(results_dir, previous=None):
    """The ratios of bench_python.py's recorded runs (python_calls.json here, python_calls.<release>.json from the
    Debian 13 and testing chroots): what a call from Python costs against its peers; with `previous` (a
    revision's files, see previous_recording), each ratio beside that recording's."""
    runs = []
    for name in sorted(os.listdir(results_dir)):
        if name.startswith("python_calls") and name.endswith(".json"):
            with open(os.path.join(results_dir, name)) as f:
                runs.append((name, json.load(f)))
    if not runs:
        return []
    names = []
    for _, run in runs:
        names += [n for n in run["ratios"] if n not in names]
    before = {}
    for name, _ in runs:
        text = previous(name) if previous else None
        before[name] = json.loads(text)["ratios"] if text else {}
    heading = "medians of interleaved rounds" + ("; the previous recording's ratio in brackets" if previous else "")
    lines = ["", f"## Calls from Python (bench_python.py: {heading})", "",
             "| ratio | " + " | ".join(f"{r.get('platform', '?')}, torch {r['torch']}" for _, r in runs) + " |",
             "|---|" + "---|" * len(runs)]
    for n in names:
        cells = []
        for name, r in runs:
            cell = f"{r['ratios'][n]:.2f}" if n in r["ratios"] else ""
            if cell and n in before[name]:
                cell += f" ({before[name][n]:.2f})"
            cells.append(cell)
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return lines


def previous_recording(results_dir, rev):
    """A function giving the text of a file of RESULTS_DIR as git revision `rev` recorded it (None where it has no
    such file), and the revision's short hash; (None, None) outside a git checkout."""
    def git(*args):
        return subprocess.run(["git", "-C", results_dir, *args], capture_output=True, text=True)

    commit = git("rev-parse", "--short", rev)
    prefix = git("rev-parse", "--show-prefix")
    if commit.returncode != 0 or prefix.returncode != 0:
        return None, None

    def read(name):
        shown = git("show", f"{rev}:{prefix.stdout.strip()}{name}")
        return shown.stdout if shown.returncode == 0 else None

    return read, commit.stdout.strip()


def gpu_machine_section(gpu_dir):
    """The recorded run of scripts/gpu-check.sh on a machine with a GPU and many cores, where there is one."""
    lines = []
    threads_path = os.path.join(gpu_dir, "threads.json")
    if os.path.exists(threads_path):
        context, t = load_medians(threads_path)
        cores = int(context.get("num_cpus", 0) or 0)
        lines += ["", f"## On a machine with {cores} cores and a GPU ({context.get('date', '')[:10]}, "
                  "scripts/gpu-check.sh)", "",
                  "Speedup at 2^25 elements from 1 thread to every core (target: at least 6x on 16 threads):", "",
                  "| benchmark | 1 thread | all cores | speedup | holds |", "|---|---|---|---|---|"]
        large = 1 << 25
        for fn in sorted(f for f in t if f.startswith("threads_")):
            one, most = t[fn].get((large, 1)), t[fn].get((large, cores))
            if one and most:
                holds = "yes" if one / most >= 6 else "**no**"
                if fn.startswith("threads_peer"):
                    holds = "(the peer)"
                lines.append(f"| `{fn}` | {fmt_time(one)} | {fmt_time(most)} | {one / most:.1f}x | {holds} |")
        lines += thread_table(t)
        copies = transposed_rows(t, (16, 22, 25))
        if copies:
            lines += ["", f"Transposed sources against contiguous ones there (torch's intra-op threads: "
                      f"{context.get('torch_threads', '?')}):", ""]
            lines += rows_table(copies)
        if context.get("note"):
            lines += ["", f"Note: {context['note']}."]
    transfer_path = os.path.join(gpu_dir, "transfer.json")
    if os.path.exists(transfer_path):
        _, t = load_medians(transfer_path)
        sizes = sorted({n for fn in t for n in t[fn] if isinstance(n, int)})
        lines += ["", "Host-device transfers: median time, and its ratio to a pinned `tensor.copy_` of the same bytes:",
                  "", "| transfer | " + " | ".join(f"2^{n.bit_length() - 1} float32" for n in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for ours, base in TRANSFERS:
            if ours in t and base in t:
                cells = [f"{fmt_time(t[ours][n])} ({t[ours][n] / t[base][n]:.2f}x)" if n in t[ours] and n in t[base]
                         else "" for n in sizes]
                lines.append(f"| `{ours}` | " + " | ".join(cells) + " |")
    return lines


def thread_chart(t, results_dir, plt):
    large = 1 << 25
    fig, ax = plt.subplots(figsize=(6, 4))
    plotted = False
    for fn in sorted(f for f in t if f.startswith("threads_")):
        runs = sorted(k for k in t[fn] if isinstance(k, tuple) and k[0] == large)
        one = t[fn].get((large, 1))
        if len(runs) < 2 or not one:
            continue
        ax.plot([k[1] for k in runs], [one / t[fn][k] for k in runs], marker="o", label=fn)
        plotted = True
    if not plotted:
        plt.close(fig)
        return
    cores = max(k[1] for f in t if f.startswith("threads_") for k in t[f] if isinstance(k, tuple))
    ax.plot([1, cores], [1, cores], ":", color="gray", label="linear")
    ax.set_yscale("log", base=2)
    save_chart(fig, ax, "torch intra-op threads", "speedup over 1 thread (2^25 elements)",
               "float64 to float32 copies on more threads", os.path.join(results_dir, "threads.png"))
    plt.close(fig)


def save_chart(fig, ax, xlabel, ylabel, title, path):
    """Log-2 sizes along x, labels, legend and grid, then the PNG at path."""
    ax.set_xscale("log", base=2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print("chart:", path)


def machine_of(context):
    """The machine of a run, as Google Benchmark describes it: CPUs, clock, caches and the date."""
    caches = ", ".join(f"L{c['level']}{'d' if c['type'] == 'Data' else ''} {c['size'] // 1024} KiB"
                       for c in context.get("caches", []) if c.get("type") != "Instruction")
    return (f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz"
            + (f" ({caches})" if caches else "") + f", {context.get('date', '')}")


def row(name, value, limit, detail):
    """A report row: a target's (with whether it holds) where limit is a number, else a row without one."""
    if isinstance(limit, str):
        return (name, value, limit, "", detail)
    return (name, value, limit, "yes" if value <= limit else "**no**", detail)


def rows_table(rows, before=None):
    """The markdown table of report rows, with each ratio of the previous recording (`before`, by row name)
    in a column of its own where one is given."""
    lines = ["| target | measured | " + ("before | " if before else "") + "limit | holds | medians |",
             "|---|---|---|" + ("---|" if before else "") + "---|---|"]
    for name, value, limit, ok, detail in rows:
        was = (f"{before[name]:.2f} | " if name in before else "| ") if before else ""
        lines.append(f"| {name} | {value:.2f} | {was}{limit} | {ok} | {detail} |")
    return lines


def transposed_rows(t, exponents):
    """The transposed float64 -> float32 copies against the contiguous ones of the same run at 2^e for e in
    exponents, both directions: at most 1.5x at 2^16, 2x past the cache; and at 2^22, the same copies from
    memory (no target)."""
    rows = []
    for ours in ("to_tensor_f64_to_f32", "to_xarray_f64_to_f32"):
        for e in exponents:
            c, s = t.get(ours, {}).get(1 << e), t.get(ours + "_transposed", {}).get(1 << e)
            if c and s and e == 16:
                rows.append(row(f"`{ours}_transposed` / `{ours}` at 2^16", s / c, 1.5,
                                f"{s * 1e6:.1f} us vs {c * 1e6:.1f} us"))
            elif c and s:
                rows.append(row(f"`{ours}`: transposed / contiguous at 2^{e}", s / c, 2.0,
                                f"{s * 1e3:.2f} ms vs {c * 1e3:.2f} ms"))
        # The same copies at 2^22 from memory: run again and again, both find part of their source in the L3,
        # and the contiguous copy gains more from it than the transposed one.
        c, s = t.get(ours + "_cold", {}).get(1 << 22), t.get(ours + "_transposed_cold", {}).get(1 << 22)
        if 22 in exponents and c and s:
            rows.append(row(f"`{ours}`: transposed / contiguous at 2^22, every cache emptied before each copy",
                            s / c, "(no target)", f"{s * 1e3:.2f} ms vs {c * 1e3:.2f} ms"))
    return rows


def target_rows(context, t, compile_times):
    """The report's rows: (name, ratio, limit, whether it holds, the medians), targets first."""
    small, large = 1 << 10, 1 << 25
    rows = []

    def target(name, value, limit, detail):
        rows.append(row(name, value, limit, detail))

    def get(fn, n):
        return t.get(fn, {}).get(n)

    for fn in ("as_tensor_lvalue", "as_xarray"):
        if get(fn, small) and get(fn, large):
            target(f"`{fn}` O(1): time at 2^25 / time at 2^10", get(fn, large) / get(fn, small), 1.3,
                   f"{get(fn, large) * 1e9:.0f} ns at 2^25 vs {get(fn, small) * 1e9:.0f} ns at 2^10")
    if get("as_tensor_lvalue", small) and get("peer_from_blob_with_deleter", small):
        a, b = get("as_tensor_lvalue", small), get("peer_from_blob_with_deleter", small)
        target("`as_tensor` / `from_blob` with a deleter", a / b, 2.0, f"{a * 1e9:.0f} ns vs {b * 1e9:.0f} ns")
    if get("as_xarray", small) and get("peer_xt_adapt_no_ownership", small):
        a, b = get("as_xarray", small), get("peer_xt_adapt_no_ownership", small)
        target("`as_xarray` / `xt::adapt` without ownership", a / b, 4.0, f"{a * 1e9:.0f} ns vs {b * 1e9:.0f} ns")

    # What a view costs beside its static-rank form, and passed on: a copy, and a move (a copy for xtensor's
    # strided views), against the copy of an at::Tensor handle.
    if get("as_xarray", small) and get("as_xtensor_rank1", small):
        a, b = get("as_xarray", small), get("as_xtensor_rank1", small)
        rows.append(row("`as_xarray<float>` / `as_xtensor<float, 1>` (dynamic against static rank)", a / b,
                        "(no target)", f"{a * 1e9:.1f} ns vs {b * 1e9:.1f} ns"))
    for fn, what in (("view_copy", "copy"), ("view_move", "move (a copy)")):
        if get(fn, small) and get("peer_tensor_copy", small):
            a, b = get(fn, small), get("peer_tensor_copy", small)
            rows.append(row(f"{what} of an `xarray_view<float>` / copy of an `at::Tensor`", a / b, "(no target)",
                            f"{a * 1e9:.1f} ns vs {b * 1e9:.1f} ns"))
    # Writable views check that no two elements share memory; views of const elements do not. The check alone,
    # on the same geometry, is the share of the writable view's time that it takes.
    if get("overlap_check_alone", small) and get("as_xarray_sliced_writable", small):
        a, b = get("overlap_check_alone", small), get("as_xarray_sliced_writable", small)
        rows.append(row("overlap check / `as_xarray<float>` of a step-sliced, transposed tensor (contiguous "
                        "tensors skip the check)", a / b, "(no target)", f"{a * 1e9:.1f} ns of {b * 1e9:.0f} ns"))
    if get("as_xarray_sliced_writable", small) and get("as_xarray_sliced_const", small):
        a, b = get("as_xarray_sliced_writable", small), get("as_xarray_sliced_const", small)
        rows.append(row("`as_xarray<float>` / `as_xarray<const float>` of the same tensor (the check, and the "
                        "writable storage access)", a / b, "(no target)", f"{a * 1e9:.0f} ns vs {b * 1e9:.0f} ns"))

    # The operator as its callers call it (through the dispatcher) is the target; the kernel functions called
    # directly show what the adaptor itself adds.
    for n in (64, small):
        if get("op_call_adaptor", n) and get("peer_op_call_by_hand", n):
            a, b = get("op_call_adaptor", n), get("peer_op_call_by_hand", n)
            target(f"operator call: `xtorch::kernel` / the kernel by hand over `data_ptr`, {n} elements", a / b,
                   1.2, f"{a * 1e9:.0f} ns vs {b * 1e9:.0f} ns")
        if get("kernel_adaptor", n) and get("peer_kernel_by_hand", n):
            a, b = get("kernel_adaptor", n), get("peer_kernel_by_hand", n)
            rows.append(row(f"kernel alone: `xtorch::kernel` / the kernel by hand over `data_ptr`, {n} elements",
                            a / b, "(no target)", f"{a * 1e9:.0f} ns vs {b * 1e9:.0f} ns"))

    for ours in ("to_tensor_f64_to_f32", "to_xarray_f64_to_f32"):
        o = get(ours, large)
        if not o:
            continue
        for peer, limit in (("peer_tensor_to_f32", 0.6), ("peer_xt_cast_f32", 0.6),
                            ("floor_convert_into_fresh_memory", 1.5)):
            p = get(peer, large)
            if p:
                target(f"`{ours}` / `{peer}` at 2^25", o / p, limit, f"{o * 1e3:.1f} ms vs {p * 1e3:.1f} ms")
    rows += transposed_rows(t, (22, 25))
    # Small sizes, strided and lazy sources, same-dtype copies, threads.
    for ours, peer, limit in (("to_xarray_f64_to_f32", "peer_xt_cast_f32", 1.5),
                              ("to_tensor_f64_to_f32", "peer_tensor_to_f32", 0.7)):
        o, p = get(ours, small), get(peer, small)
        if o and p:
            target(f"`{ours}` / `{peer}` at 2^10", o / p, limit, f"{o * 1e9:.0f} ns vs {p * 1e9:.0f} ns")
    for ours in ("to_tensor_f64", "to_xarray_f64"):
        for e in (16, 20):
            o, p = get(ours, 1 << e), get("floor_memcpy_f64", 1 << e)
            if o and p:
                target(f"`{ours}` / `floor_memcpy_f64` (touched memory) at 2^{e}", o / p, 1.2,
                       f"{o * 1e6:.1f} us vs {p * 1e6:.1f} us")
    rows += transposed_rows(t, (16,))
    o, b = get("to_tensor_f64_to_f32_lazy", 1 << 16), get("to_tensor_f64_to_f32", 1 << 16)
    if o and b:
        target("`to_tensor_f64_to_f32_lazy` / `to_tensor_f64_to_f32` at 2^16", o / b, 1.5,
               f"{o * 1e6:.1f} us vs {b * 1e6:.1f} us")
    for ours in ("to_xarray_u8", "to_xarray_i16"):
        for e in (16, 22):
            o, b = get(ours + "_transposed", 1 << e), get(ours, 1 << e)
            if o and b:
                rows.append(row(f"`{ours}_transposed` / `{ours}` (a memcpy) at 2^{e}", o / b, "(no target)",
                                f"{o * 1e6:.1f} us vs {b * 1e6:.1f} us"))
    cores = int(context.get("num_cpus", 0) or 0)
    for fn in ("threads_to_xarray_f64_to_f32", "threads_to_tensor_f64_to_f32"):
        one, most = get(fn, (large, 1)), get(fn, (large, cores))
        if one and most and cores >= 16:
            target(f"`{fn}` at 2^25: {cores} threads / 1 thread", most / one, round(1 / 6, 3),
                   f"{most * 1e3:.2f} ms vs {one * 1e3:.2f} ms ({one / most:.1f}x faster)")
        elif one and most:
            rows.append((f"`{fn}` at 2^25: {cores} threads / 1 thread", most / one, "1/6 on 16 cores",
                         f"not applicable: {cores} cores", f"{one / most:.2f}x faster on {cores}"))
    if compile_times:
        ratio = compile_times["umbrella_s"] / compile_times["aten_and_xarray_s"]
        target("compile: umbrella header / `<ATen/ATen.h>` + `<xtensor/xarray.hpp>`", ratio, 1.25,
               f"{compile_times['umbrella_s']:.2f} s vs {compile_times['aten_and_xarray_s']:.2f} s")
    return rows


def main(results_dir, previous_rev=None):
    context, t = load_medians(os.path.join(results_dir, "results.json"))
    with open(os.path.join(results_dir, "compile_times.json")) as f:
        compile_times = json.load(f)
    large = 1 << 25
    rows = target_rows(context, t, compile_times)

    previous, commit = previous_recording(results_dir, previous_rev) if previous_rev else (None, None)
    before = {}
    before_results = previous("results.json") if previous else None
    if before_results:
        before_context, before_t = medians_of(json.loads(before_results))
        before_compile = json.loads(previous("compile_times.json") or "{}")
        before = {r[0]: r[1] for r in target_rows(before_context, before_t, before_compile)}

    lines = []
    if before:
        lines = [f"The previous recording (benchmarks/results at {commit}; {machine_of(before_context)}) beside "
                 "each ratio, where it had the row. Ratios move with the processor: compare them on one machine.",
                 ""]
    lines += rows_table(rows, before)

    lines += ["", "Medians at 2^25 elements:", "", "| benchmark | time |", "|---|---|"]
    for fn in sorted(t):
        if large in t[fn]:
            v = t[fn][large]
            lines.append(f"| `{fn}` | {v * 1e3:.2f} ms |" if v >= 1e-5 else f"| `{fn}` | {v * 1e9:.0f} ns |")
    lines += every_size(t)
    lines += thread_table(t)
    lines += ["", f"Machine: {machine_of(context)}, libtorch threads: {context.get('torch_threads', '?')}, "
                  f"Google Benchmark library build: {context.get('library_build_type', '?')}"]
    lines += python_calls_section(results_dir, previous)
    lines += gpu_machine_section(os.path.join(results_dir, "gpu-machine"))
    report = "\n".join(lines) + "\n"
    with open(os.path.join(results_dir, "report.md"), "w") as f:
        f.write(report)
    print(report)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no chart")
        return
    thread_chart(t, results_dir, plt)
    fig, ax = plt.subplots(figsize=(8, 5))
    series = ["to_tensor_f64_to_f32", "to_tensor_f64_to_f32_lazy", "to_tensor_f64_to_f32_transposed",
              "to_xarray_f64_to_f32", "to_xarray_f64_to_f32_transposed", "peer_tensor_to_f32",
              "peer_xt_cast_f32", "floor_convert_into_fresh_memory", "floor_convert_into_touched_memory"]
    for fn in series:
        if fn not in t:
            continue
        sizes = sorted(n for n in t[fn] if isinstance(n, int))
        style = "--" if fn.startswith("peer") else (":" if fn.startswith("floor") else "-")
        ax.plot(sizes, [t[fn][n] * 1e3 for n in sizes], style, marker="o", markersize=3, label=fn)
    ax.set_yscale("log")
    save_chart(fig, ax, "elements (float64 in, float32 out)", "median time (ms)",
               "xtensor-torch copies with a cast, against the peers and the floor",
               os.path.join(results_dir, "chart.png"))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rev = None
    if "--previous" in arguments:
        i = arguments.index("--previous")
        rev = arguments[i + 1]
        del arguments[i:i + 2]
    main(arguments[0], rev)
