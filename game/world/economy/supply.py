"""The supply side of both markets: mines offer ore along their cost curves and refiners bid
for it from the throughput they plan; refiners then sell refined metal from stock, recyclers
what their scrap allows."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from agents.firms import MINE, RECYCLER, REFINERY, refinery_throughput
from game.world.market.clearing import Bids, Offers

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing
    from game.world.state import WorldState

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]

EXPECTATION_WEIGHT = 0.4
"""Weight of the latest price in the prices firms expect."""
ORE_ELASTICITY = 0.5
ORE_CHOKE = 3.0
ORE_FLOOR_SHARE = 0.2
NETBACK_CHOKE = 0.8
"""Refiners' ore demand starts to collapse at this share of their netback (the refined price
they expect at home less their conversion cost, per contained tonne), so that the steep tail
of the demand curve above the choke stays under the netback itself: no refiner pays more for
ore than the metal made from it allows."""
NETBACK_FLOOR_SHARE = 0.02
"""A netback never counts as less than this share of the ore reference price (a refiner whose
conversion cost eats the whole refined price bids next to nothing, not a negative price)."""
"""Refiners value ore from the refined price, never from less than this share of the reference."""
OFFER_LO, OFFER_HI = 0.85, 1.05
"""A producer offers nothing below OFFER_LO of its unit cost and everything above OFFER_HI."""
HOLD_LO, HOLD_HI = 0.6, 0.9
"""Refiners' ore is a sunk cost: they sell from stock unless the price is below HOLD_HI of the
price they expect, and hold everything for better times below HOLD_LO of it."""


class OreMarket(NamedTuple):
    offers: Offers
    bids: Bids
    plan: F64  # (F,) ore each refinery plans to buy


class RefinedSupply(NamedTuple):
    sellers: Bool  # (F,) firms that sell refined metal (refiners and recyclers)
    cell: NDArray[np.intp]
    avail: F64
    lo: F64
    hi: F64


def ore_market(s: WorldState) -> OreMarket:
    """Mines' offers and refiners' bids: refiners plan from the prices they expect at home
    (adaptive expectations) and never bid beyond their capacity."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    spread = s.expected_refined[t.mineral, t.country] - s.expected_ore[t.mineral, t.country]
    plan = refinery_throughput(t, spread)
    need = np.bincount(t.mineral * n_nat + t.country, weights=plan, minlength=n_min * n_nat)
    cap = np.bincount(
        t.mineral * n_nat + t.country,
        weights=np.where(t.kind == REFINERY, t.available(), 0.0),
        minlength=n_min * n_nat,
    )
    mines = t.kind == MINE
    offers = Offers(
        cell=(t.mineral * n_nat + t.country)[mines],
        avail=t.available()[mines],
        lo=OFFER_LO * t.unit_cost[mines],
        hi=OFFER_HI * t.unit_cost[mines],
    )
    world_refined = s.refined_paid[:, :n_nat].mean(axis=1)
    ore_ref = (s.ore_share * np.maximum(world_refined, ORE_FLOOR_SHARE * s.ref_price))[:, None]
    bids = Bids(
        need=need.reshape(n_min, n_nat),
        pref=ore_ref,
        eps=np.full((n_min, n_nat), ORE_ELASTICITY),
        choke=np.minimum(ORE_CHOKE, NETBACK_CHOKE * netback(s, cap.reshape(n_min, n_nat)) / ore_ref),
        cap=cap.reshape(n_min, n_nat),
    )
    return OreMarket(offers, bids, plan)


