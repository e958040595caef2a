"""Building a world from content, a scenario and a seed: every declared field of the state
gets its start value here, then the markets spin up to prices that clear under the
scenario's starting policies (turn.spin_up)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from agents.firms import KIND_CODE, MINE, RECYCLER, REFINERY, FirmTable
from game.content import Content
from game.rules import Instrument, Scenario, Stage
from game.rules import events as ev
from game.world.calibration import pipeline_growth
from game.world.economy import inventories
from game.world.economy.demand import need_now
from game.world.economy.firms import START_UTILISATION
from game.world.economy.investment import market_templates
from game.world.economy.projects import Pipeline
from game.world.market.routes import Geography, LicenceBaselines, PolicyBook
from game.world.market.stored import RouteRows
from game.world.mechanisms import controls
from game.world.mechanisms.desk import OrderDesk
from game.world.mechanisms.diplomacy import Diplomacy, baseline_relations
from game.world.mechanisms.events import EventEngine
from game.world.record import Causes
from game.world.scoring import Scorer
from game.world.state import SECTORS, WorldState
from game.world.turn import spin_up

F64 = NDArray[np.float64]

USE_HISTORY_TURNS = 160
"""Turns of past use kept for recyclers (product lives up to 40 years)."""


def _firms(content: Content, scenario: Scenario, nation_ids: tuple[str, ...], mineral_ids: tuple[str, ...]):
    """The firm table, and each row's (id, name). Firms of countries outside the scenario
    count as the rest of the world's, when the scenario has one."""
    rows = [f for f in content.firms if f.mineral in mineral_ids]
    rest = "rest_of_world" if "rest_of_world" in scenario.nations else None

    def place(nation: str) -> int | None:
        if nation in nation_ids:
            return nation_ids.index(nation)
        return nation_ids.index(rest) if rest else None

    kept = [(f, place(f.country), place(f.owner)) for f in rows]
    kept = [(f, c, o if o is not None else c) for f, c, o in kept if c is not None]
    table = FirmTable(
        kind=np.array([KIND_CODE[f.kind] for f, _, _ in kept], dtype=np.int64),
        mineral=np.array([mineral_ids.index(f.mineral) for f, _, _ in kept], dtype=np.int64),
        country=np.array([c for _, c, _ in kept], dtype=np.int64),
        owner=np.array([o for _, _, o in kept], dtype=np.int64),
        capacity=np.array([f.capacity_tpy / 4 for f, _, _ in kept]),
        unit_cost=np.array([f.unit_cost_usd_per_t for f, _, _ in kept]),
        active=np.ones(len(kept), dtype=bool),
        shock=np.ones(len(kept)),
    )
    return table, [(f.id, f.name) for f, _, _ in kept]


def _market_invests(content: Content, scenario: Scenario, mineral_ids: tuple[str, ...]) -> NDArray[np.bool_]:
    """(M,) whether the market commissions capacity of a mineral on its own. Not where a
    historical scenario restates the mineral's start year and schedules the capacity that
    was really built: history is then the supply response, and a second one would
    double it."""
    events = content.events
    scheduled: set[str] = set()
    for entry in scenario.schedule:
        for effect in events[entry.event].effects if entry.event in events else ():
            if isinstance(effect, ev.NewCapacity) and effect.template in content.projects:
                scheduled.add(content.projects[effect.template].mineral)
    return np.array([not (m in scenario.calibration and m in scheduled) for m in mineral_ids])


def _stranded_ore(
    scenario: Scenario, t: FirmTable, nation_ids: tuple[str, ...], mineral_ids: tuple[str, ...]
) -> F64:
    """(M,) tonnes per turn of ore the scenario's starting bans and quotas (on all buyers)
    keep from any refiner: what the issuer mines beyond its own refining and its quota."""
    stranded = np.zeros(len(mineral_ids))
    for c in scenario.export_controls:
        if c.stage != Stage.ORE or c.targets or c.instrument not in (Instrument.BAN, Instrument.QUOTA):
            continue
        if c.mineral not in mineral_ids or c.issuer not in nation_ids:
            continue
        m, i = mineral_ids.index(c.mineral), nation_ids.index(c.issuer)
        here = (t.mineral == m) & (t.country == i)
        mined = t.capacity[here & (t.kind == MINE)].sum()
        refined = t.capacity[here & (t.kind == REFINERY)].sum()
        allowed = (c.quota_tpy or 0.0) / 4 if c.instrument == Instrument.QUOTA else 0.0
        stranded[m] += max(mined - refined - allowed, 0.0)
    return stranded


