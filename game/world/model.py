"""WorldModel: the Mesa model of the mineral economy.

A turn (one quarter) resolves in a fixed order, each step a method below:

    events -> orders (proposals lapse, programmes pay, zones share stockpiles)
           -> firm decisions -> ore market -> refining
           -> refined market (with recycling and stockpiles) -> consumption and shortfall
           -> firms' accounts -> treasuries -> scores -> projects advance
           -> relations drift -> data collection

All state the hot loop touches is numpy arrays owned by the model; agents are views on
rows of them. All randomness comes from `self.rng` (seeded), drawn in a fixed pattern per
turn, so a scenario, a seed and the same orders give a bit-identical world.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import mesa
import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from agents.firms import (
    AGENT_CLASS,
    INVEST_COMMIT_SHARE,
    KIND_CODE,
    FirmTable,
    capacity_gap,
    close_and_restart,
    expansion_candidates,
    investment_appetite,
    refinery_throughput,
    update_margins,
)
from agents.manufacturer import Manufacturer
from agents.nation import Nation
from agents.observation import Observation
from game.content import Content
from game.rules import Event, ExportControl, FirmKind, Instrument, Scenario, Sector, Stage
from game.rules import events as ev
from game.rules.diplomacy import Deal
from game.rules.facilitator import FACILITATOR_ADAPTER, Broadcast, FacilitatorAction, InjectEvent
from game.rules.orders import DealKind, Order
from game.world import market, programmes
from game.world.calibration import calibrate, pipeline_growth
from game.world.digest import RowDigest, SequenceDigest, float_maps, json_bytes
from game.world.diplomacy import Diplomacy, baseline_relations
from game.world.events import EventEngine, Happened, Shock
from game.world.explain import Causes, Explanations, explain, policy_shift
from game.world.observe import observe
from game.world.orders import OrderDesk, OrderRecord, Verdict
from game.world.programmes import Research, Subsidy
from game.world.projects import Pipeline, Project, cancel_hazard, construction_lead, lead_time
from game.world.scoring import PART_NAMES, Scorer
from game.world.trade_rules import ActiveControl, Geography, PolicyBook

F64 = NDArray[np.float64]

SECTORS: tuple[Sector, ...] = tuple(Sector)
DEFENCE = SECTORS.index(Sector.DEFENCE)
MINE, REFINERY, RECYCLER = (KIND_CODE[k] for k in (FirmKind.MINE, FirmKind.REFINERY, FirmKind.RECYCLER))

START_UTILISATION = 0.95
"""Demand is scaled so that, at the start, the world's mines run at this utilisation at the
reference price: the scenario's demand shares are kept, its totals made to close."""
ORE_ELASTICITY = 0.5
DEFENCE_ELASTICITY = 0.1
CIVIL_CHOKE = 4.0
DEFENCE_CHOKE = 12.0
ORE_CHOKE = 3.0
STOCK_BUY_BELOW = 1.25
"""Stockpiles buy towards target while the price is under this multiple of the reference."""
STOCK_RELEASE_ABOVE = 1.8
STOCK_RELEASE_SHARE = 0.15
STOCK_BUY_TURNS = 8
RECYCLING_GROWTH_PER_TURN = 0.01
"""End-of-life collection improves by this share of the gap to the ceiling each turn."""
EXPLAIN_THRESHOLD = 0.02
PIPELINE_TURNS = 16
"""Projects already under construction at the start: for this many turns every firm's
capacity grows with its mineral's demand, as the announced pipeline of 2026 would deliver."""
EXPECTATION_WEIGHT = 0.4
"""Weight of the latest price in the prices firms expect."""
POLICY_BUDGET_PER_TURN = 0.025
"""Each turn a nation's mineral-policy budget is topped up by this share of its starting
treasury (10 % a year), besides its tariff and export-tax revenue (model assumption)."""
SPIN_UP_ROUNDS = 3
"""Silent clearings at world construction (see WorldModel._spin_up): enough for the refiners'
plans, the ore bids and the prices they read to agree to well under a per cent."""
EMERGENCY_FILL = 0.85
"""A zone member whose consumption fell below this share of its need is in an emergency."""
REFINE_NEAR_ORE = 0.25
"""Where the market builds new refineries: existing refining capacity plus this share of the
country's mine capacity (ore producers attract converters, as Indonesia's nickel and DR Congo's
cobalt hydroxide plants did; model assumption)."""
RECYCLE_NEAR_USE = 0.05
"""Where the market builds new recyclers: existing recycling capacity plus this share of the
country's use of the mineral (scrap arises where products are used; model assumption)."""


@dataclass(frozen=True)
class TurnRecord:
    """What one turn produced, kept for the tables (copies, never views)."""

    turn: int
    ore_price: F64  # (M, N) origin price
    refined_price: F64  # (M, N) origin price
    ore_paid: F64  # (M, N)
    refined_paid: F64  # (M, 2N) civil then defence
    ore_flow: F64  # (M, N, N)
    refined_flow: F64  # (M, N, N) (civil + defence)
    refined_flow_defence: F64  # (M, N, N) the part bought by defence manufacturers
    ore_production: F64  # (M, N)
    ore_intake: F64  # (M, N)
    refined_production: F64  # (M, N) refiners + recyclers
    refined_stock_change: F64  # (M, N) refiner inventory + public stockpile
    need: F64  # (M, N, S)
    consumption: F64  # (M, N, S)
    shortfall: F64  # (M, N, S)
    ore_shortfall: F64  # (M, N)
    firm_capacity: F64
    firm_output: F64
    firm_unit_cost: F64
    firm_profit: F64
    explanations: Explanations  # why prices moved, see game.world.explain
    world_hash: str
    unsettled: list[tuple[str, str]] = field(default_factory=list)
    """(stage, mineral) markets whose clearing gave up short of equilibrium this turn (rare;
    mass balance and every control still hold, prices are off by more than the tolerance)."""
    score: F64 = field(default_factory=lambda: np.zeros(0))  # (N,) 0..100, see game.world.scoring
    score_parts: F64 = field(default_factory=lambda: np.zeros((0, 0)))  # (N, P) in PART_NAMES order
    relations: F64 = field(default_factory=lambda: np.zeros((0, 0)))  # (N, N) at the end of the turn


