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

The solve is damped Newton on (x, r) with an active set for the rents (a group enters the
Newton system while its rent is positive or it is over its cap), backtracking on the sum of
squared scaled imbalances, and continuation in the logit temperature: a cold start anneals
from a wide temperature. A Newton step that cannot be made to help is replaced by a sweep of
one-dimensional searches (each price and rent against its own equation), shorter or damped
Newton steps, or a level step (every origin price scaled to clear the whole market); the
sweep is taken as the last resort. Nothing here draws random numbers and loops run in a
fixed order, so a solve is bit-for-bit repeatable.

Array conventions (all float64 unless said): routes are (M, O, B) with `open_` boolean,
sellers are sorted by market cell with `cell_ptr` (M*O + 1) delimiting each cell's sellers,
and `cap_ptr`/`cap_idx` list, for the flat route index (m*O + o)*B + b, the groups it is in.
"""

from __future__ import annotations

import os
from pathlib import Path

import numba
import numpy as np
from numba import njit


def _cache_dir() -> str:
    """Where numba keeps the compiled kernel: the user's cache, not the installed package
    (files left in site-packages outlive `pip uninstall` and turn `game` into a namespace
    package that hides a later editable install)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return str(Path(base) / "lodestone" / "numba")


if not numba.config.CACHE_DIR:  # NUMBA_CACHE_DIR, if the user set one, wins
    numba.config.CACHE_DIR = _cache_dir()

TAU_REL = 0.004
TAU_START = 0.05
TAU_DECAY = 0.7
TOLERANCE = 1e-3
TRACE = 1e-6
"""Tonnes per turn below which an imbalance is nothing (a market with no trade has cleared)."""
POLISH = 0.01
"""A warm start within this share of the tolerance is left as it is; one nearer the edge
takes one more Newton step."""
MATERIAL = 5e-3
CHOKE_STEEPNESS = 4.0
NEWTON_DAMPING = 1e-3
MAX_STEP = 1.5
"""Longest Newton step, in log price (a factor of about 4.5) or in rent as a share of the
mineral's reference price."""
LEVEL_STEPS = 8
RENT_STEPS = 12
RENT_TOLERANCE = 0.3 * TOLERANCE
RENT_REACH = 0.05
"""A rent's first move while its root is not bracketed, as a share of the reference price
(it grows fourfold each step): a warm start's root is near, so searching outwards from the
rent brackets it in a step or two where a Newton step on a flat load flies far off."""
BRACKET_FLOOR = 1e-9
"""A bracket narrower than this share of the reference price has closed."""
CAP_FLOOR = 1e-3
"""A group's gap is its load's distance from its cap as a share of the cap (of a thousandth
of MATERIAL of the market for the smallest caps): unlike an origin's imbalance, a rent on a
small licence is never negligible to the buyer who pays it."""
MAX_LEVEL_STEP = 0.7
WEIGHT_FLOOR = 1e-14
"""Logit weights below this are left out of the Jacobian (they move nothing)."""
IDLE = 1e-9
"""An origin selling less than this share of its offer is priced out of every route."""
FLOORED = 1e-3
"""An origin selling no more than this share on routes without a floor above its price
has a price nothing responds to."""
FLOOR_MARGIN = 1.001
"""How far above a price floor an origin's price is set when it jumps to it (the floor's
routes regain their slope there)."""
FLOOR_REACH = 0.02
"""A buyer still takes some tonnes from a route this much dearer than its price (five
final logit temperatures)."""


@njit(cache=True)
def _route_prices(
    m, p, rent, open_, floor, tax, trans, tar, disc, cap_ptr, cap_idx, price, slope, base, cols
):
    """Delivered price per open route (rent included), its derivative in log origin price and
    what the origin receives (its price or the buyers' floor), for the buyers in `cols`."""
    n_orig, n_buy = open_.shape[1], open_.shape[2]
    for o in range(n_orig):
        po = p[o]
        for b in range(n_buy):
            if not (cols[b] and open_[m, o, b]):
                continue
            f = floor[m, o, b]
            realised = po if po > f else f
            markup = (1.0 + tax[m, o, b]) * (1.0 + tar[m, o, b])
            d = (realised * (1.0 + tax[m, o, b]) + trans[m, o, b]) * (1.0 + tar[m, o, b]) - disc[m, o, b]
            clamped = d < 1e-9  # an owner's discount larger than the price: the price stops moving
            if clamped:
                d = 1e-9
            k = (m * n_orig + o) * n_buy + b
            for j in range(cap_ptr[k], cap_ptr[k + 1]):
                d += rent[cap_idx[j]]
            price[o, b] = d
            slope[o, b] = 0.0 if clamped or f >= po else po * markup
            base[o, b] = realised


