"""Clearing the markets between countries.

A map of the package, from the stage-wide entry down to the compiled arithmetic:

    clearing    `clear`: one stage's offers, bids and routes in; prices, flows, rents out.
                Builds the kernel's named inputs and calls the kernel, then `finalise`.
    routes      the policies in force (controls, tariffs, zones) and the route arrays they make.
    inputs      the kernel's inputs and work arrays as NamedTuples (`Market`, `Work`, ...):
                every array passed and read by name.
    params      the solver's constants; sets numba's cache directory.
    kernel      the per-mineral solve loop (`solve`): which step to try, annealing, stopping.
    newton      the Jacobian, its damped solve, and backtracking along a step.
    rents       the rent search: each cap group's rent set so that it carries its cap.
    fallbacks   idle origins' jumps, the level step and the Jacobi sweep.
    evaluate    one evaluation: route prices, logit split, demand, offers, imbalances.
    finalise    the reported flows, exact by construction, and each seller's offer.

Compiled modules import only downwards in this list (kernel -> newton/fallbacks -> rents ->
evaluate -> params, inputs).
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
