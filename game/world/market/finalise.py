"""The reported quantities after the solve, exact by construction: flows that respect the
no-arbitrage cutoff, the caps and the offers, and what each seller offers."""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.evaluate import delivered_price, offer


@njit(cache=True)
def seller_offers(x, sellers, out):
    """What each seller (sorted by cell) offers at the origin prices `exp(x)` (M, O)."""
    cell_ptr, avail, lo, hi = sellers.cell_ptr, sellers.avail, sellers.lo, sellers.hi
    n_min, n_orig = x.shape
    for m in range(n_min):
        for o in range(n_orig):
            cell = m * n_orig + o
            p = np.exp(x[m, o])
            for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
                out[i] = offer(p, avail[i], lo[i], hi[i])[0]


@njit(cache=True)
def finalise(x, group_ptr, cap_sorted, rented, fixed, cutoff, mk, solved, report):
    """Fill `report` for every mineral from the solution (`x`, `solved`). Route quantities
    are stored only for the origins that sell or owe (`lanes.live` or contracted tonnes):
    one row of B per such market cell, at `report.row[cell]` (the rows start at zero).

    Routes whose logit weight is under `cutoff` get nothing (no arbitrage beyond it), except
    on a `rented` cap, where the rent prices the route at the margin; each capped group
    carries no more than its cap (`cap_sorted`, in the kernel's group order; overlapping
    caps: a route takes the tightest cut of its groups); an origin ships no more than its
    sellers offer, contracted tonnes (`fixed`, rows like the report's) first, then its spot buyers pro
    rata. Buyers pay the delivered price, and at least their marginal price on contracted
    tonnes."""
    sellers, lanes = mk.sellers, mk.lanes
    cell_ptr, avail, lo, hi = sellers.cell_ptr, sellers.avail, sellers.lo, sellers.hi
    pref, choke = mk.buyers.pref, mk.buyers.choke
    open_, floor, tax, trans, tar, disc = (
        lanes.open,
        lanes.floor,
        lanes.export_tax,
        lanes.transport,
        lanes.tariff,
        lanes.discount,
    )
    cap_ptr, cap_idx = lanes.cap_ptr, lanes.cap_idx
    weight, rest, q, price = solved.weight, solved.rest, solved.q, solved.price
    flow, delivered, realised, row = report.flow, report.delivered, report.realised, report.row
    paid, wanted, fill = report.paid, report.wanted, report.fill
    n_min, n_orig = x.shape
    n_buy = rest.shape[1]
    # Passes over a mineral's routes are few and fused where nothing in one depends on the
    # other (a large world's route arrays do not fit in cache); per buyer sums accumulate
    # origin by origin, in memory order.
    total = np.empty(n_buy)
    marginal = np.empty(n_buy)
    bought = np.empty(n_buy)
    spent = np.empty(n_buy)
    live, fixed_out = lanes.live, mk.buyers.fixed_out
    for m in range(n_min):
        g0, g1 = group_ptr[m], group_ptr[m + 1]
        total[:] = 0.0
        for o in range(n_orig):
            # An origin with no open route and no contracts ships nothing: its routes are
            # not stored (`idle_routes` prices them for readers who ask).
            if not live[m, o] and fixed_out[m, o] == 0.0:
                continue
            r = row[m * n_orig + o]
            po = np.exp(x[m, o])
            for b in range(n_buy):
                f = floor[m, o, b]
                base = po if po > f else f
                realised[r, b] = base
                if open_[m, o, b]:
                    delivered[r, b] = price[m, o, b]
                else:
                    d = delivered_price(base, tax[m, o, b], trans[m, o, b], tar[m, o, b], disc[m, o, b])
                    delivered[r, b] = d if d > 1e-9 else 1e-9
                if not live[m, o]:  # contracts only: no weight
                    continue
                w = weight[m, o, b]
                if w < cutoff and not rented[m, o, b]:
                    w = 0.0
                flow[r, b] = w
                total[b] += w
        for b in range(n_buy):
            wanted[m, b] = rest[m, b]
        load = np.zeros(g1 - g0)
        for o in range(n_orig):
            # Origins that ship nothing keep zero flows through every step below, so they
            # are left as they are (most origins of a mineral in a large world).
            if not live[m, o] and fixed_out[m, o] == 0.0:
                continue
            r = row[m * n_orig + o]
            for b in range(n_buy):
                share = flow[r, b] / total[b] if total[b] > 0.0 else 0.0
                f = share * rest[m, b] + fixed[r, b]
                flow[r, b] = f
                wanted[m, b] += fixed[r, b]
                if g1 > g0:
                    k = (m * n_orig + o) * n_buy + b
                    for j in range(cap_ptr[k], cap_ptr[k + 1]):
                        load[cap_idx[j] - g0] += f
        if g1 > g0:
            for o in range(n_orig):
                if not live[m, o] and fixed_out[m, o] == 0.0:
                    continue
                r = row[m * n_orig + o]
                for b in range(n_buy):
                    k = (m * n_orig + o) * n_buy + b
                    cut = 1.0
                    for j in range(cap_ptr[k], cap_ptr[k + 1]):
                        g = cap_idx[j]
                        if load[g - g0] > cap_sorted[g]:
                            cut = min(cut, cap_sorted[g] / load[g - g0])
                    flow[r, b] *= cut
        for b in range(n_buy):
            marginal[b] = q[m, b] if np.isfinite(q[m, b]) else pref[m] * choke[m, b]
            bought[b] = 0.0
            spent[b] = 0.0
        for o in range(n_orig):
            cell = m * n_orig + o
            if not live[m, o] and fixed_out[m, o] == 0.0:
                fill[cell] = 0.0  # it sold nothing
                continue
            r = row[cell]
            po = np.exp(x[m, o])
            offered = 0.0
            for i in range(cell_ptr[cell], cell_ptr[cell + 1]):
                offered += offer(po, avail[i], lo[i], hi[i])[0]
            offered = max(offered, 0.0)  # a stock rounded a hair below zero offers nothing
            due = 0.0
            spot_sales = 0.0
            for b in range(n_buy):
                contracted = min(fixed[r, b], flow[r, b])
                due += contracted
                spot_sales += flow[r, b] - contracted
            kept = offered / due if due > offered else 1.0
            room = max(offered - due * kept, 0.0)
            ship = room / spot_sales if spot_sales > room else 1.0
            sales = 0.0
            for b in range(n_buy):
                contracted = min(fixed[r, b], flow[r, b])
                shipped = contracted * kept + (flow[r, b] - contracted) * ship
                flow[r, b] = shipped
                sales += shipped
                cost = delivered[r, b]
                if fixed[r, b] > 0.0 and marginal[b] > cost:
                    cost = marginal[b]
                bought[b] += shipped
                spent[b] += shipped * cost
            fill[cell] = sales / offered if offered > 0.0 else 0.0
        for b in range(n_buy):
            paid[m, b] = spent[b] / bought[b] if bought[b] > 0.0 else marginal[b]