@njit(cache=True)
def _allocate(m, tau, open_, price, weight, q, temp, cols):
    """Each buyer's logit split over its open routes and its softmin price (inf: cut off),
    for the buyers in `cols`.

    Loops run origin by origin over all buyers, in memory order (a large world's route
    arrays do not fit in cache); `q` and `temp` hold each buyer's cheapest price and total
    logit mass on the way."""
    n_orig, n_buy = price.shape
    for b in range(n_buy):
        if cols[b]:
            q[b] = np.inf
    for o in range(n_orig):
        for b in range(n_buy):
            if cols[b] and open_[m, o, b] and price[o, b] < q[b]:
                q[b] = price[o, b]
    for b in range(n_buy):
        if cols[b]:
            temp[b] = 0.0
    for o in range(n_orig):
        for b in range(n_buy):
            if not cols[b]:
                continue
            if open_[m, o, b]:
                z = np.exp(-(price[o, b] - q[b]) / (tau * max(q[b], 1e-300)))
                weight[o, b] = z
                temp[b] += z
            else:
                weight[o, b] = 0.0
    for o in range(n_orig):
        for b in range(n_buy):
            if cols[b] and temp[b] > 0.0:
                weight[o, b] /= temp[b]
    for b in range(n_buy):
        if not cols[b]:
            continue
        if np.isfinite(q[b]):
            t = tau * max(q[b], 1e-300)
            q[b] = q[b] - t * np.log(temp[b])
            temp[b] = t
        else:
            temp[b] = 1.0


@njit(cache=True)
def _demand(m, q, need, pref, eps, choke, dcap, cdem, rest, drest, cols):
    """Demand still open after contracted tonnes, and its derivative in the buyer's price,
    for the buyers in `cols`."""
    for b in range(q.shape[0]):
        if not cols[b]:
            continue
        if not np.isfinite(q[b]):
            rest[b] = 0.0
            drest[b] = 0.0
            continue
        ratio = q[b] / pref[m]
        over = max(ratio / choke[m, b], 1.0)
        d = need[m, b] * ratio ** -eps[m, b] * over**-CHOKE_STEEPNESS
        e = eps[m, b] + (CHOKE_STEEPNESS if over > 1.0 else 0.0)
        if d >= dcap[m, b]:
            d = dcap[m, b]
            e = 0.0
        r = d - cdem[m, b]
        if r > 0.0:
            rest[b] = r
            drest[b] = -e * d / q[b]
        else:
            rest[b] = 0.0
            drest[b] = 0.0


@njit(cache=True)
def _offer(p, avail, lo, hi):
    """One seller's offer at origin price `p` (a ramp from `lo` to `hi`) and its derivative
    in log price."""
    width = hi - lo
    if width <= 0.0:
        return (avail if p >= hi else 0.0), 0.0
    frac = (p - lo) / width
    if frac >= 1.0:
        return avail, 0.0
    if frac > 0.0:
        return avail * frac, avail * p / width
    return 0.0, 0.0


@njit(cache=True)
def _supply(m, p, cell_ptr, avail, lo, hi, csup, supply, dsupply):
    """Each origin's spot offer (its offer net of contracted tonnes, none below nothing), and
    its derivative in log price."""
    n_orig = p.shape[0]
    for o in range(n_orig):
        cell = m * n_orig + o
        s = 0.0
        ds = 0.0
        for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
            each, slope = _offer(p[o], avail[i], lo[i], hi[i])
            s += each
            ds += slope
        net = s - csup[m, o]
        # An origin that cannot meet its contracts offers nothing spot; the final step
        # rations its contracts. Counting the gap as an imbalance would leave one no price
        # can close.
        supply[o] = net if net > 0.0 else 0.0
        dsupply[o] = ds if net > 0.0 else 0.0


