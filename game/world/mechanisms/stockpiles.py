"""Public stockpiles: orders to buy and release, how stockpiles trade on the refined market
(buy towards target while cheap, release into a tight home market), and what they paid and
earned.

What may be ordered is decided by `stockpile_refusal` over the fact `releasable`: the desk's
check, the lab's masks and the stockpile form call the same ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from game.rules.orders import Stockpile, StockpileAction
from game.world.mechanisms.base import Label, Lever, refuse, same, within

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]

STOCK_BUY_BELOW = 1.25
"""Stockpiles buy towards target while the price is under this multiple of the reference."""
STOCK_RELEASE_ABOVE = 1.8
"""Stockpiles release into their home market while the price is over this multiple of the reference..."""
STOCK_RELEASE_FILL = 0.9
"""...or while their country got less than this share of its need last turn."""
STOCK_RELEASE_SHARE = 0.15
"""Share of the stockpile released in a turn."""
STOCK_BUY_TURNS = 8
"""Stockpiles close the gap to their target over this many turns."""
RELEASE_ASK_SHARE = 0.05
"""A release is offered at any price above this share of the reference (it is sold, not held)."""


class PublicOrders(NamedTuple):
    release: F64  # (N, M) tonnes offered
    buy: F64  # (N, M) tonnes bid


def public_orders(s: WorldState) -> PublicOrders:
    """What each stockpile offers and bids on the refined market this turn."""
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    home_price = s.refined_paid[:, :n_nat].T  # (N, M)
    ratio = home_price / s.ref_price[None, :]
    fill = s.consumption_fill
    release = np.where(
        (ratio > STOCK_RELEASE_ABOVE) | (fill < STOCK_RELEASE_FILL), STOCK_RELEASE_SHARE * s.stockpile, 0.0
    )
    gap = np.maximum(s.stock_target - s.stockpile, 0.0)
    affordable = s.stock_budget[:, None] * 1e6 / np.maximum(home_price, 1.0) / n_min
    buy = np.where(ratio < STOCK_BUY_BELOW, np.minimum(gap / STOCK_BUY_TURNS, affordable), 0.0)
    release = np.maximum(release, np.minimum(s.forced_release, s.stockpile))
    buy = np.where(release > 0, 0.0, buy)
    return PublicOrders(release, buy)


def note_net_buying(s: WorldState, orders: PublicOrders) -> None:
    """Stockpiles' net buying, and its change since last turn as a cause of price moves."""
    s.causes.stockpile += (orders.buy - orders.release).T - s.stock_net
    s.stock_net = (orders.buy - orders.release).T


def settle(s: WorldState, released_sold: F64, bought: F64, paid: F64, received: F64) -> None:
    """Stockpiles pay for what they bought (from their budget) and the treasury earns what
    they released; `released_sold`, `bought` and `received` are (N, M) tonnes, `paid` (M, N)
    this turn's civil prices. `received` are tonnes delivered beyond what the country's
    buyers wanted (contracted deal tonnes): the stockpile holds them, paid under the deal."""
    spend = (bought.T * paid).sum(axis=0) / 1e6
    s.stock_budget = np.maximum(s.stock_budget - spend, 0.0)
    s.stockpile = s.stockpile - released_sold + bought + received
    s.treasury = s.treasury + (released_sold * paid.T).sum(axis=1) / 1e6
    s.stock_delta = (bought + received - released_sold).T  # (M, N)
    s.forced_release[:] = 0.0


def _stock_verb(o: Stockpile, n: Label = same) -> str:
    where = "for" if o.action == StockpileAction.BUY else "from"
    return f"{o.action.value} {n(o.mineral)} {where} its stockpile"


def releasable(s: WorldState) -> F64:
    """(N, M) tonnes each nation may still order released: its stockpile less the releases
    already ordered this turn."""
    return s.stockpile - s.forced_release


def stockpile_refusal(action: StockpileAction, tonnes: float, budget: float, held: float) -> str | None:
    """Why a nation that may release `held` tonnes (`releasable`) cannot buy or release
    `tonnes` with `budget` USD m; None if it can (the desk charges a purchase's budget)."""
    if action == StockpileAction.BUY:
        if tonnes <= 0 or budget <= 0:
            return "a purchase needs both tonnes and a budget above 0"
        return None
    if budget:
        return "a release takes no budget"
    if tonnes <= 0 or not within(tonnes, held):
        return f"it holds {max(held, 0):,.0f} t to release"
    return None


def _check_stockpile(world: WorldState, o: Stockpile) -> str | None:
    i, m = world.nation_index[o.issuer], world.mineral_index(o.mineral)
    held = float(releasable(world)[i, m])
    why = stockpile_refusal(o.action, o.tonnes, o.budget_usd_m, held)
    return None if why is None else refuse(world, o, _stock_verb(o, world.label), why)


def _apply_stockpile(world: WorldState, o: Stockpile) -> None:
    i, m = world.nation_index[o.issuer], world.mineral_index(o.mineral)
    if o.action == StockpileAction.BUY:
        world.stock_budget[i] += o.budget_usd_m
        world.stock_target[i, m] += o.tonnes
    else:
        world.forced_release[i, m] += o.tonnes


def _stock_cost(world: WorldState, o: Stockpile) -> float:
    return o.budget_usd_m if o.action == StockpileAction.BUY else 0.0


LEVERS = {Stockpile: Lever(12, _stock_verb, _check_stockpile, _apply_stockpile, _stock_cost)}
