"""One evaluation of one mineral's market at given origin prices, rents and temperature:
route prices, each buyer's logit split and demand, each origin's offer, and the imbalances.

Everything else in the kernel calls `evaluate` (or `reevaluate`, which redoes only the
buyers whose routes a rent moved) and reads the `Work` arrays it fills. Compiled with numba;
loops run in a fixed order, so an evaluation is bit-for-bit repeatable.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.params import CAP_FLOOR, CHOKE_STEEPNESS, MATERIAL, TOLERANCE, TRACE


@njit(cache=True)
def delivered_price(base, tax, transport, tariff, discount):
    """What a buyer pays on a route for metal the origin sells at `base` (its price or the
    route's floor): export tax, then transport, then the buyer's tariff, less an owner's
    discount. The one formula the evaluation, the report and the idle routes all price by."""
    return (base * (1.0 + tax) + transport) * (1.0 + tariff) - discount


@njit(cache=True)
def has_caps(m, cap_ptr, n_orig, n_buy):
    """Whether any route of mineral `m` is in a cap group (most minerals have none: their
    routes skip the group lists)."""
    return cap_ptr[m * n_orig * n_buy] < cap_ptr[(m + 1) * n_orig * n_buy]


@njit(cache=True)
def route_prices(m, rent, lanes, ws, cols):
    """Delivered price per open route (rent included) and its derivative in log origin price,
    for the buyers in `cols`."""
    open_, floor, tax, trans, tar, disc = (
        lanes.open,
        lanes.floor,
        lanes.export_tax,
        lanes.transport,
        lanes.tariff,
        lanes.discount,
    )
    cap_ptr, cap_idx = lanes.cap_ptr, lanes.cap_idx
    p, price, slope = ws.p, ws.price, ws.slope
    n_orig, n_buy = open_.shape[1], open_.shape[2]
    capped = has_caps(m, cap_ptr, n_orig, n_buy)
    live = lanes.live
    for o in range(n_orig):
        if not live[m, o]:
            continue
        po = p[o]
        for b in range(n_buy):
            if not (cols[b] and open_[m, o, b]):
                continue
            f = floor[m, o, b]
            realised = po if po > f else f
            markup = (1.0 + tax[m, o, b]) * (1.0 + tar[m, o, b])
            d = delivered_price(realised, tax[m, o, b], trans[m, o, b], tar[m, o, b], disc[m, o, b])
            clamped = d < 1e-9  # an owner's discount larger than the price: the price stops moving
            if clamped:
                d = 1e-9
            if capped:
                k = (m * n_orig + o) * n_buy + b
                for j in range(cap_ptr[k], cap_ptr[k + 1]):
                    d += rent[cap_idx[j]]
            price[o, b] = d
            slope[o, b] = 0.0 if clamped or f >= po else po * markup


@njit(cache=True)
def allocate(m, tau, lanes, ws, cols):
    """Each buyer's logit split over its open routes and its softmin price (inf: cut off),
    for the buyers in `cols`.

    Loops run origin by origin over all buyers, in memory order (a large world's route
    arrays do not fit in cache), and skip origins with no open route (`live`: in a large
    world most have nothing of a mineral to sell); `q` and `temp` hold each buyer's cheapest
    price and total logit mass on the way. The weights of routes never written stay zero."""
    open_, live = lanes.open, lanes.live
    price, weight, q, temp = ws.price, ws.weight, ws.q, ws.temp
    n_orig, n_buy = price.shape
    for b in range(n_buy):
        if cols[b]:
            q[b] = np.inf
    for o in range(n_orig):
        if not live[m, o]:
            continue
        for b in range(n_buy):
            if cols[b] and open_[m, o, b] and price[o, b] < q[b]:
                q[b] = price[o, b]
    for b in range(n_buy):
        if cols[b]:
            temp[b] = 0.0
    for o in range(n_orig):
        if not live[m, o]:
            continue
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
        if not live[m, o]:
            continue
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
def demand(m, buyers, ws, cols):
    """Demand still open after contracted tonnes, and its derivative in the buyer's price,
    for the buyers in `cols`."""
    q, rest, drest = ws.q, ws.rest, ws.drest
    need, pref, eps, choke, dcap, fixed_in = (
        buyers.need,
        buyers.pref,
        buyers.eps,
        buyers.choke,
        buyers.cap,
        buyers.fixed_in,
    )
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
        r = d - fixed_in[m, b]
        if r > 0.0:
            rest[b] = r
            drest[b] = -e * d / q[b]
        else:
            rest[b] = 0.0
            drest[b] = 0.0


@njit(cache=True)
def offer(p, avail, lo, hi):
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
def supply(m, sellers, fixed_out, ws):
    """Each origin's spot offer (its offer net of contracted tonnes, none below nothing), and
    its derivative in log price."""
    p, out, dout = ws.p, ws.supply, ws.dsupply
    cell_ptr, avail, lo, hi = sellers.cell_ptr, sellers.avail, sellers.lo, sellers.hi
    n_orig = p.shape[0]
    for o in range(n_orig):
        cell = m * n_orig + o
        s = 0.0
        ds = 0.0
        for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
            each, slope = offer(p[o], avail[i], lo[i], hi[i])
            s += each
            ds += slope
        net = s - fixed_out[m, o]
        # An origin that cannot meet its contracts offers nothing spot; the final step
        # rations its contracts. Counting the gap as an imbalance would leave one no price
        # can close.
        out[o] = net if net > 0.0 else 0.0
        dout[o] = ds if net > 0.0 else 0.0


@njit(cache=True)
def residuals(m, g0, g1, rent, lanes, ws):
    """Origin imbalances (sales - offer) and the loads of the mineral's groups `g0:g1`.

    Returns a smooth merit (the sum of squared imbalances against MATERIAL of the mineral's
    whole market) and the worst gap, which decides convergence: an origin's imbalance as a
    share of its own trade or, if kinder, against MATERIAL of the whole market (a producer of
    a few tonnes need not hold up a market of thousands; the exact final step rations it).
    A group's gap is its load over the cap (or under it while it earns a rent), as a share of
    the cap."""
    cap_ptr, cap_idx, capeff = lanes.cap_ptr, lanes.cap_idx, lanes.capeff
    weight, rest, supply_, sales, load, excess = ws.weight, ws.rest, ws.supply, ws.sales, ws.load, ws.excess
    n_orig, n_buy = weight.shape
    capped = g1 > g0 and has_caps(m, cap_ptr, n_orig, n_buy)
    for g in range(g0, g1):
        load[g] = 0.0
    total_scale = 0.0
    live = lanes.live
    for o in range(n_orig):
        s = 0.0
        for b in range(n_buy if live[m, o] else 0):
            f = weight[o, b] * rest[b]
            if f != 0.0:
                s += f
                if capped:
                    k = (m * n_orig + o) * n_buy + b
                    for j in range(cap_ptr[k], cap_ptr[k + 1]):
                        load[cap_idx[j]] += f
        sales[o] = s
        total_scale += abs(supply_[o]) + s
    material = MATERIAL * total_scale + TRACE
    ssq = 0.0
    worst = 0.0
    for o in range(n_orig):
        excess[o] = sales[o] - supply_[o]
        scale = max(abs(supply_[o]) + sales[o], 1e-12)
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
def evaluate(m, g0, g1, x, rent, tau, mk, ws):
    """Everything at (x, rent, tau): fills the work arrays `ws`, returns (ssq, worst)."""
    everyone = np.ones(ws.q.shape[0], dtype=np.bool_)
    return reevaluate(m, g0, g1, x, rent, tau, mk, ws, everyone, True)


@njit(cache=True)
def reevaluate(m, g0, g1, x, rent, tau, mk, ws, cols, prices_moved):
    """`evaluate` for a move that changed only the routes of the buyers in `cols` (and, if
    not `prices_moved`, left the origin prices as the last evaluation had them): the other
    buyers' routes, split and demand stand as they were. A licence's rent moves one buyer's
    routes, so settling twenty licences' rents costs a fraction of whole evaluations; the
    numbers are the same as a whole evaluation's, bit for bit."""
    ws.tally[0 if prices_moved else 1] += 1
    if prices_moved:
        for o in range(x.shape[0]):
            ws.p[o] = np.exp(x[o])
    route_prices(m, rent, mk.lanes, ws, cols)
    allocate(m, tau, mk.lanes, ws, cols)
    demand(m, mk.buyers, ws, cols)
    if prices_moved:
        supply(m, mk.sellers, mk.buyers.fixed_out, ws)
    return residuals(m, g0, g1, rent, mk.lanes, ws)


@njit(cache=True)
def trade(ws):
    """Offers plus sales over the mineral's origins: the scale of its market."""
    total = 0.0
    for o in range(ws.supply.shape[0]):
        total += abs(ws.supply[o]) + ws.sales[o]
    return total


@njit(cache=True)
def total_imbalance(ws):
    """What buyers want minus what origins offer, over the whole mineral."""
    return ws.rest.sum() - ws.supply.sum()


@njit(cache=True)
def level_gap(ws):
    """The mineral's total imbalance (what buyers want minus what origins offer) at the
    evaluated point, and its derivative when every origin price moves together in log."""
    slope, weight, rest, drest = ws.slope, ws.weight, ws.rest, ws.drest
    supply_, dsupply = ws.supply, ws.dsupply
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
        f -= supply_[o]
        df -= dsupply[o]
    return f, df