@njit(cache=True)
def idle_routes(x, lanes, fixed_out, delivered, realised):
    """Price, in the dense (M, O, B) `delivered` and `realised`, the routes `finalise` leaves
    out (origins that neither sell nor owe): what the origin would receive and what a buyer
    would pay there, by the same formula. Only readers of the dense view pay for this
    (analysis, tests, small worlds)."""
    open_, floor, tax, trans, tar, disc = (
        lanes.open,
        lanes.floor,
        lanes.export_tax,
        lanes.transport,
        lanes.tariff,
        lanes.discount,
    )
    live = lanes.live
    n_min, n_orig = x.shape
    n_buy = open_.shape[2]
    for m in range(n_min):
        for o in range(n_orig):
            if live[m, o] or fixed_out[m, o] != 0.0:
                continue
            po = np.exp(x[m, o])
            for b in range(n_buy):
                f = floor[m, o, b]
                base = po if po > f else f
                realised[m, o, b] = base
                d = delivered_price(base, tax[m, o, b], trans[m, o, b], tar[m, o, b], disc[m, o, b])
                delivered[m, o, b] = d if d > 1e-9 else 1e-9


@njit(cache=True)
def best_netbacks(cells_m, cells_o, open_, q, rest, lanes, out):
    """For each cell `(cells_m[i], cells_o[i])`, the best netback (what a seller there would
    receive) over the buyers who still want tonnes (`rest` > 0, a finite price `q`) on routes
    `open_` from it; -inf where there is none."""
    disc, tar, trans, tax = lanes.discount, lanes.tariff, lanes.transport, lanes.export_tax
    n_buy = q.shape[1]
    for i in range(cells_m.shape[0]):
        m, o = cells_m[i], cells_o[i]
        best = -np.inf
        for b in range(n_buy):
            if open_[m, o, b] and np.isfinite(q[m, b]) and rest[m, b] > 0:
                netback = ((q[m, b] + disc[m, o, b]) / (1.0 + tar[m, o, b]) - trans[m, o, b]) / (
                    1.0 + tax[m, o, b]
                )
                if netback > best:
                    best = netback
        out[i] = best
