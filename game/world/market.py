"""Spatial market clearing between countries, batched over every mineral of one stage.

The market is a set of origins (countries with sellers) and buyer nodes (a country, or a
country's civil or defence demand). A tonne from origin `o` reaches buyer `b` at the
delivered price

    d[m,o,b] = (max(p[m,o], floor) * (1 + export_tax) + transport) * (1 + tariff) - discount

Each buyer splits its purchases over open routes with a logit (softmin) at temperature
`tau` (a small fraction of the price), which makes the allocation smooth enough for
Newton steps and is, for small `tau`, the cheapest-route rule of a spatial equilibrium.
Origin prices move (see `_solve`) until every origin sells what it offers.

Quotas and licences are caps on groups of routes. A cap that binds is settled the way real
quotas are: its routes carry exactly the cap (shared as the uncapped market would share
it), those tonnes are taken out of the origin's offer and the buyer's demand, and the rest
of the market clears again; the difference between the buyer's price and the route's cost
is the quota rent.

After the iteration three exact steps make the reported quantities hold by construction:
routes whose logit weight is negligible get nothing (no arbitrage beyond `tau`), capped
groups carry no more than their caps, and each origin ships no more than its sellers offer
(mass is conserved). Whatever buyers could not get is their shortfall.

Everything is numpy over (mineral, origin, buyer) arrays: no Python loop over routes,
firms or minerals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]
Idx = NDArray[np.intp]

TAU_REL = 0.004
"""Logit temperature as a share of the reference price: routes dearer than the cheapest by
more than about 7 tau (2.8 %) carry nothing."""
WEIGHT_CUTOFF = 1e-3
MAX_ITER = 80
TAU_START = 0.05
TAU_DECAY = 0.7
"""The temperature starts wide and anneals to TAU_REL: a wide logit keeps the first Newton
steps from jumping between 'this origin sells everything' and 'it sells nothing'."""
TOLERANCE = 1e-3
MATERIAL = 5e-3
WARM_TAU = 2.5 * TAU_REL
"""Where a warm-started solve begins its annealing."""
"""Convergence: largest |offer - sales| / (offer + sales) over origins."""
CHOKE_STEEPNESS = 4.0
INNER_STEPS = 6
MAX_LOG_STEP = 0.5
NEWTON_GAP = 0.05
"""A mineral switches from Jacobi sweeps to joint Newton steps once no origin is out of
balance by more than this share of its trade."""
NEWTON_PROGRESS = 0.7
NEWTON_DAMPING = 1e-3


@dataclass(frozen=True)
class Offers:
    """Sellers' offer curves: seller `i` offers `avail[i] * ramp(p; lo[i], hi[i])` tonnes
    at origin price `p` in market cell `cell[i] = mineral * n_origins + origin`."""

    cell: Idx
    avail: F64
    lo: F64
    hi: F64

    def at(self, price_flat: F64) -> tuple[F64, F64]:
        """Each seller's offer and its derivative in log price."""
        p = price_flat[self.cell]
        width = self.hi - self.lo
        frac = np.clip((p - self.lo) / width, 0.0, 1.0)
        inside = (p > self.lo) & (p < self.hi)
        return self.avail * frac, np.where(inside, self.avail * p / width, 0.0)


@dataclass(frozen=True)
class Bids:
    """Buyers' demand: `need * (q/pref)^-eps`, falling steeply above `choke * pref`,
    never above `cap` (e.g. a refiner's capacity)."""

    need: F64  # (M, B) tonnes per turn wanted at the reference price
    pref: F64  # (M, 1) reference price
    eps: F64  # (M, B) short-run price elasticity
    choke: F64  # (M, B) price ratio above which demand collapses
    cap: F64  # (M, B) upper bound (np.inf when none)

    def at(self, q: F64, committed: F64 | float = 0.0) -> tuple[F64, F64]:
        """Demand still open after `committed` tonnes, and its elasticity -dlogD/dlogq."""
        ratio = q / self.pref
        over = np.maximum(ratio / self.choke, 1.0)
        demand = self.need * ratio**-self.eps * over**-CHOKE_STEEPNESS
        elasticity = self.eps + np.where(over > 1.0, CHOKE_STEEPNESS, 0.0)
        capped = demand >= self.cap
        demand = np.where(capped, self.cap, demand)
        elasticity = np.where(capped, 0.0, elasticity)
        rest = np.maximum(demand - committed, 0.0)
        scaled = np.divide(elasticity * demand, rest, out=np.zeros_like(rest), where=rest > 0)
        return rest, scaled

    def per_route(self) -> Bids:
        """The same bids with an origin axis, to evaluate at per-route prices (M, O, B)."""
        return Bids(
            need=self.need[:, None, :],
            pref=self.pref[:, :, None],
            eps=self.eps[:, None, :],
            choke=self.choke[:, None, :],
            cap=self.cap[:, None, :],
        )


