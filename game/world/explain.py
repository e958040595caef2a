"""Why prices moved: each turn, each price change of more than a few percent is split into
causes whose shares add up to the whole change.

The split is a first-order attribution. Each cause is a shift of supply or demand in
tonnes (or of the share of a buyer's supply it can still reach, or of its import costs),
turned into a log-price push through the market's combined elasticity. What the causes do
not account for (inventories, expectations, prices elsewhere) is reported as
`market_dynamics`, so the shares always add up to one. Shares can be negative: a cause that
pushed against the move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from game.world.market.clearing import Routes

F64 = NDArray[np.float64]
Index = NDArray[np.intp]

RESPONSE = 0.6
"""Combined short-run elasticity (demand plus supply) that turns a 1 % shift into a price
push of 1/RESPONSE %. The attribution ranks causes; its residual absorbs the error."""

CAUSES = (
    "export_controls",
    "tariffs_and_zones",
    "supply_events",
    "capacity_change",
    "demand_growth",
    "demand_events",
    "stockpiles",
    "market_dynamics",
)


class ExplanationRow(NamedTuple):
    """One cause's share of one price move, for readers who want a turn's rows one by one."""

    mineral: int
    stage: int  # 0 ore, 1 refined
    country: int
    cause: str  # one of CAUSES
    share: float  # of the cell's log price change; a cell's shares add up to 1
    change: float  # the cell's relative price change, the same on each of its rows


@dataclass(frozen=True, eq=False)
class Explanations:
    """One turn's explanations as parallel columns, rows in the order `explain` finds them
    (ore before refined, then cell by cell in (mineral, country) order, then in CAUSES order).

    Columns and not a list of rows: every turn of every game keeps some 700 of them, and
    headless runs never read them; as tuples they would pay for building them and for the
    garbage collector scanning them for the rest of the game. No `==` (eq=False): arrays
    have no one truth value; compare `rows()`."""

    mineral: Index
    stage: Index
    country: Index
    cause: Index  # into CAUSES
    share: F64
    change: F64

    @classmethod
    def empty(cls) -> Explanations:
        return cls(*(np.zeros(0, dtype=np.intp) for _ in range(4)), np.zeros(0), np.zeros(0))

    @classmethod
    def concatenate(cls, parts: Sequence[Explanations]) -> Explanations:
        """The rows of `parts` one after the other (the lab joins the turns of a game)."""
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def __len__(self) -> int:
        return len(self.share)

    def rows(self, where: NDArray[np.bool_] | None = None) -> list[ExplanationRow]:
        """Every row (or those `where` is true), built only now that someone reads them."""
        pick = slice(None) if where is None else where
        return [
            ExplanationRow(m, s, n, CAUSES[k], share, change)
            for m, s, n, k, share, change in zip(
                self.mineral[pick].tolist(),
                self.stage[pick].tolist(),
                self.country[pick].tolist(),
                self.cause[pick].tolist(),
                self.share[pick].tolist(),
                self.change[pick].tolist(),
                strict=True,
            )
        ]

    def cell(self, mineral: int, stage: int, country: int) -> list[ExplanationRow]:
        """The causes of one price's move, in CAUSES order; none if it moved too little to
        be explained."""
        return self.rows((self.mineral == mineral) & (self.stage == stage) & (self.country == country))


@dataclass
class Causes:
    """Quantity shifts gathered during a turn, (mineral, country) tonnes per turn."""

    supply_event: F64
    capacity: F64
    demand_growth: F64
    demand_event: F64
    stockpile: F64
    lost_access: F64  # (M, N) share of a buyer's supply that policy cut off (+) or reopened (-)
    cost_wedge: F64  # (M, N) change of the buyer's average import cost, log
    lost_access_ore: F64
    cost_wedge_ore: F64

    @classmethod
    def zeros(cls, n_min: int, n_nat: int) -> Causes:
        z = np.zeros((n_min, n_nat))
        return cls(*(z.copy() for _ in fields(cls)))


def route_access(routes: Routes, last_flow: F64) -> F64:
    """(M, O, B) share of last turn's flow each route can still carry under the policies."""
    access = routes.open.astype(float)
    if len(routes.cap):
        index = routes.groups
        carried = index.loads(last_flow)
        cut = np.where(carried > 0, np.minimum(1.0, routes.cap / np.maximum(carried, 1e-300)), 1.0)
        np.multiply.at(access.reshape(-1), index.route_of, cut[index.order][index.route_group])
    return access