class WorldModel(mesa.Model):
    """The world of one scenario and seed."""

    def __init__(self, content: Content, scenario: Scenario | str, seed: int = 0) -> None:
        super().__init__(seed=seed)
        self.scenario = content.scenario(scenario) if isinstance(scenario, str) else scenario
        # The world of the scenario's start year (historical scenarios restate 2025 content).
        self.content = content = calibrate(content, self.scenario)
        self.seed_value = seed
        self.turn = 0
        sc = self.scenario
        self.nation_ids: tuple[str, ...] = tuple(sc.nations)
        self.mineral_ids: tuple[str, ...] = tuple(sc.minerals)
        n_nat, n_min, n_sec = len(self.nation_ids), len(self.mineral_ids), len(SECTORS)
        minerals = [content.minerals[m] for m in self.mineral_ids]

        self.ref_price = np.array([m.prices.refined_usd_per_t for m in minerals])
        self.ore_share = np.array([m.prices.ore_value_share for m in minerals])
        self.civil_eps = np.array([m.market.demand_elasticity for m in minerals])
        self.substitution_eps = np.array([m.substitution.long_run_elasticity for m in minerals])
        growth = np.array([[m.demand_growth.pct_per_year.get(s, 0.0) for s in SECTORS] for m in minerals])
        self.growth_per_turn = (1 + growth / 100) ** 0.25  # (M, S)

        self.nations = [Nation(self, i, content.nations[n]) for i, n in enumerate(self.nation_ids)]
        self.manufacturers = [
            Manufacturer(self, i, s, j) for i, _ in enumerate(self.nation_ids) for j, s in enumerate(SECTORS)
        ]
        self._build_firms()

        # Demand: content t/yr -> t/turn, scaled per mineral so the start balances.
        base = np.zeros((n_min, n_nat, n_sec))
        for i, n in enumerate(self.nation_ids):
            for s, per_mineral in content.nations[n].demand.items():
                for mineral, tpy in per_mineral.items():
                    if mineral in self.mineral_ids:
                        base[self.mineral_ids.index(mineral), i, SECTORS.index(s)] = tpy / 4
        mine_cap = np.bincount(
            self.firms.mineral[self.firms.kind == MINE],
            weights=self.firms.capacity[self.firms.kind == MINE],
            minlength=n_min,
        )
        rec = self.firms.kind == RECYCLER
        recycled = np.bincount(self.firms.mineral[rec], weights=self.firms.capacity[rec], minlength=n_min)
        totals = base.sum(axis=(1, 2))
        # Reference prices are today's, set under the controls in force: ore that a starting
        # ban or quota keeps in the ground is not part of the supply demand was met from.
        supply = START_UTILISATION * (mine_cap - self._stranded_ore() + recycled)
        self.demand_scale = np.divide(supply, totals, out=np.ones(n_min), where=totals > 0)
        self.base_need = base * self.demand_scale[:, None, None]
        self.growth_index = np.ones((n_min, n_sec))
        weights = self.base_need.sum(axis=1)  # (M, S)
        weighted = (weights * self.growth_per_turn).sum(axis=1)
        self.pipeline_growth = pipeline_growth(
            sc, self.mineral_ids, weighted / np.maximum(weights.sum(axis=1), 1e-12)
        )
        self.demand_shock = np.ones((n_min, n_nat, n_sec))
        self.substitution = np.ones((n_min, n_nat))
        self.price_memory = np.ones((n_min, n_nat))  # slow average of price / reference
        # Market-led investment: tonnes per turn committed per (kind, mineral, country) and not
        # yet launched as a project (see _step_investment).
        self.invest_backlog = np.zeros((3, n_min, n_nat))
        self.market_invests = self._market_invests()

        # Recycling: end-of-life feed follows consumption one product life back.
        life = np.array([m.recycling.product_life_years * 4 for m in minerals]).astype(int)
        self.eol_lag = np.clip(life, 1, 160)
        self.eol_rate = np.array([m.recycling.eol_rate_pct / 100 for m in minerals])
        self.eol_ceiling = np.array([m.recycling.max_rate_pct / 100 for m in minerals])
        start_use = self.base_need.sum(axis=2)
        yearly_growth = (self.growth_per_turn**4).mean(axis=1)
        past = start_use / (yearly_growth[:, None] ** (self.eol_lag[:, None] / 4))
        self.use_history = np.repeat(past[None], 160, axis=0)  # ring buffer (160, M, N)

        # Stockpiles and treasuries.
        self.stockpile = np.zeros((n_nat, n_min))
        self.stock_target = np.zeros((n_nat, n_min))
        self.stock_budget = np.zeros(n_nat)
        self.treasury = np.array([content.nations[n].treasury_usd_m for n in self.nation_ids], dtype=float)
        self.budget_income = POLICY_BUDGET_PER_TURN * self.treasury
        self.forced_release = np.zeros((n_nat, n_min))
        self.subsidies: list[Subsidy] = []
        self.research: list[Research] = []
        self.subsidy_cut = np.ones((n_min, n_nat, n_sec))
        self.rnd_substitution = np.ones((n_min, n_nat))
        self.eol_boost = np.ones((n_min, n_nat))
        self.rnd_recycling = np.ones((n_min, n_nat))
        self.zone_fund_paid = np.zeros(n_nat)
        self.trade_revenue = np.zeros(n_nat)
        self.share_commitment: dict[tuple[str, str], float] = {}
        self.messages: list[tuple[int, str, str, str, str]] = []
        self.diplomacy = Diplomacy(
            self.nation_ids, baseline_relations([content.nations[n].alignment for n in self.nation_ids])
        )
        self.desk = OrderDesk()
        self.facilitator_queue: list[FacilitatorAction] = []
        self.facilitator_log: list[tuple[int, FacilitatorAction]] = []
        for i, n in enumerate(self.nation_ids):
            pile = content.nations[n].stockpile
            if pile:
                self.stock_budget[i] = pile.budget_usd_m
                for mineral, t in pile.tonnes.items():
                    if mineral in self.mineral_ids:
                        self.stockpile[i, self.mineral_ids.index(mineral)] = t
        for st in sc.stockpiles:  # the scenario's figure replaces the nation file's
            if st.mineral in self.mineral_ids and st.nation in self.nation_ids:
                i, m = self.nation_ids.index(st.nation), self.mineral_ids.index(st.mineral)
                self.stockpile[i, m] = st.tonnes
                self.stock_target[i, m] = max(self.stock_target[i, m], st.target_tonnes)

        # Prices start at the reference and are warm starts thereafter.
        self.ore_price = np.repeat((self.ref_price * self.ore_share)[:, None], n_nat, axis=1)
        self.refined_price = np.repeat(self.ref_price[:, None], n_nat, axis=1)
        self.ore_paid = self.ore_price.copy()
        self.refined_paid = np.repeat(self.ref_price[:, None], 2 * n_nat, axis=1)
        self.expected_refined = self.refined_price.copy()
        self.expected_ore = self.ore_paid.copy()
        self.shortfall = np.zeros((n_min, n_nat, n_sec))
        self.last_flow = {
            Stage.ORE: np.zeros((n_min, n_nat, n_nat)),
            Stage.REFINED: np.zeros((n_min, n_nat, n_nat)),
        }

        geo = Geography(
            nations=self.nation_ids,
            minerals=self.mineral_ids,
            region=tuple(content.nations[n].region.value for n in self.nation_ids),
            transport_share=np.array([m.market.transport_cost_pct / 100 for m in minerals]),
        )
        self.policies = PolicyBook(geo)
        self.pipeline = Pipeline()
        self.events = EventEngine(sc, dict(content.events))
        self.news: list[Happened] = []
        self.records: list[TurnRecord] = []
        self._routes_cache: dict[Stage, tuple[int, int, market.Routes]] = {}
        self._causes = Causes.zeros(n_min, n_nat)
        self.licence_baseline: dict[tuple[str, str, str, str], float] = {}
        self.consumption = np.zeros((n_min, n_nat, n_sec))
        self.consumption_fill = np.ones((n_nat, n_min))
        self._stock_net = np.zeros((n_min, n_nat))
        self._stock_delta = np.zeros((n_min, n_nat))
        self._need = self.need_now()
        self._refined_nodes_flow = np.zeros((n_min, n_nat, 2 * n_nat))
        self.last_clearing: dict[Stage, market.Clearing] = {}
        self._last_rent: dict[Stage, dict[tuple[bytes, int], float]] = {}
        self._rows_cache: dict[Stage, tuple[FirmTable, int, dict[tuple[int, int], NDArray[np.int64]]]] = {}
        self._public_view: tuple[tuple[int, int], dict] | None = None  # see observe._public
        self._cleared_under: tuple[int, dict[Stage, market.Routes]] | None = None
        """The latest clearing of each stage, with delivered prices per route (for analysis)."""
        # Memos of the world hash's slowest parts: each costs only what changed since last turn.
        self._controls_digest: SequenceDigest[ExportControl] = SequenceDigest(json_bytes)
        self._use_history_digest = RowDigest()
        for control in sc.export_controls:
            self.impose_control(control)
        for tariff in sc.tariffs:
            self.policies.tariffs.append(tariff)
        for zone in sc.zones:
            self.policies.zones[zone.id] = zone
        self.policies.changed()
        self.scorer = Scorer.for_world(self)
        self.score_part_names = PART_NAMES
        self.score, self.score_parts = Scorer.not_scored(n_nat)  # (N,), (N, P): NaN until turn 1
        self._spun_rounds = 0
        self._spin_up()
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "refined_price_index": lambda m: (
                    m.refined_paid[:, : len(m.nation_ids)].mean(axis=1) / m.ref_price
                ).tolist(),
                "shortfall_t": lambda m: m.shortfall.sum(axis=(1, 2)).tolist(),
            }
        )

    # ------------------------------------------------------------------ set-up helpers

    def _market_invests(self) -> NDArray[np.bool_]:
        """(M,) whether the market commissions capacity of a mineral on its own. Not where a
        historical scenario restates the mineral's start year and schedules the capacity that
        was really built: history is then the supply response, and a second one would
        double it."""
        sc, events = self.scenario, self.content.events
        scheduled: set[str] = set()
        for entry in sc.schedule:
            for effect in events[entry.event].effects if entry.event in events else ():
                if isinstance(effect, ev.NewCapacity) and effect.template in self.content.projects:
                    scheduled.add(self.content.projects[effect.template].mineral)
        return np.array([not (m in sc.calibration and m in scheduled) for m in self.mineral_ids])

    def _stranded_ore(self) -> F64:
        """(M,) tonnes per turn of ore the scenario's starting bans and quotas (on all buyers)
        keep from any refiner: what the issuer mines beyond its own refining and its quota."""
        t = self.firms
        stranded = np.zeros(len(self.mineral_ids))
        for c in self.scenario.export_controls:
            if c.stage != Stage.ORE or c.targets or c.instrument not in (Instrument.BAN, Instrument.QUOTA):
                continue
            if c.mineral not in self.mineral_ids or c.issuer not in self.nation_ids:
                continue
            m, i = self.mineral_index(c.mineral), self.nation_ids.index(c.issuer)
            here = (t.mineral == m) & (t.country == i)
            mined = t.capacity[here & (t.kind == MINE)].sum()
            refined = t.capacity[here & (t.kind == REFINERY)].sum()
            allowed = (c.quota_tpy or 0.0) / 4 if c.instrument == Instrument.QUOTA else 0.0
            stranded[m] += max(mined - refined - allowed, 0.0)
        return stranded

    def _spin_up(self) -> None:
        """Start the world from prices that clear under the scenario's starting policies.

        Reference prices predate some of the controls in force at the start, so a world that
        opened at them would show its first turn's adjustment as news. This clears the ore and
        refined markets SPIN_UP_ROUNDS times at the starting need, each round taking the last
        round's prices as what firms expect, then keeps only the prices and expectations: firms'
        books, stockpiles, flows and the turn are as they were, and no random number is drawn,
        so a seed gives the same world as before, only calmer in turn 1."""
        t = self.firms
        books = {name: getattr(t, name).copy() for name in ("sold", "inventory")}
        stock_net, causes = self._stock_net.copy(), self._causes
        w = EXPECTATION_WEIGHT
        for rounds in range(1, SPIN_UP_ROUNDS + 1):
            self._spun_rounds = rounds  # the first round starts cold, the others warm
            ore = self._step_ore_market()
            self._step_refining(ore)  # sets ore prices and moves expected_ore as a turn does
            refined, _, _ = self._step_refined_market()
            self.refined_price, self.refined_paid = refined.price, refined.paid
            self.expected_refined = (1 - w) * self.expected_refined + w * refined.price
            for name, value in books.items():
                setattr(t, name, value.copy())
        self._stock_net, self._causes = stock_net, causes
        n_nat = len(self.nation_ids)
        self.start_paid = self.refined_paid.copy()  # (M, 2N) the start's prices, before any turn
        self.start_flow = {  # what the start's trade looks like, for observations before turn 1
            Stage.ORE: ore.flow.copy(),
            Stage.REFINED: refined.flow[:, :, :n_nat] + refined.flow[:, :, n_nat:],
        }
        self.last_clearing = {}
        self._spun_rounds = 0
        # What the first turn's policy changes are measured against: the start's routes and trade.
        self._refined_nodes_flow = refined.flow.copy()
        self._cleared_under = (self.policies.version, {stage: self._routes(stage) for stage in Stage})

    def _build_firms(self) -> None:
        content, sc = self.content, self.scenario
        rows = [f for f in content.firms if f.mineral in self.mineral_ids]
        rest = "rest_of_world" if "rest_of_world" in sc.nations else None

        def place(nation: str) -> int | None:
            if nation in self.nation_ids:
                return self.nation_ids.index(nation)
            return self.nation_ids.index(rest) if rest else None

        kept = [(f, place(f.country), place(f.owner)) for f in rows]
        kept = [(f, c, o if o is not None else c) for f, c, o in kept if c is not None]
        self.firms = FirmTable(
            kind=np.array([KIND_CODE[f.kind] for f, _, _ in kept], dtype=np.int64),
            mineral=np.array([self.mineral_ids.index(f.mineral) for f, _, _ in kept], dtype=np.int64),
            country=np.array([c for _, c, _ in kept], dtype=np.int64),
            owner=np.array([o for _, _, o in kept], dtype=np.int64),
            capacity=np.array([f.capacity_tpy / 4 for f, _, _ in kept]),
            unit_cost=np.array([f.unit_cost_usd_per_t for f, _, _ in kept]),
            active=np.ones(len(kept), dtype=bool),
            shock=np.ones(len(kept)),
        )
        self.firm_agents = [
            AGENT_CLASS[f.kind](self, row, f.id, f.name) for row, (f, _, _) in enumerate(kept)
        ]

    def mineral_index(self, mineral: str) -> int:
        return self.mineral_ids.index(mineral)

    def nation(self, nation_id: str) -> Nation:
        return self.nations[self.nation_ids.index(nation_id)]

    @property
    def relations(self) -> F64:
        """(N, N) how each nation (row) regards each other (column), −100..100."""
        return self.diplomacy.relations

    def display(self, nation_id: str) -> str:
        """A nation's name for messages ('Japan'), or the id itself if it is not in the scenario."""
        spec = self.content.nations.get(nation_id)
        return spec.name if spec else nation_id

    # ------------------------------------------------------------------ orders

    def submit(self, order: Order | dict | str) -> Verdict:
        """Validate an order (a model, a dict or JSON) and queue it for the next turn's
        resolution, or refuse it with a reason. Never raises; a refused order changes nothing."""
        parsed = self.desk.parse(order) if isinstance(order, dict | str | bytes) else order
        if isinstance(parsed, str):
            return Verdict(False, parsed)
        return self.desk.submit(self, parsed)

    def observe(self, nation: str) -> Observation:
        """What `nation` may see now, for its controller."""
        return observe(self, nation)

    def facilitate(self, action: FacilitatorAction | dict) -> Verdict:
        """Queue a facilitator's action for the start of the next turn, or refuse it."""
        try:
            parsed = FACILITATOR_ADAPTER.validate_python(action) if isinstance(action, dict) else action
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "action"
            return Verdict(False, f"not a valid facilitator action: {where}: {first['msg']}")
        if (
            isinstance(parsed, InjectEvent)
            and parsed.event is not None
            and parsed.event not in self.content.events
        ):
            return Verdict(False, f"there is no event {parsed.event} in the library")
        if isinstance(parsed, Broadcast):
            unknown = [n for n in parsed.to if n not in self.nation_ids]
            if unknown:
                return Verdict(False, f"{unknown[0]} is not a nation in this scenario")
        self.facilitator_queue.append(parsed)
        return Verdict(True)

    def _step_facilitator(self) -> None:
        for action in self.facilitator_queue:
            self.facilitator_log.append((self.turn, action))
            if isinstance(action, InjectEvent):
                event = self.content.events[action.event] if action.event else action.custom
                self.apply_event(event, "facilitator")
            else:
                for nation in action.to or self.nation_ids:
                    self.diplomacy.replies.append((self.turn, nation, f"Facilitator: {action.text}"))
        self.facilitator_queue = []

    def check(self, order: Order) -> Verdict:
        """What `submit` would answer, without queueing."""
        return self.desk.check(self, order)

    def apply_order_effect(self, order: Order, source: str) -> OrderRecord | None:
        """An event's effect expressed as an order: checked and applied at once."""
        verdict = self.desk.check(self, order)
        if not verdict.accepted:
            return None
        waiting, self.desk.queued = self.desk.queued, [(self.desk.seq, order)]
        self.desk.seq += 1
        try:
            return self.desk.resolve(self, stage="event")[-1]
        finally:
            self.desk.queued = waiting  # the players' orders resolve in their own phase

    def capacity_of(self, nation: str, mineral: str, stage: Stage) -> float:
        """Tonnes per turn the nation's firms can put on the market at this stage."""
        t = self.firms
        rows = self._firm_rows(stage).get((self.mineral_index(mineral), self.nation_ids.index(nation)))
        if rows is None:
            return 0.0
        return float(np.where(t.active[rows], t.capacity[rows] * t.shock[rows], 0.0).sum())

    def _firm_rows(self, stage: Stage) -> dict[tuple[int, int], NDArray[np.int64]]:
        """The rows of the firms selling at this stage, by (mineral, country). A firm's kind,
        mineral and country never change and rows are only appended, so this is rebuilt only
        when a firm is added (levers and deals ask it dozens of times a turn)."""
        cached = self._rows_cache.get(stage)
        t = self.firms
        if cached is None or cached[0] is not t or cached[1] != len(t):
            kinds = (MINE,) if stage == Stage.ORE else (REFINERY, RECYCLER)
            rows = np.flatnonzero(np.isin(t.kind, kinds))
            by_cell: dict[tuple[int, int], list[int]] = {}
            cells = zip(rows.tolist(), t.mineral[rows].tolist(), t.country[rows].tolist(), strict=True)
            for row, m, c in cells:
                by_cell.setdefault((m, c), []).append(row)
            cached = (t, len(t), {cell: np.array(r, dtype=np.int64) for cell, r in by_cell.items()})
            self._rows_cache[stage] = cached
        return cached[2]

    def trading_partners(self, exporter: str, mineral: str, stage: Stage) -> list[str]:
        """Nations that bought from `exporter` last turn (at the start: that could)."""
        m, o = self.mineral_index(mineral), self.nation_ids.index(exporter)
        flow = self.last_flow[stage][m, o]
        if not flow.any():
            flow = self._reference_flow(stage, m, o)
        return [self.nation_ids[b] for b in np.flatnonzero(flow > 0) if b != o]

    def suppliers_of(self, importer: str, mineral: str, stage: Stage) -> list[str]:
        m, b = self.mineral_index(mineral), self.nation_ids.index(importer)
        flow = self.last_flow[stage][m, :, b]
        return [self.nation_ids[o] for o in np.flatnonzero(flow > 0) if o != b]

    def matching_controls(
        self, issuer: str, mineral: str, stage: Stage | None, instrument: Instrument | None
    ) -> list[ActiveControl]:
        return [
            a
            for a in self.policies.controls
            if a.spec.issuer == issuer
            and a.spec.mineral == mineral
            and (stage is None or a.spec.stage == stage)
            and (instrument is None or a.spec.instrument == instrument)
        ]

    # ------------------------------------------------------------------ policies

    def impose_control(self, control: ExportControl) -> None:
        """Put an export control in force (replacing one with the same issuer, mineral, stage,
        instrument and targets). Licensing remembers the flow each target had."""
        key = (control.issuer, control.mineral, control.stage, control.instrument, tuple(control.targets))
        self.policies.controls = [
            a
            for a in self.policies.controls
            if (a.spec.issuer, a.spec.mineral, a.spec.stage, a.spec.instrument, tuple(a.spec.targets)) != key
        ]
        active = ActiveControl(control, self.turn)
        if control.instrument == Instrument.LICENSING:
            # pass_share is relative to uncontrolled trade: a route's baseline is measured
            # the first time it is licensed and kept, so replacing one licence by another
            # does not compound the restriction.
            m, o = self.mineral_index(control.mineral), self.nation_ids.index(control.issuer)
            flow = self.last_flow[control.stage][m, o]
            if not flow.any():  # before the first turn: what the route would carry at reference
                flow = self._reference_flow(control.stage, m, o)
            for t in self.policies.targets_of(control):
                key = (control.issuer, control.mineral, control.stage.value, self.nation_ids[t])
                self.licence_baseline.setdefault(key, float(flow[t]))
                active.baseline[self.nation_ids[t]] = self.licence_baseline[key]
        self.policies.controls.append(active)
        self.policies.changed()

    def lift_controls(self, issuer: str, mineral: str, stage: Stage | None, instrument) -> int:
        before = len(self.policies.controls)
        lifted = self.matching_controls(issuer, mineral, stage, instrument)
        self.policies.controls = [a for a in self.policies.controls if a not in lifted]
        if len(self.policies.controls) != before:
            self.policies.changed()
        return before - len(self.policies.controls)

    def _reference_flow(self, stage: Stage, m: int, o: int) -> F64:
        """A route's flow at the start, for licences imposed before any trade: the origin's
        capacity shared in proportion to each buyer's need."""
        kind = MINE if stage == Stage.ORE else REFINERY
        sel = (self.firms.kind == kind) & (self.firms.mineral == m) & (self.firms.country == o)
        supply = self.firms.capacity[sel].sum() * START_UTILISATION
        need = self.base_need[m].sum(axis=1)
        return supply * need / max(need.sum(), 1e-12)

    def _routes(self, stage: Stage) -> market.Routes:
        key = (self.policies.version, len(self.firms))
        cached = self._routes_cache.get(stage)
        if cached and cached[:2] == key:
            return cached[2]
        kind = MINE if stage == Stage.ORE else REFINERY
        owned = self._owned_share(kind)
        ref = self.ref_price * (self.ore_share if stage == Stage.ORE else 1.0)
        defence = stage == Stage.REFINED
        if cached and cached[0] == key[0]:
            # Only firms changed (new capacity abroad shifts who owns what): the policies,
            # and so the cap groups and their index, stay as they were.
            routes = replace(cached[2], discount=self.policies.discount(ref, owned, defence))
            for kept in ("groups", "group_keys", "taxed"):  # cached_properties of what did not change
                routes.__dict__[kept] = getattr(cached[2], kept)
        else:
            routes = self.policies.routes(stage, ref, owned, defence_nodes=defence)
        self._routes_cache[stage] = (*key, routes)
        return routes

    def _owned_share(self, kind: int) -> F64:
        """(M, origin, owner): share of an origin's capacity owned by each other nation."""
        n_min, n_nat = len(self.mineral_ids), len(self.nation_ids)
        t = self.firms
        sel = t.kind == kind
        cell = (t.mineral[sel] * n_nat + t.country[sel]) * n_nat + t.owner[sel]
        owned = np.bincount(cell, weights=t.capacity[sel], minlength=n_min * n_nat * n_nat)
        owned = owned.reshape(n_min, n_nat, n_nat)
        total = owned.sum(axis=2, keepdims=True)
        share = np.divide(owned, total, out=np.zeros_like(owned), where=total > 0)
        share[:, np.arange(n_nat), np.arange(n_nat)] = 0.0
        return share

    # ------------------------------------------------------------------ events

    def apply_event(self, event: Event, kind: str) -> None:
        for effect in event.effects:
            self.apply_effect(effect, event.id)
        self.news.append(Happened(self.turn, event.id, event.name, event.news, kind))

    def apply_effect(self, effect, source: str) -> None:
        match effect:
            case ev.SupplyShock() | ev.DemandShock() | ev.Technology():
                if effect.mineral in self.mineral_ids:
                    self.events.shocks.append(Shock.of(effect, self.turn, source))
                    self._apply_shocks()
            case ev.TreasuryChange():
                if effect.nation in self.nation_ids:
                    self.treasury[self.nation_ids.index(effect.nation)] += effect.change_usd_m
            case ev.OrderEffect():
                # The order desk checks it like any order and applies it at once; the guard
                # keeps events working in a world built without the desk.
                if hasattr(self, "apply_order_effect"):
                    self.apply_order_effect(effect.order, source)
            case ev.ImposeControl():
                c = effect.control
                if c.mineral in self.mineral_ids and c.issuer in self.nation_ids:
                    targets = [t for t in c.targets if t in self.nation_ids]
                    if c.targets and not targets:
                        return
                    self.impose_control(c.model_copy(update={"targets": targets}))
            case ev.LiftControl():
                if effect.mineral in self.mineral_ids:
                    self.lift_controls(effect.issuer, effect.mineral, effect.stage, effect.instrument)
            case ev.ImposeTariff():
                if effect.tariff.mineral in self.mineral_ids and effect.tariff.issuer in self.nation_ids:
                    self.policies.tariffs.append(effect.tariff)
                    self.policies.changed()
            case ev.FormZone():
                members = [n for n in effect.zone.members if n in self.nation_ids]
                if effect.zone.founder in members:
                    self.policies.zones[effect.zone.id] = effect.zone.model_copy(update={"members": members})
                    self.policies.changed()
            case ev.StockpileChange():
                if effect.nation in self.nation_ids and effect.mineral in self.mineral_ids:
                    i, m = self.nation_ids.index(effect.nation), self.mineral_index(effect.mineral)
                    self.stock_target[i, m] += effect.target_tonnes
                    self.stock_budget[i] += effect.budget_usd_m
            case ev.NewCapacity():
                template = self.content.projects[effect.template]
                ok = self.rng.random() < effect.success_probability
                if ok and template.mineral in self.mineral_ids and effect.country in self.nation_ids:
                    owner = effect.owner if effect.owner in self.nation_ids else effect.country
                    self.pipeline.projects.append(
                        Project(
                            name=f"{template.id} ({effect.country})",
                            kind=template.kind,
                            mineral=self.mineral_index(template.mineral),
                            country=self.nation_ids.index(effect.country),
                            owner=self.nation_ids.index(owner),
                            capacity=template.capacity_tpy / 4,
                            unit_cost=template.unit_cost_usd_per_t,
                            turns_left=max(effect.delay_turns, 1),
                            delay_probability=template.delay_probability,
                            cancel_hazard=0.0,
                            started=self.turn,
                        )
                    )

    def _apply_shocks(self) -> None:
        """Recompute capacity, demand and recycling from the active shocks (game.world.events)."""
        t = self.firms
        combined = self.events.multipliers(t, self.nation_ids, self.mineral_ids, len(SECTORS))
        shock, demand = combined.firm_shock, combined.demand
        moved_supply = shock != t.shock
        self._causes.supply_event += np.bincount(
            t.mineral[moved_supply] * len(self.nation_ids) + t.country[moved_supply],
            weights=(shock - t.shock)[moved_supply] * t.capacity[moved_supply],
            minlength=self._causes.supply_event.size,
        ).reshape(self._causes.supply_event.shape)
        t.shock = shock
        self._causes.demand_event += ((demand - self.demand_shock) * self.need_now()).sum(axis=2)
        self.demand_shock = demand
        self.eol_rate, self.eol_ceiling = self.events.recycling_rates(
            combined.recycling, self.eol_rate, self.eol_ceiling
        )

    def need_now(self) -> F64:
        """(M, N, S) tonnes per turn each sector needs this turn at the reference price."""
        return (
            self.base_need
            * self.growth_index[:, None, :]
            * self.demand_shock
            * self.substitution[:, :, None]
            * self.subsidy_cut
            * self.rnd_substitution[:, :, None]
        )

    # ------------------------------------------------------------------ the turn

    def step(self) -> None:
        self._causes = Causes.zeros(len(self.mineral_ids), len(self.nation_ids))
        prev_price = self.refined_paid.copy()
        prev_ore = self.ore_paid.copy()
        self._step_events()
        self._step_facilitator()
        self.turn_orders = self.desk.resolve(self)
        self.diplomacy.expire(self.turn)
        self._step_programmes()
        self._step_emergency_sharing()
        # Policies may have changed since last turn's clearing: by orders between turns or
        # by this turn's events. Either way the change is measured against what last turn used.
        if self._cleared_under is not None and self._cleared_under[0] != self.policies.version:
            n_nat = len(self.nation_ids)
            before, c = self._cleared_under[1], self._causes
            c.lost_access, c.cost_wedge = policy_shift(
                before[Stage.REFINED], self._routes(Stage.REFINED), self._refined_nodes_flow, n_nat
            )
            ore_flow = self.last_flow[Stage.ORE] if self.records else self.start_flow[Stage.ORE]
            c.lost_access_ore, c.cost_wedge_ore = policy_shift(
                before[Stage.ORE], self._routes(Stage.ORE), ore_flow, n_nat
            )
            # Ore lost to controls raises every refiner's cost by the ore's share of the
            # refined price: refined prices everywhere owe that part of their move to them.
            bought = ore_flow.sum(axis=1)  # (M, N) ore each country's refiners bought
            lost = (c.lost_access_ore * bought).sum(axis=1) / np.maximum(bought.sum(axis=1), 1e-12)
            c.lost_access = c.lost_access + (self.ore_share * lost)[:, None]
        self._cleared_under = (self.policies.version, {stage: self._routes(stage) for stage in Stage})
        self._step_demand()
        self._step_firm_decisions()
        ore = self._step_ore_market()
        intake = self._step_refining(ore)
        refined, stock_release, stock_buy = self._step_refined_market()
        self._step_consumption(refined, stock_release, stock_buy)
        record = self._step_accounts(ore, intake, refined, prev_price, prev_ore)
        self._step_treasuries(ore, refined)
        self.score, self.score_parts = self.scorer.update(self, record)
        self._step_projects()
        self.diplomacy.drift()
        self.records.append(
            replace(
                record,
                world_hash=self.world_hash(),
                score=self.score,
                score_parts=self.score_parts,
                relations=self.relations.copy(),
            )
        )
        self.datacollector.collect(self)
        self.turn += 1

    def _step_events(self) -> None:
        draws = self.rng.random(self.events.draws_per_turn()).tolist()
        n_random = len(self.scenario.random_events)
        # Triggers read the world as last turn left it, before anything below changes it.
        conditional = self.events.conditional(self, draws[n_random:])
        if self.events.expire(self.turn):
            self._apply_shocks()
        expired = [
            a
            for a in self.policies.controls
            if a.spec.expires and self.scenario.turn_of(a.spec.expires) <= self.turn
        ]
        for a in expired:
            self.policies.controls.remove(a)
            self.news.append(
                Happened(
                    self.turn,
                    "expiry",
                    "Control expires",
                    f"{self.nation(a.spec.issuer).name}'s {a.spec.instrument.value} on "
                    f"{a.spec.mineral} ({a.spec.stage.value}) expires.",
                    "expiry",
                )
            )
        if expired:
            self.policies.changed()
        for event in self.events.scheduled(self.turn):
            self.apply_event(event, "scheduled")
        for event in conditional:
            self.apply_event(event, "conditional")
        for event in self.events.random(self.turn, draws[:n_random]):
            self.apply_event(event, "random")

    def _step_demand(self) -> None:
        before = self.need_now()
        self.growth_index *= self.growth_per_turn
        # Substitution: a price that stays high slowly moves demand to other materials.
        ratio = self.refined_paid[:, : len(self.nation_ids)] / self.ref_price[:, None]
        self.price_memory = 0.9 * self.price_memory + 0.1 * ratio
        target = np.maximum(self.price_memory, 1.0) ** -self.substitution_eps[:, None]
        self.substitution = 0.95 * self.substitution + 0.05 * target
        self._need = self.need_now()  # fixed for the rest of the turn
        self._causes.demand_growth += (self._need - before).sum(axis=2)

    def _step_firm_decisions(self) -> None:
        t = self.firms
        draws = self.rng.random(len(t))
        cap_before = t.available()
        if self.turn < PIPELINE_TURNS:
            t.capacity = t.capacity * self.pipeline_growth[t.mineral]
        closing, restarting = close_and_restart(t)
        for rows, what in ((closing, "closes after two years of losses"), (restarting, "restarts")):
            for row in np.flatnonzero(rows):
                agent = self.firm_agents[int(row)]
                self.news.append(Happened(self.turn, agent.firm_id, "Firm", f"{agent.name} {what}.", "firm"))
        for row in np.flatnonzero(expansion_candidates(t, draws)):
            self._announce_expansion(int(row))
        self._step_investment()
        moved = t.available() - cap_before
        cells = t.mineral * len(self.nation_ids) + t.country
        shape = self._causes.capacity.shape
        self._causes.capacity += np.bincount(cells, weights=moved, minlength=shape[0] * shape[1]).reshape(
            shape
        )

    def _step_investment(self) -> None:
        """New mines, refineries and recyclers the market commissions on its own.

        For each kind and mineral: the capacity gap (firms.capacity_gap: the need forecast at the
        projects' lead time over capacity built and building, or what buyers miss now) is
        committed at INVEST_COMMIT_SHARE a turn, scaled by investors' appetite (firms.
        investment_appetite: expected margin of a new plant at the template's cost). Each country
        gets a share by appetite there times presence (its capacity of that kind; for
        refineries also REFINE_NEAR_ORE of its mines, for recyclers RECYCLE_NEAR_USE of its use),
        so a ban that strands ore makes refining at the mine pay. A country's commitments launch
        as one project once they reach a template's size; one seeded draw per project sets its
        lead time (projects.construction_lead)."""
        t = self.firms
        n_nat, n_min = len(self.nation_ids), len(self.mineral_ids)
        need_ms = self._need.sum(axis=1)  # (M, S)
        need = need_ms.sum(axis=1)
        growth = np.divide(
            (need_ms * self.growth_per_turn).sum(axis=1), need, out=np.ones(n_min), where=need > 0
        )
        missing = self.shortfall.sum(axis=(1, 2))
        cell = t.mineral * n_nat + t.country
        recycled = np.bincount(
            t.mineral, weights=np.where(t.kind == RECYCLER, t.output, 0.0), minlength=n_min
        )
        lag_rows = (self.turn - self.eol_lag) % self.use_history.shape[0]
        feed = (self.use_history[lag_rows, np.arange(n_min)] * self.eol_rate[:, None] * self.eol_boost).sum(1)
        pipeline = np.zeros((3, n_min))
        for p in self.pipeline.projects:
            pipeline[KIND_CODE[p.kind], p.mineral] += p.capacity
        start_pipeline_left = max(PIPELINE_TURNS - self.turn - 1, 0)

        def by_cell(kind: int) -> F64:
            return np.bincount(
                cell, weights=np.where(t.kind == kind, t.capacity, 0.0), minlength=n_min * n_nat
            ).reshape(n_min, n_nat)

        mine_cap = by_cell(MINE)
        use = self.use_history[(self.turn - 1) % self.use_history.shape[0]]  # (M, N) last turn
        for kind, fkind in (
            (MINE, FirmKind.MINE),
            (REFINERY, FirmKind.REFINERY),
            (RECYCLER, FirmKind.RECYCLER),
        ):
            templates = [self.content.projects.get(f"{m}_{fkind.value}") for m in self.mineral_ids]
            if any(tp is None for tp in templates):
                continue
            new_cost = np.array([tp.unit_cost_usd_per_t for tp in templates])
            size = np.array([tp.capacity_tpy / 4 for tp in templates])
            horizon = np.array([construction_lead(tp, 0.5) for tp in templates])
            cap = by_cell(kind)
            if kind == MINE:
                price, presence = self.expected_ore, cap
                ahead = np.maximum(need * growth**horizon - recycled, 0.0)
            elif kind == REFINERY:
                price = self.expected_refined - self.expected_ore
                presence = cap + REFINE_NEAR_ORE * mine_cap
                ahead = np.maximum(need * growth**horizon - recycled, 0.0)
            else:
                price, presence = self.expected_refined, cap + RECYCLE_NEAR_USE * use
                # Recyclers grow with their scrap, never beyond it: where the content's plants
                # process less than the feed, the share they process is kept.
                ahead = np.minimum(feed, cap.sum(axis=1)) * growth**horizon
            planned = cap.sum(axis=1) * self.pipeline_growth ** np.minimum(start_pipeline_left, horizon)
            planned = planned + pipeline[kind]
            gap = capacity_gap(ahead, planned, missing if kind != RECYCLER else 0.0)
            keen = investment_appetite(price, new_cost[:, None])
            weight = keen * presence
            # Investors read the margin where building pays (the appetite-weighted mean): under
            # a licence the home market may be glutted while importers bid up the price.
            appetite = np.divide(
                (weight * keen).sum(axis=1),
                weight.sum(axis=1),
                out=np.zeros(n_min),
                where=weight.sum(axis=1) > 0,
            )
            commit = appetite * gap * INVEST_COMMIT_SHARE * self.market_invests
            share = np.divide(
                weight, weight.sum(axis=1, keepdims=True), out=np.zeros_like(weight), where=weight > 0
            )
            backlog = np.where(weight > 0, self.invest_backlog[kind] + commit[:, None] * share, 0.0)
            launch = backlog >= size[:, None]
            self.invest_backlog[kind] = np.where(launch, 0.0, backlog)
            cells = np.argwhere(launch)
            if not len(cells):
                continue
            draws = self.rng.random(len(cells))
            for (m, c), draw in zip(cells, draws, strict=True):
                tp = templates[m]
                lead = construction_lead(tp, float(draw))
                country = self.nation_ids[c]
                self.pipeline.projects.append(
                    Project(
                        name=f"new {self.mineral_ids[m]} {fkind.value} in {self.display(country)}",
                        kind=fkind,
                        mineral=int(m),
                        country=int(c),
                        owner=int(c),
                        capacity=float(backlog[m, c]),
                        unit_cost=float(new_cost[m]),
                        turns_left=lead,
                        delay_probability=tp.delay_probability,
                        cancel_hazard=cancel_hazard(tp),
                        started=self.turn,
                    )
                )
                self.news.append(
                    Happened(
                        self.turn,
                        "investment",
                        "Investment",
                        f"Investors commit to {4 * backlog[m, c]:,.0f} t/yr of new {self.mineral_ids[m]} "
                        f"{fkind.value} capacity in {self.display(country)}, due in about "
                        f"{lead / 4:.0f} years.",
                        "project",
                    )
                )

    def _announce_expansion(self, row: int) -> None:
        t = self.firms
        kind = {MINE: FirmKind.MINE, REFINERY: FirmKind.REFINERY, RECYCLER: FirmKind.RECYCLER}[
            int(t.kind[row])
        ]
        template_id = f"{self.mineral_ids[int(t.mineral[row])]}_{kind.value}"
        template = self.content.projects.get(template_id)
        if template is None:
            return
        t.expanding[row] = True
        self.pipeline.projects.append(
            Project(
                name=f"expansion of {self.firm_agents[row].firm_id}",
                kind=kind,
                mineral=int(t.mineral[row]),
                country=int(t.country[row]),
                owner=int(t.owner[row]),
                capacity=float(t.capacity[row]) * 0.25,
                unit_cost=float(t.unit_cost[row]),
                # Brownfield expansions take the short end of the template's lead time.
                turns_left=max(1, lead_time(template, 0.0) // 2),
                delay_probability=template.delay_probability,
                cancel_hazard=cancel_hazard(template),
                firm_row=row,
                started=self.turn,
            )
        )

    def _clear(self, stage: Stage, offers: market.Offers, bids: market.Bids, price0: F64) -> market.Clearing:
        """Clear a stage, warm-started from last turn's prices after the first turn."""
        # Cold only at the very start: every later solve starts from the last one.
        tau_start = market.TAU_START if self._spun_rounds == 1 else market.TAU_REL
        routes = self._routes(stage)
        fixed = self._deal_flows(stage, routes)
        # Each cap group starts from its last rent while it stays in force, whatever else
        # changed (policies change most turns once nations play; their caps mostly persist).
        last = self._last_rent.get(stage, {})
        rent0 = np.array([last.get(key, 0.0) for key in routes.group_keys]) if last else None
        cleared = market.clear(offers, bids, routes, price0, tau_start=tau_start, fixed=fixed, rent0=rent0)
        self._last_rent[stage] = dict(zip(routes.group_keys, cleared.rent.tolist(), strict=True))
        self.last_clearing[stage] = cleared
        return cleared

    def _step_ore_market(self) -> market.Clearing:
        t = self.firms
        n_nat, n_min = len(self.nation_ids), len(self.mineral_ids)
        # Refiners plan from the prices they expect at home (adaptive expectations).
        spread = self.expected_refined[t.mineral, t.country] - self.expected_ore[t.mineral, t.country]
        self._plan = refinery_throughput(t, spread)
        need = np.bincount(t.mineral * n_nat + t.country, weights=self._plan, minlength=n_min * n_nat)
        cap = np.bincount(
            t.mineral * n_nat + t.country,
            weights=np.where(t.kind == REFINERY, t.available(), 0.0),
            minlength=n_min * n_nat,
        )
        mines = t.kind == MINE
        avail = t.available()[mines]
        offers = market.Offers(
            cell=(t.mineral * n_nat + t.country)[mines],
            avail=avail,
            lo=0.85 * t.unit_cost[mines],
            hi=1.05 * t.unit_cost[mines],
        )
        world_refined = self.refined_paid[:, :n_nat].mean(axis=1)
        ore_ref = (self.ore_share * np.maximum(world_refined, 0.2 * self.ref_price))[:, None]
        bids = market.Bids(
            need=need.reshape(n_min, n_nat),
            pref=ore_ref,
            eps=np.full((n_min, n_nat), ORE_ELASTICITY),
            choke=np.full((n_min, n_nat), ORE_CHOKE),
            cap=cap.reshape(n_min, n_nat),
        )
        return self._clear(Stage.ORE, offers, bids, self.ore_price)

    def _step_refining(self, ore: market.Clearing) -> F64:
        t = self.firms
        n_nat, n_min = len(self.nation_ids), len(self.mineral_ids)
        bought = ore.flow.sum(axis=1).ravel()  # (M*N) ore each country's refiners got
        cell = t.mineral * n_nat + t.country
        planned = np.bincount(cell, weights=self._plan, minlength=n_min * n_nat)
        fill = np.divide(bought, planned, out=np.zeros_like(bought), where=planned > 0)
        intake = self._plan * fill[cell]
        t.output = np.where(t.kind == MINE, 0.0, intake)  # mines' output is set by their sales
        t.inventory = t.inventory + intake
        self.ore_price = ore.price
        self.ore_paid = ore.paid
        self.expected_ore = (1 - EXPECTATION_WEIGHT) * self.expected_ore + EXPECTATION_WEIGHT * ore.paid
        return intake

    def _step_refined_market(self) -> tuple[market.Clearing, F64, F64]:
        t = self.firms
        n_nat, n_min = len(self.nation_ids), len(self.mineral_ids)
        need = self._need
        # Recyclers run on end-of-life feed: use one product life ago, at the collection rate.
        lag_rows = (self.turn - self.eol_lag) % self.use_history.shape[0]
        feed = self.use_history[lag_rows, np.arange(n_min)] * self.eol_rate[:, None] * self.eol_boost
        rec = t.kind == RECYCLER
        rec_cap = np.bincount(
            (t.mineral * n_nat + t.country)[rec], weights=t.available()[rec], minlength=n_min * n_nat
        ).astype(float)  # with no recyclers at all bincount returns integers
        rec_fill = np.minimum(
            1.0, np.divide(feed.ravel(), rec_cap, out=np.zeros_like(rec_cap), where=rec_cap > 0)
        )
        avail = np.where(rec, t.available() * rec_fill[t.mineral * n_nat + t.country], 0.0)
        # Refiners' ore is a sunk cost: they sell from stock unless the price is well below
        # the price they expect, and hold it for better times only then.
        expected = self.expected_refined[t.mineral, t.country]
        avail = np.where(t.kind == REFINERY, t.inventory, avail)
        lo = np.where(t.kind == REFINERY, 0.6 * expected, 0.85 * t.unit_cost)
        hi = np.where(t.kind == REFINERY, 0.9 * expected, 1.05 * t.unit_cost)
        sellers = t.kind != MINE
        # Public stockpiles: release into a tight home market, buy towards target when cheap.
        home_price = self.refined_paid[:, :n_nat].T  # (N, M)
        ratio = home_price / self.ref_price[None, :]
        fill = self.consumption_fill
        release = np.where(
            (ratio > STOCK_RELEASE_ABOVE) | (fill < 0.9), STOCK_RELEASE_SHARE * self.stockpile, 0.0
        )
        gap = np.maximum(self.stock_target - self.stockpile, 0.0)
        affordable = self.stock_budget[:, None] * 1e6 / np.maximum(home_price, 1.0) / n_min
        buy = np.where(ratio < STOCK_BUY_BELOW, np.minimum(gap / STOCK_BUY_TURNS, affordable), 0.0)
        release = np.maximum(release, np.minimum(self.forced_release, self.stockpile))
        buy = np.where(release > 0, 0.0, buy)
        stock_cells = np.arange(n_min)[:, None] * n_nat + np.arange(n_nat)[None, :]  # (M, N)
        offers = market.Offers(
            cell=np.concatenate([(t.mineral * n_nat + t.country)[sellers], stock_cells.ravel()]),
            avail=np.concatenate([avail[sellers], release.T.ravel()]),
            lo=np.concatenate([lo[sellers], np.zeros(n_min * n_nat)]),
            hi=np.concatenate([hi[sellers], np.repeat(0.05 * self.ref_price, n_nat)]),
        )
        civil = need.sum(axis=2) - need[:, :, DEFENCE] + buy.T
        bids = market.Bids(
            need=np.concatenate([civil, need[:, :, DEFENCE]], axis=1),
            pref=self.ref_price[:, None],
            eps=np.concatenate(
                [np.repeat(self.civil_eps[:, None], n_nat, 1), np.full((n_min, n_nat), DEFENCE_ELASTICITY)], 1
            ),
            choke=np.concatenate(
                [np.full((n_min, n_nat), CIVIL_CHOKE), np.full((n_min, n_nat), DEFENCE_CHOKE)], 1
            ),
            cap=np.full((n_min, 2 * n_nat), np.inf),
        )
        self._causes.stockpile += (buy - release).T - self._stock_net
        self._stock_net = (buy - release).T
        cleared = self._clear(Stage.REFINED, offers, bids, self.refined_price)
        self._sellers = sellers
        return cleared, release, buy

    def _step_consumption(self, refined: market.Clearing, release: F64, buy: F64) -> None:
        t = self.firms
        n_nat, n_min = len(self.nation_ids), len(self.mineral_ids)
        need = self._need
        got = refined.flow.sum(axis=1)  # (M, 2N)
        civil_got, defence_got = got[:, :n_nat], got[:, n_nat:]
        civil_need = need.sum(axis=2) - need[:, :, DEFENCE]
        stock_bid = buy.T
        civil_want = civil_need + stock_bid
        share = np.divide(civil_got, civil_want, out=np.zeros_like(civil_got), where=civil_want > 0)
        bought_for_stock = stock_bid * share
        consumption = need * share[:, :, None]
        consumption[:, :, DEFENCE] = defence_got
        self.consumption = consumption
        self.shortfall = np.maximum(need - consumption, 0.0)
        total_need = need.sum(axis=2)
        self.consumption_fill = np.divide(
            consumption.sum(axis=2), total_need, out=np.ones_like(total_need), where=total_need > 0
        ).T
        # Sellers: refiners sold from inventory, recyclers produced what they sold,
        # stockpiles released what sold from their offer.
        n_firm_sellers = int(self._sellers.sum())
        sold = np.zeros(len(t))
        sold[self._sellers] = refined.sold[:n_firm_sellers]
        released_sold = refined.sold[n_firm_sellers:].reshape(n_min, n_nat).T  # (N, M)
        t.inventory = np.where(t.kind == REFINERY, np.maximum(t.inventory - sold, 0.0), t.inventory)
        t.output = np.where(t.kind == RECYCLER, sold, t.output)
        t.sold = sold
        paid = refined.paid[:, :n_nat]
        spend = (bought_for_stock * paid).sum(axis=0) / 1e6
        self.stock_budget = np.maximum(self.stock_budget - spend, 0.0)
        self.stockpile = self.stockpile - released_sold + bought_for_stock.T
        self.treasury = self.treasury + (released_sold * paid.T).sum(axis=1) / 1e6
        self._stock_delta = (bought_for_stock.T - released_sold).T  # (M, N)
        self.forced_release[:] = 0.0
        self.refined_price = refined.price
        self.refined_paid = refined.paid
        self.expected_refined = (
            1 - EXPECTATION_WEIGHT
        ) * self.expected_refined + EXPECTATION_WEIGHT * refined.price
        self.use_history[self.turn % self.use_history.shape[0]] = consumption.sum(axis=2)
        self.eol_rate = self.eol_rate + RECYCLING_GROWTH_PER_TURN * (self.eol_ceiling - self.eol_rate) * 0.1

    def _step_projects(self) -> None:
        finished, cancelled = self.pipeline.advance(self.rng)
        t = self.firms
        for p in cancelled:
            if p.firm_row >= 0:
                t.expanding[p.firm_row] = False
            self.news.append(
                Happened(self.turn, "project", "Project cancelled", f"{p.name} is cancelled.", "project")
            )
        new_firms = []
        for p in finished:
            if p.firm_row >= 0:
                t.capacity[p.firm_row] += p.capacity
                t.expanding[p.firm_row] = False
            else:
                new_firms.append(p)
            self._causes.capacity[p.mineral, p.country] += p.capacity
            self.news.append(
                Happened(self.turn, "project", "New capacity", f"{p.name} comes online.", "project")
            )
        if not new_firms:
            return
        rows = t.extend(
            [
                dict(
                    kind=KIND_CODE[p.kind],
                    mineral=p.mineral,
                    country=p.country,
                    owner=p.owner,
                    capacity=p.capacity,
                    unit_cost=p.unit_cost,
                    active=True,
                    shock=1.0,
                )
                for p in new_firms
            ]
        )
        for row, p in zip(rows, new_firms, strict=True):
            firm_id = f"project_{self.mineral_ids[p.mineral]}_{self.nation_ids[p.country]}_{row}"
            self.firm_agents.append(AGENT_CLASS[p.kind](self, row, firm_id, p.name))
        self._apply_shocks()  # shocks in force (a strike, a flood) reach the new firms too

    def _step_accounts(
        self,
        ore: market.Clearing,
        intake: F64,
        refined: market.Clearing,
        prev_price: F64,
        prev_ore: F64,
    ) -> TurnRecord:
        """Firms' profit and loss, then the turn's record (its hash is set at the very end)."""
        t = self.firms
        n_nat, n_min = len(self.nation_ids), len(self.mineral_ids)
        mines = t.kind == MINE
        mine_sold = np.zeros(len(t))
        mine_sold[mines] = ore.sold
        t.output = np.where(mines, mine_sold, t.output)
        t.sold = np.where(mines, mine_sold, t.sold)
        ore_price = ore.price[t.mineral, t.country]
        refined_price = refined.price[t.mineral, t.country]
        ore_cost = self.ore_paid[t.mineral, t.country]
        revenue = np.where(mines, mine_sold * ore_price, t.sold * refined_price)
        # Floors, zone funds and deal prices pay sellers more (or less) than the origin price;
        # each origin's extra is shared by its sellers in proportion to what they sold.
        routes = self._routes(Stage.REFINED)
        realised = refined.realised
        if routes.fund_floor is not None:
            realised = np.maximum(realised, routes.fund_floor)
        self.route_realised = realised
        cell = t.mineral * n_nat + t.country
        for stage, extra in (
            (Stage.ORE, self._deal_price_topup(Stage.ORE, ore)),
            (
                Stage.REFINED,
                (refined.flow * (realised - refined.price[:, :, None])).sum(axis=2)
                + self._deal_price_topup(Stage.REFINED, refined),
            ),
        ):
            if not extra.any():
                continue
            selling = mines if stage == Stage.ORE else ~mines
            sold_here = np.where(selling, t.sold, 0.0)
            cell_sold = np.bincount(cell, weights=sold_here, minlength=n_min * n_nat)
            share = np.divide(
                sold_here, cell_sold[cell], out=np.zeros_like(sold_here), where=cell_sold[cell] > 0
            )
            revenue = revenue + share * extra.ravel()[cell]
        costs = np.where(
            mines,
            mine_sold * t.unit_cost,
            np.where(t.kind == REFINERY, intake * (ore_cost + t.unit_cost), t.sold * t.unit_cost),
        )
        t.revenue = revenue
        t.profit = revenue - costs
        unit_price = np.where(mines, ore_price, refined_price)
        full_cost = np.where(t.kind == REFINERY, ore_cost + t.unit_cost, t.unit_cost)
        update_margins(t, unit_price, full_cost)

        size = n_min * n_nat
        refined_prod = np.bincount(cell, weights=np.where(mines, 0.0, t.output), minlength=size).reshape(
            n_min, n_nat
        )
        ore_prod = np.bincount(cell, weights=mine_sold, minlength=size).reshape(n_min, n_nat)
        inventory_change = np.bincount(
            cell, weights=np.where(t.kind == REFINERY, intake - t.sold, 0.0), minlength=size
        ).reshape(n_min, n_nat)
        refined_flow = refined.flow[:, :, :n_nat] + refined.flow[:, :, n_nat:]
        self._refined_nodes_flow = refined.flow
        self.last_flow = {Stage.ORE: ore.flow.copy(), Stage.REFINED: refined_flow}
        ore_need = ore.wanted
        explanations = explain(
            self._causes,
            prev_price[:, :n_nat],
            self.refined_paid[:, :n_nat],
            prev_ore,
            self.ore_paid,
            self._need.sum(axis=2),
            refined_flow,
            EXPLAIN_THRESHOLD,
        )
        return TurnRecord(
            turn=self.turn,
            ore_price=ore.price.copy(),
            refined_price=refined.price.copy(),
            ore_paid=ore.paid.copy(),
            refined_paid=refined.paid.copy(),
            ore_flow=ore.flow.copy(),
            refined_flow=refined_flow,
            refined_flow_defence=refined.flow[:, :, n_nat:].copy(),
            ore_production=ore_prod,
            ore_intake=ore.flow.sum(axis=1),
            refined_production=refined_prod,
            refined_stock_change=inventory_change + self._stock_delta,
            need=self._need.copy(),
            consumption=self.consumption.copy(),
            shortfall=self.shortfall.copy(),
            ore_shortfall=np.maximum(ore_need - ore.flow.sum(axis=1), 0.0),
            firm_capacity=t.capacity.copy(),
            firm_output=t.output.copy(),
            firm_unit_cost=t.unit_cost.copy(),
            firm_profit=t.profit.copy(),
            explanations=explanations,
            world_hash="",
            unsettled=[
                (stage.value, self.mineral_ids[m])
                for stage, cleared in ((Stage.ORE, ore), (Stage.REFINED, refined))
                for m in np.flatnonzero(~cleared.settled)
            ],
        )

    # ------------------------------------------------------------------ levers at work

    def _offtakes(self, stage: Stage) -> list[Deal]:
        """Offtake deals in force this turn for a mineral of this scenario at this stage."""
        return [
            d
            for d in self.diplomacy.deals_in_force(self.turn)
            if d.terms.stage == stage
            and d.terms.deal == DealKind.OFFTAKE
            and d.terms.mineral in self.mineral_ids
        ]

    def _deal_flows(self, stage: Stage, routes: market.Routes) -> F64 | None:
        """(M, O, B) tonnes offtake deals fix in advance on their routes this turn.

        A seller that closes its own route to the buyer breaks the deal: it ends, and the
        buyer remembers. A deal never takes more than half the seller's capacity."""
        deals = self._offtakes(stage)
        if not deals:
            return None
        fixed = np.zeros(routes.open.shape)
        for d in deals:
            terms = d.terms
            m, o, b = (
                self.mineral_index(terms.mineral),
                self.nation_ids.index(terms.seller),
                self.nation_ids.index(terms.buyer),
            )
            if not routes.open[m, o, b]:
                self.diplomacy.end(d)
                self.diplomacy.act(self.turn, terms.seller, terms.buyer, "deal_broken")
                self.news.append(
                    Happened(
                        self.turn,
                        f"deal_{d.id}",
                        "Deal broken",
                        f"{self.display(terms.seller)}'s export controls break its {terms.mineral} deal "
                        f"with {self.display(terms.buyer)}.",
                        "deal",
                    )
                )
                continue
            cap = 0.5 * self.capacity_of(terms.seller, terms.mineral, stage)
            fixed[m, o, b] += min(terms.tonnes_per_turn, max(cap - fixed[m, o].sum(), 0.0))
        return fixed

    def _deal_price_topup(self, stage: Stage, clearing: market.Clearing) -> F64:
        """(M, O) USD the sellers get above (or below) the market for deal tonnes at deal prices."""
        topup = np.zeros(clearing.price.shape)
        for d in self._offtakes(stage):
            terms = d.terms
            m, o = self.mineral_index(terms.mineral), self.nation_ids.index(terms.seller)
            b = self.nation_ids.index(terms.buyer)
            spot = clearing.price[m, o]
            price = (
                terms.price_usd_per_t
                if terms.price_usd_per_t is not None
                else spot * (1 - terms.discount_pct / 100)
            )
            topup[m, o] += min(terms.tonnes_per_turn, clearing.flow[m, o, b]) * (price - spot)
        return topup

    def _step_programmes(self) -> None:
        """Pay this turn's subsidies (ending those the treasury can no longer pay) and settle
        research that has run its course (one seeded draw per finished programme)."""
        running = []
        for sub in self.subsidies:
            if self.treasury[sub.issuer] < sub.usd_m_per_turn:
                who = self.nation_ids[sub.issuer]
                text = f"{self.display(who)} can no longer pay its {self.mineral_ids[sub.mineral]} subsidy."
                self.news.append(Happened(self.turn, f"subsidy_{who}", "Subsidy ends", text, "programme"))
                continue
            self.treasury[sub.issuer] -= sub.usd_m_per_turn
            sub.turns_left -= 1
            running.append(sub)
        need = self.need_now() / self.subsidy_cut
        use_value = need.sum(axis=2) * 4 * self.refined_paid[:, : len(self.nation_ids)] / 1e9
        self.subsidy_cut, boost = programmes.subsidy_effects(
            running, need, self.refined_paid[:, : len(self.nation_ids)], use_value
        )
        self.subsidies = [sub for sub in running if sub.turns_left > 0]
        self.eol_boost = boost * self.rnd_recycling
        pending = []
        for r in self.research:
            r.turns_left -= 1
            if r.turns_left > 0:
                pending.append(r)
                continue
            success = float(self.rng.random()) < r.probability
            who, mineral = self.nation_ids[r.issuer], self.mineral_ids[r.mineral]
            if success and r.programme.value == "substitution":
                cut = 1.0 - programmes.RND_SUBSTITUTION
                self.rnd_substitution[r.mineral] *= 1.0 - programmes.RND_SPILLOVER * cut
                self.rnd_substitution[r.mineral, r.issuer] *= (1.0 - cut) / (
                    1.0 - programmes.RND_SPILLOVER * cut
                )
            elif success:
                self.rnd_recycling[r.mineral, r.issuer] *= programmes.RND_RECYCLING_BOOST
            text = f"{self.display(who)}'s {mineral} {r.programme.value} research " + (
                "pays off." if success else "ends without a breakthrough."
            )
            self.news.append(Happened(self.turn, f"rnd_{who}_{mineral}", "Research", text, "research"))
        self.research = pending

    def _step_emergency_sharing(self) -> None:
        """Zones with emergency sharing: members who committed a share of their stockpiles hand
        it to a member whose consumption fell below EMERGENCY_FILL last turn."""
        need = self._need.sum(axis=2).T  # (N, M) last turn's need
        for zone_id in sorted(self.policies.zones):
            zone = self.policies.zones[zone_id]
            if not zone.emergency_sharing:
                continue
            members = [self.nation_ids.index(n) for n in zone.members]
            commit = np.array([self.share_commitment.get((zone_id, n), 0.0) for n in zone.members])
            short = self.consumption_fill[members] < EMERGENCY_FILL  # (k, M)
            gap = np.where(short, need[members] * (EMERGENCY_FILL - self.consumption_fill[members]), 0.0)
            if not gap.any():
                continue
            offer = np.where(short, 0.0, commit[:, None] * self.stockpile[members])  # (k, M)
            moved = np.minimum(offer.sum(axis=0), gap.sum(axis=0))  # (M,)
            give = offer * np.divide(moved, offer.sum(axis=0), out=np.zeros_like(moved), where=moved > 0)
            take = gap * np.divide(moved, gap.sum(axis=0), out=np.zeros_like(moved), where=moved > 0)
            self.stockpile[members] += take - give
            for k, m in zip(*np.nonzero(take > 0), strict=True):
                for j in np.flatnonzero(give[:, m] > 0):
                    self.diplomacy.act(self.turn, zone.members[j], zone.members[k], "stockpile_shared")
                self.news.append(
                    Happened(
                        self.turn,
                        f"sharing_{zone_id}",
                        "Emergency sharing",
                        f"{zone.name} members release {take[k, m]:,.0f} t of {self.mineral_ids[m]} "
                        f"to {self.display(zone.members[k])}.",
                        "zone",
                    )
                )

    def _step_treasuries(self, ore: market.Clearing, refined: market.Clearing) -> None:
        """Budgets: the yearly allocation, tariff and export-tax revenue, and zone funds that
        pay members' producers up to the floor (shared by the members in proportion to GDP)."""
        n_nat = len(self.nation_ids)
        revenue = np.zeros(n_nat)
        for stage, clearing in ((Stage.ORE, ore), (Stage.REFINED, refined)):
            routes = self._routes(stage)
            at = routes.taxed  # only the taxed routes, not every route of the world
            _, origin, buyer = np.unravel_index(at, clearing.flow.shape)
            flow, realised = clearing.flow.ravel()[at], clearing.realised.ravel()[at]
            tax, tariff = routes.export_tax.ravel()[at], routes.tariff.ravel()[at]
            base = realised * (1.0 + tax) + routes.transport.ravel()[at]
            revenue += np.bincount(buyer % n_nat, weights=flow * base * tariff, minlength=n_nat)
            revenue += np.bincount(origin, weights=flow * realised * tax, minlength=n_nat)
        self.trade_revenue = revenue / 1e6
        self.zone_fund_paid = np.zeros(n_nat)
        gdp = np.array([self.content.nations[n].gdp.usd_bn for n in self.nation_ids])
        for zone_id in sorted(self.policies.zones):
            zone = self.policies.zones[zone_id]
            if zone.floor_paid_by.value != "fund" or not zone.price_floor_usd_per_t:
                continue
            members = np.array([self.nation_ids.index(n) for n in zone.members])
            buyers = np.concatenate([members, members + n_nat])
            bill = 0.0
            for mineral, level in zone.price_floor_usd_per_t.items():
                if mineral in self.mineral_ids:
                    m = self.mineral_index(mineral)
                    gap = np.maximum(level - refined.price[m, members], 0.0)
                    bill += float((refined.flow[m][np.ix_(members, buyers)].sum(axis=1) * gap).sum())
            self.zone_fund_paid[members] += bill / 1e6 * gdp[members] / gdp[members].sum()
        self.treasury = self.treasury + self.budget_income + self.trade_revenue - self.zone_fund_paid

    # ------------------------------------------------------------------ identity

    def world_hash(self) -> str:
        """blake2b over every state array, the policies in force and the generator state.

        It runs at the end of every turn, so it reads the arrays in place (no copies) and
        takes the parts that mostly stay put from one turn to the next (the deals signed, the
        controls in force, the ring buffer of past use) from digests that cost only what
        changed (game.world.digest). Those are pure functions of the state: a replay in a
        fresh process hashes to the same."""
        h = hashlib.blake2b(digest_size=16)
        arrays = [
            *self.firms.state_arrays(),
            self.ore_price,
            self.refined_price,
            self.ore_paid,
            self.refined_paid,
            self.expected_refined,
            self.expected_ore,
            self.stockpile,
            self.stock_target,
            self.stock_budget,
            self.treasury,
            self.growth_index,
            self.demand_shock,
            self.substitution,
            self.price_memory,
            self.invest_backlog,
            self.eol_rate,
            self.shortfall,
            self.diplomacy.relations,
            self.forced_release,
            self.subsidy_cut,
            self.rnd_substitution,
            self.rnd_recycling,
            self.eol_boost,
            self.score,
            self.score_parts,
            *self.scorer.state_arrays(),
        ]
        for a in arrays:
            h.update(np.ascontiguousarray(a))  # the array's own buffer when it is contiguous
        h.update(self._use_history_digest.digest(self.use_history))  # a turn writes one row of 160
        h.update(self._controls_digest.digest(a.spec for a in self.policies.controls))
        h.update(float_maps(a.baseline for a in self.policies.controls))
        h.update(repr([x.model_dump_json() for x in self.policies.tariffs]).encode())
        h.update(repr([z.model_dump_json() for z in self.policies.zones.values()]).encode())
        h.update(self.pipeline.state_array())
        h.update(self.diplomacy.digest())
        h.update(self.events.digest())
        h.update(repr([(t, a.model_dump_json()) for t, a in self.facilitator_log]).encode())
        h.update(repr([a.model_dump_json() for a in self.facilitator_queue]).encode())
        h.update(repr([x.state() for x in [*self.subsidies, *self.research]]).encode())
        h.update(repr(sorted(self.share_commitment.items())).encode())
        h.update(repr([o.model_dump_json() for _, o in self.desk.queued]).encode())
        h.update(repr(self.rng.bit_generator.state).encode())
        h.update(str(self.turn).encode())
        return h.hexdigest()
