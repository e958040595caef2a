"""The score of a world before its first turn, so the first RL reward is a change like the others.

The world scores a nation from a turn's trade, so it has no score before turn 1 (NaN). An
env that measured the first reward from the scale's midpoint (50) gave the first step a
reward of 30–40 on the tutorial against ~13 for the later ones, which swamps a learning
curve (`ep_rew_mean`). Here the starting position is scored with the world's own part
functions (`game.world.scoring`) on what the world holds before turn 1: the spun-up start's
trade (`start_flow`) and prices, the starting need and shortfall, relations, zones and
treasuries. Revenue and treasury are relative to their own starting values, so they are 50
by definition, as they are in the first scored turn when nothing has changed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from game.rules import PARTS, Part, Stage
from game.world.model import WorldModel
from game.world.scoring import (
    TREASURY_FLOOR_USD_M,
    bloc_cohesion,
    economic_cost,
    leverage,
    partners,
    relative,
    supply_security,
    weighted,
)

F64 = NDArray[np.float64]


def opening_score(world: WorldModel) -> F64:
    """(N,) each nation's score: the world's own once a turn is scored, else the start's."""
    if world.records:
        return np.asarray(world.score, dtype=float).copy()
    scorer = world.scorer
    need = world.need_now()
    mates = partners(scorer.nation_ids, scorer.alignments, world.policies.zones.values())
    columns = {
        Part.SUPPLY_SECURITY: supply_security(need, world.shortfall, scorer.sector_weights),
        Part.ECONOMIC_COST: economic_cost(need, world.refined_paid, world.ref_price),
        Part.REVENUE: np.full(len(scorer.nation_ids), 50.0),
        Part.LEVERAGE: leverage(world.start_flow[Stage.ORE], world.start_flow[Stage.REFINED]),
        Part.BLOC_COHESION: bloc_cohesion(world.relations, mates),
        Part.TREASURY: relative(world.treasury, scorer.treasury0, TREASURY_FLOOR_USD_M),
    }
    score, _ = weighted(np.stack([columns[p] for p in PARTS], axis=1), scorer.weights)
    return score
