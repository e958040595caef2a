"""One turn (a quarter), read top to bottom: `PHASES` in order, each a function of the
world's state and the turn's scratch. Phases hand each other data only through `TurnScratch`
(or through the declared state); the work itself lives in the mechanism, economy and market
modules each phase names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage
from game.world.economy import accounts, demand, firms, inventories, projects, supply
from game.world.explain import EXPLAIN_THRESHOLD, explain, note_policy_change
from game.world.market.clearing import Clearing, Offers
from game.world.mechanisms import deals, effects, facilitator, programmes, stockpiles, tariffs, zones
from game.world.mechanisms.controls import settle_start_licences, step_licences
from game.world.mechanisms.desk import OrderRecord
from game.world.mechanisms.trade import clear_stage, routes_of
from game.world.record import Causes, TurnRecord
from game.world.state import WorldState, world_hash

F64 = NDArray[np.float64]


@dataclass(slots=True)
class TurnScratch:
    """What the phases of one turn hand each other. Kept by the model as `last_turn` after the
    turn, for inspection (a test reads the orders resolved, an analysis the realised prices)."""

    prev_price: F64  # (M, 2N) what buyers paid before the turn
    prev_ore: F64  # (M, N)
    orders: list[OrderRecord] = field(default_factory=list)  # resolved this turn
    ore: Clearing | None = None
    intake: F64 | None = None  # (F,) ore each refinery took in
    public: stockpiles.PublicOrders | None = None
    stocks: inventories.StockOrders | None = None  # manufacturers' restocking and destocking
    sellers: NDArray[np.bool_] | None = None  # (F,) firms selling refined metal
    refined: Clearing | None = None
    fund_floor: F64 | None = None  # (M, O, B) refined floors zone funds paid this turn
    record: TurnRecord | None = None


def begin(s: WorldState, x: TurnScratch) -> None:
    s.causes = Causes.zeros(len(s.mineral_ids), len(s.nation_ids))


def events(s: WorldState, x: TurnScratch) -> None:
    effects.step_events(s)
    facilitator.step(s)


def orders(s: WorldState, x: TurnScratch) -> None:
    x.orders = s.desk.resolve(s)
    s.diplomacy.expire(s.turn)


def policies_at_work(s: WorldState, x: TurnScratch) -> None:
    step_licences(s)
    programmes.step(s)
    zones.emergency_sharing(s)
    note_policy_change(s)


def demand_and_firms(s: WorldState, x: TurnScratch) -> None:
    demand.step_demand(s)
    firms.step_decisions(s)


def ore_market(s: WorldState, x: TurnScratch) -> None:
    """Mines sell ore to refiners (and refiners restocking ore); refiners take it in, with
    ore from their stocks. The spin-up (s.spun_rounds > 0) leaves ore stocks alone."""
    market = supply.ore_market(s)
    if s.spun_rounds:
        x.ore = clear_stage(s, Stage.ORE, market.offers, market.bids, s.ore_price)
        x.intake = supply.refine(s, x.ore, market.plan)
        return
    planned = market.bids.need
    stock = inventories.ore_orders(s, planned)
    bids = replace(
        market.bids, need=planned + stock.restock - stock.destock, cap=market.bids.cap + stock.restock
    )
    x.ore = clear_stage(s, Stage.ORE, market.offers, bids, s.ore_price)
    taken = inventories.settle_ore(s, stock, planned, x.ore.bought(), x.ore.paid)
    x.intake = supply.refine(s, x.ore, market.plan, taken)


def industry_stocks(s: WorldState, x: TurnScratch) -> None:
    """Manufacturers set their stock targets and plan to restock or destock."""
    x.stocks = inventories.orders(s)


def refined_market(s: WorldState, x: TurnScratch) -> None:
    """Refiners, recyclers and stockpile releases sell; civil and defence buyers (and
    stockpiles topping up) buy, civil buyers more or less as their stocks move."""
    assert x.stocks is not None
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    firms_offer = supply.refined_supply(s)
    x.public = public = stockpiles.public_orders(s)
    stock_cells = np.arange(n_min)[:, None] * n_nat + np.arange(n_nat)[None, :]  # (M, N)
    offers = Offers(
        cell=np.concatenate([firms_offer.cell, stock_cells.ravel()]),
        avail=np.concatenate([firms_offer.avail, public.release.T.ravel()]),
        lo=np.concatenate([firms_offer.lo, np.zeros(n_min * n_nat)]),
        hi=np.concatenate([firms_offer.hi, np.repeat(stockpiles.RELEASE_ASK_SHARE * s.ref_price, n_nat)]),
    )
    bids = demand.refined_bids(s, public.buy.T + x.stocks.net)
    stockpiles.note_net_buying(s, public)
    x.refined = clear_stage(s, Stage.REFINED, offers, bids, s.refined_price)
    x.sellers = firms_offer.sellers


def consumption(s: WorldState, x: TurnScratch) -> None:
    """Sectors consume what they got; sellers, stockpiles and manufacturers' stocks settle;
    prices become the world's."""
    assert x.refined is not None and x.public is not None and x.sellers is not None
    assert x.stocks is not None
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    refined = x.refined
    public_bid, stock_net = x.public.buy.T, x.stocks.net
    bought_for_stock, received = demand.consume(s, refined, public_bid + stock_net)
    # the civil node's bid was filled alike in all its parts (demand.consume): the stocks'
    # part moved them by its share, the stockpile's bought the rest of `bought_for_stock`
    civil_want = demand.civil_need(s.need) + public_bid + stock_net
    civil_got = refined.bought()[:, :n_nat]
    share = np.divide(civil_got, civil_want, out=np.zeros_like(civil_got), where=civil_want > 0)
    stocked = stock_net * share
    n_firm_sellers = int(x.sellers.sum())
    supply.settle_refined_sales(s, x.sellers, refined.sold[:n_firm_sellers])
    released_sold = refined.sold[n_firm_sellers:].reshape(n_min, n_nat).T  # (N, M)
    stockpiles.settle(s, released_sold, (bought_for_stock - stocked).T, refined.paid[:, :n_nat], received.T)
    inventories.settle(s, stocked, refined.paid[:, :n_nat])
    supply.settle_refined_prices(s, refined)
    supply.collect_end_of_life(s)