def build(content: Content, sc: Scenario, seed: int, rng: np.random.Generator) -> WorldState:
    """The state of a new world (content already calibrated to the scenario's start year)."""
    nation_ids: tuple[str, ...] = tuple(sc.nations)
    mineral_ids: tuple[str, ...] = tuple(sc.minerals)
    n_nat, n_min, n_sec = len(nation_ids), len(mineral_ids), len(SECTORS)
    minerals = [content.minerals[m] for m in mineral_ids]
    nations = [content.nations[n] for n in nation_ids]
    ref_price = np.array([m.prices.refined_usd_per_t for m in minerals])
    growth = np.array([[m.demand_growth.pct_per_year.get(s, 0.0) for s in SECTORS] for m in minerals])
    growth_per_turn = (1 + growth / 100) ** 0.25  # (M, S)
    firms, firm_names = _firms(content, sc, nation_ids, mineral_ids)

    # Demand: content t/yr -> t/turn, scaled per mineral so the start balances.
    base = np.zeros((n_min, n_nat, n_sec))
    for i, n in enumerate(nation_ids):
        for s, per_mineral in content.nations[n].demand.items():
            for mineral, tpy in per_mineral.items():
                if mineral in mineral_ids:
                    base[mineral_ids.index(mineral), i, SECTORS.index(s)] = tpy / 4
    mine_cap = np.bincount(
        firms.mineral[firms.kind == MINE], weights=firms.capacity[firms.kind == MINE], minlength=n_min
    )
    rec = firms.kind == RECYCLER
    recycled = np.bincount(firms.mineral[rec], weights=firms.capacity[rec], minlength=n_min)
    totals = base.sum(axis=(1, 2))
    # Reference prices are today's, set under the controls in force: ore that a starting
    # ban or quota keeps in the ground is not part of the supply demand was met from.
    supply = START_UTILISATION * (mine_cap - _stranded_ore(sc, firms, nation_ids, mineral_ids) + recycled)
    demand_scale = np.divide(supply, totals, out=np.ones(n_min), where=totals > 0)
    base_need = base * demand_scale[:, None, None]
    weights = base_need.sum(axis=1)  # (M, S)
    weighted = (weights * growth_per_turn).sum(axis=1)

    # Recycling: end-of-life feed follows consumption one product life back.
    life = np.array([m.recycling.product_life_years * 4 for m in minerals]).astype(int)
    eol_lag = np.clip(life, 1, USE_HISTORY_TURNS)
    start_use = base_need.sum(axis=2)
    yearly_growth = (growth_per_turn**4).mean(axis=1)
    past = start_use / (yearly_growth[:, None] ** (eol_lag[:, None] / 4))

    treasury = np.array([n.treasury_usd_m for n in nations], dtype=float)
    stockpile, stock_target, stock_budget = (
        np.zeros((n_nat, n_min)),
        np.zeros((n_nat, n_min)),
        np.zeros(n_nat),
    )
    for i, n in enumerate(nations):
        if n.stockpile:
            stock_budget[i] = n.stockpile.budget_usd_m
            for mineral, t in n.stockpile.tonnes.items():
                if mineral in mineral_ids:
                    stockpile[i, mineral_ids.index(mineral)] = t
    for st in sc.stockpiles:  # the scenario's figure replaces the nation file's
        if st.mineral in mineral_ids and st.nation in nation_ids:
            i, m = nation_ids.index(st.nation), mineral_ids.index(st.mineral)
            stockpile[i, m] = st.tonnes
            stock_target[i, m] = max(stock_target[i, m], st.target_tonnes)

    ore_share = np.array([m.prices.ore_value_share for m in minerals])
    ore_price = np.repeat((ref_price * ore_share)[:, None], n_nat, axis=1)
    refined_price = np.repeat(ref_price[:, None], n_nat, axis=1)
    geo = Geography(
        nations=nation_ids,
        minerals=mineral_ids,
        region=tuple(n.region.value for n in nations),
        transport_share=np.array([m.market.transport_cost_pct / 100 for m in minerals]),
    )
    score, score_parts = Scorer.not_scored(n_nat)  # NaN until turn 1
    s = WorldState(
        content=content,
        scenario=sc,
        seed=seed,
        nation_ids=nation_ids,
        mineral_ids=mineral_ids,
        nation_index={n: i for i, n in enumerate(nation_ids)},
        mineral_index_of={m: i for i, m in enumerate(mineral_ids)},
        ref_price=ref_price,
        ore_share=ore_share,
        civil_eps=np.array([m.market.demand_elasticity for m in minerals]),
        inventory_cover=np.array([m.inventories.cover_quarters for m in minerals]),
        ore_inventory_cover=np.array([m.inventories.refiner_ore_cover_quarters for m in minerals]),
        substitution_eps=np.array([m.substitution.long_run_elasticity for m in minerals]),
        growth_per_turn=growth_per_turn,
        demand_scale=demand_scale,
        base_need=base_need,
        pipeline_growth=pipeline_growth(sc, mineral_ids, weighted / np.maximum(weights.sum(axis=1), 1e-12)),
        market_invests=_market_invests(content, sc, mineral_ids),
        market_templates=market_templates(content.projects, mineral_ids),
        eol_lag=eol_lag,
        budget_income=POLICY_BUDGET_PER_TURN * treasury,
        gdp_usd_bn=np.array([n.gdp.usd_bn for n in nations]),
        turn=0,
        firms=firms,
        ore_price=ore_price,
        refined_price=refined_price,
        ore_paid=ore_price.copy(),
        refined_paid=np.repeat(ref_price[:, None], 2 * n_nat, axis=1),
        expected_refined=refined_price.copy(),
        expected_ore=ore_price.copy(),
        stockpile=stockpile,
        stock_target=stock_target,
        stock_budget=stock_budget,
        treasury=treasury,
        growth_index=np.ones((n_min, n_sec)),
        demand_shock=np.ones((n_min, n_nat, n_sec)),
        substitution=np.ones((n_min, n_nat)),
        price_memory=np.ones((n_min, n_nat)),
        invest_backlog=np.zeros((3, n_min, n_nat)),
        eol_rate=np.array([m.recycling.eol_rate_pct / 100 for m in minerals]),
        eol_ceiling=np.array([m.recycling.max_rate_pct / 100 for m in minerals]),
        use_history=np.repeat(past[None], USE_HISTORY_TURNS, axis=0),  # ring buffer (160, M, N)
        shortfall=np.zeros((n_min, n_nat, n_sec)),
        consumption=np.zeros((n_min, n_nat, n_sec)),
        consumption_fill=np.ones((n_nat, n_min)),
        forced_release=np.zeros((n_nat, n_min)),
        subsidy_cut=np.ones((n_min, n_nat, n_sec)),
        rnd_substitution=np.ones((n_min, n_nat)),
        rnd_recycling=np.ones((n_min, n_nat)),
        eol_boost=np.ones((n_min, n_nat)),
        trade_revenue=np.zeros(n_nat),
        zone_fund_paid=np.zeros(n_nat),
        score=score,
        score_parts=score_parts,
        last_flow={
            Stage.ORE: RouteRows.zeros((n_min, n_nat, n_nat)),
            Stage.REFINED: RouteRows.zeros((n_min, n_nat, n_nat)),
        },
        refined_nodes_flow=RouteRows.zeros((n_min, n_nat, 2 * n_nat)),
        stock_net=np.zeros((n_min, n_nat)),
        stock_delta=np.zeros((n_min, n_nat)),
        need=np.zeros((n_min, n_nat, n_sec)),
        inventory=np.zeros((n_min, n_nat)),
        inventory_target=np.zeros((n_min, n_nat)),
        inventory_expected=np.zeros((n_min, n_nat)),
        inventory_normal=np.zeros((n_min, n_nat)),
        inventory_change=np.zeros((n_min, n_nat)),
        ore_inventory=np.zeros((n_min, n_nat)),
        ore_inventory_change=np.zeros((n_min, n_nat)),
        policies=PolicyBook(geo),
        licence_baseline=LicenceBaselines(),
        pipeline=Pipeline(),
        diplomacy=Diplomacy(nation_ids, baseline_relations([n.alignment for n in nations])),
        events=EventEngine(sc, dict(content.events)),
        subsidies=[],
        research=[],
        share_commitment={},
        desk=OrderDesk(),
        facilitator_queue=[],
        facilitator_log=[],
        scorer=None,  # type: ignore[arg-type]  # set below: it reads the world's treasury and firms
        rng=rng,
        firm_names=firm_names,
        causes=Causes.zeros(n_min, n_nat),
    )
    s.need = need_now(s)
    for control in sc.export_controls:
        controls.impose(s, control)
    for tariff in sc.tariffs:
        s.policies.tariffs.append(tariff)
    for zone in sc.zones:
        s.policies.zones[zone.id] = zone
    s.policies.changed()
    s.scorer = Scorer.for_world(s)
    spin_up(s)
    inventories.start(s)  # at target cover of the demand the spin-up matched
    return s


POLICY_BUDGET_PER_TURN = 0.025
"""Each turn a nation's mineral-policy budget is topped up by this share of its starting
treasury (10 % a year), besides its tariff and export-tax revenue (model assumption)."""
