"""What-if: replay a game to a turn, play it on with and without a change, over many seeds.

Both branches of one replication share their seed from the fork turn on (common random
numbers), so the difference between them is the change, not luck. Seeds come from the
save's seed through `numpy.random.SeedSequence.spawn`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # no pyplot: no global state, no display needed

from game.content import Content
from game.rules.orders import Order
from game.saves import LoggedOrder, Save
from game.session import Game

BRANCHES = ("as played", "what if")
SERIES_COLUMNS = ["branch", "replication", "seed", "turn", "date", "series", "key", "value"]


@dataclass(frozen=True)
class WhatIf:
    at_turn: int
    drop: tuple[int, ...] = ()
    replace: tuple[LoggedOrder, ...] = ()

    def describe(self, save: Save) -> str:
        parts = [f"without order #{i} ({_summary(save.orders[i].order)})" for i in self.drop]
        parts += [f"with {_summary(r.order)} at turn {r.turn}" for r in self.replace]
        return ", ".join(parts) or "no change"


def _summary(order: Order) -> str:
    return f"{order.issuer} {order.kind}" + (f" {order.mineral}" if hasattr(order, "mineral") else "")


def series_of(game: Game, replication: int, seed: int, branch: str, from_turn: int) -> pd.DataFrame:
    """Key series per turn from `from_turn`: world price index per mineral, shortfall share
    per nation (all minerals), score per nation."""
    w = game.world
    n = len(w.nation_ids)
    rows = []
    for r in w.records[from_turn:]:
        price = r.refined_paid[:, :n].mean(axis=1) / w.ref_price
        need = r.need.sum(axis=(0, 2))
        short = np.divide(r.shortfall.sum(axis=(0, 2)), need, out=np.zeros_like(need), where=need > 0)
        date = w.scenario.date_of(r.turn)
        rows += [
            (r.turn, date, "price_index", m, float(v)) for m, v in zip(w.mineral_ids, price, strict=True)
        ]
        rows += [
            (r.turn, date, "shortfall_share", c, float(v)) for c, v in zip(w.nation_ids, short, strict=True)
        ]
        rows += [(r.turn, date, "score", c, float(v)) for c, v in zip(w.nation_ids, r.score, strict=True)]
    df = pd.DataFrame(rows, columns=["turn", "date", "series", "key", "value"])
    df.insert(0, "seed", seed)
    df.insert(0, "replication", replication)
    df.insert(0, "branch", branch)
    return df[SERIES_COLUMNS]


def run_whatif(
    content: Content,
    save: Save,
    change: WhatIf,
    seeds: int,
    on_run: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Both branches over `seeds` replications, played to the save's last turn."""
    parent = Game.from_save(content, save)
    end = save.turn
    children = np.random.SeedSequence(save.seed).spawn(seeds)
    frames = []
    for i, child in enumerate(children):
        seed = int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        for branch in BRANCHES:
            changed = branch == "what if"
            game = parent.fork(
                change.at_turn,
                replace_orders=change.replace if changed else (),
                drop=change.drop if changed else (),
                reseed=seed,
            )
            while game.turn < end:
                game.play_turn()
            frames.append(series_of(game, i, seed, branch, change.at_turn))
            if on_run:
                on_run()
    return pd.concat(frames, ignore_index=True)


def fan_chart(df: pd.DataFrame, series: str, keys: list[str], title: str, path: Path) -> Path:
    """Median and 10–90 % band of each branch over the replications, one panel per key."""
    fig = Figure(figsize=(8, 2.4 * len(keys)))
    axes = fig.subplots(len(keys), 1, sharex=True, squeeze=False)
    colours = {"as played": "#0072B2", "what if": "#D55E00"}  # Okabe–Ito: colour-blind safe
    for ax, key in zip(axes[:, 0], keys, strict=True):
        sub = df[(df.series == series) & (df.key == key)]
        for branch, colour in colours.items():
            q = sub[sub.branch == branch].groupby("turn").value.quantile([0.1, 0.5, 0.9]).unstack()
            if q.empty:
                continue
            ax.fill_between(q.index, q[0.1], q[0.9], color=colour, alpha=0.2, linewidth=0)
            ax.plot(q.index, q[0.5], color=colour, label=branch)
        ax.set_ylabel(key.replace("_", " "), fontsize=9)
        ax.grid(alpha=0.3)
    axes[0, 0].set_title(title, fontsize=10)
    axes[0, 0].legend(fontsize=8, loc="best")
    axes[-1, 0].set_xlabel("turn")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def write_whatif(df: pd.DataFrame, save: Save, change: WhatIf, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    series_path = out / "whatif.parquet"
    df.to_parquet(series_path, index=False)
    written.append(series_path)
    last = df[df.turn == df.turn.max()]
    summary = (
        last.groupby(["series", "key", "branch"]).value.agg(["median", "mean", "min", "max"]).reset_index()
    )
    summary_path = out / "whatif_summary.parquet"
    summary.to_parquet(summary_path, index=False)
    written.append(summary_path)
    changed = [save.orders[i].order for i in change.drop] + [r.order for r in change.replace]
    # The nations a change touches: who gave the order and whom it aimed at.
    touched = {o.issuer for o in changed} | {t for o in changed for t in getattr(o, "targets", [])}
    nations = sorted(touched) or [sorted(save.controllers)[0]]
    what = change.describe(save)
    minerals = sorted(df[df.series == "price_index"].key.unique())
    written.append(
        fan_chart(df, "price_index", minerals, f"Price index (× reference), {what}", out / "prices.png")
    )
    written.append(
        fan_chart(df, "shortfall_share", nations, f"Shortfall share of need, {what}", out / "shortfall.png")
    )
    written.append(fan_chart(df, "score", nations, f"Score, {what}", out / "score.png"))
    return written
