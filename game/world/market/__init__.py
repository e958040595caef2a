"""Clearing the markets between countries.

`clearing` holds the stage-wide clearing (`clear`) and its inputs and outputs, `kernel` the
compiled per-mineral solve, `routes` the policies in force and the route arrays they make.
"""

from game.world.market.clearing import (
    MAX_ITER,
    TAU_REL,
    TAU_START,
    WEIGHT_CUTOFF,
    Bids,
    Clearing,
    Offers,
    Routes,
    clear,
    sample_market,
    warm_up,
)

__all__ = [
    "MAX_ITER",
    "TAU_REL",
    "TAU_START",
    "WEIGHT_CUTOFF",
    "Bids",
    "Clearing",
    "Offers",
    "Routes",
    "clear",
    "sample_market",
    "warm_up",
]
