"""Demand by end-use sector: what each sector needs this turn, how high prices slowly move it
to other materials, and what it consumed once the refined market cleared."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Sector
from game.world.market.clearing import Bids
from game.world.state import SECTORS

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing
    from game.world.state import WorldState

F64 = NDArray[np.float64]

DEFENCE = SECTORS.index(Sector.DEFENCE)

DEFENCE_ELASTICITY = 0.1
CIVIL_CHOKE = 4.0
"""Civil demand collapses above this multiple of the reference price."""
DEFENCE_CHOKE = 12.0
"""Defence pays far more before it goes without."""
PRICE_MEMORY_WEIGHT = 0.1
"""Weight of this turn's price in the slow average that drives substitution."""
SUBSTITUTION_SPEED = 0.05
"""Share of the gap to its target that substitution closes each turn."""


def need_now(s: WorldState) -> F64:
    """(M, N, S) tonnes per turn each sector needs this turn at the reference price."""
    return (
        s.base_need
        * s.growth_index[:, None, :]
        * s.demand_shock
        * s.substitution[:, :, None]
        * s.subsidy_cut
        * s.rnd_substitution[:, :, None]
    )


def step_demand(s: WorldState) -> None:
    """Demand grows; a price that stays high slowly moves demand to other materials. The
    turn's need is fixed here for the rest of the turn."""
    before = need_now(s)
    s.growth_index *= s.growth_per_turn
    ratio = s.refined_paid[:, : len(s.nation_ids)] / s.ref_price[:, None]
    s.price_memory = (1 - PRICE_MEMORY_WEIGHT) * s.price_memory + PRICE_MEMORY_WEIGHT * ratio
    target = np.maximum(s.price_memory, 1.0) ** -s.substitution_eps[:, None]
    s.substitution = (1 - SUBSTITUTION_SPEED) * s.substitution + SUBSTITUTION_SPEED * target
    s.need = need_now(s)
    s.causes.demand_growth += (s.need - before).sum(axis=2)


def civil_need(need: F64) -> F64:
    """(M, N) what the civil sectors need (defence buys at its own node)."""
    return need.sum(axis=2) - need[:, :, DEFENCE]


def refined_bids(s: WorldState, stock_bid: F64) -> Bids:
    """Buyers of refined metal: each country's civil sectors (with its stockpile's bid,
    `stock_bid` (M, N)) at one node and its defence sector at another."""
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    need = s.need
    civil = civil_need(need) + stock_bid
    return Bids(
        need=np.concatenate([civil, need[:, :, DEFENCE]], axis=1),
        pref=s.ref_price[:, None],
        eps=np.concatenate(
            [np.repeat(s.civil_eps[:, None], n_nat, 1), np.full((n_min, n_nat), DEFENCE_ELASTICITY)], 1
        ),
        choke=np.concatenate(
            [np.full((n_min, n_nat), CIVIL_CHOKE), np.full((n_min, n_nat), DEFENCE_CHOKE)], 1
        ),
        cap=np.full((n_min, 2 * n_nat), np.inf),
    )


def consume(s: WorldState, refined: Clearing, stock_bid: F64) -> tuple[F64, F64]:
    """What each sector consumed: civil sectors share what their country's civil node got
    with the stockpile's bid (`stock_bid`, (M, N)), pro rata; defence got its own node's.

    Tonnes that reach a civil node nobody there bid for (an offtake deal fixes tonnes to a
    buyer whose industry needs none of the mineral) are not lost: the buyer's stockpile takes
    them in. Returns (M, N) the tonnes the stockpile's bid bought and (M, N) the tonnes it
    received unbidden."""
    n_nat = len(s.nation_ids)
    need = s.need
    got = refined.bought()  # (M, 2N)
    civil_got, defence_got = got[:, :n_nat], got[:, n_nat:]
    civil_want = civil_need(need) + stock_bid
    share = np.divide(civil_got, civil_want, out=np.zeros_like(civil_got), where=civil_want > 0)
    consumption = need * share[:, :, None]
    consumption[:, :, DEFENCE] = defence_got
    s.consumption = consumption
    s.shortfall = np.maximum(need - consumption, 0.0)
    total_need = need.sum(axis=2)
    s.consumption_fill = np.divide(
        consumption.sum(axis=2), total_need, out=np.ones_like(total_need), where=total_need > 0
    ).T
    received = np.where(civil_want > 0, 0.0, civil_got)
    return stock_bid * share, received


START_MATCH_CLIP = (0.1, 10.0)
"""Bounds of one round's correction of a country's price ratio (a market nobody can serve at
any price is left to say so, not scaled to nothing)."""


def match_reference(s: WorldState, paid: F64) -> None:
    """Make each country's civil demand outside China clear at the content's reference price.

    Reference prices are ex-China quotes of a market already living under the controls in
    force at the start; demand shares come from end-use statistics, not from that market. So
    each country's civil need is rescaled to what it would buy at the price the start's
    clearing gave it (`paid`, (M, 2N)): with supply as it is, that demand clears at the
    reference. China's own price is left to its own market (the content notes it lower).
    Spin-up only (turn.spin_up): the demand of the start is set once, before turn 1."""
    n_nat = len(s.nation_ids)
    ratio = np.clip(paid[:, :n_nat] / s.ref_price[:, None], *START_MATCH_CLIP)
    if "china" in s.nation_index:
        ratio[:, s.nation_index["china"]] = 1.0
    civil = np.ones(len(SECTORS))
    civil[DEFENCE] = 0.0
    factor = ratio ** -s.civil_eps[:, None]
    s.base_need = s.base_need * (1.0 + (factor[:, :, None] - 1.0) * civil)
    s.need = need_now(s)
