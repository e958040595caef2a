"""Firms' profit and loss for the turn, and the turn's record of what the markets did."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from agents.firms import MINE, REFINERY, update_margins
from game.rules import Stage
from game.world.market.stored import RouteRows
from game.world.record import Explanations, TurnRecord

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing
    from game.world.state import WorldState

F64 = NDArray[np.float64]


def settle_firms(
    s: WorldState,
    ore: Clearing,
    intake: F64,
    refined: Clearing,
    fund_floor: F64 | None,
    ore_extra: F64,
    refined_extra: F64,
) -> None:
    """Revenue, costs, profit and margins of every firm.

    Origins receive on each refined route what the clearing realised there, or the floor a
    zone fund pays (`fund_floor`, (M, O, B)) if higher; `ore_extra` and `refined_extra`
    (M, O) are what deal prices paid sellers over the origin price. Each origin's extra is
    shared by its sellers in proportion to what they sold."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    mines = t.kind == MINE
    mine_sold = np.zeros(len(t))
    mine_sold[mines] = ore.sold
    t.output = np.where(mines, mine_sold, t.output)
    t.sold = np.where(mines, mine_sold, t.sold)
    ore_price = ore.price[t.mineral, t.country]
    refined_price = refined.price[t.mineral, t.country]
    ore_cost = s.ore_paid[t.mineral, t.country]
    revenue = np.where(mines, mine_sold * ore_price, t.sold * refined_price)
    cell = t.mineral * n_nat + t.country
    for stage, extra in (
        (Stage.ORE, ore_extra),
        (Stage.REFINED, floor_gain(refined, fund_floor) + refined_extra),
    ):
        if not extra.any():
            continue
        selling = mines if stage == Stage.ORE else ~mines
        sold_here = np.where(selling, t.sold, 0.0)
        cell_sold = np.bincount(cell, weights=sold_here, minlength=n_min * n_nat)
        share = np.divide(sold_here, cell_sold[cell], out=np.zeros_like(sold_here), where=cell_sold[cell] > 0)
        revenue = revenue + share * extra.ravel()[cell]
    costs = np.where(
        mines,
        mine_sold * t.unit_cost,
        np.where(t.kind == REFINERY, intake * (ore_cost + t.unit_cost), t.sold * t.unit_cost),
    )
    t.revenue = revenue
    t.profit = revenue - costs - t.restart_cost  # bringing idled plants back costs once
    unit_price = np.where(mines, ore_price, refined_price)
    full_cost = np.where(t.kind == REFINERY, ore_cost + t.unit_cost, t.unit_cost)
    update_margins(t, unit_price, full_cost)


def floor_gain(refined: Clearing, fund_floor: F64 | None) -> F64:
    """(M, O) what each origin received over its origin price (floors, zone funds), read
    off the routes of the origins that sold (the others carried nothing)."""
    realised = refined.realised_rows
    if fund_floor is not None:
        realised = np.maximum(realised, refined.stored(fund_floor))
    over = realised - refined.price.ravel()[refined.active][:, None]
    gain = np.zeros(refined.price.size)
    gain[refined.active] = (refined.flow_rows * over).sum(axis=1)
    return gain.reshape(refined.price.shape)


def keep_flows(s: WorldState, ore: Clearing, refined: Clearing) -> None:
    """This turn's flows become last turn's for the next (licences, partners, explanations)."""
    n_nat = len(s.nation_ids)
    s.refined_nodes_flow = refined.flow_stored()
    rows = refined.flow_rows
    shape = (*refined.price.shape, n_nat)
    s.last_flow = {
        Stage.ORE: ore.flow_stored(),
        Stage.REFINED: RouteRows.of(shape, refined.active, rows[:, :n_nat] + rows[:, n_nat:]),
    }


def turn_record(
    s: WorldState, ore: Clearing, intake: F64, refined: Clearing, explanations: Explanations
) -> TurnRecord:
    """The turn's record (its hash is set when the turn has finished)."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    mines = t.kind == MINE
    cell = t.mineral * n_nat + t.country
    size = n_min * n_nat
    refined_prod = np.bincount(cell, weights=np.where(mines, 0.0, t.output), minlength=size).reshape(
        n_min, n_nat
    )
    ore_prod = np.bincount(cell, weights=np.where(mines, t.sold, 0.0), minlength=size).reshape(n_min, n_nat)
    inventory_change = np.bincount(
        cell, weights=np.where(t.kind == REFINERY, intake - t.sold, 0.0), minlength=size
    ).reshape(n_min, n_nat)
    defence = RouteRows.of((n_min, n_nat, n_nat), refined.active, refined.flow_rows[:, n_nat:])
    ore_intake = ore.bought()
    return TurnRecord(
        turn=s.turn,
        ore_price=ore.price.copy(),
        refined_price=refined.price.copy(),
        ore_paid=ore.paid.copy(),
        refined_paid=refined.paid.copy(),
        ore_routes=s.last_flow[Stage.ORE],
        refined_routes=s.last_flow[Stage.REFINED],
        defence_routes=defence,
        ore_production=ore_prod,
        ore_intake=ore_intake,
        refined_production=refined_prod,
        refined_stock_change=inventory_change + s.stock_delta,
        inventory=s.inventory.copy(),
        inventory_change=s.inventory_change.copy(),
        ore_inventory=s.ore_inventory.copy(),
        ore_inventory_change=s.ore_inventory_change.copy(),
        need=s.need.copy(),
        consumption=s.consumption.copy(),
        shortfall=s.shortfall.copy(),
        ore_shortfall=np.maximum(ore.wanted - ore_intake, 0.0),
        firm_capacity=t.capacity.copy(),
        firm_output=t.output.copy(),
        firm_unit_cost=t.unit_cost.copy(),
        firm_profit=t.profit.copy(),
        explanations=explanations,
        world_hash="",
        unsettled=[
            (stage.value, s.mineral_ids[m])
            for stage, cleared in ((Stage.ORE, ore), (Stage.REFINED, refined))
            for m in np.flatnonzero(~cleared.settled)
        ],
    )
