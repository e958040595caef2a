"""What the solve does where a Newton step cannot help: idle origins' jumps, the level step
(every origin price scaled to clear the whole market) and the Jacobi sweep (each price and
rent against its own equation)."""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.evaluate import evaluate, level_gap, total_imbalance
from game.world.market.params import (
    FLOOR_MARGIN,
    FLOOR_REACH,
    FLOORED,
    IDLE,
    LEVEL_STEPS,
    MAX_LEVEL_STEP,
    NEWTON_DAMPING,
    WEIGHT_FLOOR,
)
from game.world.market.rents import settle_rents


@njit(cache=True)
def idle_jumps(m, x, mk, ws, jump):
    """Log price moves for origins no derivative can guide. One that offers tonnes but sells
    none (priced out of every route, or shut in by an export ban with no demand at home)
    falls to where its cheapest route to a buyer who wants tonnes matches that buyer's price,
    or to where its sellers stop offering if that is higher. One that sells but offers
    nothing rises to its offer curve, and one that sells more than it offers only on routes
    whose price floor its price is under rises past the lowest of those floors. A jump down
    stops just above a floor that its buyer would pay."""
    open_, floor = mk.lanes.open, mk.lanes.floor
    cell_ptr, avail, lo, hi = mk.sellers.cell_ptr, mk.sellers.avail, mk.sellers.lo, mk.sellers.hi
    price, weight, q, rest, supply, sales = ws.price, ws.weight, ws.q, ws.rest, ws.supply, ws.sales
    n_orig, n_buy = price.shape
    for o in range(n_orig):
        jump[o] = 0.0
        cell = m * n_orig + o
        target = np.inf
        for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
            # where a seller with tonnes stops offering: the foot of its ramp, or just
            # under its price if it offers all or nothing
            if avail[i] > 0.0:
                target = min(target, lo[i] if hi[i] > lo[i] else lo[i] * (1.0 - 1e-6))
        p = np.exp(x[o])
        if sales[o] > 0.0 and supply[o] <= 0.0 and np.isfinite(target) and p < target:
            # Sold out below every seller's reservation price: its buyers may be at their
            # own caps and wholly committed to it, so that nothing responds to its price
            # until its sellers start offering. It moves to the foot of its offer curve.
            jump[o] = np.log(target / p) + 1e-3
            continue
        if sales[o] > supply[o]:
            # Over-sold with (nearly) every tonne on routes whose price floor exceeds its
            # price: its buyers pay the floor whatever its price, so none responds until it
            # rises past the lowest of those floors.
            floored = np.inf
            free = 0.0  # tonnes on routes that follow its price
            for b in range(n_buy):
                f = weight[o, b] * rest[b]
                if f > 0.0:
                    if floor[m, o, b] < p:
                        free += f
                    else:
                        floored = min(floored, floor[m, o, b])
            if np.isfinite(floored) and free <= FLOORED * sales[o]:
                jump[o] = np.log(floored * FLOOR_MARGIN / p)
                continue
        if supply[o] <= 0.0 or sales[o] > IDLE * supply[o]:
            continue
        # A route whose price floor lies on the way down stops the fall just above that
        # floor (below it, the floor's buyer pays the floor whatever the origin's price,
        # so Newton sees no slope there), if the buyer would buy there at the floor; a
        # route its buyer would not take even at the floor is no guide at all.
        best = np.inf
        stop = 0.0
        for b in range(n_buy):
            if open_[m, o, b] and rest[b] > 0.0 and np.isfinite(q[b]) and q[b] > 0.0:
                f = floor[m, o, b]
                if f < p and price[o, b] * f > q[b] * p * (1.0 + FLOOR_REACH):
                    continue
                best = min(best, price[o, b] / q[b])
                if f < p:
                    stop = max(stop, f)
        if np.isfinite(best) and best > 1.0:
            target = max(target, p / best)
        if target < stop:
            target = stop * FLOOR_MARGIN
        if target < p:
            jump[o] = np.log(target / p)


@njit(cache=True)
def try_level(ssq, lenient, tau, mn, tr, mk, ws):
    """The level step from `tr.x` into `tr.trial_x`/`tr.trial_r`, taken when it lowers the
    merit or, if `lenient`, halves the total imbalance (on a plateau the merit can rise as it
    does: the split between origins is off at the new level, which the next Newton step
    fixes; taken that way before other steps were tried, it can cycle with them). Returns
    (ok, ssq, worst)."""
    m, g0, g1 = mn.m, mn.g0, mn.g1
    x, rent, trial_x, trial_r = tr.x, tr.rent, tr.trial_x, tr.trial_r
    settle_rents(m, g0, g1, x, rent, tau, mk, ws)
    before = abs(total_imbalance(ws))
    s = level_step(m, g0, g1, x, rent, tau, mk, ws)
    for o in range(x.shape[0]):
        trial_x[o] = min(max(x[o] + s, mn.lo_x), mn.hi_x)
    for g in range(g0, g1):
        trial_r[g] = rent[g]
    t_ssq, t_worst = settle_rents(m, g0, g1, trial_x, trial_r, tau, mk, ws)
    ok = t_ssq < ssq * (1.0 - 1e-4) or (lenient and abs(total_imbalance(ws)) < 0.5 * before)
    return ok, t_ssq, t_worst


