"""Why prices moved: each turn, each price change of more than a few percent is split into
causes whose shares add up to the whole change.

The split is a first-order attribution. Each cause is a shift of supply or demand in
tonnes (or of the share of a buyer's supply it can still reach, or of its import costs),
turned into a log-price push through the market's combined elasticity. What the causes do
not account for (expectations, prices elsewhere) is reported as
`market_dynamics`, so the shares always add up to one. Shares can be negative: a cause that
pushed against the move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage
from game.world.market.clearing import Routes
from game.world.mechanisms.trade import routes_of
from game.world.record import CAUSES, Causes, Explanations

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]
Index = NDArray[np.intp]

EXPLAIN_THRESHOLD = 0.02
"""Price moves smaller than this (relative) are not explained."""
RESPONSE = 0.6
"""Combined short-run elasticity (demand plus supply) that turns a 1 % shift into a price
push of 1/RESPONSE %. The attribution ranks causes; its residual absorbs the error."""


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
    refined_sold: F64,
    threshold: float,
) -> Explanations:
    """The causes of every price that moved more than `threshold` (relative), with their
    shares of the move. `refined_sold` (M, O) is what each origin sold."""
    supply = np.maximum(refined_sold, 0.0)
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
        "inventories": world(causes.inventory, world_demand),
        "licence_approvals": causes.licence_approvals,
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


def note_policy_change(s: WorldState) -> None:
    """Policies may have changed since last turn's clearing, by orders between turns or by
    this turn's events; either way the change is measured against what last turn used, and
    goes to the turn's causes."""
    n_nat = len(s.nation_ids)
    if s.cleared_under is not None and s.cleared_under[0] != s.policies.version:
        before, c = s.cleared_under[1], s.causes
        c.lost_access, c.cost_wedge = policy_shift(
            before[Stage.REFINED], routes_of(s, Stage.REFINED), s.refined_nodes_flow.dense(), n_nat
        )
        ore_flow = s.last_flow[Stage.ORE].dense() if s.records else s.start_flow[Stage.ORE]
        c.lost_access_ore, c.cost_wedge_ore = policy_shift(
            before[Stage.ORE], routes_of(s, Stage.ORE), ore_flow, n_nat
        )
        # Ore lost to controls raises every refiner's cost by the ore's share of the
        # refined price: refined prices everywhere owe that part of their move to them.
        bought = ore_flow.sum(axis=1)  # (M, N) ore each country's refiners bought
        lost = (c.lost_access_ore * bought).sum(axis=1) / np.maximum(bought.sum(axis=1), 1e-12)
        c.lost_access = c.lost_access + (s.ore_share * lost)[:, None]
    s.cleared_under = (s.policies.version, {stage: routes_of(s, stage) for stage in Stage})
