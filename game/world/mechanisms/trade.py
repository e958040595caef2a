"""Trade under the policies in force: the route arrays that controls, tariffs, zones and
owners' offtake make, and the clearing of one stage with the deals in force fixed on their
routes and every cap's rent warm-started from where it last stood."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from agents.firms import MINE, REFINERY
from game.rules import Stage
from game.world.economy.firms import owned_share
from game.world.market import clearing as market
from game.world.mechanisms.deals import fixed_flows

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]


def routes_of(s: WorldState, stage: Stage) -> market.Routes:
    """The routes of a stage now: rebuilt when a policy changed; when only firms changed (new
    capacity abroad shifts who owns what) only the owners' discounts are, and the cap groups
    and their index stay as they were."""
    key = (s.policies.version, len(s.firms))
    cached = s.routes_cache.get(stage)
    if cached and cached[:2] == key:
        return _with_caps(s, stage, cached[2])
    kind = MINE if stage == Stage.ORE else REFINERY
    owned = owned_share(s, kind)
    ref = s.ref_price * (s.ore_share if stage == Stage.ORE else 1.0)
    defence = stage == Stage.REFINED
    if cached and cached[0] == key[0]:
        routes = replace(cached[2], discount=s.policies.discount(ref, owned, defence))
        for kept in ("groups", "group_keys", "taxed"):  # cached_properties of what did not change
            routes.__dict__[kept] = getattr(cached[2], kept)
    else:
        routes = s.policies.routes(stage, ref, owned, defence_nodes=defence)
    s.routes_cache[stage] = (*key, routes)
    return _with_caps(s, stage, routes)


def _with_caps(s: WorldState, stage: Stage, routes: market.Routes) -> market.Routes:
    """The routes with this turn's caps: licences granted move every turn (approvals follow
    relations, applications follow demand) while the policies, and so the routes, stay."""
    caps = s.policies.caps(stage)
    if np.array_equal(caps, routes.cap):
        return routes
    fresh = replace(routes, cap=caps)
    for kept in ("groups", "group_keys", "taxed"):  # cached_properties the caps do not change
        if kept in routes.__dict__:
            fresh.__dict__[kept] = routes.__dict__[kept]
    cached = s.routes_cache.get(stage)
    if cached and cached[2] is routes:
        s.routes_cache[stage] = (*cached[:2], fresh)
    return fresh


def clear_stage(
    s: WorldState, stage: Stage, offers: market.Offers, bids: market.Bids, price0: F64
) -> market.Clearing:
    """Clear a stage, warm-started from last turn's prices after the first turn."""
    # Cold only at the very start: every later solve starts from the last one.
    tau_start = market.TAU_START if s.spun_rounds == 1 else market.TAU_REL
    routes = routes_of(s, stage)
    fixed = fixed_flows(s, stage, routes)
    # Each cap group starts from its last rent while it stays in force, whatever else
    # changed (policies change most turns once nations play; their caps mostly persist).
    last = s.last_rent.get(stage, {})
    rent0 = np.array([last.get(key, 0.0) for key in routes.group_keys]) if last else None
    scratch = s.solve_scratch.setdefault(stage, {})
    cleared = market.clear(
        offers, bids, routes, price0, tau_start=tau_start, fixed=fixed, rent0=rent0, scratch=scratch
    )
    s.last_rent[stage] = dict(zip(routes.group_keys, cleared.rent.tolist(), strict=True))
    s.last_clearing[stage] = cleared
    return cleared
