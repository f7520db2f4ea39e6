"""Turns one benchmark run into the targets' ratios (report.md) and a chart (chart.png).

Usage: report.py RESULTS_DIR   (reads results.json and compile_times.json written by scripts/bench.sh)
Every ratio compares two numbers of the same run: the machine is shared and noisy, absolute times are not.
"""
import json
import os
import sys


def load_medians(path):
    with open(path) as f:
        data = json.load(f)
    medians = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        name = b.get("run_name", b["name"])
        fn, _, arg = name.partition("/")
        arg = int(arg.split("/")[0])
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        medians.setdefault(fn, {})[arg] = b["real_time"] * scale
    return data.get("context", {}), medians


def main(results_dir):
    context, t = load_medians(os.path.join(results_dir, "results.json"))
    with open(os.path.join(results_dir, "compile_times.json")) as f:
        compile_times = json.load(f)

    small, large = 1 << 10, 1 << 25
    rows = []

    def target(name, value, limit, detail):
        rows.append((name, value, limit, "yes" if value <= limit else "**no**", detail))

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

    for ours in ("to_tensor_f64_to_f32", "to_xarray_f64_to_f32"):
        o = get(ours, large)
        if not o:
            continue
        for peer, limit in (("peer_tensor_to_f32", 0.6), ("peer_xt_cast_f32", 0.6),
                            ("floor_convert_into_fresh_memory", 1.5)):
            p = get(peer, large)
            if p:
                target(f"`{ours}` / `{peer}` at 2^25", o / p, limit, f"{o * 1e3:.1f} ms vs {p * 1e3:.1f} ms")
    for ours in ("to_tensor_f64_to_f32", "to_xarray_f64_to_f32"):
        c, s = get(ours, large), get(ours + "_transposed", large)
        if c and s:
            target(f"`{ours}`: transposed / contiguous at 2^25", s / c, 2.0, f"{s * 1e3:.1f} ms vs {c * 1e3:.1f} ms")
    ratio = compile_times["umbrella_s"] / compile_times["aten_and_xarray_s"]
    target("compile: umbrella header / `<ATen/ATen.h>` + `<xtensor/xarray.hpp>`", ratio, 1.25,
           f"{compile_times['umbrella_s']:.2f} s vs {compile_times['aten_and_xarray_s']:.2f} s")

    lines = ["| target | measured | limit | holds | medians |", "|---|---|---|---|---|"]
    for name, value, limit, ok, detail in rows:
        lines.append(f"| {name} | {value:.2f} | {limit} | {ok} | {detail} |")

    lines += ["", "Medians at 2^25 elements:", "", "| benchmark | time |", "|---|---|"]
    for fn in sorted(t):
        if large in t[fn]:
            v = t[fn][large]
            lines.append(f"| `{fn}` | {v * 1e3:.2f} ms |" if v >= 1e-5 else f"| `{fn}` | {v * 1e9:.0f} ns |")
    machine = (f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
               f"{context.get('date', '')}, libtorch threads: {context.get('torch_threads', '?')}, "
               f"Google Benchmark library build: {context.get('library_build_type', '?')}")
    lines += ["", f"Machine: {machine}"]
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
    fig, ax = plt.subplots(figsize=(8, 5))
    series = ["to_tensor_f64_to_f32", "to_tensor_f64_to_f32_lazy", "to_tensor_f64_to_f32_transposed",
              "to_xarray_f64_to_f32", "to_xarray_f64_to_f32_transposed", "peer_tensor_to_f32",
              "peer_xt_cast_f32", "floor_convert_into_fresh_memory", "floor_convert_into_touched_memory"]
    for fn in series:
        if fn not in t:
            continue
        sizes = sorted(t[fn])
        style = "--" if fn.startswith("peer") else (":" if fn.startswith("floor") else "-")
        ax.plot(sizes, [t[fn][n] * 1e3 for n in sizes], style, marker="o", markersize=3, label=fn)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("elements (float64 in, float32 out)")
    ax.set_ylabel("median time (ms)")
    ax.set_title("xtensor-torch copies with a cast, against the peers and the floor")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(results_dir, "chart.png"), dpi=100)
    print("chart:", os.path.join(results_dir, "chart.png"))


if __name__ == "__main__":
    main(sys.argv[1])
