"""Charts drawn by matplotlib (Agg) into a pygame surface, and exported as PNG.

Matplotlib is already a core dependency (what-if fan charts); drawing a figure costs a
few hundred milliseconds, so a chart is rendered once per size and turn and cached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pygame

from game.ui.play import PART_LABELS, mineral_name

BG = "#0f1820"
FG = "#d7dde3"
GRID = "#26384a"


def figure(
    series: dict[str, Any],
    size_px: tuple[int, int],
    dpi: int = 100,
    title: str = "",
    colour_blind: bool = False,
):
    """A 2×2 figure: prices (index), your supply security, concentration, your score."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi, facecolor=BG)
    axes = fig.subplots(2, 2)
    cmap = matplotlib.colormaps["viridis" if colour_blind else "tab10"]
    minerals = series.get("minerals", [])
    colours = [cmap(i / max(1, len(minerals) - 1)) if colour_blind else cmap(i) for i in range(len(minerals))]
    x = series.get("turns", np.arange(0))
    titles = [
        "Refined prices (index, first turn = 100)",
        "Your supply security (% of need bought)",
        "Concentration of refining (HHI)",
        "Your score and its parts",
    ]
    for ax, t in zip(axes.flat, titles, strict=True):
        ax.set_facecolor(BG)
        ax.set_title(t, color=FG, fontsize=10, loc="left")
        ax.tick_params(colors=FG, labelsize=8)
        for spine in ax.spines.values():
            spine.set_color(GRID)
        ax.grid(True, color=GRID, linewidth=0.6)
    if len(x):
        price = series["price"]
        base = np.where(price[0] > 0, price[0], 1)
        for i, m in enumerate(minerals):
            axes[0, 0].plot(x, price[:, i] / base[i] * 100, color=colours[i], lw=1.5, label=mineral_name(m))
            axes[0, 1].plot(x, series["security"][:, i], color=colours[i], lw=1.5)
            axes[1, 0].plot(x, series["hhi"][:, i], color=colours[i], lw=1.5)
        axes[0, 1].set_ylim(0, 105)
        axes[1, 0].axhline(2500, color="#ff8a7a", lw=0.8, ls="--")
        axes[1, 0].text(x[0], 2600, "highly concentrated", color="#ff8a7a", fontsize=7)
        axes[1, 1].plot(x, series["score"], color="#f0c65a", lw=2.5, label="Score")
        parts = series["parts"]
        for j, name in enumerate(PART_LABELS.values()):
            if j < parts.shape[1]:
                axes[1, 1].plot(x, parts[:, j], lw=0.9, alpha=0.7, label=name)
        axes[1, 1].set_ylim(0, 100)
        axes[0, 0].legend(fontsize=7, ncols=2, facecolor=BG, edgecolor=GRID, labelcolor=FG)
        axes[1, 1].legend(fontsize=7, ncols=2, facecolor=BG, edgecolor=GRID, labelcolor=FG)
        dates = series["dates"]
        step = max(1, len(x) // 6)
        for ax in axes.flat:
            ax.set_xticks(x[::step], [dates[i] for i in range(0, len(x), step)])
    else:
        for ax in axes.flat:
            ax.text(
                0.5,
                0.5,
                "Charts fill in after the first turn",
                color=FG,
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
    if title:
        fig.suptitle(title, color="#f0c65a", fontsize=12, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.96 if title else 1))
    return fig


def to_surface(fig) -> pygame.Surface:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    buf = canvas.buffer_rgba()
    w, h = canvas.get_width_height()
    return pygame.image.frombuffer(bytes(buf), (w, h), "RGBA").convert_alpha()


def export_png(series: dict[str, Any], path: Path, title: str = "", colour_blind: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = figure(series, (1600, 1000), dpi=120, title=title, colour_blind=colour_blind)
    fig.savefig(path, facecolor=BG)
    return path
