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

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from game.world.market import Routes

F64 = NDArray[np.float64]

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
) -> list[tuple[int, int, int, str, float, float]]:
    """Rows (mineral, stage, country, cause, share, change) for every price that moved more
    than `threshold` (relative). Stage 0 is ore, 1 refined."""
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
    rows: list[tuple[int, int, int, str, float, float]] = []
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
        rows.extend(
            (m, stage, n, CAUSES[k], share, rel)
            for m, n, k, share, rel in zip(
                cells[i, 0].tolist(),
                cells[i, 1].tolist(),
                c.tolist(),
                shares[i, c].tolist(),
                relative[i].tolist(),
                strict=True,
            )
        )
    return rows
