"""The Newton step on one mineral's (log prices, active rents): the Jacobian at the evaluated
point, its damped solve, and the backtracking that takes the first length that helps."""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.params import IDLE, MAX_STEP, NEWTON_DAMPING, PLATEAU, WEIGHT_FLOOR, WILD
from game.world.market.rents import settle_rents


@njit(cache=True)
def jacobian(m, g0, g1, rent, mk, ws, var):
    """The Newton system (minus the Jacobian, and the residuals) on (log prices, active
    rents), in variables ordered `n_orig` prices then the active groups.

    Raising a route's price moves its buyer's logit weights (the temperature term) and the
    buyer's demand (the elasticity term); a log price moves every route of its origin by
    `slope`, a rent every route of its group by one. Supply responds along its offer curve.
    `var[g]` is set to the group's position in the vector, or -1 for a group at zero rent
    and under its cap (it stays out of the system)."""
    cap_ptr, cap_idx, capeff, live = mk.lanes.cap_ptr, mk.lanes.cap_idx, mk.lanes.capeff, mk.lanes.live
    slope, weight, temp, rest, drest = ws.slope, ws.weight, ws.temp, ws.rest, ws.drest
    supply, dsupply, sales, load, excess = ws.supply, ws.dsupply, ws.sales, ws.load, ws.excess
    n_orig, n_buy = weight.shape
    n = n_orig
    for g in range(g0, g1):
        if rent[g] > 0.0 or load[g] > capeff[g]:
            var[g] = n
            n += 1
        else:
            var[g] = -1
    a = np.zeros((n, n))
    rhs = np.zeros(n)
    u = np.zeros(n)
    v = np.zeros(n)
    touched = np.zeros(n, dtype=np.int64)
    for o in range(n_orig):
        rhs[o] = excess[o]
        a[o, o] += dsupply[o] + NEWTON_DAMPING * (abs(supply[o]) + sales[o]) + 1e-12
    for g in range(g0, g1):
        if var[g] >= 0:
            rhs[var[g]] = load[g] - capeff[g]
    for b in range(n_buy):
        if rest[b] <= 0.0:
            continue
        t = temp[b]
        per_unit = rest[b] / t + drest[b]
        n_touched = 0
        for o in range(n_orig):
            if not live[m, o]:
                continue
            w = weight[o, b]
            if w < WEIGHT_FLOOR:
                continue
            own = rest[b] / t * w  # minus the diagonal term of dflow/dprice
            sl = slope[o, b]
            k = (m * n_orig + o) * n_buy + b
            # Rows: origin o and the active groups of the route; columns likewise.
            a[o, o] += own * sl
            u[o] += w
            v[o] += w * sl
            touched[n_touched] = o
            n_touched += 1
            for j in range(cap_ptr[k], cap_ptr[k + 1]):
                cg = var[cap_idx[j]]
                if cg < 0:
                    continue
                a[o, cg] += own
                a[cg, o] += own * sl
                a[cg, cg] += own
                for j2 in range(cap_ptr[k], cap_ptr[k + 1]):
                    cg2 = var[cap_idx[j2]]
                    if cg2 >= 0 and cg2 != cg:
                        a[cg, cg2] += own
                if u[cg] == 0.0 and v[cg] == 0.0:
                    touched[n_touched] = cg
                    n_touched += 1
                u[cg] += w
                v[cg] += w
        for i in range(n_touched):
            r = touched[i]
            for j in range(n_touched):
                c = touched[j]
                a[r, c] -= per_unit * u[r] * v[c]
        for i in range(n_touched):
            u[touched[i]] = 0.0
            v[touched[i]] = 0.0
    for g in range(g0, g1):
        cg = var[g]
        if cg >= 0:
            a[cg, cg] += NEWTON_DAMPING * abs(a[cg, cg]) + 1e-12
    # Variables nothing responds to (an origin priced out of every route with its capacity
    # fully offered, a group whose rent has shut its routes) would take unbounded steps:
    # they stay put here, and `idle_jumps` and `settle_rents` move them.
    for i in range(n):
        idle = i < n_orig and sales[i] <= IDLE * supply[i] and dsupply[i] <= IDLE * supply[i]
        if idle or abs(a[i, i]) <= 1e-9 * (abs(rhs[i]) + 1e-300):
            for k in range(n):
                a[i, k] = 0.0
                a[k, i] = 0.0
            a[i, i] = 1.0
            rhs[i] = 0.0
    return a, rhs


