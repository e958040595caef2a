"""WorldModel: the Mesa model of the mineral economy.

It builds the world (`build`), resolves a turn by running `turn.PHASES` over the state, and
answers the queries front-ends, doctrines and the lab ask. The numbers live in one declared
`WorldState` (`state`): every declared field reads and writes through the model as an
attribute (`world.treasury`), and agents are named views on rows of its arrays. All randomness
comes from the model's seeded `rng`, drawn in a fixed pattern per turn, so a scenario, a seed
and the same orders give a bit-identical world.

Map of the package (arrows run one way: model -> build -> turn -> explain/scoring/observe ->
mechanisms -> economy -> market -> state -> record):

    state.py        every array and ledger, declared once; the world hash
    record.py       a turn's record, its news, the causes explanations are built from
    turn.py         PHASES and the scratch they hand each other; the spin-up
    build.py        a new world from content, scenario and seed
    mechanisms/     one module per family of orders: controls, tariffs, zones, deals,
                    stockpiles, programmes, investment, messages; events and their effects,
                    the facilitator, the order desk and the lever registry; trade routes
    economy/        demand by sector, supply (mines, refiners, recyclers), firms' decisions,
                    market-led investment, projects, accounts
    market/         the clearing, its compiled kernel, the policy book and its route arrays
    explain.py      why prices moved;  scoring.py  the score;  observe.py  what a nation sees
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
from numpy.typing import NDArray

from agents._mesa import mesa
from agents.firms import AGENT_CLASS, KIND_OF_CODE, MINE, RECYCLER, REFINERY, Firm
from agents.nation import Nation
from agents.observation import Observation
from game.content import Content
from game.rules import Event, ExportControl, Instrument, Scenario, Stage
from game.rules.facilitator import FacilitatorAction
from game.rules.orders import Order
from game.world import turn as turns
from game.world.build import build
from game.world.calibration import calibrate
from game.world.economy import demand, firms
from game.world.market.routes import ActiveControl
from game.world.mechanisms import controls, effects, facilitator
from game.world.mechanisms.desk import OrderRecord, Verdict, apply_order_effect
from game.world.mechanisms.trade import routes_of
from game.world.observe import observe
from game.world.record import TurnRecord
from game.world.scoring import PART_NAMES
from game.world.state import SECTORS, WorldState, world_hash

F64 = NDArray[np.float64]

__all__ = ["MINE", "RECYCLER", "REFINERY", "SECTORS", "TurnRecord", "WorldModel"]


class WorldModel(mesa.Model):
    """The world of one scenario and seed."""

    state: WorldState

    def __init__(self, content: Content, scenario: Scenario | str, seed: int = 0) -> None:
        super().__init__(seed=seed)
        sc = content.scenario(scenario) if isinstance(scenario, str) else scenario
        # The world of the scenario's start year (historical scenarios restate 2025 content).
        calibrated = calibrate(content, sc)
        self.seed_value = seed
        self.nations = [Nation(self, i, calibrated.nations[n]) for i, n in enumerate(sc.nations)]
        self.state = build(calibrated, sc, seed, self.rng)
        self.firm_agents: list[Firm] = []
        self._sync_firm_agents()
        self.last_turn: turns.TurnScratch | None = None
        """The scratch of the last turn resolved (orders resolved, realised route prices)."""
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "refined_price_index": lambda m: (
                    m.refined_paid[:, : len(m.nation_ids)].mean(axis=1) / m.ref_price
                ).tolist(),
                "shortfall_t": lambda m: m.shortfall.sum(axis=(1, 2)).tolist(),
            }
        )

    def _sync_firm_agents(self) -> None:
        """One agent per row of the firm table (finished projects add rows)."""
        s = self.state
        for row in range(len(self.firm_agents), len(s.firms)):
            firm_id, name = s.firm_names[row]
            kind = KIND_OF_CODE[int(s.firms.kind[row])]
            self.firm_agents.append(AGENT_CLASS[kind](self, row, firm_id, name))

    # ------------------------------------------------------------------ the turn

    def step(self) -> None:
        s = self.state
        self.last_turn = turns.resolve(s)
        self._sync_firm_agents()
        self.datacollector.collect(self)
        s.turn += 1

    @property
    def turn_orders(self) -> list[OrderRecord]:
        """The orders resolved in the last turn."""
        return self.last_turn.orders if self.last_turn else []

    @property
    def route_realised(self) -> F64 | None:
        """(M, O, B) what origins received per tonne on each refined route in the last turn,
        floors and zone funds included (built when asked: a turn reads only the routes that sold)."""
        x = self.last_turn
        if x is None or x.refined is None:
            return None
        if x.fund_floor is None:
            return x.refined.realised
        return np.maximum(x.refined.realised, x.fund_floor)

    def world_hash(self) -> str:
        """blake2b over every hashed field of the state (game.world.state)."""
        return world_hash(self.state)

    # ------------------------------------------------------------------ orders and actions

    def submit(self, order: Order | dict | str) -> Verdict:
        """Validate an order (a model, a dict or JSON) and queue it for the next turn's
        resolution, or refuse it with a reason. Never raises; a refused order changes nothing."""
        s = self.state
        parsed = s.desk.parse(order) if isinstance(order, dict | str | bytes) else order
        if isinstance(parsed, str):
            return Verdict(False, parsed)
        return s.desk.submit(s, parsed)

    def check(self, order: Order) -> Verdict:
        """What `submit` would answer, without queueing."""
        return self.state.desk.check(self.state, order)

    def facilitate(self, action: FacilitatorAction | dict) -> Verdict:
        """Queue a facilitator's action for the start of the next turn, or refuse it."""
        return facilitator.facilitate(self.state, action)

    def apply_order_effect(self, order: Order, source: str = "") -> OrderRecord | None:
        """An event's effect expressed as an order: checked and applied at once."""
        return apply_order_effect(self.state, order)

    def apply_event(self, event: Event, kind: str) -> None:
        effects.apply_event(self.state, event, kind)

    def impose_control(self, control: ExportControl) -> None:
        controls.impose(self.state, control)

    def lift_controls(
        self, issuer: str, mineral: str, stage: Stage | None, instrument: Instrument | None
    ) -> int:
        return controls.lift(self.state, issuer, mineral, stage, instrument)

    # ------------------------------------------------------------------ queries

    def observe(self, nation: str) -> Observation:
        """What `nation` may see now, for its controller."""
        return observe(self.state, nation)

    def nation(self, nation_id: str) -> Nation:
        return self.nations[self.state.nation_index[nation_id]]

    def mineral_index(self, mineral: str) -> int:
        return self.state.mineral_index(mineral)

    def display(self, nation_id: str) -> str:
        """A nation's name for messages ('Japan'), or the id itself if it is not in the scenario."""
        return self.state.display(nation_id)

    @property
    def relations(self) -> F64:
        """(N, N) how each nation (row) regards each other (column), −100..100."""
        return self.state.relations

    @property
    def score_part_names(self) -> tuple[str, ...]:
        return PART_NAMES

    def need_now(self) -> F64:
        """(M, N, S) tonnes per turn each sector needs this turn at the reference price."""
        return demand.need_now(self.state)

    def capacity_of(self, nation: str, mineral: str, stage: Stage) -> float:
        """Tonnes per turn the nation's firms can put on the market at this stage."""
        return firms.capacity_of(self.state, nation, mineral, stage)

    def trading_partners(self, exporter: str, mineral: str, stage: Stage) -> list[str]:
        return firms.trading_partners(self.state, exporter, mineral, stage)

    def suppliers_of(self, importer: str, mineral: str, stage: Stage) -> list[str]:
        return firms.suppliers_of(self.state, importer, mineral, stage)

    def matching_controls(
        self, issuer: str, mineral: str, stage: Stage | None, instrument: Instrument | None
    ) -> list[ActiveControl]:
        return controls.matching_controls(self.state, issuer, mineral, stage, instrument)

    def routes(self, stage: Stage):
        """The route arrays of a stage under the policies in force."""
        return routes_of(self.state, stage)


def _expose(name: str) -> property:
    def get(self: WorldModel):
        return getattr(self.state, name)

    def put(self: WorldModel, value) -> None:
        setattr(self.state, name, value)

    return property(get, put, doc=f"`WorldState.{name}` (game.world.state)")


# Every declared field of the state reads and writes through the model by its name (but the
# generator, which is Mesa's own attribute and the state's same object).
for _field in fields(WorldState):
    if _field.name != "rng" and not hasattr(WorldModel, _field.name):
        setattr(WorldModel, _field.name, _expose(_field.name))