@njit(cache=True)
def _residuals(m, g0, g1, weight, rest, supply, cap_ptr, cap_idx, capeff, rent, sales, load, excess):
    """Origin imbalances (sales - offer) and the loads of the mineral's groups `g0:g1`.

    Returns a smooth merit (the sum of squared imbalances against MATERIAL of the mineral's
    whole market) and the worst gap, which decides convergence: an origin's imbalance as a
    share of its own trade or, if kinder, against MATERIAL of the whole market (a producer of
    a few tonnes need not hold up a market of thousands; the exact final step rations it).
    A group's gap is its load over the cap (or under it while it earns a rent), as a share of
    the cap."""
    n_orig, n_buy = weight.shape
    for g in range(g0, g1):
        load[g] = 0.0
    total_scale = 0.0
    for o in range(n_orig):
        s = 0.0
        for b in range(n_buy):
            f = weight[o, b] * rest[b]
            if f != 0.0:
                s += f
                k = (m * n_orig + o) * n_buy + b
                for j in range(cap_ptr[k], cap_ptr[k + 1]):
                    load[cap_idx[j]] += f
        sales[o] = s
        total_scale += abs(supply[o]) + s
    material = MATERIAL * total_scale + TRACE
    ssq = 0.0
    worst = 0.0
    for o in range(n_orig):
        excess[o] = sales[o] - supply[o]
        scale = max(abs(supply[o]) + sales[o], 1e-12)
        smooth = TOLERANCE * excess[o] / material
        ssq += smooth * smooth
        worst = max(worst, min(abs(excess[o]) / scale, abs(smooth)))
    for g in range(g0, g1):
        over = load[g] - capeff[g]
        if rent[g] <= 0.0 and over < 0.0:
            over = 0.0
        smooth = TOLERANCE * over / material
        ssq += smooth * smooth
        worst = max(worst, abs(over) / max(capeff[g], CAP_FLOOR * material))
    return ssq, worst


@njit(cache=True)
def _lu_solve(a, rhs):
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
def _evaluate(m, g0, g1, x, rent, tau, mk, ws):
    """Everything at (x, rent, tau): fills the work arrays `ws`, returns (ssq, worst)."""
    everyone = np.ones(ws[5].shape[0], dtype=np.bool_)
    return _reevaluate(m, g0, g1, x, rent, tau, mk, ws, everyone, True)


@njit(cache=True)
def _reevaluate(m, g0, g1, x, rent, tau, mk, ws, cols, prices_moved):
    """`_evaluate` for a move that changed only the routes of the buyers in `cols` (and, if
    not `prices_moved`, left the origin prices as the last evaluation had them): the other
    buyers' routes, split and demand stand as they were. A licence's rent moves one buyer's
    routes, so settling twenty licences' rents costs a fraction of whole evaluations; the
    numbers are the same as a whole evaluation's, bit for bit."""
    cell_ptr, avail, lo, hi, need, pref, eps, choke, dcap, cdem, csup = mk[0]
    open_, floor, tax, trans, tar, disc, cap_ptr, cap_idx, capeff = mk[1]
    p, price, slope, base, weight, q, temp, rest, drest, supply, dsupply, sales, load, excess = ws[:14]
    if prices_moved:
        for o in range(x.shape[0]):
            p[o] = np.exp(x[o])
    _route_prices(m, p, rent, open_, floor, tax, trans, tar, disc, cap_ptr, cap_idx, price, slope, base, cols)
    _allocate(m, tau, open_, price, weight, q, temp, cols)
    _demand(m, q, need, pref, eps, choke, dcap, cdem, rest, drest, cols)
    if prices_moved:
        _supply(m, p, cell_ptr, avail, lo, hi, csup, supply, dsupply)
    return _residuals(m, g0, g1, weight, rest, supply, cap_ptr, cap_idx, capeff, rent, sales, load, excess)


@njit(cache=True)
def _buyers_of(m, g0, g1, changed, mk, cols):
    """Mark in `cols` the buyers of every route of the groups flagged in `changed`."""
    cap_ptr, cap_idx = mk[1][6], mk[1][7]
    n_orig, n_buy = mk[1][0].shape[1], mk[1][0].shape[2]
    cols[:] = False
    for o in range(n_orig):
        for b in range(n_buy):
            k = (m * n_orig + o) * n_buy + b
            for j in range(cap_ptr[k], cap_ptr[k + 1]):
                if changed[cap_idx[j] - g0]:
                    cols[b] = True