@njit(cache=True)
def level_step(m, g0, g1, x, rent, tau, mk, ws):
    """The log factor s that clears the mineral's whole market when every origin price is
    multiplied by exp(s): total sales fall and total offers rise with s, so a bracketed
    Newton search finds it. It moves the price level in one stroke when a joint step cannot."""
    n_orig = x.shape[0]
    s = 0.0
    lo_s, hi_s = -np.inf, np.inf
    trial = np.empty_like(x)
    for _ in range(LEVEL_STEPS):
        for o in range(n_orig):
            trial[o] = x[o] + s
        evaluate(m, g0, g1, trial, rent, tau, mk, ws)
        f, df = level_gap(ws)
        if f > 0.0:
            lo_s = s
        else:
            hi_s = s
        step = s - f / min(df, -1e-300)
        if not np.isfinite(step):
            step = s
        step = min(max(step, s - MAX_LEVEL_STEP), s + MAX_LEVEL_STEP)
        if np.isfinite(lo_s) and np.isfinite(hi_s) and not (lo_s < step < hi_s):
            step = 0.5 * (lo_s + hi_s)
        s = min(max(step, lo_s), hi_s) if np.isfinite(lo_s) or np.isfinite(hi_s) else step
    return s


@njit(cache=True)
def jacobi_sweep(m, g0, g1, x, rent, tau, mk, ws, var, trial_x, trial_r):
    """Each origin price and each capped group's rent solving its own equation with the
    others held (bracketed Newton on the diagonal, LEVEL_STEPS evaluations), all at once.

    Every such equation is monotone (an origin sells less as its price rises, a group
    carries less as its rent rises), so the sweep always moves towards the solution, where
    the joint step can be thrown off by the near-singular directions that fully used
    capacity and inelastic demand leave. The result is taken in full (taking it half way, as
    against simultaneous solves overshooting together, measured slower on random markets).
    `x`/`rent` and `trial_x`/`trial_r` may be the same arrays."""
    pref = mk.buyers.pref[m]
    n_orig = x.shape[0]
    n_var = n_orig + (g1 - g0)
    lo = np.full(n_var, -np.inf)
    hi = np.full(n_var, np.inf)
    cur = np.zeros(n_var)
    for o in range(n_orig):
        cur[o] = x[o]
    for g in range(g0, g1):
        cur[n_orig + g - g0] = rent[g]
    for o in range(n_orig):
        trial_x[o] = x[o]
    for g in range(g0, g1):
        trial_r[g] = rent[g]
    for _ in range(LEVEL_STEPS):
        evaluate(m, g0, g1, trial_x, trial_r, tau, mk, ws)
        diag, rhs = jacobian_diagonal(m, g0, g1, trial_r, mk, ws, var)
        for i in range(n_var):
            if i < n_orig:
                j, limit = i, MAX_LEVEL_STEP
            else:
                g = g0 + i - n_orig
                j, limit = var[g], MAX_LEVEL_STEP * pref
                if j < 0:
                    cur[i] = 0.0
                    continue
            f = rhs[j]
            if f > 0.0:
                lo[i] = cur[i]
            else:
                hi[i] = cur[i]
            new = cur[i] + f / max(diag[j], 1e-300)
            new = min(max(new, cur[i] - limit), cur[i] + limit)
            if np.isfinite(lo[i]) and np.isfinite(hi[i]) and not (lo[i] < new < hi[i]):
                new = 0.5 * (lo[i] + hi[i])
            cur[i] = new
        for o in range(n_orig):
            trial_x[o] = cur[o]
        for g in range(g0, g1):
            cur[n_orig + g - g0] = max(cur[n_orig + g - g0], 0.0)
            trial_r[g] = cur[n_orig + g - g0]


@njit(cache=True)
def jacobian_diagonal(m, g0, g1, rent, mk, ws, var):
    """The diagonal of `newton.jacobian`'s system and its right-hand side, all a sweep reads:
    each entry summed in the same order as there, so the sweep moves exactly as it would
    with the whole matrix, without the cost of its off-diagonal terms (per buyer, the square
    of the routes it takes). Sets `var` as `jacobian` does."""
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
    diag = np.zeros(n)
    rhs = np.zeros(n)
    u = np.zeros(n)
    v = np.zeros(n)
    touched = np.zeros(n, dtype=np.int64)
    for o in range(n_orig):
        rhs[o] = excess[o]
        diag[o] += dsupply[o] + NEWTON_DAMPING * (abs(supply[o]) + sales[o]) + 1e-12
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
            own = rest[b] / t * w
            sl = slope[o, b]
            k = (m * n_orig + o) * n_buy + b
            diag[o] += own * sl
            u[o] += w
            v[o] += w * sl
            touched[n_touched] = o
            n_touched += 1
            for j in range(cap_ptr[k], cap_ptr[k + 1]):
                cg = var[cap_idx[j]]
                if cg < 0:
                    continue
                diag[cg] += own
                if u[cg] == 0.0 and v[cg] == 0.0:
                    touched[n_touched] = cg
                    n_touched += 1
                u[cg] += w
                v[cg] += w
        for i in range(n_touched):
            r = touched[i]
            diag[r] -= per_unit * u[r] * v[r]
        for i in range(n_touched):
            u[touched[i]] = 0.0
            v[touched[i]] = 0.0
    for g in range(g0, g1):
        cg = var[g]
        if cg >= 0:
            diag[cg] += NEWTON_DAMPING * abs(diag[cg]) + 1e-12
    for i in range(n):
        idle = i < n_orig and sales[i] <= IDLE * supply[i] and dsupply[i] <= IDLE * supply[i]
        if idle or abs(diag[i]) <= 1e-9 * (abs(rhs[i]) + 1e-300):
            diag[i] = 1.0
            rhs[i] = 0.0
    return diag, rhs
