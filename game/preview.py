"""What an order would do next quarter, before it is submitted: the next turn resolved on two
forks of the game, with and without it, and compared for the player's nation.

Both forks are `Game.fork` at the current turn (the whole history replayed, so a preview
costs about two turns per quarter already played; the UI runs it in a worker thread).
Every other nation decides afresh on each fork, as it would in the game, so the difference
is what the order changes, reactions included, for this seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.rules.orders import Order
from game.saves import LoggedOrder
from game.session import Game


@dataclass(frozen=True)
class Line:
    mineral: str
    world_price: tuple[float, float]  # USD/t world average, (without, with)
    you_paid: tuple[float, float]  # USD/t
    supplied: tuple[float, float]  # share of need bought, 0..1
    stock: tuple[float, float]  # t


@dataclass(frozen=True)
class Preview:
    lines: list[Line]
    treasury: tuple[float, float]  # USD m after the quarter
    accepted: bool
    """Whether the order applied on its fork (it may be refused at resolution)."""
    reason: str


def _state(game: Game, nation: str) -> dict[str, np.ndarray]:
    world = game.world
    i = world.nation_ids.index(nation)
    record = world.records[-1]
    n = len(world.nation_ids)
    need = record.need[:, i].sum(axis=1)
    short = record.shortfall[:, i].sum(axis=1)
    return {
        "world": record.refined_paid[:, :n].mean(axis=1),
        "paid": record.refined_paid[:, i].copy(),
        "fill": np.where(need > 0, 1 - short / np.where(need > 0, need, 1), 1.0),
        "stock": world.stockpile[i].copy(),
        "treasury": np.array([world.treasury[i]]),
    }


def preview(game: Game, nation: str, order: Order) -> Preview:
    """Resolve the next quarter without and with `order` (issued by `nation`)."""
    turn = game.turn
    without = game.fork(turn)
    with_ = game.fork(turn, replace_orders=[LoggedOrder(turn=turn, order=order)])
    without.play_turn()
    with_.play_turn()
    a, b = _state(without, nation), _state(with_, nation)
    mine = [r for r in with_.world.desk.log if r.turn == turn and r.order == order]
    accepted = bool(mine and mine[-1].accepted)
    lines = [
        Line(
            mineral=m,
            world_price=(float(a["world"][k]), float(b["world"][k])),
            you_paid=(float(a["paid"][k]), float(b["paid"][k])),
            supplied=(float(a["fill"][k]), float(b["fill"][k])),
            stock=(float(a["stock"][k]), float(b["stock"][k])),
        )
        for k, m in enumerate(game.world.mineral_ids)
    ]
    return Preview(
        lines=lines,
        treasury=(float(a["treasury"][0]), float(b["treasury"][0])),
        accepted=accepted,
        reason=mine[-1].reason if mine else "",
    )