@njit(cache=True)
def lu_solve(a, rhs):
    """Gaussian elimination with partial pivoting, in place (n is a few dozen)."""
    n = rhs.shape[0]
    for c in range(n):
        piv = c
        best = abs(a[c, c])
        for r in range(c + 1, n):
            if abs(a[r, c]) > best:
                best = abs(a[r, c])
                piv = r
        if best == 0.0:
            a[c, c] = 1e-300
        elif piv != c:
            for k in range(n):
                tmp = a[c, k]
                a[c, k] = a[piv, k]
                a[piv, k] = tmp
            tmp = rhs[c]
            rhs[c] = rhs[piv]
            rhs[piv] = tmp
        inv = 1.0 / a[c, c]
        for r in range(c + 1, n):
            f = a[r, c] * inv
            if f != 0.0:
                for k in range(c, n):
                    a[r, k] -= f * a[c, k]
                rhs[r] -= f * rhs[c]
    for c in range(n - 1, -1, -1):
        s = rhs[c]
        for k in range(c + 1, n):
            s -= a[c, k] * rhs[k]
        rhs[c] = s / a[c, c]
    return rhs


@njit(cache=True)
def damped_step(a, rhs, damping):
    """Solve the system with Levenberg-Marquardt damping: `damping` times each diagonal
    entry is added to it. A large damping turns the step into each variable's own Newton
    step with the others held (a Jacobi step), which cannot be thrown off by the near-
    singular directions that inelastic supply and demand leave in the joint system."""
    work = a.copy()
    for i in range(work.shape[0]):
        work[i, i] += damping * abs(work[i, i])
    return lu_solve(work, rhs.copy())


@njit(cache=True)
def try_step(step, alphas, ssq, tau, mn, tr, mk, ws):
    """Backtrack along a Newton step (scaled to MAX_STEP at most) from `tr.x`/`tr.rent`; the
    first length that lowers the merit fills `tr.trial_x`/`tr.trial_r`. Returns (accepted,
    ssq, worst)."""
    m, g0, g1 = mn.m, mn.g0, mn.g1
    x, rent, jump, var, trial_x, trial_r = tr.x, tr.rent, tr.jump, tr.var, tr.trial_x, tr.trial_r
    pref = mk.buyers.pref[m]
    n_orig = x.shape[0]
    # A long step is scaled as a whole (clipping turns its direction), except for absurd
    # components: an origin nothing responds to (its buyers have no alternative and are at
    # their caps) asks for a jump of hundreds of log units, which would shrink everyone's
    # step to nothing; it is clipped on its own instead.
    longest = 0.0
    for o in range(n_orig):
        if abs(step[o]) <= WILD * MAX_STEP:
            longest = max(longest, abs(step[o]))
    for g in range(g0, g1):
        if var[g] >= 0:
            longest = max(longest, abs(step[var[g]]) / pref)
    shrink = min(1.0, MAX_STEP / max(longest, 1e-300))
    t_ssq = t_worst = 0.0
    for alpha in alphas:
        scale = alpha * shrink
        for o in range(n_orig):
            move = scale * step[o] if abs(step[o]) <= WILD * MAX_STEP else alpha * np.sign(step[o]) * MAX_STEP
            trial_x[o] = min(max(x[o] + move + jump[o], mn.lo_x), mn.hi_x)
        for g in range(g0, g1):
            trial_r[g] = max(rent[g] + scale * step[var[g]], 0.0) if var[g] >= 0 else 0.0
        t_ssq, t_worst = settle_rents(m, g0, g1, trial_x, trial_r, tau, mk, ws)
        if t_ssq < ssq * (1.0 - 1e-4):
            return True, t_ssq, t_worst
        if alpha == 1.0 and abs(t_ssq - ssq) <= PLATEAU * ssq:
            # A plateau (capacity fully offered, buyers at their caps): nothing changes
            # whether we move or not, and the solution lies beyond it; cross it.
            return True, t_ssq, t_worst
    return False, t_ssq, t_worst
