"""`lodestone sweep-report`: charts of a sweep folder, PNG, matplotlib without pyplot.

- `scores.png`: each nation's final score over the runs (box per variant), one panel per
  scenario: how much of an outcome is the seed.
- `shortfall.png`: mean shortfall share by sector (world), box per variant.
- `price_peaks.png`: peak price index per mineral, box per variant.
- `effect-<n>.png`: one per swept parameter: its value against the outcomes it is most
  likely to move (the minerals and nations its path names, and world shortfall), runs as
  dots, the median and the 10-90 % band over seeds (per value on a grid, per decile of a
  sample) as a line and a shade, one colour per variant.
- `per_turn.png` (when the sweep kept per-turn series): the world price index of each
  mineral and the world shortfall share, median and 10-90 % band over runs per variant.

Colours are Okabe-Ito (colour-blind safe); text is never smaller than 8 pt.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # no pyplot: no global state, no display needed

from game.lab.sweep import read_per_turn, read_summary

COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
DPI = 110


class ReportError(Exception):
    pass


def _label(column: str) -> str:
    """'shortfall_mean.sector.ev_batteries' -> 'shortfall mean, ev batteries'."""
    measure, _, key = column.partition(".")
    return f"{measure.replace('_', ' ')}, {key.replace('_', ' ').replace('.', ' ')}"


def _boxes(fig: Figure, ax, frame: pd.DataFrame, columns: list[str], names: list[str], ylabel: str) -> None:
    """Side-by-side boxes: one group per column, one box per variant."""
    variants = sorted(frame.variant.unique())
    width = 0.8 / len(variants)
    for j, variant in enumerate(variants):
        sub = frame[frame.variant == variant]
        data = [sub[c].dropna().to_numpy() for c in columns]
        keep = [i for i, d in enumerate(data) if d.size]
        if not keep:
            continue
        positions = np.arange(len(columns))[keep] + (j - (len(variants) - 1) / 2) * width
        parts = ax.boxplot(
            [data[i] for i in keep],
            positions=positions,
            widths=width * 0.85,
            patch_artist=True,
            showfliers=True,
            flierprops={"markersize": 2, "alpha": 0.5},
            medianprops={"color": "black"},
        )
        for box in parts["boxes"]:
            box.set_facecolor(COLOURS[j % len(COLOURS)])
            box.set_alpha(0.7)
        ax.plot([], [], color=COLOURS[j % len(COLOURS)], linewidth=6, alpha=0.7, label=variant)
    ax.set_xticks(np.arange(len(columns)))
    ax.set_xticklabels(names, rotation=30 if max(len(n) for n in names) > 8 else 0, ha="right", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    if len(variants) > 1:
        ax.legend(fontsize=8, loc="best", title="variant", title_fontsize=8)


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path


def _columns(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [c for c in frame.columns if c.startswith(prefix) and frame[c].notna().any()]


def distributions(summary: pd.DataFrame, out: Path) -> list[Path]:
    written = []
    scenarios = sorted(summary.scenario.unique())
    fig = Figure(figsize=(max(6.0, 0.55 * summary.filter(like="score.").shape[1] + 2), 3.2 * len(scenarios)))
    axes = fig.subplots(len(scenarios), 1, squeeze=False)[:, 0]
    for ax, scenario in zip(axes, scenarios, strict=True):
        sub = summary[summary.scenario == scenario]
        cols = _columns(sub, "score.")
        _boxes(fig, ax, sub, cols, [c.removeprefix("score.").replace("_", " ") for c in cols], "final score")
        ax.set_title(f"{scenario}: final score by nation over {len(sub)} runs", fontsize=10)
    written.append(_save(fig, out / "scores.png"))

    cols = _columns(summary, "shortfall_mean.sector.")
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    _boxes(
        fig, ax, summary, cols, [c.rsplit(".", 1)[1].replace("_", " ") for c in cols], "mean shortfall share"
    )
    ax.set_title(f"World shortfall share by sector (mean over turns), {len(summary)} runs", fontsize=10)
    written.append(_save(fig, out / "shortfall.png"))

    cols = _columns(summary, "price_peak.")
    fig = Figure(figsize=(max(5.0, 0.9 * len(cols) + 2), 3.6))
    ax = fig.subplots()
    _boxes(
        fig,
        ax,
        summary,
        cols,
        [c.removeprefix("price_peak.").replace("_", " ") for c in cols],
        "peak price index",
    )
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_title(f"Peak price index per mineral (1 = reference price), {len(summary)} runs", fontsize=10)
    written.append(_save(fig, out / "price_peaks.png"))
    return written


def _outcomes(summary: pd.DataFrame, path: str) -> list[str]:
    """The outcomes a parameter path most likely moves: what it names, then world shortfall."""
    names = set(re.split(r"[.\[\],=]", path))
    wanted = []
    for c in summary.columns:
        parts = c.split(".")
        named = {  # measure -> the part of the column name that is an id
            "price_peak": parts[1] if len(parts) == 2 else None,
            "score": parts[1] if len(parts) == 2 else None,
            "shortfall_mean": parts[2] if len(parts) == 3 and parts[1] in {"mineral", "nation"} else None,
        }.get(parts[0])
        if named in names:
            wanted.append(c)
    if not any(c.startswith("score.") for c in wanted):
        scores = _columns(summary, "score.")
        wanted += scores[:2]
    if not any(c.startswith("price_peak.") for c in wanted):
        wanted += _columns(summary, "price_peak.")[:2]
    wanted += ["shortfall_mean.world", "shortfall_max.world"]
    return [c for c in dict.fromkeys(wanted) if c in summary.columns and summary[c].notna().any()][:8]


def _band(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Median and 10-90 % of y per distinct x (grid) or per decile of x (sample)."""
    frame = pd.DataFrame({"x": x, "y": y}).dropna()
    if frame.x.nunique() > 12:
        frame["bin"] = pd.qcut(frame.x, 10, duplicates="drop")
        groups = frame.groupby("bin", observed=True)
        centre = groups.x.median().to_numpy()
    else:
        groups = frame.groupby("x")
        centre = np.array(sorted(frame.x.unique()))
    q = groups.y.quantile([0.1, 0.5, 0.9]).unstack()
    return centre, q[0.1].to_numpy(), q[0.5].to_numpy(), q[0.9].to_numpy()