@dataclass(frozen=True)
class Routes:
    """Everything that stands between an origin and a buyer, per (M, O, B)."""

    open: Bool
    transport: F64
    export_tax: F64
    tariff: F64
    floor: F64
    discount: F64
    cap_mask: Bool  # (G, M, O, B): routes each cap group covers
    cap: F64  # (G,) tonnes per turn
    fund_floor: F64 | None = None
    """Floors a zone fund pays: they raise what the origin receives, not what buyers pay."""

    def delivered(self, p: F64) -> tuple[F64, F64, F64]:
        """Delivered price per route, its derivative in log origin price, realised price."""
        base = np.maximum(p[:, :, None], self.floor)
        markup = (1.0 + self.export_tax) * (1.0 + self.tariff)
        delivered = np.maximum(
            (base * (1.0 + self.export_tax) + self.transport) * (1.0 + self.tariff) - self.discount, 1e-9
        )
        slope = np.where(self.floor >= p[:, :, None], 0.0, p[:, :, None] * markup)
        return delivered, slope, base


@dataclass(frozen=True)
class Clearing:
    price: F64  # (M, O) origin (FOB) price
    paid: F64  # (M, B) average price buyers paid (their marginal price if they got nothing)
    flow: F64  # (M, O, B) tonnes
    sold: F64  # (n_sellers,) tonnes each seller sold
    offered: F64  # (n_sellers,) tonnes each seller offered at the final price
    wanted: F64  # (M, B) demand at the final price
    delivered: F64  # (M, O, B) delivered price per route
    realised: F64  # (M, O, B) price the origin receives per tonne (floor included)
    binding: Bool  # (G,) caps that bind
    marginal: Bool  # (M, O, B) open routes from origins with sellers, outside binding caps
    iterations: int
    converged: bool


def _allocate(delivered: F64, open_: Bool, tau: float) -> tuple[F64, F64]:
    """Logit weights over origins for each buyer, and the softmin buyer price (inf if cut off)."""
    masked = np.where(open_, delivered, np.inf)
    dmin = masked.min(axis=1, keepdims=True)  # (M, 1, B)
    reachable = np.isfinite(dmin)
    dmin_safe = np.where(reachable, dmin, 0.0)
    # The temperature is relative to each buyer's cheapest delivered price, so the logit's
    # cut-off is the same share of the price in a boom and a bust.
    scale = tau * np.maximum(dmin_safe, 1e-300)
    z = np.exp(-(masked - dmin_safe) / scale)
    total = z.sum(axis=1, keepdims=True)
    weights = np.divide(z, total, out=np.zeros_like(z), where=total > 0)
    softmin = dmin_safe[:, 0, :] - scale[:, 0, :] * np.log(np.where(total[:, 0, :] > 0, total[:, 0, :], 1.0))
    return weights, np.where(reachable[:, 0, :], softmin, np.inf)


@dataclass
class _Problem:
    """One pass of clearing: caps already settled are closed routes with committed tonnes."""

    offers: Offers
    bids: Bids
    routes: Routes
    open: Bool
    committed_supply: F64  # (M, O)
    committed_demand: F64  # (M, B)

    def supply(self, p: F64) -> tuple[F64, F64, F64]:
        n_min, n_orig = p.shape
        each, deach = self.offers.at(p.ravel())
        cells = n_min * n_orig
        total = np.bincount(self.offers.cell, weights=each, minlength=cells).reshape(n_min, n_orig)
        slope = np.bincount(self.offers.cell, weights=deach, minlength=cells).reshape(n_min, n_orig)
        return total - self.committed_supply, slope, each

    def demand(self, q: F64) -> tuple[F64, F64]:
        reachable = np.isfinite(q)
        rest, elasticity = self.bids.at(np.where(reachable, q, self.bids.pref * 1e3), self.committed_demand)
        return np.where(reachable, rest, 0.0), elasticity