@njit(cache=True)
def _jacobian(m, g0, g1, rent, mk, ws, var):
    """The Newton system (minus the Jacobian, and the residuals) on (log prices, active
    rents), in variables ordered `n_orig` prices then the active groups.

    Raising a route's price moves its buyer's logit weights (the temperature term) and the
    buyer's demand (the elasticity term); a log price moves every route of its origin by
    `slope`, a rent every route of its group by one. Supply responds along its offer curve.
    `var[g]` is set to the group's position in the vector, or -1 for a group at zero rent
    and under its cap (it stays out of the system)."""
    _, _, _, _, _, _, cap_ptr, cap_idx, capeff = mk[1]
    _, _, slope, _, weight, _, temp, rest, drest, supply, dsupply, sales, load, excess = ws[:14]
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
    # they stay put here, and `_idle_jumps` and `_settle_rents` move them.
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
def _idle_jumps(m, x, mk, ws, jump):
    """Log price moves for origins no derivative can guide. One that offers tonnes but sells
    none (priced out of every route, or shut in by an export ban with no demand at home)
    falls to where its cheapest route to a buyer who wants tonnes matches that buyer's price,
    or to where its sellers stop offering if that is higher. One that sells but offers
    nothing rises to its offer curve, and one that sells more than it offers only on routes
    whose price floor its price is under rises past the lowest of those floors. A jump down
    stops just above a floor that its buyer would pay."""
    open_, floor = mk[1][0], mk[1][1]
    cell_ptr, avail, lo, hi = mk[0][0], mk[0][1], mk[0][2], mk[0][3]
    price, weight, q, rest, supply, sales = ws[1], ws[4], ws[5], ws[7], ws[9], ws[11]
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
def _damped_step(a, rhs, damping):
    """Solve the system with Levenberg-Marquardt damping: `damping` times each diagonal
    entry is added to it. A large damping turns the step into each variable's own Newton
    step with the others held (a Jacobi step), which cannot be thrown off by the near-
    singular directions that inelastic supply and demand leave in the joint system."""
    work = a.copy()
    for i in range(work.shape[0]):
        work[i, i] += damping * abs(work[i, i])
    return _lu_solve(work, rhs.copy())


@njit(cache=True)
def _trade(ws):
    """Offers plus sales over the mineral's origins: the scale of its market."""
    total = 0.0
    for o in range(ws[9].shape[0]):
        total += abs(ws[9][o]) + ws[11][o]
    return total


@njit(cache=True)
def _total_imbalance(ws):
    """What buyers want minus what origins offer, over the whole mineral."""
    return ws[7].sum() - ws[9].sum()


@njit(cache=True)
def _level_gap(ws):
    """The mineral's total imbalance (what buyers want minus what origins offer) at the
    evaluated point, and its derivative when every origin price moves together in log."""
    _, _, slope, _, weight, _, _, rest, drest, supply, dsupply = ws[:11]
    n_orig, n_buy = weight.shape
    f = 0.0
    df = 0.0
    for b in range(n_buy):
        f += rest[b]
        if rest[b] > 0.0:
            dq = 0.0
            for o in range(n_orig):
                dq += weight[o, b] * slope[o, b]
            df += drest[b] * dq
    for o in range(n_orig):
        f -= supply[o]
        df -= dsupply[o]
    return f, df


@njit(cache=True)
def _try_level(m, g0, g1, x, rent, tau, lo_x, hi_x, mk, ws, trial_x, trial_r, ssq, lenient):
    """The level step from `x` into `trial_x`/`trial_r`, taken when it lowers the merit or,
    if `lenient`, halves the total imbalance (on a plateau the merit can rise as it does:
    the split between origins is off at the new level, which the next Newton step fixes;
    taken that way before other steps were tried, it can cycle with them). Returns (ok, ssq,
    worst)."""
    _settle_rents(m, g0, g1, x, rent, tau, mk, ws)
    before = abs(_total_imbalance(ws))
    s = _level_step(m, g0, g1, x, rent, tau, mk, ws)
    for o in range(x.shape[0]):
        trial_x[o] = min(max(x[o] + s, lo_x), hi_x)
    for g in range(g0, g1):
        trial_r[g] = rent[g]
    t_ssq, t_worst = _settle_rents(m, g0, g1, trial_x, trial_r, tau, mk, ws)
    ok = t_ssq < ssq * (1.0 - 1e-4) or (lenient and abs(_total_imbalance(ws)) < 0.5 * before)
    return ok, t_ssq, t_worst


