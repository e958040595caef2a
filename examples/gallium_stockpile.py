"""Experiment 2: stockpile size versus shortfall under a gallium ban.

Plays `gallium_stockpile.toml` (Ministerial 2026, China bans refined gallium at turn 1 and
holds it, everyone else on their AI; Japan's starting gallium stockpile from 0 to 135 t) as a
sweep on a local Dask cluster and relates Japan's gallium shortfall to the stockpile size.
Every size plays the same seeds.

    python examples/gallium_stockpile.py                       # 5 sizes x 10 seeds x 12 turns
    python examples/gallium_stockpile.py --seeds 2 --turns 4   # a quick look

The default scenario is slow today (about half a second a turn), hence few seeds and turns by
default. Prints a table and writes `gallium_stockpile.png` next to the sweep's tables.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from game.lab.api import default_content
from game.lab.sweep import progress_bar, read_summary, run_sweep
from game.lab.sweep_spec import load_spec

SPEC = Path(__file__).with_name("gallium_stockpile.toml")
STOCK = "param.scenario.stockpiles[nation=japan,mineral=gallium].tonnes"
MEASURES = {
    "Japan, mean": "shortfall_mean.nation.japan.gallium",
    "Japan, worst turn": "shortfall_max.nation.japan.gallium",
    "world, mean": "shortfall_mean.mineral.gallium",
}


def table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per stockpile size: gallium shortfall shares (mean over seeds) and the price peak."""
    grouped = summary.groupby(STOCK)
    out = pd.DataFrame({name: grouped[column].mean() for name, column in MEASURES.items()})
    out["Japan, mean (10-90 %)"] = [
        f"{g.quantile(0.1):.3f}-{g.quantile(0.9):.3f}" for _, g in grouped[MEASURES["Japan, mean"]]
    ]
    out["gallium price peak"] = grouped["price_peak.gallium"].mean()
    out["Japan score"] = grouped["score.japan"].mean()
    out["runs"] = grouped.size()
    out.index.name = "Japan's stockpile (t)"
    return out


def chart(summary: pd.DataFrame, path: Path) -> Path:
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    sizes = sorted(summary[STOCK].unique())
    colours = {"Japan, mean": "#0072B2", "Japan, worst turn": "#D55E00", "world, mean": "#009E73"}
    for name, column in MEASURES.items():
        q = summary.groupby(STOCK)[column].quantile([0.1, 0.5, 0.9]).unstack()
        left.fill_between(q.index, q[0.1], q[0.9], color=colours[name], alpha=0.15, linewidth=0)
        left.plot(q.index, q[0.5], marker="o", markersize=4, color=colours[name], label=name)
    left.set_xlabel("Japan's starting gallium stockpile (t)", fontsize=9)
    left.set_ylabel("gallium shortfall share of need", fontsize=9)
    left.set_title("Shortfall (median, 10-90 % over seeds)", fontsize=10)
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    data = [summary[summary[STOCK] == s]["score.japan"].to_numpy() for s in sizes]
    right.boxplot(data, medianprops={"color": "black"})
    right.set_xticks(range(1, len(sizes) + 1))
    right.set_xticklabels([f"{s:g}" for s in sizes], fontsize=8)
    right.set_xlabel("Japan's starting gallium stockpile (t)", fontsize=9)
    right.set_ylabel("Japan's final score", fontsize=9)
    right.set_title("Japan's score", fontsize=10)
    right.grid(axis="y", alpha=0.3)
    for ax in (left, right):
        ax.tick_params(labelsize=8)
    seeds, turns = summary.replicate.nunique(), int(summary.turns.iloc[0])
    fig.suptitle(f"Gallium ban: stockpile size vs shortfall ({seeds} seeds, {turns} turns)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="replications per stockpile size (default 10)")
    parser.add_argument("--turns", type=int, default=12, help="turns per game (default 12)")
    parser.add_argument("--workers", type=int, default=2, help="local Dask worker processes")
    parser.add_argument("--scheduler", default=None, help="a running Dask scheduler instead")
    parser.add_argument("--out", type=Path, default=None, help="sweep folder (default runs/examples/...)")
    args = parser.parse_args()
    out = args.out or Path("runs/examples") / f"gallium-stockpile-{args.seeds}x{args.turns}"
    content = default_content()
    sweep = load_spec(SPEC, content, overrides={"seeds": args.seeds, "turns": args.turns})
    with progress_bar(sweep.n_runs) as on_result:
        outcome = run_sweep(
            sweep, out, content, workers=args.workers, scheduler=args.scheduler, on_result=on_result
        )
    summary = read_summary(out)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 3):
        print(table(summary))
    png = chart(summary, out / "gallium_stockpile.png")
    print(
        f"{outcome.done} runs played, {outcome.skipped} already done, {outcome.failed_total} failed -> {png}"
    )


if __name__ == "__main__":
    main()
