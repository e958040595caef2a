"""The report's charts, drawn with matplotlib's object API (no pyplot: no global state, no
display) in the Okabe–Ito palette, which stays readable for colour-blind readers."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from game.rules import Sector
from game.world.model import WorldModel

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
STYLES = ("-", "--", ":", "-.")


def _colour(i: int) -> tuple[str, str]:
    return PALETTE[i % len(PALETTE)], STYLES[(i // len(PALETTE)) % len(STYLES)]


def _turn_axis(world: WorldModel) -> tuple[np.ndarray, list[int], list[str]]:
    turns = np.array([r.turn for r in world.records])
    step = max(1, len(turns) // 8)
    ticks = list(turns[::step])
    return turns, ticks, [world.scenario.date_of(int(t)) for t in ticks]


def _finish(fig: Figure, ax, world: WorldModel, title: str, ylabel: str) -> None:
    _, ticks, labels = _turn_axis(world)
    ax.set_xticks(ticks, labels, rotation=30, ha="right", fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left", frameon=False)
    fig.tight_layout()


def prices(world: WorldModel) -> Figure:
    """World price index (average price paid over the reference) per mineral."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    n = len(world.nation_ids)
    turns, _, _ = _turn_axis(world)
    index = np.array([r.refined_paid[:, :n].mean(axis=1) / world.ref_price for r in world.records])
    for i, mineral in enumerate(world.mineral_ids):
        colour, style = _colour(i)
        ax.plot(turns, index[:, i], color=colour, linestyle=style, label=mineral.replace("_", " "))
    ax.axhline(1.0, color="grey", linewidth=0.8)
    _finish(fig, ax, world, "Refined prices (× reference)", "price index")
    return fig


def shortfall(world: WorldModel, nations: list[str]) -> Figure:
    """Shortfall as a share of need, by end-use sector, summed over the given nations."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    turns, _, _ = _turn_axis(world)
    idx = [world.nation_ids.index(x) for x in nations]
    for i, sector in enumerate(Sector):
        need = np.array([r.need[:, idx, i].sum() for r in world.records])
        short = np.array([r.shortfall[:, idx, i].sum() for r in world.records])
        share = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
        colour, style = _colour(i)
        ax.plot(turns, 100 * share, color=colour, linestyle=style, label=sector.value.replace("_", " "))
    who = (
        "the world" if len(nations) == len(world.nation_ids) else ", ".join(world.display(x) for x in nations)
    )
    _finish(fig, ax, world, f"Shortfall by sector, {who}", "% of need")
    return fig


def concentration(world: WorldModel) -> Figure:
    """Herfindahl index of refined production per mineral (10,000 = one country)."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    turns, _, _ = _turn_axis(world)
    for i, mineral in enumerate(world.mineral_ids):
        prod = np.array([r.refined_production[i] for r in world.records])
        total = prod.sum(axis=1, keepdims=True)
        shares = np.divide(prod, total, out=np.zeros_like(prod), where=total > 0)
        colour, style = _colour(i)
        ax.plot(
            turns,
            10_000 * (shares**2).sum(axis=1),
            color=colour,
            linestyle=style,
            label=mineral.replace("_", " "),
        )
    _finish(fig, ax, world, "Concentration of refining (HHI)", "HHI")
    return fig


def relations(world: WorldModel, pairs: list[tuple[str, str]]) -> Figure:
    """Mutual regard over time for the pairs that matter (e.g. the players and the refiner)."""
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    turns, _, _ = _turn_axis(world)
    for i, (a, b) in enumerate(pairs):
        ia, ib = world.nation_ids.index(a), world.nation_ids.index(b)
        mutual = [
            (r.relations[ia, ib] + r.relations[ib, ia]) / 2 if r.relations.size else np.nan
            for r in world.records
        ]
        colour, style = _colour(i)
        ax.plot(
            turns, mutual, color=colour, linestyle=style, label=f"{world.display(a)} – {world.display(b)}"
        )
    ax.set_ylim(-100, 100)
    _finish(fig, ax, world, "Relations (mutual regard)", "−100 … 100")
    return fig


def scores(world: WorldModel, nations: list[str]) -> Figure:
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    turns, _, _ = _turn_axis(world)
    for i, nation in enumerate(nations):
        k = world.nation_ids.index(nation)
        colour, style = _colour(i)
        ax.plot(
            turns,
            [r.score[k] for r in world.records],
            color=colour,
            linestyle=style,
            label=world.display(nation),
        )
    _finish(fig, ax, world, "Scores", "score (0–100)")
    return fig


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
