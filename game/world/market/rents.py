"""The rent search: every capped group's rent set so that it carries its cap, with the
origin prices held. Most of a turn's evaluations are spent here (quotas on rival origins
interact, and a load can fall by orders of magnitude within a fraction of a percent of the
price), so a rent step re-evaluates only the buyers whose routes it moved."""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.evaluate import evaluate, reevaluate, trade
from game.world.market.params import (
    BRACKET_FLOOR,
    CAP_FLOOR,
    MATERIAL,
    MAX_LEVEL_STEP,
    RENT_REACH,
    RENT_STEPS,
    RENT_TOLERANCE,
    TRACE,
    WEIGHT_FLOOR,
)


@njit(cache=True)
def settle_rents(m, g0, g1, x, rent, tau, mk, ws):
    """Evaluate at `x` after setting every group's rent so that it carries its cap (or to zero
    where it carries less without one), with the origin prices held. Returns (ssq, worst).

    A group's load falls monotonically with its own rent, but can fall by orders of
    magnitude within a fraction of a percent of the price: where its buyers are near
    indifferent between the capped origin and others (within a few logit temperatures), or
    where the group holds a whole origin's exports. A Newton step on the load overshoots
    there. So each group searches outwards from its rent, in moves that start at RENT_REACH
    of the price and grow fourfold while the root is not yet bracketed (a warm start's root
    is near), then closes the bracket by false position (Illinois) on the log odds of the load
    within its buyers' demand (see `cap_gap`), on which such a cliff is a straight line.
    Groups aimed at different buyers do not interact at fixed prices, so all groups are
    searched at once; groups that share buyers or routes (quotas on rival origins) do, so a
    bracket that closes on a rent still missing the cap is reopened."""
    ssq, worst = evaluate(m, g0, g1, x, rent, tau, mk, ws)
    if g0 == g1:
        return ssq, worst
    capeff = mk.lanes.capeff
    pref = mk.buyers.pref[m]
    load = ws.load
    n = g1 - g0
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    f_lo = np.full(n, np.nan)  # the gap (`cap_gap`) at the bracket's ends, where known
    f_hi = np.full(n, np.nan)
    side = np.zeros(n, dtype=np.int64)  # the end that moved last (+1 low, -1 high)
    reach = np.full(n, RENT_REACH * pref)
    changed = np.zeros(n, dtype=np.bool_)
    cols = np.zeros(ws.q.shape[0], dtype=np.bool_)
    for _ in range(RENT_STEPS):
        material = MATERIAL * trade(ws) + TRACE
        slopes = np.empty(0)  # each group's own slope, taken only if a group is not bracketed
        settled = True
        for g in range(g0, g1):
            over = load[g] - capeff[g]
            if rent[g] <= 0.0 and over <= 0.0:
                continue
            if abs(over) / max(capeff[g], CAP_FLOOR * material) < RENT_TOLERANCE:
                continue
            settled = False
            i = g - g0
            if hi[i] - lo[i] <= BRACKET_FLOOR * pref:
                lo[i], hi[i], f_lo[i], f_hi[i], side[i] = 0.0, np.inf, np.nan, np.nan, 0
            f = cap_gap(load[g], capeff[g], ws.group_buyers[i], ws.rest)
            if over > 0.0:
                lo[i], f_lo[i] = rent[g], f
                if side[i] == 1 and np.isfinite(f_hi[i]):
                    f_hi[i] *= 0.5
                side[i] = 1
            else:
                hi[i], f_hi[i] = rent[g], f
                if side[i] == -1 and np.isfinite(f_lo[i]):
                    f_lo[i] *= 0.5
                side[i] = -1
            bracketed = np.isfinite(hi[i]) and np.isfinite(f_lo[i]) and np.isfinite(f_hi[i])
            if bracketed:
                new = lo[i] + (hi[i] - lo[i]) * f_lo[i] / (f_lo[i] - f_hi[i])
            else:
                if slopes.size == 0:
                    slopes = load_slopes(m, g0, g1, mk.lanes, ws)
                new = rent[g] - over / min(slopes[i], -1e-300)
                new = min(max(new, rent[g] - reach[i]), rent[g] + reach[i])
                reach[i] = min(4.0 * reach[i], MAX_LEVEL_STEP * pref)
            if new <= 0.0 and lo[i] == 0.0:
                new = 0.0  # under its cap with no rent below known to be too low: no rent
            elif np.isfinite(hi[i]) and not (lo[i] < new < hi[i]):
                new = 0.5 * (lo[i] + hi[i])
            new = max(new, 0.0)
            changed[i] = new != rent[g]
            rent[g] = new
        if settled:
            break
        buyers_of(m, g0, changed, mk.lanes, cols)
        ssq, worst = reevaluate(m, g0, g1, x, rent, tau, mk, ws, cols, False)
        changed[:] = False
    return ssq, worst


