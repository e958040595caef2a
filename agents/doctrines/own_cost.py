"""What an export restriction costs the nation that imposes it, weighed against what it gains.

A producer that caps its own ore exports loses the export revenue of the tonnes held back,
except those its own refiners take instead of imported ore; what it hopes to gain is the value
refining adds to the tonnes it keeps at home (refined price less ore price). A restriction
whose lost revenue outweighs that hope hurts its own side (Chile's quota on its own copper ore,
where ore is nine tenths of the metal's price and Codelco's buyers are abroad): a doctrine
does not choose it."""

from __future__ import annotations

import numpy as np

from agents.observation import Observation

VALUE_ADDED_WEIGHT = 1.0
"""How much a tonne refined at home in future is worth to the issuer against a tonne's export
revenue lost now, per unit of value added (model assumption: the nationalist's hope counted at
face value, no discount for the years a refinery takes)."""


def ore_restriction_pays(observation: Observation, mineral: str, cut_share: float) -> bool:
    """Whether holding back `cut_share` of our ore exports gains us more than it costs."""
    m, me = observation.m(mineral), observation.me
    flow = observation.ore_flow[m]
    exports = float(flow[me].sum() - flow[me, me])
    if exports <= 0:
        return False  # nothing leaves: a restriction only makes news
    cut = cut_share * exports
    # Our refiners take our own ore instead of what they import.
    absorbed = min(cut, float(flow[:, me].sum() - flow[me, me]))
    ore = float(observation.ore_price[m, me])
    # What refined metal fetches where it is sold (a producer's own buyers may be few and pay
    # a notional price): the median across the world's buyers.
    refined = float(np.median(observation.refined_price[m]))
    lost = (cut - absorbed) * ore
    hoped = cut * max(refined - ore, 0.0) * VALUE_ADDED_WEIGHT
    return hoped >= lost