def _gaps(problem: _Problem, p: F64, tau: float) -> tuple[F64, F64]:
    """(excess (M, O), gap (M, O)): each origin's imbalance, and as a share of its trade or of
    its mineral's market, whichever is kinder.

    An origin has cleared when its imbalance is under TOLERANCE of its own trade or under
    MATERIAL of its mineral's whole market: a producer of a few tonnes need not hold up the
    clearing of a market of thousands (the exact final step rations it)."""
    delivered, _, _ = problem.routes.delivered(p)
    weights, q = _allocate(delivered, problem.open, tau)
    demand, _ = problem.demand(q)
    sales = (weights * demand[:, None, :]).sum(axis=2)
    supply, _, _ = problem.supply(p)
    excess = sales - supply
    scale = np.abs(supply) + sales
    material = MATERIAL * scale.sum(axis=1, keepdims=True) + 1e-12
    gap = np.minimum(np.abs(excess) / np.maximum(scale, 1e-12), TOLERANCE * np.abs(excess) / material)
    return excess, gap


BACKTRACK = (1.0, 0.5, 0.25, 0.125)
WARM_MAX_STEP = 1.5
"""Longest Newton step (log price) of a warm solve: a factor of about 4.5 in one move."""
WARM_PROGRESS = 0.9
"""A damped Newton step is taken when it cuts the mineral's worst imbalance by 10 %: a market
climbing towards a far-off price (a buyer cut off from all but a tiny supplier) gets there in
several accepted steps rather than none."""


WARM_NEWTON_ITER = 12
"""Damped Newton gets this many iterations; a market it has not cleared by then (a kink it
keeps stepping across) is finished by the sweeps of `_solve`, which always make progress."""


def _solve_warm(problem: _Problem, p: F64) -> tuple[F64, int, bool]:
    """From a good start (last turn's prices): damped joint Newton at the final temperature.

    Each iteration takes the Newton step of every mineral, halving it until the mineral's
    worst imbalance shrinks; a mineral whose step cannot be made to help takes one monotone
    sweep (level step and Jacobi) instead, which always moves towards the solution."""
    pref = problem.bids.pref
    floor, ceiling = 1e-6 * pref, 1e4 * pref
    tau = TAU_REL
    for iteration in range(1, WARM_NEWTON_ITER + 1):
        _, gap = _gaps(problem, p, tau)
        worst = gap.max(axis=1)
        if worst.max() < TOLERANCE:
            return p, iteration, True
        step = _newton_step(problem, p, tau)
        # Scale, not clip, a long step: clipping one origin's component turns the direction.
        longest = np.abs(step).max(axis=1, keepdims=True)
        step = step * np.minimum(1.0, WARM_MAX_STEP / np.maximum(longest, 1e-300))
        moved = np.zeros(p.shape[0], dtype=bool)
        done = worst < TOLERANCE
        new = p.copy()
        for alpha in BACKTRACK:
            trial = np.clip(p * np.exp(alpha * step), floor, ceiling)
            _, trial_gap = _gaps(problem, trial, tau)
            better = ~moved & ~done & (trial_gap.max(axis=1) < WARM_PROGRESS * worst)
            new = np.where(better[:, None], trial, new)
            moved |= better
            if (moved | done).all():
                break
        stuck = ~moved & ~done
        if stuck.any():
            swept = p * np.exp(_level(problem, p, tau))[:, None]
            target = _origin_prices(problem, swept, tau)
            swept = np.sqrt(swept * target)  # half way, in logs: the sweep overshoots
            new = np.where(stuck[:, None], np.clip(swept, floor, ceiling), new)
        p = new
    p, more, converged = _solve(problem, p, TAU_REL)
    return p, WARM_NEWTON_ITER + more, converged