def firm_accounts(s: WorldState, x: TurnScratch) -> None:
    """Firms' profit and loss (floors, zone funds and deal prices included); the turn's record."""
    assert x.ore is not None and x.refined is not None and x.intake is not None
    ore, refined = x.ore, x.refined
    x.fund_floor = routes_of(s, Stage.REFINED).fund_floor
    ore_extra = deals.price_topup(s, Stage.ORE, ore)
    accounts.settle_firms(
        s, ore, x.intake, refined, x.fund_floor, ore_extra, deals.price_topup(s, Stage.REFINED, refined)
    )
    accounts.keep_flows(s, ore, refined)
    n_nat = len(s.nation_ids)
    explanations = explain(
        s.causes,
        x.prev_price[:, :n_nat],
        s.refined_paid[:, :n_nat],
        x.prev_ore,
        s.ore_paid,
        s.need.sum(axis=2),
        s.last_flow[Stage.REFINED].by_origin(),
        EXPLAIN_THRESHOLD,
    )
    x.record = accounts.turn_record(s, ore, x.intake, refined, explanations)


def treasuries(s: WorldState, x: TurnScratch) -> None:
    """Budgets: the yearly allocation, tariff and export-tax revenue, and zone funds."""
    assert x.ore is not None and x.refined is not None
    cleared = [(x.ore, routes_of(s, Stage.ORE)), (x.refined, routes_of(s, Stage.REFINED))]
    s.trade_revenue = tariffs.revenue(len(s.nation_ids), cleared)
    s.zone_fund_paid = zones.fund_payments(s, x.refined)
    s.treasury = s.treasury + s.budget_income + s.trade_revenue - s.zone_fund_paid


def scores(s: WorldState, x: TurnScratch) -> None:
    assert x.record is not None
    s.score, s.score_parts = s.scorer.update(s, x.record)


def construction_and_relations(s: WorldState, x: TurnScratch) -> None:
    if projects.advance(s):
        effects.apply_shocks(s)  # shocks in force (a strike, a flood) reach the new firms too
    s.diplomacy.drift()


