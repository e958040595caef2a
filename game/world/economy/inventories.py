"""Commercial inventories: refined metal each country's manufacturers hold against
interruptions, with a target cover in quarters of their civil use (content: a mineral's
`[inventories] cover_quarters`), and ore its refiners hold, in quarters of the ore they plan
to run (`refiner_ore_cover_quarters`). Refiners' refined metal is their own stock of output
(game.world.economy.supply).

Why they matter: stocks buffer a shock (when the price jumps above what manufacturers
expect, they run their stocks down instead of paying it, which is supply to the market), and
they amplify booms and busts when everyone moves together (a price that keeps rising makes
every manufacturer want more cover and bid for it; one that keeps falling makes them all sell
what they no longer want), as lithium did in 2021-23.

Both sides go through the refined market like everyone else's: restocking is a bid at the
country's civil node (price-sensitive like the rest of that node), destocking and drawing on
the buffer are offers at the country's own cell, each with its asking prices. Nothing is
created or lost: stocks move by exactly what was bought less what was sold (the balances'
`inventory_change`)."""

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
"""Share of the stock above target offered each turn."""
DESTOCK_ASK = (0.5, 1.0)
"""Stock above target is offered from these multiples of the expected price (it is sold,
not held: holding costs money and the price is expected to fall)."""
DRAW_SHARE = 0.5
"""At most this share of the stock up to target is drawn in a turn..."""
DRAW_ASK = (1.15, 1.8)
"""...offered from these multiples of the expected price (times the trend, as every ask
here): the buffer is drawn when the price jumps above what manufacturers expect, not in a
market that has been rising for a while (they hoard then)."""
EXPECTATION_WEIGHT = 0.4
"""Weight of the latest civil price in the price manufacturers expect (as firms' own)."""
NORMAL_WEIGHT = 0.1
"""Weight of the latest civil price in the slow average manufacturers take as normal (as
the price memory that drives substitution); the trend is the latest price over it."""


class StockOrders(NamedTuple):
    """What manufacturers bid and offer on the refined market this turn."""

    buy: F64  # (M, N) restocking bid at each country's civil node
    cell: NDArray[np.intp]  # offers, only those with stock to offer (an empty offer costs
    avail: F64  # the clearing time and changes nothing): stock above target, then the buffer
    lo: F64
    hi: F64
    tranche: NDArray[np.intp]  # each offer's place among the 2 M N tranches


def start(s: WorldState) -> None:
    """Stocks at target at the start of the game, priced at the start's civil prices;
    refiners' ore at their cover of what they ran in the spin-up."""
    n_nat = len(s.nation_ids)
    s.inventory_target = s.inventory_cover[:, None] * civil_need(s.need)
    s.inventory = s.inventory_target.copy()
    s.inventory_expected = s.refined_paid[:, :n_nat].copy()
    s.inventory_normal = s.refined_paid[:, :n_nat].copy()
    s.inventory_change = np.zeros_like(s.inventory)
    t = s.firms
    running = np.bincount(  # what refiners ran in the spin-up's last round
        t.mineral * n_nat + t.country,
        weights=np.where(t.kind == REFINERY, t.output, 0.0),
        minlength=s.inventory.size,
    ).reshape(s.inventory.shape)
    s.ore_inventory = s.ore_inventory_cover[:, None] * running
    s.ore_inventory_change = np.zeros_like(s.inventory)


def idle(s: WorldState) -> StockOrders:
    """No bid and nothing offered (the spin-up: stocks sit at target, the start's prices
    clear without them)."""
    none, empty = np.zeros(0, dtype=np.intp), np.zeros(0)
    return StockOrders(np.zeros(s.inventory.shape), none, empty, empty, empty, none)


def orders(s: WorldState) -> StockOrders:
    """Each country's manufacturers set their target from this turn's civil need and the
    price trend, bid for the gap (unless the price just jumped) and offer what they hold
    above target cheaply and the buffer dearly."""
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    paid = s.refined_paid[:, :n_nat]
    trend = np.clip(paid / np.maximum(s.inventory_normal, 1e-12), *TREND_CLIP)
    target = s.inventory_cover[:, None] * civil_need(s.need) * trend**COVER_CHASE
    s.inventory_target = target
    jump = paid / np.maximum(s.inventory_expected, 1e-12)
    calm = np.clip((RESTOCK_CEILING - jump) / (RESTOCK_CEILING - 1.0), 0.0, 1.0)
    held = s.inventory
    buy = np.maximum(target - held, 0.0) / RESTOCK_TURNS * calm
    excess = DESTOCK_SHARE * np.maximum(held - target, 0.0)
    buffer = DRAW_SHARE * np.minimum(held, target)
    cells = np.arange(n_min * n_nat)
    # a rising market makes holders ask more for their stock, a falling one less
    expected = (s.inventory_expected * trend**COVER_CHASE).ravel()
    avail = np.concatenate([excess.ravel(), buffer.ravel()])
    tranche = np.flatnonzero(avail > 0)
    return StockOrders(
        buy=buy,
        cell=np.concatenate([cells, cells])[tranche],
        avail=avail[tranche],
        lo=np.concatenate([DESTOCK_ASK[0] * expected, DRAW_ASK[0] * expected])[tranche],
        hi=np.concatenate([DESTOCK_ASK[1] * expected, DRAW_ASK[1] * expected])[tranche],
        tranche=tranche,
    )


def settle(s: WorldState, bought: F64, sold: F64, paid: F64) -> None:
    """Stocks take in what the restocking bid bought and give up what the offers sold
    (`bought`, `sold`, (M, N) t); expectations move to this turn's civil prices (`paid`).
    The change of net buying since last turn is a cause of price moves."""
    change = bought - sold
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


def sold_by_country(stock: StockOrders, sold: F64, n_min: int, n_nat: int) -> F64:
    """(M, N) tonnes the offers of `stock` sold (`sold`, in their order), both tranches."""
    every = np.zeros(2 * n_min * n_nat)
    every[stock.tranche] = sold
    return every.reshape(2, n_min, n_nat).sum(axis=0)
