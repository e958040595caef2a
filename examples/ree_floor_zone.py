"""Experiment 1: does a price-floor zone reduce allied shortfall under a rare-earth ban?

Plays `ree_floor_zone.toml` (tutorial scenario, China bans refined rare earths at turn 1,
allies passive; no zone / a zone without a floor / a zone with a floor at the reference
price) as a sweep on a local Dask cluster, then compares the allies' (Japan's and the
United States') rare-earth shortfall across variants. Every variant plays the same seeds, so
the comparison is paired: per seed, the zone's shortfall minus the no-zone shortfall.

    python examples/ree_floor_zone.py               # 200 seeds x 3 variants (a few minutes)
    python examples/ree_floor_zone.py --seeds 10    # a quick look

Prints a table and writes `ree_floor_zone.png` next to the sweep's tables (`--out`). A rerun
with the same arguments resumes the sweep instead of playing it again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from game.lab.api import default_content
from game.lab.sweep import progress_bar, read_summary, run_sweep
from game.lab.sweep_spec import load_spec

SPEC = Path(__file__).with_name("ree_floor_zone.toml")
ALLIES = ("japan", "united_states")
BASELINE = "ban, no zone"
COLOURS = ["#0072B2", "#D55E00", "#009E73"]  # Okabe-Ito: colour-blind safe


def allied_shortfall(summary: pd.DataFrame) -> pd.DataFrame:
    """Per run: the allies' rare-earth shortfall share (mean over turns, and worst turn),
    averaged over the two allies."""
    out = summary[["run_id", "variant", "replicate", "seed", "price_peak.rare_earths"]].copy()
    for stat in ("mean", "max"):
        cols = [f"shortfall_{stat}.nation.{n}.rare_earths" for n in ALLIES]
        out[f"allied_{stat}"] = summary[cols].mean(axis=1)
    out["score_japan"] = summary["score.japan"]
    out["score_united_states"] = summary["score.united_states"]
    return out


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per variant: the distribution over seeds and the paired difference to no zone."""
    base = runs[runs.variant == BASELINE].set_index("replicate")
    rows = []
    for variant, sub in runs.groupby("variant", sort=False):
        diff = sub.set_index("replicate").allied_mean - base.allied_mean
        n = diff.notna().sum()
        half = 1.96 * diff.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append(
            {
                "variant": variant,
                "runs": len(sub),
                "allied shortfall (mean)": sub.allied_mean.mean(),
                "10 %": sub.allied_mean.quantile(0.1),
                "90 %": sub.allied_mean.quantile(0.9),
                "worst turn (mean)": sub.allied_max.mean(),
                "diff vs no zone": diff.mean(),
                "95 % CI": f"[{diff.mean() - half:+.4f}, {diff.mean() + half:+.4f}]" if n > 1 else "",
                "seeds lower": f"{(diff < 0).mean():.0%}",
                "RE price peak": sub["price_peak.rare_earths"].mean(),
            }
        )
    return pd.DataFrame(rows).set_index("variant")


def chart(runs: pd.DataFrame, path: Path) -> Path:
    variants = list(dict.fromkeys(runs.variant))
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    data = [runs[runs.variant == v].allied_mean.to_numpy() for v in variants]
    parts = left.boxplot(data, patch_artist=True, medianprops={"color": "black"}, widths=0.6)
    for box, colour in zip(parts["boxes"], COLOURS, strict=False):
        box.set_facecolor(colour)
        box.set_alpha(0.7)
    left.set_xticks(range(1, len(variants) + 1))
    left.set_xticklabels([v.replace("ban, ", "").replace("zone ", "zone\n") for v in variants], fontsize=8)
    left.set_ylabel("allied rare-earth shortfall share\n(mean over turns)", fontsize=9)
    left.set_title("Japan + United States, under China's ban", fontsize=10)
    left.grid(axis="y", alpha=0.3)
    base = runs[runs.variant == BASELINE].set_index("replicate").allied_mean
    others = [v for v in variants if v != BASELINE]
    jitter = np.random.default_rng(0)
    for i, variant in enumerate(others):
        colour = COLOURS[variants.index(variant) % len(COLOURS)]
        diff = 100 * (runs[runs.variant == variant].set_index("replicate").allied_mean - base).dropna()
        x = i + jitter.uniform(-0.15, 0.15, len(diff))
        right.scatter(x, diff, s=8, alpha=0.5, color=colour, linewidths=0)
        half = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        right.errorbar(i + 0.3, diff.mean(), yerr=half, fmt="o", color="black", capsize=4, markersize=4)
    right.axhline(0, color="black", linewidth=0.8)
    right.set_xticks(range(len(others)))
    right.set_xticklabels([v.replace("ban, ", "") for v in others], fontsize=8)
    right.set_xlim(-0.6, len(others) - 0.4)
    right.set_ylabel("shortfall minus no zone, same seed\n(percentage points)", fontsize=9)
    right.set_title("Paired difference per seed (black: mean, 95 % CI)", fontsize=10)
    right.grid(axis="y", alpha=0.3)
    for ax in (left, right):
        ax.tick_params(labelsize=8)
    fig.suptitle(
        f"Does a price-floor zone reduce allied shortfall? ({runs.replicate.nunique()} seeds)", fontsize=11
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200, help="replications per variant (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="local Dask worker processes")
    parser.add_argument("--scheduler", default=None, help="a running Dask scheduler instead")
    parser.add_argument("--out", type=Path, default=None, help="sweep folder (default runs/examples/...)")
    args = parser.parse_args()
    out = args.out or Path("runs/examples") / f"ree-floor-zone-{args.seeds}"
    content = default_content()
    sweep = load_spec(SPEC, content, overrides={"seeds": args.seeds})
    with progress_bar(sweep.n_runs) as on_result:
        outcome = run_sweep(
            sweep, out, content, workers=args.workers, scheduler=args.scheduler, on_result=on_result
        )
    runs = allied_shortfall(read_summary(out))
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 4):
        print(table(runs))
    png = chart(runs, out / "ree_floor_zone.png")
    print(
        f"{outcome.done} runs played, {outcome.skipped} already done, {outcome.failed_total} failed -> {png}"
    )


if __name__ == "__main__":
    main()