def policy_shift(before: Routes, after: Routes, last_flow: F64, n_nat: int) -> tuple[F64, F64]:
    """Per buyer country: share of supply lost to controls, and change of import cost (log)."""
    flow = last_flow[:, :, :n_nat] if last_flow.shape[2] > n_nat else last_flow
    bought = flow.sum(axis=1)
    share = np.divide(flow, bought[:, None, :], out=np.zeros_like(flow), where=bought[:, None, :] > 0)
    a0 = route_access(before, last_flow)[:, :, :n_nat]
    a1 = route_access(after, last_flow)[:, :, :n_nat]
    lost = (share * (a0 - a1)).sum(axis=1)
    w0 = np.log1p(before.tariff[:, :, :n_nat]) + np.log1p(before.export_tax[:, :, :n_nat])
    w1 = np.log1p(after.tariff[:, :, :n_nat]) + np.log1p(after.export_tax[:, :, :n_nat])
    return lost, (share * (w1 - w0)).sum(axis=1)


def explain(
    causes: Causes,
    refined_before: F64,
    refined_after: F64,
    ore_before: F64,
    ore_after: F64,
    demand: F64,
    refined_flow: F64,
    threshold: float,
) -> Explanations:
    """The causes of every price that moved more than `threshold` (relative), with their
    shares of the move."""
    supply = np.maximum(refined_flow.sum(axis=2), 0.0)  # (M, O) what each origin sold
    world_supply = np.maximum(supply.sum(axis=1, keepdims=True), 1e-12)
    world_demand = np.maximum(demand.sum(axis=1, keepdims=True), 1e-12)

    def world(x: F64, scale: F64) -> F64:
        return np.broadcast_to(x.sum(axis=1, keepdims=True) / scale, x.shape)

    push = {
        "export_controls": causes.lost_access,
        "tariffs_and_zones": causes.cost_wedge * RESPONSE,
        "supply_events": -world(causes.supply_event, world_supply),
        "capacity_change": -world(causes.capacity, world_supply),
        "demand_growth": world(causes.demand_growth, world_demand),
        "demand_events": world(causes.demand_event, world_demand),
        "stockpiles": world(causes.stockpile, world_demand),
    }
    pushed = np.stack([push[c] for c in CAUSES[:-1]]) / RESPONSE  # (C-1, M, N)
    ore_parts = np.zeros_like(pushed)  # ore prices follow refined ones; only ore policy is its own
    ore_parts[CAUSES.index("export_controls")] = causes.lost_access_ore / RESPONSE
    ore_parts[CAUSES.index("tariffs_and_zones")] = causes.cost_wedge_ore
    found: list[Explanations] = []
    for stage, before, after, parts in (
        (0, ore_before, ore_after, ore_parts),
        (1, refined_before, refined_after, pushed),
    ):
        change = np.log(np.maximum(after, 1e-12) / np.maximum(before, 1e-12))
        moved = np.abs(np.expm1(change)) > threshold
        if not moved.any():
            continue
        residual = change - parts.sum(axis=0)  # market dynamics: what the causes do not explain
        every = np.concatenate([parts, residual[None]])[:, moved].T  # (moved cells, C)
        total = change[moved]
        shares = every / total[:, None]
        relative = np.expm1(total)
        cells = np.argwhere(moved)
        i, c = np.nonzero(np.abs(shares) > 1e-6)  # row-major: cell, then cause
        found.append(
            Explanations(
                mineral=cells[i, 0],
                stage=np.full(len(i), stage, dtype=np.intp),
                country=cells[i, 1],
                cause=c,
                share=shares[i, c],
                change=relative[i],
            )
        )
    return Explanations.concatenate(found)