@njit(cache=True)
def _level_step(m, g0, g1, x, rent, tau, mk, ws):
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
        _evaluate(m, g0, g1, trial, rent, tau, mk, ws)
        f, df = _level_gap(ws)
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
def _jacobi_sweep(m, g0, g1, x, rent, tau, mk, ws, var, trial_x, trial_r):
    """Each origin price and each capped group's rent solving its own equation with the
    others held (bracketed Newton on the diagonal, LEVEL_STEPS evaluations), all at once.

    Every such equation is monotone (an origin sells less as its price rises, a group
    carries less as its rent rises), so the sweep always moves towards the solution, where
    the joint step can be thrown off by the near-singular directions that fully used
    capacity and inelastic demand leave. The result is taken in full (taking it half way, as
    against simultaneous solves overshooting together, measured slower on random markets).
    `x`/`rent` and `trial_x`/`trial_r` may be the same arrays."""
    pref = mk[0][5][m]
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
        _evaluate(m, g0, g1, trial_x, trial_r, tau, mk, ws)
        a, rhs = _jacobian(m, g0, g1, trial_r, mk, ws, var)
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
            new = cur[i] + f / max(a[j, j], 1e-300)
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
def _settle_rents(m, g0, g1, x, rent, tau, mk, ws):
    """Evaluate at `x` after setting every group's rent so that it carries its cap (or to zero
    where it carries less without one), with the origin prices held. Returns (ssq, worst).

    A group's load falls monotonically with its own rent, but can fall by orders of
    magnitude within a fraction of a percent of the price: where its buyers are near
    indifferent between the capped origin and others (within a few logit temperatures), or
    where the group holds a whole origin's exports. A Newton step on the load overshoots
    there. So each group searches outwards from its rent, in moves that start at RENT_REACH
    of the price and grow fourfold while the root is not yet bracketed (a warm start's root
    is near), then closes the bracket by false position (Illinois) on the log odds of the load
    within its buyers' demand (see `_cap_gap`), on which such a cliff is a straight line.
    Groups aimed at different buyers do not interact at fixed prices, so all groups are
    searched at once; groups that share buyers or routes (quotas on rival origins) do, so a
    bracket that closes on a rent still missing the cap is reopened."""
    ssq, worst = _evaluate(m, g0, g1, x, rent, tau, mk, ws)
    if g0 == g1:
        return ssq, worst
    capeff = mk[1][8]
    pref = mk[0][5][m]
    load = ws[12]
    n = g1 - g0
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    f_lo = np.full(n, np.nan)  # the gap (`_cap_gap`) at the bracket's ends, where known
    f_hi = np.full(n, np.nan)
    side = np.zeros(n, dtype=np.int64)  # the end that moved last (+1 low, -1 high)
    reach = np.full(n, RENT_REACH * pref)
    changed = np.zeros(n, dtype=np.bool_)
    cols = np.zeros(ws[5].shape[0], dtype=np.bool_)
    for _ in range(RENT_STEPS):
        material = MATERIAL * _trade(ws) + TRACE
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
            f = _cap_gap(load[g], capeff[g], ws[14][i], ws[7])
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
                    slopes = _load_slopes(m, g0, g1, mk, ws)
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
        _buyers_of(m, g0, g1, changed, mk, cols)
        ssq, worst = _reevaluate(m, g0, g1, x, rent, tau, mk, ws, cols, False)
        changed[:] = False
    return ssq, worst


@njit(cache=True)
def _cap_gap(load, cap, buyers, rest):
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
def _load_slopes(m, g0, g1, mk, ws):
    """d load / d own rent for each group of the mineral, other rents and prices held."""
    cap_ptr, cap_idx = mk[1][6], mk[1][7]
    weight, temp, rest, drest = ws[4], ws[6], ws[7], ws[8]
    n_orig, n_buy = weight.shape
    slopes = np.zeros(g1 - g0)
    share = np.zeros(g1 - g0)
    for b in range(n_buy):
        if rest[b] <= 0.0:
            continue
        for i in range(g1 - g0):
            share[i] = 0.0
        for o in range(n_orig):
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


WILD = 10.0
"""A Newton component longer than WILD * MAX_STEP is clipped on its own (see `_try_step`)."""
LONG_STEPS = (1.0, 0.5, 0.25)
SHORT_STEPS = (0.1, 0.03, 0.01)
LM_DAMPING = 0.3
"""Levenberg-Marquardt damping of the last Newton attempt (a share of each diagonal)."""
PLATEAU = 1e-9
"""A full step that changes the merit by less than this share is crossing a plateau."""


@njit(cache=True)
def _try_step(step, alphas, ssq, at):
    """Backtrack along a Newton step (scaled to MAX_STEP at most); the first length that
    lowers the merit fills `trial_x`/`trial_r`. Returns (accepted, ssq, worst). `at` is the
    solve's state: (m, g0, g1, x, rent, jump, var, tau, lo_x, hi_x, mk, ws, trial_x, trial_r)."""
    m, g0, g1, x, rent, jump, var, tau, lo_x, hi_x, mk, ws, trial_x, trial_r = at
    pref = mk[0][5][m]
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
            trial_x[o] = min(max(x[o] + move + jump[o], lo_x), hi_x)
        for g in range(g0, g1):
            trial_r[g] = max(rent[g] + scale * step[var[g]], 0.0) if var[g] >= 0 else 0.0
        t_ssq, t_worst = _settle_rents(m, g0, g1, trial_x, trial_r, tau, mk, ws)
        if t_ssq < ssq * (1.0 - 1e-4):
            return True, t_ssq, t_worst
        if alpha == 1.0 and abs(t_ssq - ssq) <= PLATEAU * ssq:
            # A plateau (capacity fully offered, buyers at their caps): nothing changes
            # whether we move or not, and the solution lies beyond it; cross it.
            return True, t_ssq, t_worst
    return False, t_ssq, t_worst


