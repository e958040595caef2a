"""Preferential trade zones: price floors work as real ones do, paid by buyers or by a fund."""

from __future__ import annotations

import numpy as np
import pytest

from game.content import Content
from game.rules import Stage
from game.world.model import WorldModel

MEMBERS = ["united_states", "japan", "australia"]


def zone_world(content: Content, paid_by: str) -> tuple[WorldModel, float]:
    world = WorldModel(content, "tutorial", seed=11)
    world.step()
    m = world.mineral_index("lithium")
    # A floor paid by buyers only holds behind an external tariff: without one, members would
    # simply buy from outsiders. A fund-paid floor needs none: buyers pay the market price.
    if paid_by == "buyers":
        floor, tariff = 1.5 * float(world.refined_price[m].max()), 200
    else:
        floor, tariff = 3.0 * float(world.refined_price[m].max()), 0
    verdict = world.submit(
        {
            "kind": "propose_zone",
            "issuer": "united_states",
            "zone": "lithium_club",
            "name": "Lithium Club",
            "invite": ["japan", "australia"],
            "external_tariff_pct": {"lithium": tariff},
            "price_floor_usd_per_t": {"lithium": floor},
            "floor_paid_by": paid_by,
        }
    )
    assert verdict.accepted, verdict.reason
    world.step()
    for nation in ("japan", "australia"):
        assert world.submit({"kind": "join_zone", "issuer": nation, "zone": "lithium_club"}).accepted
    world.step()
    assert world.policies.zones["lithium_club"].members == MEMBERS
    for _ in range(2):
        world.step()
    return world, floor


@pytest.mark.parametrize("paid_by", ["buyers", "fund"])
def test_member_producers_realise_the_floor_while_the_world_price_is_below(
    content: Content, paid_by: str
) -> None:
    world, floor = zone_world(content, paid_by)
    m = world.mineral_index("lithium")
    n = len(world.nation_ids)
    members = [world.nation_ids.index(x) for x in MEMBERS]
    buyers = members + [b + n for b in members]
    flow = world.last_clearing[Stage.REFINED].flow[m][np.ix_(members, buyers)]
    realised = world.route_realised[m][np.ix_(members, buyers)]
    assert flow.sum() > 0, "members should trade with each other behind the external tariff"
    assert (realised[flow > 0] >= floor - 1e-6).all()
    china = world.nation_ids.index("china")
    assert world.refined_price[m, china] < floor, "the world price should be below the floor"
    fund = world.zone_fund_paid[members]
    if paid_by == "fund":
        assert fund.sum() > 0
        # Members' treasuries pay the gap, in proportion to GDP.
        gdp = np.array([content.nations[x].gdp.usd_bn for x in MEMBERS])
        assert fund / fund.sum() == pytest.approx(gdp / gdp.sum())
    else:
        assert fund.sum() == 0
        # Buyers pay at least the floor on member routes.
        delivered = world.last_clearing[Stage.REFINED].delivered[m][np.ix_(members, buyers)]
        assert (delivered[flow > 0] >= floor - 1e-6).all()


def test_firms_in_member_countries_earn_the_floor(content: Content) -> None:
    """Member refiners' revenue per tonne reflects the floor, not the lower origin price."""
    world, _ = zone_world(content, "fund")
    t = world.firms
    m = world.mineral_index("lithium")
    us = world.nation_ids.index("united_states")
    rows = (t.mineral == m) & (t.country == us) & (t.sold > 0) & (t.kind != 0)
    assert rows.any()
    per_tonne = t.revenue[rows].sum() / t.sold[rows].sum()
    assert per_tonne > world.refined_price[m, us] * 1.01