def _solve(problem: _Problem, p: F64, tau_start: float) -> tuple[F64, int, bool]:
    """Origin prices at which every origin sells what it offers.

    Far from the solution, each iteration is two monotone sweeps, with the temperature
    annealed from the start value to TAU_REL: a level step (all of a mineral's origin prices
    scaled to clear its whole market) and a Jacobi sweep (each origin's price solving its
    own one-dimensional, monotone equation against the others' prices, damped where it
    overshoots). Neither can be thrown off by a saturated logit, as a joint Newton step can.
    Close to the solution a mineral switches to joint Newton steps, which converge fast, and
    goes back to sweeps if a step fails to shrink its imbalance.
    """
    pref = problem.bids.pref
    tau_rel = max(tau_start, TAU_REL)
    floor, ceiling = 1e-6 * pref, 1e4 * pref
    factor = np.ones_like(p)
    last_sign = np.zeros_like(p)
    n_min = p.shape[0]
    newton_ok = np.ones(n_min, dtype=bool)
    newton_used = np.zeros(n_min, dtype=bool)
    last_worst = np.full(n_min, np.inf)
    p_before = p.copy()
    for iteration in range(1, MAX_ITER + 1):
        annealed = tau_rel == TAU_REL
        tau = tau_rel
        excess, gap = _gaps(problem, p, tau)
        if annealed and gap.max() < TOLERANCE:
            return p, iteration, True
        # Near the solution a joint Newton step converges in a few iterations where the
        # Jacobi sweeps crawl (a group of origins serving the same inelastic buyers must move
        # together). A mineral whose imbalance a Newton step did not shrink goes back to its
        # previous prices and to Jacobi sweeps for the rest of this solve.
        worst = gap.max(axis=1)
        failed = newton_used & (worst > NEWTON_PROGRESS * last_worst)
        newton_ok &= ~failed
        p = np.where(failed[:, None], p_before, p)
        p_before = p.copy()
        newton_used = newton_ok & annealed & (worst < NEWTON_GAP) & ~failed
        p_newton = p_sweep = p
        if newton_used.any():
            step = _newton_step(problem, p, tau)
            p_newton = p * np.exp(np.clip(step, -MAX_LOG_STEP, MAX_LOG_STEP))
        if not newton_used.all():
            p_sweep = p * np.exp(_level(problem, p, tau))[:, None]
            target = np.log(_origin_prices(problem, p_sweep, tau))
            sign = np.sign(np.where(gap < TOLERANCE, 0.0, excess))
            factor = np.where(sign * last_sign < 0, factor * 0.5, np.minimum(factor * 1.5, 1.0))
            last_sign = sign
            p_sweep = np.exp(np.log(p_sweep) + factor * (target - np.log(p_sweep)))
        p = np.where(newton_used[:, None], p_newton, p_sweep)
        p = np.clip(p, floor, ceiling)
        last_worst = np.where(failed, last_worst, worst)
        tau_rel = max(TAU_REL, tau_rel * TAU_DECAY)
    return p, MAX_ITER, False


def _newton_step(problem: _Problem, p: F64, tau: float) -> F64:
    """Joint Newton step on log origin prices, with the full (O x O) Jacobian per mineral.

    Raising one origin's price sends its buyers to the others (the logit term) and makes
    them all buy less (the elasticity term); supply responds along its offer curve.
    """
    n_orig = p.shape[1]
    delivered, slope, _ = problem.routes.delivered(p)
    weights, q = _allocate(delivered, problem.open, tau)
    demand, elasticity = problem.demand(q)
    supply, dsupply, _ = problem.supply(p)
    excess = (weights * demand[:, None, :]).sum(axis=2) - supply
    masked = np.where(problem.open, delivered, np.inf).min(axis=1)  # (M, B)
    temperature = tau * np.where(np.isfinite(masked), masked, 1.0)
    q_safe = np.where(np.isfinite(q), q, 1.0)
    per_unit = demand * (1.0 / temperature - elasticity / q_safe)  # (M, B)
    cross = np.einsum("mob,mpb->mop", weights * per_unit[:, None, :], weights * slope)
    own = (slope * weights * (demand / temperature)[:, None, :]).sum(axis=2)
    system = -cross
    diag = np.arange(n_orig)
    scale = np.abs(supply) + (weights * demand[:, None, :]).sum(axis=2)
    system[:, diag, diag] += dsupply + own + NEWTON_DAMPING * scale + 1e-12
    return np.linalg.solve(system, excess[:, :, None])[:, :, 0]


def _bracketed_newton_step(x: F64, f: F64, df: F64, lo: F64, hi: F64) -> tuple[F64, F64, F64]:
    """One safeguarded Newton step on a decreasing function: returns (x, lo, hi).

    lo/hi are -inf/+inf until an evaluation has shown the root's side. A Newton step that
    leaves a known bracket is replaced by bisection; without a bracket it is capped at
    MAX_LOG_STEP, so a flat stretch (a saturated logit) cannot throw the price far away.
    """
    lo = np.where(f > 0, x, lo)
    hi = np.where(f <= 0, x, hi)
    newton = x - f / np.minimum(df, -1e-300)
    newton = np.where(np.isfinite(newton), newton, x)
    newton = np.clip(newton, x - MAX_LOG_STEP, x + MAX_LOG_STEP)
    bracketed = np.isfinite(lo) & np.isfinite(hi)
    inside = (newton > lo) & (newton < hi)
    return np.where(inside | ~bracketed, np.clip(newton, lo, hi), 0.5 * (lo + hi)), lo, hi