@njit(cache=True)
def _solve_mineral(m, g0, g1, x, rent, tau_start, max_iter, mk, ws):
    """Solve one mineral in place; returns (iterations, converged).

    Each iteration tries, in order, until one lowers the merit: the Newton step at full,
    half and quarter length; a Jacobi sweep; shorter and damped Newton steps; the level step
    (which crosses the flat stretches where capacity is fully offered and buyers are at their
    own caps, where Newton sees no slope). Failing all, the sweep is taken anyway. A cold
    start anneals the temperature meanwhile."""
    pref = mk[0][5]
    n_orig = x.shape[0]
    lo_x = np.log(1e-6 * pref[m])
    hi_x = np.log(1e4 * pref[m])
    var = np.full(rent.shape[0], -1, dtype=np.int64)
    tau = tau_start
    trial_x = np.empty_like(x)
    trial_r = rent.copy()
    sweep_x = np.empty_like(x)
    sweep_r = rent.copy()
    sweep_var = np.full(rent.shape[0], -1, dtype=np.int64)  # the sweep's own active set
    s_ssq = s_worst = 0.0
    jump = np.zeros_like(x)
    fresh = False
    ssq = worst = 0.0
    level_ssq = np.inf  # the merit before the last level step that raised it
    for iteration in range(1, max_iter + 1):
        if not fresh:
            ssq, worst = _settle_rents(m, g0, g1, x, rent, tau, mk, ws)
        at = (m, g0, g1, x, rent, jump, var, tau, lo_x, hi_x, mk, ws, trial_x, trial_r)
        if tau <= TAU_REL and worst < TOLERANCE:
            if iteration == 1 and worst > POLISH * TOLERANCE:
                # Last turn's prices still clear within the tolerance: one Newton step, taken
                # only if it helps, lets them follow this turn's small changes (without it a
                # price would stand still for quarters, then jump once the drift exceeded
                # the tolerance).
                a, rhs = _jacobian(m, g0, g1, rent, mk, ws, var)
                step = _damped_step(a, rhs, 0.0)
                ok, t_ssq, t_worst = _try_step(step, LONG_STEPS, ssq, at)
                if ok:
                    x[:] = trial_x
                    for g in range(g0, g1):
                        rent[g] = trial_r[g]
                return 2, True
            return iteration, True
        _idle_jumps(m, x, mk, ws, jump)
        if np.abs(jump).max() > 0.0:
            # Origins that sell nothing move first, unconditionally: until they do, the
            # others' Newton steps cannot see them.
            for o in range(n_orig):
                x[o] = min(max(x[o] + jump[o], lo_x), hi_x)
                jump[o] = 0.0
            ssq, worst = _settle_rents(m, g0, g1, x, rent, tau, mk, ws)
        # A shortage on a plateau: every origin offers all it has and every buyer is at its
        # own cap, or nearly, so that only the price level moves the totals, far up. Newton's
        # step is then mostly that level, clipped; the level step goes first. (Not so for a
        # glut: going down, origins reach the feet of their offer curves one by one.)
        f, df = _level_gap(ws)
        plateau = f > MATERIAL * _trade(ws) and f > -df * MAX_LEVEL_STEP
        a, rhs = _jacobian(m, g0, g1, rent, mk, ws, var)
        step = _damped_step(a, rhs, 0.0)
        ok, t_ssq, t_worst = _try_step(step, LONG_STEPS, ssq, at)
        if not ok and plateau:
            # Taken even if the merit rises, but not again until the merit has fallen below
            # where it was then (else the level and the next steps can undo each other).
            lenient = ssq < level_ssq * (1.0 - 1e-4)
            ok, t_ssq, t_worst = _try_level(
                m, g0, g1, x, rent, tau, lo_x, hi_x, mk, ws, trial_x, trial_r, ssq, lenient
            )
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
            _jacobi_sweep(m, g0, g1, sweep_x, sweep_r, tau, mk, ws, sweep_var, sweep_x, sweep_r)
            for o in range(n_orig):
                sweep_x[o] = min(max(sweep_x[o], lo_x), hi_x)
            s_ssq, s_worst = _settle_rents(m, g0, g1, sweep_x, sweep_r, tau, mk, ws)
            if s_ssq < ssq * (1.0 - 1e-4):
                ok, t_ssq, t_worst = True, s_ssq, s_worst
                trial_x[:] = sweep_x
                for g in range(g0, g1):
                    trial_r[g] = sweep_r[g]
        if not ok:
            ok, t_ssq, t_worst = _try_step(step, SHORT_STEPS, ssq, at)
        if not ok:
            damped = _damped_step(a, rhs, LM_DAMPING)
            ok, t_ssq, t_worst = _try_step(damped, LONG_STEPS, ssq, at)
        if not ok:
            ok, t_ssq, t_worst = _try_level(
                m, g0, g1, x, rent, tau, lo_x, hi_x, mk, ws, trial_x, trial_r, ssq, True
            )
        if not ok:  # the sweep, even though it did not lower the merit: it moves the right way
            trial_x[:] = sweep_x
            for g in range(g0, g1):
                trial_r[g] = sweep_r[g]
            # the level step's evaluation is in the work arrays: evaluate the sweep's point again
            t_ssq, t_worst = _evaluate(m, g0, g1, trial_x, trial_r, tau, mk, ws)
        x[:] = trial_x
        for g in range(g0, g1):
            rent[g] = trial_r[g]
        ssq, worst = t_ssq, t_worst
        fresh = tau <= TAU_REL
        tau = max(TAU_REL, tau * TAU_DECAY)
    return max_iter, False


