"""The kernel's inputs and work arrays, named: every array is passed and read by its name.

These are NamedTuples of arrays, which numba passes to compiled functions as they are (a
tuple type whose fields it knows by name), so an array in the wrong place is a typing error
or a wrong name, not a silently wrong price. `clearing.clear` builds a `Market` from the
stage's offers, bids and routes; the kernel reads it and fills a `Work` per mineral.

Layouts: routes are (M, O, B) for M minerals, O origins and B buyer nodes; sellers are
sorted by market cell `m * O + o`, and `cell_ptr` (M*O + 1) delimits each cell's sellers;
`cap_ptr`/`cap_idx` list, per flat route index `(m*O + o)*B + b`, the cap groups (in the
kernel's order: sorted by mineral) that the route is in. The report stores routes by rows:
one per market cell that sells or owes (`Report.row`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


class Sellers(NamedTuple):
    """Offer curves, sorted by market cell: seller `i` offers `avail[i] * ramp(p; lo, hi)`."""

    cell_ptr: I64  # (M*O + 1,)
    avail: F64
    lo: F64
    hi: F64


class Buyers(NamedTuple):
    """Demand per buyer node, and the tonnes contracted in advance on either side."""

    need: F64  # (M, B) tonnes wanted at the reference price
    pref: F64  # (M,) reference price
    eps: F64  # (M, B) short-run elasticity
    choke: F64  # (M, B) price ratio above which demand collapses
    cap: F64  # (M, B) most a buyer takes (np.inf when no limit)
    fixed_in: F64  # (M, B) contracted tonnes each buyer already has
    fixed_out: F64  # (M, O) contracted tonnes each origin owes


class Lanes(NamedTuple):
    """The routes in the kernel's layout: what stands between each origin and buyer."""

    open: Bool  # (M, O, B)
    live: Bool  # (M, O) origins with an open route (and so sellers): the others are skipped
    floor: F64  # (M, O, B) price the origin receives at least
    export_tax: F64  # (M, O, B)
    transport: F64  # (M, O, B)
    tariff: F64  # (M, O, B)
    discount: F64  # (M, O, B)
    cap_ptr: I64  # (M*O*B + 1,) delimits each route's entries of cap_idx
    cap_idx: I64  # the (kernel-ordered) groups of each route
    capeff: F64  # (G,) tonnes each group may still carry after contracted tonnes


class Market(NamedTuple):
    """One stage's market, every mineral of it."""

    sellers: Sellers
    buyers: Buyers
    lanes: Lanes


class Work(NamedTuple):
    """What one evaluation of one mineral fills. `price`, `weight`, `q` and `rest` are views
    into the stage's `Solved` arrays; the rest is scratch."""

    p: F64  # (O,) origin prices
    price: F64  # (O, B) delivered price per route, rent included
    slope: F64  # (O, B) its derivative in log origin price
    weight: F64  # (O, B) each buyer's logit split over its routes
    q: F64  # (B,) each buyer's softmin price (inf: cut off)
    temp: F64  # (B,) each buyer's logit temperature, in price
    rest: F64  # (B,) open demand after contracted tonnes
    drest: F64  # (B,) its derivative in the buyer's price
    supply: F64  # (O,) spot offer
    dsupply: F64  # (O,) its derivative in log price
    sales: F64  # (O,) tonnes sold
    load: F64  # (G,) tonnes each group carries (the mineral's groups only)
    excess: F64  # (O,) sales - supply
    group_buyers: F64  # (groups of the mineral, B): 1 where a buyer has an open route in the group
    tally: I64  # (2,) evaluations so far: whole, and partial (a rent step's buyers only)


class Solved(NamedTuple):
    """The allocation at the solution, for the whole stage (filled by `kernel.solve`)."""

    price: F64  # (M, O, B) route prices with rent
    weight: F64  # (M, O, B) logit weights
    q: F64  # (M, B) buyers' softmin prices
    rest: F64  # (M, B) buyers' open demand
    evaluations: I64  # (M, 2) each mineral's evaluations, whole and partial (a measure of cost)


class Report(NamedTuple):
    """The reported quantities (filled by `finalise.finalise`). Routes are stored by market
    cell: one row of B buyers for each origin that sells or owes, `row[m * O + o]` (-1 for
    the others, which carry nothing; in a large world most)."""

    row: I64  # (M*O,) each cell's row in the route rows, -1 if not stored
    flow: F64  # (rows, B) tonnes
    delivered: F64  # (rows, B) delivered price, rent included
    realised: F64  # (rows, B) what the origin receives per tonne
    paid: F64  # (M, B) average price paid
    wanted: F64  # (M, B) demand at the final price
    fill: F64  # (M*O,) share of each cell's offer sold


class Mineral(NamedTuple):
    """Which mineral a solve works on, its cap groups `g0:g1` and its log price bounds."""

    m: int
    g0: int
    g1: int
    lo_x: float
    hi_x: float


class Trial(NamedTuple):
    """A mineral's solve state that a trial step reads and writes: the point (`x`, `rent`),
    the idle jumps, the active set `var`, and the trial point filled by a step."""

    x: F64
    rent: F64
    jump: F64
    var: I64
    trial_x: F64
    trial_r: F64