def effects(summary: pd.DataFrame, out: Path) -> list[Path]:
    written = []
    params = [c for c in summary.columns if c.startswith("param.")]
    variants = sorted(summary.variant.unique())
    for i, column in enumerate(params, start=1):
        path = column.removeprefix("param.")
        outcomes = _outcomes(summary, path)
        ncols = min(4, len(outcomes))
        nrows = int(np.ceil(len(outcomes) / ncols))
        fig = Figure(figsize=(3.3 * ncols, 2.8 * nrows + 0.6))
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        x_all = summary[column].to_numpy(dtype=float)
        spread = np.ptp(x_all[np.isfinite(x_all)]) if np.isfinite(x_all).any() else 0.0
        jitter = np.random.default_rng(0).uniform(-0.015, 0.015, len(x_all)) * (spread or 1.0)
        for ax, outcome in zip(axes, outcomes, strict=False):
            for j, variant in enumerate(variants):
                mask = (summary.variant == variant).to_numpy()
                colour = COLOURS[j % len(COLOURS)]
                x, y = x_all[mask], summary[outcome].to_numpy(dtype=float)[mask]
                ax.scatter(x + jitter[mask], y, s=6, alpha=0.35, color=colour, linewidths=0)
                centre, low, mid, high = _band(x, y)
                ax.fill_between(centre, low, high, color=colour, alpha=0.15, linewidth=0)
                ax.plot(centre, mid, color=colour, linewidth=1.5, marker="o", markersize=3, label=variant)
            ax.set_title(_label(outcome), fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3)
        for ax in axes[len(outcomes) :]:
            ax.set_visible(False)
        if len(variants) > 1:
            axes[0].legend(fontsize=8, loc="best")
        fig.supxlabel(path, fontsize=9)
        fig.suptitle(f"Effect of {path} ({len(summary)} runs; median and 10-90 % over seeds)", fontsize=10)
        written.append(_save(fig, out / f"effect-{i}.png"))
    return written


def per_turn_chart(per_turn: pd.DataFrame, summary: pd.DataFrame, out: Path) -> list[Path]:
    if per_turn.empty:
        return []
    variant_of = summary.set_index("run_id").variant
    per_turn = per_turn[per_turn.run_id.isin(variant_of.index)]
    per_turn = per_turn.assign(variant=per_turn.run_id.map(variant_of))
    minerals = sorted(per_turn[per_turn.series == "price_index"].key.unique())
    panels = [("price_index", m, f"price index, {m.replace('_', ' ')}") for m in minerals]
    panels.append(("shortfall_share", "world", "shortfall share, world"))
    ncols = min(3, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    fig = Figure(figsize=(3.6 * ncols, 2.6 * nrows + 0.4))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    variants = sorted(per_turn.variant.unique())
    for ax, (series, key, title) in zip(axes, panels, strict=False):
        sub = per_turn[(per_turn.series == series) & (per_turn.key == key)]
        for j, variant in enumerate(variants):
            q = sub[sub.variant == variant].groupby("turn").value.quantile([0.1, 0.5, 0.9]).unstack()
            if q.empty:
                continue
            colour = COLOURS[j % len(COLOURS)]
            ax.fill_between(q.index, q[0.1], q[0.9], color=colour, alpha=0.2, linewidth=0)
            ax.plot(q.index, q[0.5], color=colour, label=variant)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    if len(variants) > 1:
        axes[0].legend(fontsize=8, loc="best")
    fig.supxlabel("turn", fontsize=9)
    fig.suptitle("Per turn: median and 10-90 % over runs", fontsize=10)
    return [_save(fig, out / "per_turn.png")]


def write_report(folder: Path | str, out: Path | str) -> list[Path]:
    """Every chart of the sweep in `folder`, written to `out`; ReportError if nothing to chart."""
    folder, out = Path(folder), Path(out)
    if not (folder / "meta.json").exists():
        raise ReportError(f"{folder}: not a sweep folder (no meta.json); run `lodestone sweep` first")
    summary = read_summary(folder)
    if summary.empty:
        raise ReportError(f"{folder}: no finished runs yet")
    out.mkdir(parents=True, exist_ok=True)
    written = distributions(summary, out)
    written += effects(summary, out)
    written += per_turn_chart(read_per_turn(folder), summary, out)
    return written