@njit(cache=True)
def solve(x, rent, group_ptr, tau_start, max_iter, mk, out):
    """Solve every mineral of one stage in place (log prices `x` (M, O), rents (G,)), and
    leave the allocation at the solution in `out` = (route prices with rent (M, O, B), logit
    weights (M, O, B), buyers' softmin prices (M, B), their open demand (M, B)).

    Returns each mineral's iterations and whether it converged."""
    price_out, weight_out, q_out, rest_out = out
    n_min, n_orig = x.shape
    n_buy = q_out.shape[1]
    iterations = np.zeros(n_min, dtype=np.int64)
    converged = np.zeros(n_min, dtype=np.bool_)
    for m in range(n_min):
        buyers = _group_buyers(m, group_ptr[m], group_ptr[m + 1], mk)
        ws = _workspace(
            n_orig, n_buy, rent.shape[0], price_out[m], weight_out[m], q_out[m], rest_out[m], buyers
        )
        it, ok = _solve_mineral(m, group_ptr[m], group_ptr[m + 1], x[m], rent, tau_start, max_iter, mk, ws)
        iterations[m] = it
        converged[m] = ok
        _evaluate(m, 0, 0, x[m], rent, TAU_REL, mk, ws)  # the allocation at the solution, into `out`
    return iterations, converged


@njit(cache=True)
def _group_buyers(m, g0, g1, mk):
    """(groups of the mineral, buyers): 1 where the buyer has an open route in the group."""
    open_, cap_ptr, cap_idx = mk[1][0], mk[1][6], mk[1][7]
    n_orig, n_buy = open_.shape[1], open_.shape[2]
    out = np.zeros((g1 - g0, n_buy))
    for o in range(n_orig):
        for b in range(n_buy):
            if open_[m, o, b]:
                k = (m * n_orig + o) * n_buy + b
                for j in range(cap_ptr[k], cap_ptr[k + 1]):
                    out[cap_idx[j] - g0, b] = 1.0
    return out


@njit(cache=True)
def _workspace(n_orig, n_buy, n_groups, price, weight, q, rest, group_buyers):
    """The arrays one mineral's evaluation fills; route prices, weights, buyers' prices and
    demand are the caller's (views into the stage's outputs), the rest is scratch."""
    return (
        np.zeros(n_orig),  # p
        price,
        np.zeros((n_orig, n_buy)),  # slope
        np.zeros((n_orig, n_buy)),  # base
        weight,
        q,
        np.zeros(n_buy),  # temp
        rest,
        np.zeros(n_buy),  # drest
        np.zeros(n_orig),  # supply
        np.zeros(n_orig),  # dsupply
        np.zeros(n_orig),  # sales
        np.zeros(n_groups),  # load
        np.zeros(n_orig),  # excess
        group_buyers,
    )


@njit(cache=True)
def seller_offers(x, cell_ptr, avail, lo, hi, out):
    """What each seller (sorted by cell) offers at the origin prices `exp(x)` (M, O)."""
    n_min, n_orig = x.shape
    for m in range(n_min):
        for o in range(n_orig):
            cell = m * n_orig + o
            p = np.exp(x[m, o])
            for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
                out[i] = _offer(p, avail[i], lo[i], hi[i])[0]


