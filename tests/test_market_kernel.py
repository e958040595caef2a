"""The compiled kernel's own promises, checked from outside: the allocation it reports is
the evaluation at the solution it reports (it skips that evaluation when its work arrays
already hold it), and a warm start from a solution costs next to nothing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from game.content import load_content
from game.session import Game
from game.world import market
from game.world.market import clearing, kernel
from game.world.market.evaluate import evaluate
from game.world.market.inputs import Solved
from game.world.market.params import TAU_REL
from game.world.market.rents import group_buyers
from tests.test_market_properties import random_market


def test_the_reported_allocation_is_the_evaluation_at_the_solution(monkeypatch: pytest.MonkeyPatch):
    """Whatever path each mineral's solve took (converged at once, after a polishing step
    taken or refused, after many iterations, or given up), the route prices, logit split and
    demand it leaves behind are, bit for bit, a fresh evaluation at its final prices and
    rents at the final temperature: those are what buyers pay and origins ship."""
    real_solve = kernel.solve
    checked = []

    def solve_then_compare(x, rent, group_ptr, tau_start, max_iter, mk, solved):
        out = real_solve(
            x=x, rent=rent, group_ptr=group_ptr, tau_start=tau_start, max_iter=max_iter, mk=mk, solved=solved
        )
        fresh = Solved(*(np.zeros_like(a) for a in solved))
        n_min, n_orig = x.shape
        for m in range(n_min):
            g0, g1 = group_ptr[m], group_ptr[m + 1]
            ws = kernel.workspace(
                n_orig, solved.q.shape[1], rent.shape[0], m, fresh, group_buyers(m, g0, g1, mk.lanes)
            )
            evaluate(m, 0, 0, x[m], rent, TAU_REL, mk, ws)
        # `price` of a closed route is never written: compare the open ones.
        open_ = mk.lanes.open
        assert np.array_equal(fresh.price[open_], solved.price[open_])
        for name in ("weight", "q", "rest"):
            assert np.array_equal(getattr(fresh, name), getattr(solved, name)), name
        checked.append(out[0].max())
        return out

    monkeypatch.setattr(clearing.kernel, "solve", solve_then_compare)
    rng = np.random.default_rng(16)
    for _ in range(60):
        offers, bids, routes, price0 = random_market(rng)
        cold = market.clear(offers, bids, routes, price0)
        # next quarter: demand a little higher, prices warm from the last solution
        grown = dataclasses.replace(bids, need=bids.need * rng.uniform(1.0, 1.02, bids.need.shape))
        market.clear(offers, grown, routes, cold.price, tau_start=market.TAU_REL, rent0=cold.rent)
    # A game's markets are where a polishing step is sometimes refused (random small ones
    # always take it): the first quarters of the default scenario, every nation on its AI.
    game = Game(load_content(), "ministerial-2026", seed=0)
    for _ in range(6):
        game.play_turn()
    assert max(checked) > 5, "the sample should include solves that took many iterations"


def test_a_warm_start_from_the_solution_costs_a_few_evaluations():
    """From last turn's solution with nothing changed, a mineral without caps is checked and
    left (one or two whole evaluations: the check, and a polishing step if it is near the
    tolerance's edge), where a cold solve of the same market takes many."""
    rng = np.random.default_rng(7)
    cold_total = warm_total = 0
    for _ in range(40):
        offers, bids, routes, price0 = random_market(rng)
        routes = dataclasses.replace(routes, cap_routes=(), cap=np.zeros(0))
        cold = market.clear(offers, bids, routes, price0)
        if not cold.converged:
            continue
        warm = market.clear(offers, bids, routes, cold.price, tau_start=market.TAU_REL)
        assert warm.converged
        assert (warm.evaluations[:, 1] == 0).all()  # no caps: no rent steps
        assert (warm.evaluations[:, 0] <= 2).all(), warm.evaluations
        cold_total += int(cold.evaluations.sum())
        warm_total += int(warm.evaluations.sum())
    assert warm_total * 5 < cold_total
