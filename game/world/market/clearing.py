"""Spatial market clearing between countries, batched over every mineral of one stage.

The market is a set of origins (countries with sellers) and buyer nodes (a country, or a
country's civil or defence demand). A tonne from origin `o` reaches buyer `b` at the
delivered price

    d[m,o,b] = (max(p[m,o], floor) * (1 + export_tax) + transport) * (1 + tariff) - discount

Each buyer splits its purchases over open routes with a logit (softmin) at temperature
`tau` (a small fraction of the price), which makes the allocation smooth enough for
Newton steps and is, for small `tau`, the cheapest-route rule of a spatial equilibrium.
Origin prices move until every origin sells what it offers.

Quotas and licences are caps on groups of routes (each group within one mineral). A cap
binds the way a licence does in a real market: its group's routes carry a rent, the same
per tonne on each, high enough that they carry exactly the cap; the tonnes go to the buyers
who bid most for them, and the rent (what buyers pay over what the route costs) is the
quota rent. `kernel.solve` solves prices and rents together, compiled, one mineral at a
time.

After the solve three exact steps make the reported quantities hold by construction:
routes whose logit weight is negligible get nothing (no arbitrage beyond `tau`), capped
groups carry no more than their caps, and each origin ships no more than its sellers offer
(mass is conserved). Whatever buyers could not get is their shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from game.world.market import kernel, params
from game.world.market.finalise import best_netbacks, finalise, idle_routes, seller_offers
from game.world.market.inputs import Buyers, Lanes, Market, Report, Sellers, Solved
from game.world.market.stored import RouteRows

F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]
Idx = NDArray[np.intp]

TAU_REL = params.TAU_REL
"""Logit temperature as a share of the buyer's cheapest price: routes dearer than the
cheapest by more than about 7 tau (2.8 %) carry nothing."""
TAU_START = params.TAU_START
"""A cold solve starts from a wide logit and anneals to TAU_REL: a wide logit keeps the
first Newton steps from jumping between 'this origin sells everything' and 'nothing'."""
WEIGHT_CUTOFF = 1e-3
MAX_ITER = 80
"""Newton iterations a mineral gets before the solve gives up (and says so)."""


@dataclass(frozen=True)
class Offers:
    """Sellers' offer curves: seller `i` offers `avail[i] * ramp(p; lo[i], hi[i])` tonnes
    at origin price `p` in market cell `cell[i] = mineral * n_origins + origin`."""

    cell: Idx
    avail: F64
    lo: F64
    hi: F64


@dataclass(frozen=True)
class Bids:
    """Buyers' demand: `need * (q/pref)^-eps`, falling steeply above `choke * pref`,
    never above `cap` (e.g. a refiner's capacity)."""

    need: F64  # (M, B) tonnes per turn wanted at the reference price
    pref: F64  # (M, 1) reference price
    eps: F64  # (M, B) short-run price elasticity
    choke: F64  # (M, B) price ratio above which demand collapses
    cap: F64  # (M, B) upper bound (np.inf when none)


@dataclass(frozen=True)
class Routes:
    """Everything that stands between an origin and a buyer, per (M, O, B)."""

    open: Bool
    transport: F64
    export_tax: F64
    tariff: F64
    floor: F64
    discount: F64
    cap_routes: tuple[Idx, ...]
    """Per cap group, the sorted flat indices `(m * O + o) * B + b` of the routes it covers: a
    licence covers one origin's routes to one buyer, so a dense (G, M, O, B) mask would be
    almost all zeros (and is the size of the whole market per group in a large world)."""
    cap: F64  # (G,) tonnes per turn
    fund_floor: F64 | None = None
    """Floors a zone fund pays: they raise what the origin receives, not what buyers pay."""

    @property
    def cap_mask(self) -> Bool:
        """(G, M, O, B) the routes each cap group covers, dense (for inspection and tests)."""
        mask = np.zeros((len(self.cap_routes), self.open.size), dtype=bool)
        for g, routes in enumerate(self.cap_routes):
            mask[g, routes] = True
        return mask.reshape(len(self.cap_routes), *self.open.shape)

    @staticmethod
    def caps_of(mask: Bool) -> tuple[Idx, ...]:
        """`cap_routes` from a dense (G, M, O, B) mask."""
        return tuple(np.flatnonzero(m) for m in mask)

    @cached_property
    def taxed(self) -> Idx:
        """Flat indices of the routes that carry a tariff or an export tax (a few of many)."""
        return np.flatnonzero((self.tariff > 0) | (self.export_tax > 0))

    @cached_property
    def group_keys(self) -> tuple[tuple[bytes, int], ...]:
        """An identity for each cap group that outlives a rebuild of the routes: the routes it
        covers (and, for groups over the same routes, which of them it is). A rent found for
        a group stays a good start for it while other policies come and go."""
        seen: dict[bytes, int] = {}
        keys = []
        for covered in self.cap_routes:
            routes = np.asarray(covered, dtype=np.int64).tobytes()
            seen[routes] = seen.get(routes, -1) + 1
            keys.append((routes, seen[routes]))
        return tuple(keys)

    @cached_property
    def groups(self) -> _CapIndex:
        """The cap groups sorted by mineral, and for each route the groups it is in."""
        return _CapIndex.of(self.cap_routes, self.open.shape)


@dataclass(frozen=True)
class _CapIndex:
    """Cap groups in the kernel's layout: `order` sorts them by mineral, `ptr` (M + 1)
    delimits each mineral's groups in that order, and `route_ptr`/`route_group` list, per
    flat route index, the (sorted) groups it is in."""

    order: Idx
    ptr: Idx
    route_ptr: Idx
    route_group: Idx
    route_of: Idx  # the flat route index of each entry of `route_group`

    def loads(self, a: F64) -> F64:
        """(G,) sum of `a` (M, O, B) over each group's routes, in the groups' own order."""
        n_groups = len(self.order)
        ranked = np.bincount(self.route_group, weights=a.ravel()[self.route_of], minlength=n_groups)
        out = np.empty(n_groups)
        out[self.order] = ranked
        return out

    def covered(self, groups: Bool, shape: tuple[int, ...]) -> Bool:
        """(M, O, B) routes in any of the `groups` (a (G,) mask in the groups' own order)."""
        out = np.zeros(int(np.prod(shape)), dtype=bool)
        out[self.route_of[groups[self.order][self.route_group]]] = True
        return out.reshape(shape)

    @classmethod
    def of(cls, cap_routes: tuple[Idx, ...], shape: tuple[int, ...]) -> _CapIndex:
        n_groups, n_min = len(cap_routes), shape[0]
        n_routes = int(np.prod(shape))
        per_route = n_routes // max(n_min, 1)
        sizes = np.array([len(r) for r in cap_routes], dtype=np.int64)
        group = np.repeat(np.arange(n_groups), sizes)
        route = np.concatenate([np.asarray(r, dtype=np.int64) for r in cap_routes]) if n_groups else sizes
        first = np.full(n_groups, n_min, dtype=np.int64)  # each group's lowest and highest mineral
        last = np.full(n_groups, -1, dtype=np.int64)
        np.minimum.at(first, group, route // per_route)
        np.maximum.at(last, group, route // per_route)
        if (sizes.size and (first < last).any()) or ((route < 0) | (route >= n_routes)).any():
            raise ValueError("a cap group covers routes of more than one mineral, or none that exist")
        mineral = np.where(sizes > 0, first, 0)
        order = np.argsort(mineral, kind="stable")
        rank = np.empty(n_groups, dtype=np.int64)
        rank[order] = np.arange(n_groups)
        by_route = np.lexsort((rank[group], route))
        return cls(
            route_of=route[by_route].astype(np.int64),
            order=order,
            ptr=np.concatenate([[0], np.cumsum(np.bincount(mineral, minlength=n_min))]).astype(np.int64),
            route_ptr=np.concatenate([[0], np.cumsum(np.bincount(route, minlength=n_routes))]).astype(
                np.int64
            ),
            route_group=rank[group][by_route].astype(np.int64),
        )


@dataclass(frozen=True)
class Clearing:
    """A stage's clearing. Route quantities are stored only for the origins that sell or owe
    (`active`, in a large world a few of many), one row of B buyers each; the dense (M, O, B)
    views (`flow`, `delivered`, `realised`) are built when first read, for analysis, tests
    and small worlds. Readers in a turn use the rows."""

    price: F64  # (M, O) origin (FOB) price
    paid: F64  # (M, B) average price buyers paid (their marginal price if they got nothing)
    sold: F64  # (n_sellers,) tonnes each seller sold
    offered: F64  # (n_sellers,) tonnes each seller offered at the final price
    wanted: F64  # (M, B) demand at the final price
    active: Idx  # sorted cells `m * O + o` whose routes are stored (Report.row says where)
    _report: Report  # the kernel's report: route rows of the `active` cells
    _idle: tuple  # (x, lanes, fixed_out): what `idle_routes` prices the other routes from
    binding: Bool  # (G,) caps that bind
    marginal: Bool  # (M, O, B) open routes from origins with sellers, outside rented caps
    rent: F64  # (G,) licence or quota rent per tonne on each cap group's routes
    iterations: int
    converged: bool
    settled: Bool  # (M,) minerals whose solve reached equilibrium (the others gave up: rare)
    evaluations: NDArray[np.int64]
    """(M, 2) evaluations each mineral's solve made: whole, and partial (a rent step that
    re-evaluates only the buyers it moved). What a solve costs, free of the machine's load."""

    @property
    def shape(self) -> tuple[int, int, int]:
        """(M, O, B) of the stage's routes."""
        m, o, b = self.marginal.shape
        return m, o, b

    @property
    def flow_rows(self) -> F64:
        """(len(active), B) tonnes on the routes of the `active` cells."""
        return self._report.flow

    @property
    def realised_rows(self) -> F64:
        """(len(active), B) what the `active` origins receive per tonne on each route."""
        return self._report.realised

    def flow_stored(self) -> RouteRows:
        """The flows as stored rows, of the cells that shipped (a copy: the state keeps it
        across turns)."""
        return RouteRows.of(self.shape, self.active, self._report.flow)

    def stored(self, a: F64) -> F64:
        """(len(active), B) the rows of a route array (M, O, B) on the `active` cells."""
        return a.reshape(-1, a.shape[-1])[self.active]

    def bought(self) -> F64:
        """(M, B) tonnes each buyer got: `flow.sum(axis=1)` bit for bit (rows add up in
        origin order), from the stored rows only."""
        n_min, n_orig, n_buy = self.shape
        out = np.zeros((n_min, n_buy))
        ptr = np.searchsorted(self.active, np.arange(n_min + 1) * n_orig)
        rows = self._report.flow
        for m in np.flatnonzero(ptr[1:] > ptr[:-1]):
            out[m] = rows[ptr[m] : ptr[m + 1]].sum(axis=0)
        return out

    def stored_routes(self, at: Idx) -> tuple[Idx, Idx]:
        """Of the flat route indices `at`, those stored (the others carried nothing), and
        where: (kept indices, their positions in the flattened rows)."""
        n_buy = self.shape[2]
        row = self._report.row[at // n_buy]
        kept = row >= 0
        return at[kept], row[kept] * n_buy + at[kept] % n_buy

    def _dense(self, rows: F64, out: F64) -> F64:
        out.reshape(-1, out.shape[-1])[self.active] = rows
        return out

    @cached_property
    def flow(self) -> F64:
        """(M, O, B) tonnes on every route (zero on the routes of cells not `active`)."""
        return self._dense(self._report.flow, np.zeros(self.shape))

    @cached_property
    def _priced(self) -> tuple[F64, F64]:
        delivered, realised = np.empty(self.shape), np.empty(self.shape)
        idle_routes(*self._idle, delivered=delivered, realised=realised)
        return self._dense(self._report.delivered, delivered), self._dense(self._report.realised, realised)

    @property
    def delivered(self) -> F64:
        """(M, O, B) delivered price per route, licence rent included (every route: the
        idle origins' are priced at the first read)."""
        return self._priced[0]

    @property
    def realised(self) -> F64:
        """(M, O, B) price the origin receives per tonne, floor included (every route)."""
        return self._priced[1]


def clear(
    offers: Offers,
    bids: Bids,
    routes: Routes,
    price0: F64,
    tau_start: float = TAU_START,
    fixed: F64 | None = None,
    rent0: F64 | None = None,
    scratch: dict[str, NDArray] | None = None,
) -> Clearing:
    """Clear every mineral's market of one stage.

    `price0` (M, O) starts the origin prices and `rent0` (G,) the cap rents; from a good warm
    start (last turn's solution) pass `tau_start=TAU_REL` to skip the annealing. `fixed`
    (M, O, B) are tonnes contracted in advance (offtake deals): they are taken out of the
    origins' offers and the buyers' demand before the rest clears, and count against caps.
    `scratch`, if given, keeps the solve's dense route arrays for the next clearing of the
    same shape (zeroed each time: the result is the same; a large world saves allocating
    and faulting in tens of MB a turn).
    """
    n_min, n_orig = price0.shape
    n_buy = bids.need.shape[1]
    n_groups = routes.cap.shape[0]
    cells = n_min * n_orig
    has_supply = np.bincount(offers.cell, weights=offers.avail, minlength=cells).reshape(n_min, n_orig) > 0
    open_ = routes.open & has_supply[:, :, None]
    if fixed is None:  # no contracts: nothing dense to carry them
        fixed_in, fixed_out = np.zeros((n_min, n_buy)), np.zeros((n_min, n_orig))
    else:
        fixed_in, fixed_out = fixed.sum(axis=1), fixed.sum(axis=2)
    index = routes.groups
    # Contracted tonnes use up caps first; a group with nothing left is closed to spot trade.
    capeff = routes.cap.astype(float)
    if fixed is not None and n_groups:
        capeff = capeff - index.loads(fixed)
    # A buyer with demand on a route whose group has nothing left cannot use it; one with no
    # demand keeps it open, so its marginal price still shows what the route would cost.
    shut = capeff <= 1e-12 * np.maximum(routes.cap, 1.0)
    if shut.any():
        wants = (np.broadcast_to(bids.need, (n_min, n_buy)) > 0)[:, None, :]
        open_ = open_ & ~(index.covered(shut, open_.shape) & wants)
    capeff = np.maximum(capeff, 0.0)

    order = np.argsort(offers.cell, kind="stable")
    cell_ptr = np.concatenate([[0], np.cumsum(np.bincount(offers.cell, minlength=cells))]).astype(np.int64)

    def per_buyer(a: F64) -> F64:
        return np.ascontiguousarray(np.broadcast_to(a, (n_min, n_buy)), dtype=float)

    def per_route(a: F64) -> F64:
        return np.ascontiguousarray(np.broadcast_to(a, open_.shape), dtype=float)

    sellers = Sellers(
        cell_ptr=cell_ptr,
        avail=offers.avail[order].astype(float),
        lo=offers.lo[order].astype(float),
        hi=offers.hi[order].astype(float),
    )
    mk = Market(
        sellers=sellers,
        buyers=Buyers(
            need=per_buyer(bids.need),
            pref=np.ascontiguousarray(bids.pref[:, 0], dtype=float),
            eps=per_buyer(bids.eps),
            choke=per_buyer(bids.choke),
            cap=per_buyer(bids.cap),
            fixed_in=per_buyer(fixed_in),
            fixed_out=np.ascontiguousarray(fixed_out, dtype=float),
        ),
        lanes=Lanes(
            open=np.ascontiguousarray(open_),
            live=open_.any(axis=2),
            floor=per_route(routes.floor),
            export_tax=per_route(routes.export_tax),
            transport=per_route(routes.transport),
            tariff=per_route(routes.tariff),
            discount=per_route(routes.discount),
            cap_ptr=index.route_ptr,
            cap_idx=index.route_group,
            capeff=capeff[index.order],
        ),
    )
    x = np.log(np.clip(price0, 1e-6 * bids.pref, 1e4 * bids.pref))
    rent = np.zeros(n_groups) if rent0 is None or rent0.shape != (n_groups,) else rent0[index.order].copy()
    work_price, work_weight = _work_arrays(scratch, open_.shape, mk.lanes.live)
    solved = Solved(
        price=work_price,
        weight=work_weight,
        q=np.zeros((n_min, n_buy)),
        rest=np.zeros((n_min, n_buy)),
        evaluations=np.zeros((n_min, 2), dtype=np.int64),
    )
    iterations, converged = kernel.solve(
        x=x,
        rent=rent,
        group_ptr=index.ptr,
        tau_start=float(tau_start),
        max_iter=MAX_ITER,
        mk=mk,
        solved=solved,
    )
    policy_open = np.ascontiguousarray(routes.open)
    _shadow_prices(x, ~has_supply, policy_open, mk.lanes, solved.q, solved.rest, bids.pref)
    p = np.exp(x)
    sorted_rent, rent = rent, np.empty(n_groups)
    rent[index.order] = sorted_rent
    # Routes priced at the margin by a cap's rent (none in most markets: no dense pass then).
    any_rent = bool((rent > 0).any())
    rented = index.covered(rent > 0, open_.shape) & open_ if any_rent else np.zeros(open_.shape, dtype=bool)
    # Routes are stored for the cells that sell or owe, one row of buyers each.
    active = np.flatnonzero(mk.lanes.live | (mk.buyers.fixed_out != 0.0))
    row = np.full(cells, -1, dtype=np.int64)
    row[active] = np.arange(len(active))
    rows = (len(active), n_buy)
    report = Report(
        row=row,
        flow=np.zeros(rows),
        delivered=np.zeros(rows),
        realised=np.zeros(rows),
        paid=np.empty((n_min, n_buy)),
        wanted=np.empty((n_min, n_buy)),
        fill=np.empty(cells),
    )
    finalise(
        x=x,
        group_ptr=index.ptr,
        cap_sorted=routes.cap[index.order].astype(float),
        rented=rented,
        fixed=np.zeros(rows)
        if fixed is None
        else np.ascontiguousarray(fixed.reshape(-1, n_buy)[active], dtype=float),
        cutoff=WEIGHT_CUTOFF,
        mk=mk,
        solved=solved,
        report=report,
    )
    each_sorted = np.empty(len(order))
    seller_offers(x=x, sellers=sellers, out=each_sorted)
    each = np.empty_like(each_sorted)
    each[order] = each_sorted
    sold = each * report.fill[offers.cell]
    return Clearing(
        price=p,
        paid=report.paid,
        sold=sold,
        offered=each,
        wanted=report.wanted,
        active=active,
        _report=report,
        _idle=(x, mk.lanes, mk.buyers.fixed_out),
        binding=(rent > 0) | shut,
        marginal=open_ & ~rented if any_rent else open_,
        rent=rent,
        iterations=int(iterations.max(initial=0)),
        converged=bool(converged.all()),
        settled=converged,
        evaluations=solved.evaluations,
    )


def _work_arrays(scratch: dict[str, NDArray] | None, shape: tuple[int, ...], live: Bool) -> tuple[F64, F64]:
    """The solve's route prices and weights (M, O, B), all zero: the pair `scratch` keeps if
    it fits, else new ones (kept there). The kernel writes only the rows of origins with an
    open route (`live`, it skips the others), so only the rows live in the clearing that
    last used them need zeroing, a few of many in a large world. Nothing returned refers to
    these arrays."""
    if scratch is None:
        return np.zeros(shape), np.zeros(shape)
    price, weight, written = scratch.get("price"), scratch.get("weight"), scratch.get("live")
    if price is None or weight is None or written is None or price.shape != shape:
        price, weight = np.zeros(shape), np.zeros(shape)
    else:
        rows = np.flatnonzero(written)
        price.reshape(-1, shape[-1])[rows] = 0.0
        weight.reshape(-1, shape[-1])[rows] = 0.0
    scratch["price"], scratch["weight"], scratch["live"] = price, weight, live.copy()
    return price, weight


def _shadow_prices(x: F64, idle: Bool, open_: Bool, lanes: Lanes, q: F64, rest: F64, pref: F64) -> None:
    """Set the price of each origin with nothing to sell to what a seller there would get:
    the best netback of any buyer who still wants tonnes and whose route from it is open
    (`open_`: the routes policy leaves open, supply or not).

    Nothing clears at such an origin, so the solve leaves its price where it started; but
    investors read it when they weigh building there (a refinery next to mines, recycling
    next to use), so it must follow the market."""
    m, o = np.nonzero(idle)
    if not len(m):
        return
    best = np.empty(len(m))
    best_netbacks(m, o, open_, q, rest, lanes, best)
    known = np.isfinite(best) & (best > 0)
    bounds = pref[m[known], 0]
    x[m[known], o[known]] = np.log(np.clip(best[known], 1e-6 * bounds, 1e4 * bounds))


def sample_market() -> tuple[Offers, Bids, Routes, F64]:
    """A market of one mineral, two origins and two buyers, with one cap: small enough to
    compile the solver on, complete enough to exercise every part of it."""
    shape = (1, 2, 2)
    return (
        Offers(cell=np.arange(2), avail=np.full(2, 10.0), lo=np.full(2, 1.0), hi=np.full(2, 2.0)),
        Bids(
            need=np.full((1, 2), 8.0),
            pref=np.full((1, 1), 2.0),
            eps=np.full((1, 2), 0.3),
            choke=np.full((1, 2), 4.0),
            cap=np.full((1, 2), np.inf),
        ),
        Routes(
            open=np.ones(shape, dtype=bool),
            transport=np.zeros(shape),
            export_tax=np.zeros(shape),
            tariff=np.zeros(shape),
            floor=np.zeros(shape),
            discount=np.zeros(shape),
            cap_routes=(np.arange(np.prod(shape)),),
            cap=np.array([5.0]),
        ),
        np.full((1, 2), 2.0),
    )


def warm_up() -> None:
    """Clear a tiny market once, so that the compiled solver is ready (numba compiles it on
    first use and caches it on disk: tens of seconds the first time after installing, well
    under a second to load after that)."""
    clear(*sample_market())
