"""Commercial inventories: refined metal each country's manufacturers hold against
interruptions, with a target cover in quarters of their civil use (content: a mineral's
`[inventories] cover_quarters`), and ore its refiners hold, in quarters of the ore they plan
to run (`refiner_ore_cover_quarters`). Refiners' refined metal is their own stock of output
(game.world.economy.supply).

Why they matter: stocks buffer a shock (when supply is seen to tighten, manufacturers run
their stocks down instead of buying, which to the market is supply), and they amplify booms
and busts when everyone moves together (a price that keeps rising makes every manufacturer
want more cover and bid for it; one that keeps falling makes them all use up what they no
longer want instead of buying), as lithium did in 2021-23.

Both sides go through the refined market as a change of the country's civil bid (so they
are price-sensitive like the rest of that node): restocking adds to it; destocking and
drawing on the buffer take from it, the manufacturers using stock instead of buying, which
to the market is supply. Not offers of their own: a stock offered at every country's cell
would make every country an origin of every mineral, which multiplies the clearing's routes
(three times the time at 200 countries). The buffer is drawn on what manufacturers see
before the market clears (see `urgency`). Nothing is created or lost: stocks move by
exactly what the bid bought for them less what they used (the balances' `inventory_change`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from agents.firms import REFINERY
from game.world.economy.demand import civil_need

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]

TREND_CLIP = (0.5, 2.0)
"""Bounds of the price trend (latest civil price over its slow average, what manufacturers
take as normal) that scales cover."""
COVER_CHASE = 1.0
"""Elasticity of the cover manufacturers want to the price trend: a rising market makes each
of them want more stock (fear of running short), a falling one less (stock loses value)."""
RESTOCK_TURNS = 3
"""Manufacturers close the gap to their target over this many turns."""
RESTOCK_CEILING = 2.0
"""No restocking while the latest price is this multiple of the price they expect or more:
a sudden jump is waited out from stock, not bought into."""
DESTOCK_SHARE = 0.3
"""Share of the stock above target used each turn instead of buying (destocking)."""
DRAW_SHARE = 0.5
"""At most this share of the stock up to target is drawn in a turn..."""
DRAW_SIGNAL = 0.2
"""...in full once supply is seen to tighten by this much (a fall of the world's refining
run, a share of the country's suppliers cut off), in part below it."""
RUN_MEMORY = 4
"""Quarters of refiners' runs a fall is measured against (a cut is leaned on for about a
year, less as the average settles to it)."""
USE_CAP = 0.9
"""Stocks replace at most this share of a country's civil use in a turn."""
EXPECTATION_WEIGHT = 0.4
"""Weight of the latest civil price in the price manufacturers expect (as firms' own)."""
NORMAL_WEIGHT = 0.1
"""Weight of the latest civil price in the slow average manufacturers take as normal (as
the price memory that drives substitution); the trend is the latest price over it."""


class StockOrders(NamedTuple):
    """How manufacturers' stocks move their country's civil bid this turn."""

    net: F64  # (M, N) t added to the civil bid: restocking less destocking and drawing


def start(s: WorldState) -> None:
    """Stocks at target at the start of the game, priced at the start's civil prices;
    refiners' ore at their cover of what they ran in the spin-up."""
    n_nat = len(s.nation_ids)
    s.inventory_target = s.inventory_cover[:, None] * civil_need(s.need)
    s.inventory = s.inventory_target.copy()
    s.inventory_expected = s.refined_paid[:, :n_nat].copy()
    s.inventory_normal = s.refined_paid[:, :n_nat].copy()
    s.inventory_change = np.zeros_like(s.inventory)
    s.ore_inventory = s.ore_inventory_cover[:, None] * refiners_running(s)
    s.ore_inventory_change = np.zeros_like(s.inventory)


def refiners_running(s: WorldState) -> F64:
    """(M, N) ore refiners took into their plants this turn (their output)."""
    t = s.firms
    n_nat = len(s.nation_ids)
    return np.bincount(
        t.mineral * n_nat + t.country,
        weights=np.where(t.kind == REFINERY, t.output, 0.0),
        minlength=s.inventory.size,
    ).reshape(s.inventory.shape)


def idle(s: WorldState) -> StockOrders:
    """Stocks neither bought nor used (the spin-up: they sit at target, the start's prices
    clear without them)."""
    return StockOrders(np.zeros(s.inventory.shape))


def urgency(s: WorldState) -> F64:
    """(M, N) 0..1 how hard manufacturers lean on their buffer this turn, from what they see
    before the market clears: refiners running less ore than over the last RUN_MEMORY
    quarters (the world's refined output falls: a strike, a ban on ore, a plant lost), or
    their own country losing access to suppliers (an export control). Not a price that has
    merely risen: in a boom they hoard (the target's trend), they do not draw."""
    now = refiners_running(s).sum(axis=1)
    past = s.records[-RUN_MEMORY:]
    if past:
        before = sum((r.ore_intake - r.ore_inventory_change).sum(axis=1) for r in past) / len(past)
        drop = np.divide(before - now, before, out=np.zeros_like(now), where=before > 0)
    else:
        drop = np.zeros_like(now)
    seen = np.maximum(drop[:, None], s.causes.lost_access)
    return np.clip(seen / DRAW_SIGNAL, 0.0, 1.0)


def orders(s: WorldState) -> StockOrders:
    """Each country's manufacturers set their target from this turn's civil need and the
    price trend; they bid for the gap (unless the price just jumped), buy less than they use
    by part of any stock above target (destocking), and use their buffer instead of buying
    when supply is seen to tighten."""
    n_nat = len(s.nation_ids)
    paid = s.refined_paid[:, :n_nat]
    civil = civil_need(s.need)
    trend = np.clip(paid / np.maximum(s.inventory_normal, 1e-12), *TREND_CLIP)
    target = s.inventory_cover[:, None] * civil * trend**COVER_CHASE
    s.inventory_target = target
    jump = paid / np.maximum(s.inventory_expected, 1e-12)
    calm = np.clip((RESTOCK_CEILING - jump) / (RESTOCK_CEILING - 1.0), 0.0, 1.0)
    held = s.inventory
    restock = np.maximum(target - held, 0.0) / RESTOCK_TURNS * calm
    use = USE_CAP * civil  # stock replaces purchases, never the country's whole use
    destock = np.minimum(DESTOCK_SHARE * np.maximum(held - target, 0.0), use)
    drawn = np.minimum(DRAW_SHARE * np.minimum(held, target) * urgency(s), use - destock)
    return StockOrders(restock - destock - drawn)


def settle(s: WorldState, change: F64, paid: F64) -> None:
    """Stocks move by `change` (M, N) t: what the civil bid bought for them less what
    manufacturers used from them; expectations move to this turn's civil prices (`paid`).
    The change of net buying since last turn is a cause of price moves."""
    s.inventory = s.inventory + change
    s.causes.inventory += change - s.inventory_change
    s.inventory_change = change
    s.inventory_expected = (1 - EXPECTATION_WEIGHT) * s.inventory_expected + EXPECTATION_WEIGHT * paid
    s.inventory_normal = (1 - NORMAL_WEIGHT) * s.inventory_normal + NORMAL_WEIGHT * paid


ORE_DRAW_JUMP = 1.5
"""Refiners draw their ore stock in full (up to DRAW_SHARE of it) to cover ore they could not
buy once the ore price is this multiple of the one they expected, in part from 1x."""


class OreStockOrders(NamedTuple):
    """What each country's refiners add to their ore bid to restock, or take from stock."""

    restock: F64  # (M, N) t bid on top of what their plants plan to run
    destock: F64  # (M, N) t of that plan run from stock instead of bought


def ore_orders(s: WorldState, planned: F64) -> OreStockOrders:
    """Refiners aim at their cover of the ore their plants plan to run (`planned`, (M, N)):
    they bid for the gap (not while the ore price has just jumped) and run part of any
    excess from stock instead of buying it."""
    target = s.ore_inventory_cover[:, None] * planned
    held = s.ore_inventory
    jump = s.ore_paid / np.maximum(s.expected_ore, 1e-12)
    calm = np.clip((RESTOCK_CEILING - jump) / (RESTOCK_CEILING - 1.0), 0.0, 1.0)
    restock = np.maximum(target - held, 0.0) / RESTOCK_TURNS * calm
    destock = np.minimum(DESTOCK_SHARE * np.maximum(held - target, 0.0), planned)
    return OreStockOrders(restock, destock)


def settle_ore(s: WorldState, orders: OreStockOrders, planned: F64, bought: F64, paid: F64) -> F64:
    """Ore bought (`bought`, (M, N)) is shared between plants and stock as their bids were;
    when the plants got less than planned and the ore price (`paid`) jumped above what
    refiners expected, the stock covers part of the gap. Returns (M, N) the ore that goes
    into the plants (bought for them, run from stock)."""
    for_plants = planned - orders.destock
    bid = for_plants + orders.restock
    fill = np.divide(bought, bid, out=np.zeros_like(bought), where=bid > 0)
    to_plants, to_stock = for_plants * fill, orders.restock * fill
    jump = paid / np.maximum(s.expected_ore, 1e-12)
    urgency = np.clip((jump - 1.0) / (ORE_DRAW_JUMP - 1.0), 0.0, 1.0)
    spare = np.maximum(s.ore_inventory - orders.destock, 0.0)
    draw = np.minimum(np.maximum(for_plants - to_plants, 0.0), DRAW_SHARE * spare) * urgency
    change = to_stock - orders.destock - draw
    s.ore_inventory = s.ore_inventory + change
    s.ore_inventory_change = change
    return to_plants + orders.destock + draw
