"""The compiled inner solve of market clearing: origin prices and licence rents, per mineral.

Why compiled: a turn clears sixteen markets (eight minerals, two stages), each a fixed point
over about a thousand routes, and a Python-level numpy solve spent most of its time in
array set-up rather than arithmetic. Here each mineral is solved on its own, so a market
that has cleared stops costing anything while another still moves.

The unknowns of mineral `m` are its origins' log prices `x[o]` and a rent `r[g] >= 0` for
every cap group `g` (a quota or a licence) of the mineral. A rent is a wedge on the routes
of its group: buyers see `delivered + rent`, the origin receives `delivered`. The solution
has every origin selling what it offers and every group carrying at most its cap, with a
positive rent only where it carries exactly the cap (complementarity). Caps therefore bind
the way licences do in a market: the tonnes go to the buyers who bid most for them, and the
gap between what they pay and what the route costs is the quota rent.

The solve is damped Newton on (x, r) (`newton`) with an active set for the rents (a group
enters the Newton system while its rent is positive or it is over its cap), each trial point
with its rents settled (`rents`), backtracking on the sum of squared scaled imbalances, and
continuation in the logit temperature: a cold start anneals from a wide temperature. A
Newton step that cannot be made to help is replaced by a sweep of one-dimensional searches
(each price and rent against its own equation), shorter or damped Newton steps, or a level
step (every origin price scaled to clear the whole market) (`fallbacks`); the sweep is taken
as the last resort. Nothing here draws random numbers and loops run in a fixed order, so a
solve is bit-for-bit repeatable.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.evaluate import evaluate, level_gap, trade
from game.world.market.fallbacks import idle_jumps, jacobi_sweep, try_level
from game.world.market.inputs import Mineral, Trial, Work
from game.world.market.newton import damped_step, jacobian, try_step
from game.world.market.params import (
    LM_DAMPING,
    LONG_STEPS,
    MATERIAL,
    MAX_LEVEL_STEP,
    POLISH,
    SHORT_STEPS,
    TAU_DECAY,
    TAU_REL,
    TOLERANCE,
)
from game.world.market.rents import group_buyers, settle_rents


@njit(cache=True)
def solve_mineral(mn, tau_start, max_iter, mk, ws, x, rent):
    """Solve one mineral in place (its log prices `x` (O,), the stage's rents (G,)); returns
    (iterations, converged, current): `current` when the work arrays hold the evaluation at
    the returned point and the final temperature, which then need not be made again.

    Each iteration tries, in order, until one lowers the merit: the Newton step at full,
    half and quarter length; a Jacobi sweep; shorter and damped Newton steps; the level step
    (which crosses the flat stretches where capacity is fully offered and buyers are at their
    own caps, where Newton sees no slope). Failing all, the sweep is taken anyway. A cold
    start anneals the temperature meanwhile."""
    m, g0, g1 = mn.m, mn.g0, mn.g1
    n_orig = x.shape[0]
    var = np.full(rent.shape[0], -1, dtype=np.int64)
    tau = tau_start
    trial_x = np.empty_like(x)
    trial_r = rent.copy()
    sweep_x = np.empty_like(x)
    sweep_r = rent.copy()
    sweep_var = np.full(rent.shape[0], -1, dtype=np.int64)  # the sweep's own active set
    s_ssq = s_worst = 0.0
    jump = np.zeros_like(x)
    tr = Trial(x=x, rent=rent, jump=jump, var=var, trial_x=trial_x, trial_r=trial_r)
    fresh = False
    ssq = worst = 0.0
    level_ssq = np.inf  # the merit before the last level step that raised it
    for iteration in range(1, max_iter + 1):
        if not fresh:
            ssq, worst = settle_rents(m, g0, g1, x, rent, tau, mk, ws)
        if tau <= TAU_REL and worst < TOLERANCE:
            if iteration == 1 and worst > POLISH * TOLERANCE:
                # Last turn's prices still clear within the tolerance: one Newton step, taken
                # only if it helps, lets them follow this turn's small changes (without it a
                # price would stand still for quarters, then jump once the drift exceeded
                # the tolerance).
                a, rhs = jacobian(m, g0, g1, rent, mk, ws, var)
                step = damped_step(a, rhs, 0.0)
                ok, t_ssq, t_worst = try_step(step, LONG_STEPS, ssq, tau, mn, tr, mk, ws)
                if ok:
                    x[:] = trial_x
                    for g in range(g0, g1):
                        rent[g] = trial_r[g]
                # a step not taken leaves its trial point's evaluation behind
                return 2, True, ok
            # the point was evaluated (settled, or as the last iteration's trial) at this tau
            return iteration, True, True
        idle_jumps(m, x, mk, ws, jump)
        if np.abs(jump).max() > 0.0:
            # Origins that sell nothing move first, unconditionally: until they do, the
            # others' Newton steps cannot see them.
            for o in range(n_orig):
                x[o] = min(max(x[o] + jump[o], mn.lo_x), mn.hi_x)
                jump[o] = 0.0
            ssq, worst = settle_rents(m, g0, g1, x, rent, tau, mk, ws)
        # A shortage on a plateau: every origin offers all it has and every buyer is at its
        # own cap, or nearly, so that only the price level moves the totals, far up. Newton's
        # step is then mostly that level, clipped; the level step goes first. (Not so for a
        # glut: going down, origins reach the feet of their offer curves one by one.)
        f, df = level_gap(ws)
        plateau = f > MATERIAL * trade(ws) and f > -df * MAX_LEVEL_STEP
        a, rhs = jacobian(m, g0, g1, rent, mk, ws, var)
        step = damped_step(a, rhs, 0.0)
        ok, t_ssq, t_worst = try_step(step, LONG_STEPS, ssq, tau, mn, tr, mk, ws)
        if not ok and plateau:
            # Taken even if the merit rises, but not again until the merit has fallen below
            # where it was then (else the level and the next steps can undo each other).
            lenient = ssq < level_ssq * (1.0 - 1e-4)
            ok, t_ssq, t_worst = try_level(ssq, lenient, tau, mn, tr, mk, ws)
            if ok and t_ssq >= ssq * (1.0 - 1e-4):
                level_ssq = ssq
        if not ok:
            # Far from the solution the logit saturates (a cheap small origin swamped by
            # buyers must end within a temperature or two of the marginal supplier's price)
            # and a joint step only helps when cut very short; one-dimensional searches per
            # origin and per rent cross such transitions in one sweep.
            sweep_x[:] = x
            for g in range(g0, g1):
                sweep_r[g] = rent[g]
            jacobi_sweep(m, g0, g1, sweep_x, sweep_r, tau, mk, ws, sweep_var, sweep_x, sweep_r)
            for o in range(n_orig):
                sweep_x[o] = min(max(sweep_x[o], mn.lo_x), mn.hi_x)
            s_ssq, s_worst = settle_rents(m, g0, g1, sweep_x, sweep_r, tau, mk, ws)
            if s_ssq < ssq * (1.0 - 1e-4):
                ok, t_ssq, t_worst = True, s_ssq, s_worst
                trial_x[:] = sweep_x
                for g in range(g0, g1):
                    trial_r[g] = sweep_r[g]
        if not ok:
            ok, t_ssq, t_worst = try_step(step, SHORT_STEPS, ssq, tau, mn, tr, mk, ws)
        if not ok:
            damped = damped_step(a, rhs, LM_DAMPING)
            ok, t_ssq, t_worst = try_step(damped, LONG_STEPS, ssq, tau, mn, tr, mk, ws)
        if not ok:
            ok, t_ssq, t_worst = try_level(ssq, True, tau, mn, tr, mk, ws)
        if not ok:  # the sweep, even though it did not lower the merit: it moves the right way
            trial_x[:] = sweep_x
            for g in range(g0, g1):
                trial_r[g] = sweep_r[g]
            # the level step's evaluation is in the work arrays: evaluate the sweep's point again
            t_ssq, t_worst = evaluate(m, g0, g1, trial_x, trial_r, tau, mk, ws)
        x[:] = trial_x
        for g in range(g0, g1):
            rent[g] = trial_r[g]
        ssq, worst = t_ssq, t_worst
        fresh = tau <= TAU_REL
        tau = max(TAU_REL, tau * TAU_DECAY)
    return max_iter, False, fresh


@njit(cache=True)
def solve(x, rent, group_ptr, tau_start, max_iter, mk, solved):
    """Solve every mineral of one stage in place (log prices `x` (M, O), rents (G,) in the
    kernel's group order, `group_ptr` (M + 1) delimiting each mineral's groups), and leave
    the allocation at the solution in `solved`.

    Returns each mineral's iterations and whether it converged."""
    n_min, n_orig = x.shape
    n_buy = solved.q.shape[1]
    iterations = np.zeros(n_min, dtype=np.int64)
    converged = np.zeros(n_min, dtype=np.bool_)
    for m in range(n_min):
        g0, g1 = group_ptr[m], group_ptr[m + 1]
        ws = workspace(n_orig, n_buy, rent.shape[0], m, solved, group_buyers(m, g0, g1, mk.lanes))
        pref = mk.buyers.pref[m]
        mn = Mineral(m=m, g0=g0, g1=g1, lo_x=np.log(1e-6 * pref), hi_x=np.log(1e4 * pref))
        it, ok, current = solve_mineral(mn, tau_start, max_iter, mk, ws, x[m], rent)
        iterations[m] = it
        converged[m] = ok
        if not current:  # the allocation at the solution, into `solved`
            evaluate(m, 0, 0, x[m], rent, TAU_REL, mk, ws)
    return iterations, converged


@njit(cache=True)
def workspace(n_orig, n_buy, n_groups, m, solved, buyers_in_groups):
    """The arrays one mineral's evaluation fills; route prices, weights, buyers' prices and
    demand are views into the stage's `solved` arrays, the rest is scratch."""
    return Work(
        p=np.zeros(n_orig),
        price=solved.price[m],
        slope=np.zeros((n_orig, n_buy)),
        weight=solved.weight[m],
        q=solved.q[m],
        temp=np.zeros(n_buy),
        rest=solved.rest[m],
        drest=np.zeros(n_buy),
        supply=np.zeros(n_orig),
        dsupply=np.zeros(n_orig),
        sales=np.zeros(n_orig),
        load=np.zeros(n_groups),
        excess=np.zeros(n_orig),
        group_buyers=buyers_in_groups,
        tally=solved.evaluations[m],
    )