def netback(s: WorldState, refining: F64) -> F64:
    """(M, N) the most each country's refiners can pay for a contained tonne of ore: the
    refined price they expect less their conversion cost (capacity-weighted over the
    country's refineries; `refining` (M, N) their capacity this turn)."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    weight = np.where(t.kind == REFINERY, t.available(), 0.0)
    cell = t.mineral * n_nat + t.country
    spent = np.bincount(cell, weights=weight * t.unit_cost, minlength=n_min * n_nat).reshape(n_min, n_nat)
    conversion = np.divide(spent, refining, out=np.zeros_like(spent), where=refining > 0)
    floor = NETBACK_FLOOR_SHARE * s.ore_share[:, None] * s.ref_price[:, None]
    # No refiner expects to sell above what the dearest buyer anywhere pays (an origin that
    # sells nothing has a notional price far above any real sale).
    dearest = s.refined_paid[:, :n_nat].max(axis=1, keepdims=True)
    return np.maximum(np.minimum(s.expected_refined, dearest) - conversion, floor)


def refine(s: WorldState, ore: Clearing, plan: F64, taken: F64 | None = None) -> F64:
    """Refiners take in the ore they got (`taken` (M, N) when their ore stocks added to or
    kept some of what they bought), shared by plan; returns each firm's intake."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    bought = (ore.bought() if taken is None else taken).ravel()  # (M*N) ore for the plants
    cell = t.mineral * n_nat + t.country
    planned = np.bincount(cell, weights=plan, minlength=n_min * n_nat)
    fill = np.divide(bought, planned, out=np.zeros_like(bought), where=planned > 0)
    intake = plan * fill[cell]
    t.output = np.where(t.kind == MINE, 0.0, intake)  # mines' output is set by their sales
    t.inventory = t.inventory + intake
    s.ore_price = ore.price
    s.ore_paid = ore.paid
    s.expected_ore = (1 - EXPECTATION_WEIGHT) * s.expected_ore + EXPECTATION_WEIGHT * ore.paid
    return intake


def recycling_feed(s: WorldState) -> F64:
    """(M, N) end-of-life scrap this turn: use one product life ago, at the collection rate."""
    lag_rows = (s.turn - s.eol_lag) % s.use_history.shape[0]
    return s.use_history[lag_rows, np.arange(len(s.mineral_ids))] * s.eol_rate[:, None] * s.eol_boost


def refined_supply(s: WorldState) -> RefinedSupply:
    """Refiners offer their stock, recyclers what their scrap lets them run."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    feed = recycling_feed(s)
    rec = t.kind == RECYCLER
    rec_cap = np.bincount(
        (t.mineral * n_nat + t.country)[rec], weights=t.available()[rec], minlength=n_min * n_nat
    ).astype(float)  # with no recyclers at all bincount returns integers
    rec_fill = np.minimum(
        1.0, np.divide(feed.ravel(), rec_cap, out=np.zeros_like(rec_cap), where=rec_cap > 0)
    )
    avail = np.where(rec, t.available() * rec_fill[t.mineral * n_nat + t.country], 0.0)
    expected = s.expected_refined[t.mineral, t.country]
    avail = np.where(t.kind == REFINERY, t.inventory, avail)
    lo = np.where(t.kind == REFINERY, HOLD_LO * expected, OFFER_LO * t.unit_cost)
    hi = np.where(t.kind == REFINERY, HOLD_HI * expected, OFFER_HI * t.unit_cost)
    sellers = t.kind != MINE
    cell = (t.mineral * n_nat + t.country)[sellers]
    return RefinedSupply(sellers, cell, avail[sellers], lo[sellers], hi[sellers])


def settle_refined_sales(s: WorldState, sellers: Bool, sold_by_firms: F64) -> None:
    """Refiners sold from inventory, recyclers produced what they sold."""
    t = s.firms
    sold = np.zeros(len(t))
    sold[sellers] = sold_by_firms
    t.inventory = np.where(t.kind == REFINERY, np.maximum(t.inventory - sold, 0.0), t.inventory)
    t.output = np.where(t.kind == RECYCLER, sold, t.output)
    t.sold = sold


def settle_refined_prices(s: WorldState, refined: Clearing) -> None:
    """The refined market's prices become the world's, and firms' expectations move."""
    s.refined_price = refined.price
    s.refined_paid = refined.paid
    s.expected_refined = (1 - EXPECTATION_WEIGHT) * s.expected_refined + EXPECTATION_WEIGHT * refined.price


RECYCLING_GROWTH_PER_TURN = 0.001
"""End-of-life collection closes this share of its gap to the ceiling each turn."""


def collect_end_of_life(s: WorldState) -> None:
    """This turn's use joins the history recyclers will collect from, one product life on;
    collection creeps towards its ceiling."""
    s.use_history[s.turn % s.use_history.shape[0]] = s.consumption.sum(axis=2)
    s.eol_rate = s.eol_rate + RECYCLING_GROWTH_PER_TURN * (s.eol_ceiling - s.eol_rate)