def _level(problem: _Problem, p: F64, tau: float) -> F64:
    """Per mineral, the log factor s that clears the whole market when every origin price
    is multiplied by exp(s): total sales fall and total offers rise with s, so a bracketed
    Newton search finds it. Moving the level in one stroke is what relative updates of
    single origins cannot do quickly (each expects to win buyers from the others)."""
    n_min = p.shape[0]
    lo, hi = np.full(n_min, -np.inf), np.full(n_min, np.inf)
    s = np.zeros(n_min)
    for _ in range(INNER_STEPS):
        price = p * np.exp(s)[:, None]
        delivered, slope, _ = problem.routes.delivered(price)
        weights, q = _allocate(delivered, problem.open, tau)
        demand, elasticity = problem.demand(q)
        offer, doffer, _ = problem.supply(price)
        f = demand.sum(axis=1) - offer.sum(axis=1)  # decreasing in s
        # d demand / d s: buyers' price moves with the weighted slope of their routes.
        q_safe = np.where(np.isfinite(q), q, 1.0)
        dq = (weights * slope).sum(axis=1)
        df = -(elasticity * demand * dq / q_safe).sum(axis=1) - doffer.sum(axis=1)
        s, lo, hi = _bracketed_newton_step(s, f, df, lo, hi)
    return s


def _origin_prices(problem: _Problem, p: F64, tau: float) -> F64:
    """Each origin's price that sells its offer, the other origins' prices held fixed.

    Buyers respond fully to the origin's own price: their logit weight on it and their
    softmin price (hence their demand) move with it. Own sales fall as own price rises, so
    each origin solves a monotone one-dimensional equation (bracketed Newton); all origins
    solve at once (Jacobi), and the caller damps origins that overshoot.
    """
    bids = problem.bids.per_route()
    x0 = np.log(p)
    delivered, _, _ = problem.routes.delivered(p)
    masked = np.where(problem.open, delivered, np.inf)
    dmin = masked.min(axis=1, keepdims=True)
    dmin = np.where(np.isfinite(dmin), dmin, 0.0)
    t3 = tau * np.maximum(dmin, 1e-300)  # (M, 1, B) each buyer's temperature, held fixed
    own = np.where(problem.open, np.exp(-(masked - dmin) / t3), 0.0)
    others = np.maximum(own.sum(axis=1, keepdims=True) - own, 0.0)  # (M, O, B)
    committed = problem.committed_demand[:, None, :]
    lo = np.full(p.shape, -np.inf)
    hi = np.full(p.shape, np.inf)
    x = x0.copy()
    for _ in range(INNER_STEPS):
        price = np.exp(x)
        d, slope, _ = problem.routes.delivered(price)
        with np.errstate(over="ignore"):  # a buyer with no supply left has t3 ~ 0: exp(-inf) = 0
            e = np.where(problem.open, np.exp(np.minimum(-(d - dmin) / t3, 600.0)), 0.0)
        total = others + e
        reachable = total > 0
        w = np.divide(e, total, out=np.zeros_like(e), where=reachable)
        q = dmin - t3 * np.log(np.where(reachable, total, 1.0))
        rest, eps_rest = bids.at(np.where(reachable, q, bids.pref * 1e3), committed)
        rest = np.where(reachable, rest, 0.0)
        sales = (w * rest).sum(axis=2)
        dsales = (slope * rest * (-w * (1 - w) / t3 - w * w * eps_rest / np.where(reachable, q, 1.0))).sum(
            axis=2
        )
        offer, doffer, _ = problem.supply(price)
        x, lo, hi = _bracketed_newton_step(x, sales - offer, dsales - doffer, lo, hi)
    return np.exp(x)