def close(s: WorldState, x: TurnScratch) -> None:
    """The turn's record, stamped with the hash of the world it leaves."""
    assert x.record is not None
    s.records.append(
        replace(
            x.record,
            world_hash=world_hash(s),
            score=s.score,
            score_parts=s.score_parts,
            relations=s.relations.copy(),
        )
    )


Phase = Callable[[WorldState, TurnScratch], None]

PHASES: tuple[Phase, ...] = (
    begin,
    events,  # scheduled, conditional and random events; controls expire; facilitator's actions
    orders,  # the queued orders, in the desk's fixed order; proposals lapse
    policies_at_work,  # programmes pay, zones share stockpiles; what policy changes shifted
    demand_and_firms,  # demand grows and substitutes; firms close, restart, expand, invest
    ore_market,  # mines sell ore to refiners, who take it in
    industry_stocks,  # manufacturers set stock targets, plan to restock or destock
    refined_market,  # refiners, recyclers and stockpiles sell to manufacturers and stockpiles
    consumption,  # sectors consume; sellers and stockpiles settle; prices move expectations
    firm_accounts,  # profit and loss; why prices moved; the turn's record
    treasuries,  # budgets, tariff and tax revenue, zone funds
    scores,
    construction_and_relations,  # projects advance or end; relations drift back
    close,  # the record, with the world hash
)


def resolve(s: WorldState) -> TurnScratch:
    """Resolve one turn: every phase in order. Returns the turn's scratch."""
    x = TurnScratch(prev_price=s.refined_paid.copy(), prev_ore=s.ore_paid.copy())
    for phase in PHASES:
        phase(s, x)
    return x


SPIN_UP_ROUNDS = 3
"""Silent clearings at world construction (see spin_up): enough for the refiners' plans, the
ore bids and the prices they read to agree to well under a per cent."""


MATCH_ROUNDS = 8
"""Clearings of the spin-up after the first SPIN_UP_ROUNDS - 1, each from demand outside China
made to clear at the content's reference prices by the one before (demand.match_reference)."""


def spin_up(s: WorldState) -> None:
    """Start the world from prices that clear under the scenario's starting policies.

    Reference prices predate some of the controls in force at the start, so a world that
    opened at them would show its first turn's adjustment as news. This clears the ore and
    refined markets SPIN_UP_ROUNDS times at the starting need, each round taking the last
    round's prices as what firms expect, then keeps only the prices and expectations: firms'
    books, stockpiles, flows and the turn are as they were, and no random number is drawn,
    so a seed gives the same world as before, only calmer in turn 1."""
    t = s.firms
    books = {name: getattr(t, name).copy() for name in ("sold", "inventory")}
    stock_net, causes = s.stock_net.copy(), s.causes
    x = TurnScratch(prev_price=s.refined_paid.copy(), prev_ore=s.ore_paid.copy())
    for rounds in range(1, SPIN_UP_ROUNDS + MATCH_ROUNDS + 1):
        if rounds >= SPIN_UP_ROUNDS and x.refined is not None:
            demand.match_reference(s, x.refined.paid)  # after each round from the last-but-one
        s.spun_rounds = rounds  # the first round starts cold, the others warm
        ore_market(s, x)  # sets ore prices and moves expected_ore as a turn does
        x.stocks = inventories.idle(s)  # manufacturers' stocks start at target, idle
        refined_market(s, x)
        assert x.refined is not None
        supply.settle_refined_prices(s, x.refined)
        for name, value in books.items():
            setattr(t, name, value.copy())
    assert x.ore is not None and x.refined is not None
    s.stock_net, s.causes = stock_net, causes
    n_nat = len(s.nation_ids)
    s.start_paid = s.refined_paid.copy()  # (M, 2N) the start's prices, before any turn
    s.start_flow = {  # what the start's trade looks like, for observations before turn 1
        Stage.ORE: x.ore.flow.copy(),
        Stage.REFINED: x.refined.flow[:, :, :n_nat] + x.refined.flow[:, :, n_nat:],
    }
    s.last_clearing = {}
    s.spun_rounds = 0
    settle_start_licences(s)
    # What the first turn's policy changes are measured against: the start's routes and trade.
    s.refined_nodes_flow = x.refined.flow_stored()
    s.cleared_under = (s.policies.version, {stage: routes_of(s, stage) for stage in Stage})
