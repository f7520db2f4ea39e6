"""Plots the CSV of 06_linear_regression (x, y, fit) as a PNG: plot_regression.py CSV PNG."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # headless
import matplotlib.pyplot as plt


def main(csv_path, png_path):
    with open(csv_path) as f:
        rows = [(float(r["x"]), float(r["y"]), float(r["fit"])) for r in csv.DictReader(f)]
    rows.sort()
    xs, ys, fits = zip(*rows)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(xs, ys, s=12, label="data: y = 2x + 1 + noise")
    ax.plot(xs, fits, color="C3", label="fitted line (torch::nn::Linear)")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    ax.set_title("Linear regression on xtensor data, trained in libtorch")
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