@njit(cache=True)
def finalise(x, group_ptr, cap_sorted, rented, fixed, choke, cutoff, mk, weight, rest, q, price, out):
    """The reported quantities, exact by construction, for every mineral.

    Routes whose logit weight is under `cutoff` get nothing (no arbitrage beyond it), except
    on a rented cap, where the rent prices the route at the margin; each capped group carries
    no more than its cap (overlapping caps: a route takes the tightest cut of its groups);
    an origin ships no more than its sellers offer, contracted tonnes (`fixed`) first, then
    its spot buyers pro rata. Buyers pay the delivered price, and at least their marginal
    price on contracted tonnes. `out` is (flow, delivered, realised, paid, wanted, fill)."""
    cell_ptr, avail, lo, hi = mk[0][0], mk[0][1], mk[0][2], mk[0][3]
    pref = mk[0][5]
    open_, floor, tax, trans, tar, disc = mk[1][0], mk[1][1], mk[1][2], mk[1][3], mk[1][4], mk[1][5]
    cap_ptr, cap_idx = mk[1][6], mk[1][7]
    flow, delivered, realised, paid, wanted, fill = out
    n_min, n_orig = x.shape
    n_buy = rest.shape[1]
    for m in range(n_min):
        g0, g1 = group_ptr[m], group_ptr[m + 1]
        for o in range(n_orig):
            po = np.exp(x[m, o])
            for b in range(n_buy):
                f = floor[m, o, b]
                base = po if po > f else f
                realised[m, o, b] = base
                if open_[m, o, b]:
                    delivered[m, o, b] = price[m, o, b]
                else:
                    d = (base * (1.0 + tax[m, o, b]) + trans[m, o, b]) * (1.0 + tar[m, o, b]) - disc[m, o, b]
                    delivered[m, o, b] = d if d > 1e-9 else 1e-9
        # Per buyer sums, accumulated origin by origin (memory order).
        total = np.zeros(n_buy)
        for o in range(n_orig):
            for b in range(n_buy):
                w = weight[m, o, b]
                if w < cutoff and not rented[m, o, b]:
                    w = 0.0
                flow[m, o, b] = w
                total[b] += w
        for b in range(n_buy):
            wanted[m, b] = rest[m, b]
        for o in range(n_orig):
            for b in range(n_buy):
                share = flow[m, o, b] / total[b] if total[b] > 0.0 else 0.0
                flow[m, o, b] = share * rest[m, b] + fixed[m, o, b]
                wanted[m, b] += fixed[m, o, b]
        if g1 > g0:
            load = np.zeros(g1 - g0)
            for o in range(n_orig):
                for b in range(n_buy):
                    k = (m * n_orig + o) * n_buy + b
                    for j in range(cap_ptr[k], cap_ptr[k + 1]):
                        load[cap_idx[j] - g0] += flow[m, o, b]
            for o in range(n_orig):
                for b in range(n_buy):
                    k = (m * n_orig + o) * n_buy + b
                    cut = 1.0
                    for j in range(cap_ptr[k], cap_ptr[k + 1]):
                        g = cap_idx[j]
                        if load[g - g0] > cap_sorted[g]:
                            cut = min(cut, cap_sorted[g] / load[g - g0])
                    flow[m, o, b] *= cut
        for o in range(n_orig):
            cell = m * n_orig + o
            po = np.exp(x[m, o])
            offered = 0.0
            for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
                offered += _offer(po, avail[i], lo[i], hi[i])[0]
            offered = max(offered, 0.0)  # a stock rounded a hair below zero offers nothing
            due = 0.0
            spot_sales = 0.0
            for b in range(n_buy):
                contracted = min(fixed[m, o, b], flow[m, o, b])
                due += contracted
                spot_sales += flow[m, o, b] - contracted
            kept = offered / due if due > offered else 1.0
            room = max(offered - due * kept, 0.0)
            ship = room / spot_sales if spot_sales > room else 1.0
            sales = 0.0
            for b in range(n_buy):
                contracted = min(fixed[m, o, b], flow[m, o, b])
                flow[m, o, b] = contracted * kept + (flow[m, o, b] - contracted) * ship
                sales += flow[m, o, b]
            fill[cell] = sales / offered if offered > 0.0 else 0.0
        marginal = np.empty(n_buy)
        bought = np.zeros(n_buy)
        spent = np.zeros(n_buy)
        for b in range(n_buy):
            marginal[b] = q[m, b] if np.isfinite(q[m, b]) else pref[m] * choke[m, b]
        for o in range(n_orig):
            for b in range(n_buy):
                cost = delivered[m, o, b]
                if fixed[m, o, b] > 0.0 and marginal[b] > cost:
                    cost = marginal[b]
                bought[b] += flow[m, o, b]
                spent[b] += flow[m, o, b] * cost
        for b in range(n_buy):
            paid[m, b] = spent[b] / bought[b] if bought[b] > 0.0 else marginal[b]