def clear(
    offers: Offers,
    bids: Bids,
    routes: Routes,
    price0: F64,
    tau_start: float = TAU_START,
    fixed: F64 | None = None,
) -> Clearing:
    """Clear every mineral's market of one stage.

    `price0` (M, O) starts the origin prices; from a good warm start (last turn's prices)
    pass a `tau_start` near TAU_REL to skip most of the annealing. `fixed` (M, O, B) are
    tonnes contracted in advance (offtake deals): they are taken out of the origins' offers
    and the buyers' demand before the rest clears, exactly as settled caps are.
    """
    n_min, n_orig = price0.shape
    n_groups = routes.cap.shape[0]
    cells = n_min * n_orig
    has_supply = np.bincount(offers.cell, weights=offers.avail, minlength=cells).reshape(n_min, n_orig) > 0
    problem = _Problem(
        offers,
        bids,
        routes,
        routes.open & has_supply[:, :, None],
        np.zeros((n_min, n_orig)),
        np.zeros_like(bids.need),
    )
    p = np.maximum(price0, 1e-6 * bids.pref)
    # Tonnes fixed in advance: contracted, then on routes of binding caps.
    committed = np.zeros_like(routes.transport) if fixed is None else fixed.copy()
    problem.committed_supply = committed.sum(axis=2)
    problem.committed_demand = committed.sum(axis=1)
    binding = np.zeros(n_groups, dtype=bool)
    iterations, converged = 0, True
    tau = TAU_REL
    while True:
        p, used, ok = _solve_warm(problem, p) if tau_start <= WARM_TAU else _solve(problem, p, tau_start)
        tau_start = WARM_TAU
        iterations += used
        converged &= ok
        delivered, _, _ = routes.delivered(p)
        weights, q = _allocate(delivered, problem.open, tau)
        flow = weights * problem.demand(q)[0][:, None, :] + committed
        carried = np.tensordot(routes.cap_mask, flow, axes=3) if n_groups else np.zeros(0)
        newly = ~binding & (carried > routes.cap * (1 + 1e-9))
        if not newly.any():
            break
        for g in np.flatnonzero(newly):  # a handful of caps at most
            mask = routes.cap_mask[g] & problem.open
            committed = np.where(mask, flow * routes.cap[g] / carried[g], committed)
            problem.open = problem.open & ~routes.cap_mask[g]
        binding |= newly
        problem.committed_supply = committed.sum(axis=2)
        problem.committed_demand = committed.sum(axis=1)

    # Final, exact quantities.
    delivered, _, realised = routes.delivered(p)
    weights, q = _allocate(delivered, problem.open, tau)
    weights = np.where(weights < WEIGHT_CUTOFF, 0.0, weights)
    total = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
    rest, _ = problem.demand(q)
    flow = weights * rest[:, None, :] + committed
    wanted = rest + problem.committed_demand
    for g in range(n_groups):  # overlapping caps: each scaling only lowers flows
        mask = routes.cap_mask[g]
        load = flow[mask].sum()
        if load > routes.cap[g]:
            flow[mask] *= routes.cap[g] / load
    offered_total, _, each = problem.supply(p)
    offered_total = np.maximum(offered_total + problem.committed_supply, 0.0)  # rounding can dip below 0
    # An origin that cannot ship all it sold rations its spot buyers first: contracted tonnes
    # (`fixed`) are delivered in full while the offer covers them.
    contracted = np.zeros_like(flow) if fixed is None else np.minimum(fixed, flow)
    due = contracted.sum(axis=2)
    kept = np.divide(offered_total, due, out=np.ones_like(due), where=due > offered_total)
    contracted = contracted * np.minimum(kept, 1.0)[:, :, None]
    spot = flow - (np.zeros_like(flow) if fixed is None else np.minimum(fixed, flow))
    room = np.maximum(offered_total - contracted.sum(axis=2), 0.0)
    spot_sales = spot.sum(axis=2)
    ship = np.divide(room, spot_sales, out=np.ones_like(spot_sales), where=spot_sales > room)
    flow = contracted + spot * np.minimum(ship, 1.0)[:, :, None]
    sales = flow.sum(axis=2)
    fill = np.divide(sales, offered_total, out=np.zeros_like(sales), where=offered_total > 0).ravel()
    sold = each * fill[offers.cell]
    bought = flow.sum(axis=1)
    # Buyers pay their marginal price on capped routes (the gap is the quota rent).
    marginal = np.where(np.isfinite(q), q, bids.pref * bids.choke)
    cost = np.where(committed > 0, np.maximum(delivered, marginal[:, None, :]), delivered)
    paid = np.divide((flow * cost).sum(axis=1), bought, out=marginal.copy(), where=bought > 0)
    return Clearing(
        price=p,
        paid=paid,
        flow=flow,
        sold=sold,
        offered=each,
        wanted=wanted,
        delivered=delivered,
        realised=realised,
        binding=binding,
        marginal=problem.open,
        iterations=iterations,
        converged=converged,
    )