@njit(cache=True)
def cap_gap(load, cap, buyers, rest):
    """How far a group's load is over its cap, on the scale the load moves with its rent:
    the log odds of the load within its buyers' whole demand (the logit share of one buyer's
    routes is linear in their price there, however steep the cliff between a route that
    carries everything and one that carries nothing), or the log of the load where the cap
    is out of that range. Positive over the cap, zero at it."""
    room = 0.0
    for b in range(rest.shape[0]):
        room += buyers[b] * rest[b]
    load = max(load, 1e-300)
    cap = max(cap, 1e-300)
    if load < room and cap < room:
        return np.log(load / (room - load)) - np.log(cap / (room - cap))
    return np.log(load / cap)


@njit(cache=True)
def load_slopes(m, g0, g1, lanes, ws):
    """d load / d own rent for each group of the mineral, other rents and prices held."""
    cap_ptr, cap_idx = lanes.cap_ptr, lanes.cap_idx
    weight, temp, rest, drest = ws.weight, ws.temp, ws.rest, ws.drest
    n_orig, n_buy = weight.shape
    slopes = np.zeros(g1 - g0)
    share = np.zeros(g1 - g0)
    for b in range(n_buy):
        if rest[b] <= 0.0:
            continue
        for i in range(g1 - g0):
            share[i] = 0.0
        for o in range(n_orig):
            if not lanes.live[m, o]:
                continue
            w = weight[o, b]
            if w < WEIGHT_FLOOR:
                continue
            k = (m * n_orig + o) * n_buy + b
            for j in range(cap_ptr[k], cap_ptr[k + 1]):
                share[cap_idx[j] - g0] += w
        per_unit = rest[b] / temp[b] + drest[b]
        for i in range(g1 - g0):
            if share[i] > 0.0:
                slopes[i] += -rest[b] / temp[b] * share[i] + per_unit * share[i] * share[i]
    return slopes


@njit(cache=True)
def buyers_of(m, g0, changed, lanes, cols):
    """Mark in `cols` the buyers of every route of the groups flagged in `changed`."""
    cap_ptr, cap_idx = lanes.cap_ptr, lanes.cap_idx
    n_orig, n_buy = lanes.open.shape[1], lanes.open.shape[2]
    cols[:] = False
    for o in range(n_orig):
        for b in range(n_buy):
            k = (m * n_orig + o) * n_buy + b
            for j in range(cap_ptr[k], cap_ptr[k + 1]):
                if changed[cap_idx[j] - g0]:
                    cols[b] = True


@njit(cache=True)
def group_buyers(m, g0, g1, lanes):
    """(groups of the mineral, buyers): 1 where the buyer has an open route in the group."""
    open_, cap_ptr, cap_idx = lanes.open, lanes.cap_ptr, lanes.cap_idx
    n_orig, n_buy = open_.shape[1], open_.shape[2]
    out = np.zeros((g1 - g0, n_buy))
    for o in range(n_orig):
        for b in range(n_buy):
            if open_[m, o, b]:
                k = (m * n_orig + o) * n_buy + b
                for j in range(cap_ptr[k], cap_ptr[k + 1]):
                    out[cap_idx[j] - g0, b] = 1.0
    return out
