"""The event engine: scheduled, conditional, random and expiring events, applied as effects.

Effects that are policies go to the policy book (the path nations' orders take); effects
with a duration (supply and demand shocks, technology changes) are kept as active shocks
whose combined multipliers are recomputed from the whole set whenever it changes, so an
expiry undoes exactly what the effect did and overlapping shocks compound.

Determinism: the engine never draws random numbers itself. The world draws one number per
random-event entry and one per conditional-event entry every turn (whether or not an entry
can fire), so the generator's stream does not depend on what has happened, and hands them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from agents.firms import KIND_CODE, FirmTable
from game.rules import Event, FirmKind, Scenario, Sector, Stage
from game.rules import events as ev
from game.world.digest import SequenceDigest

F64 = NDArray[np.float64]

SECTORS: tuple[Sector, ...] = tuple(Sector)
PERMANENT = 1 << 30
"""`until_turn` of a shock that never expires (a technology breakthrough)."""
NEVER = -(1 << 30)
"""`last_fired` of a conditional event that has not fired."""


Lasting = ev.SupplyShock | ev.DemandShock | ev.Technology
"""Effects that stay in force for a while (or for good) rather than happening once."""


@dataclass(frozen=True)
class Shock:
    effect: Lasting
    until_turn: int  # exclusive; PERMANENT for a lasting change
    event: str

    @classmethod
    def of(cls, effect: Lasting, turn: int, event: str) -> Shock:
        """The shock an effect starts on `turn`: for its duration, or for good without one."""
        duration = effect.duration_turns
        return cls(effect, PERMANENT if duration is None else turn + duration, event)


def _shock_bytes(shock: Shock) -> bytes:
    return repr((shock.effect.model_dump_json(), shock.until_turn, shock.event)).encode()


class _Record(Protocol):
    @property
    def need(self) -> F64: ...  # (M, N, S)

    @property
    def shortfall(self) -> F64: ...  # (M, N, S)


class WorldView(Protocol):
    """What triggers read from the world (WorldModel satisfies it)."""

    @property
    def turn(self) -> int: ...

    @property
    def nation_ids(self) -> tuple[str, ...]: ...

    @property
    def mineral_ids(self) -> tuple[str, ...]: ...

    @property
    def refined_paid(self) -> F64: ...  # (M, 2N) civil then defence

    @property
    def ref_price(self) -> F64: ...  # (M,)

    @property
    def stockpile(self) -> F64: ...  # (N, M)

    @property
    def records(self) -> Sequence[_Record]: ...


def measure(world: WorldView, trigger: ev.Trigger) -> float:
    """The value of a trigger's metric, as the world stood after the last turn's clearing.

    A mineral or country outside the scenario reads NaN, which no comparison holds for
    (content validation reports such triggers; a hand-made scenario just never fires).
    """
    if trigger.metric == ev.Metric.TURN:
        return float(world.turn)
    assert trigger.mineral is not None  # Trigger's validator guarantees it
    if trigger.mineral not in world.mineral_ids:
        return float("nan")
    m = world.mineral_ids.index(trigger.mineral)
    n_nat = len(world.nation_ids)
    country = slice(None)
    if trigger.country is not None:
        if trigger.country not in world.nation_ids:
            return float("nan")
        country = world.nation_ids.index(trigger.country)
    match trigger.metric:
        case ev.Metric.PRICE_RATIO:
            offset = n_nat if trigger.sector == Sector.DEFENCE else 0
            paid = world.refined_paid[m, offset : offset + n_nat]
            return float(np.mean(paid[country]) / world.ref_price[m])
        case ev.Metric.SHORTFALL_SHARE:
            if not world.records:
                return 0.0
            last = world.records[-1]
            sector = slice(None) if trigger.sector is None else SECTORS.index(trigger.sector)
            need = float(np.sum(last.need[m, country, sector]))
            short = float(np.sum(last.shortfall[m, country, sector]))
            return short / need if need > 0 else 0.0
        case ev.Metric.STOCKPILE_TONNES:
            return float(np.sum(world.stockpile[country, m]))
    raise AssertionError(f"unhandled metric {trigger.metric}")


@dataclass
class Multipliers:
    """The combined effect of every active shock."""

    firm_shock: F64  # (firms,) capacity factor
    demand: F64  # (M, N, S) need factor
    recycling: F64  # (M,) points (as a share) added to the end-of-life collection rate


@dataclass
class EventEngine:
    scenario: Scenario
    library: dict[str, Event]
    shocks: list[Shock] = field(default_factory=list)
    random_counts: dict[str, int] = field(default_factory=dict)
    conditional_counts: list[int] = field(default_factory=list)
    streaks: list[int] = field(default_factory=list)
    """Consecutive turns each conditional entry's triggers have held (reset when it fires)."""
    last_fired: list[int] = field(default_factory=list)
    recycling_applied: F64 = field(default_factory=lambda: np.zeros(0))
    """The recycling boost now added to the world's collection rates (see `recycling_rates`)."""

    _shocks_digest: SequenceDigest[Shock] = field(
        default_factory=lambda: SequenceDigest(_shock_bytes), repr=False, compare=False
    )
    """The shocks' part of the world hash: shocks are frozen and last for turns, so each is
    encoded once (see SequenceDigest)."""

    def digest(self) -> bytes:
        """Everything that decides what fires next, for the world hash."""
        counters = (
            sorted(self.random_counts.items()),
            self.conditional_counts,
            self.streaks,
            self.last_fired,
            self.recycling_applied.tolist(),
        )
        return self._shocks_digest.digest(self.shocks) + repr(counters).encode()

    def __post_init__(self) -> None:
        n = len(self.scenario.conditional_events)
        self.conditional_counts = self.conditional_counts or [0] * n
        self.streaks = self.streaks or [0] * n
        self.last_fired = self.last_fired or [NEVER] * n
        if len(self.recycling_applied) != len(self.scenario.minerals):
            self.recycling_applied = np.zeros(len(self.scenario.minerals))

    # ------------------------------------------------------------------ when events happen

    def draws_per_turn(self) -> int:
        """How many uniform draws `random` and `conditional` consume each turn, together."""
        return len(self.scenario.random_events) + len(self.scenario.conditional_events)

    def happened(self, event_id: str) -> bool:
        """Whether a random or conditional entry has fired `event_id` in this game."""
        if self.random_counts.get(event_id, 0) > 0:
            return True
        return any(
            count > 0 and spec.event == event_id
            for spec, count in zip(self.scenario.conditional_events, self.conditional_counts, strict=True)
        )

    def scheduled(self, turn: int) -> list[Event]:
        return [
            self.library[s.event]
            for s in sorted(self.scenario.schedule, key=lambda s: (s.date, s.event))
            if self.scenario.turn_of(s.date) == max(turn, 0)
            or (turn == 0 and self.scenario.turn_of(s.date) < 0)
        ]

    def random(self, turn: int, draws: Sequence[float]) -> list[Event]:
        """Random events whose draw fell under their probability (one draw each, every turn),
        in the scenario's order; an entry whose `excludes` has happened (this turn included)
        stays silent, so of two exclusive outcomes drawn on the same turn the first wins."""
        fired = []
        for spec, draw in zip(self.scenario.random_events, draws, strict=True):
            count = self.random_counts.get(spec.event, 0)
            if draw >= spec.probability_per_turn or count >= spec.max_times:
                continue
            if spec.not_before is not None and turn < self.scenario.turn_of(spec.not_before):
                continue
            if any(self.happened(other) for other in spec.excludes):
                continue
            self.random_counts[spec.event] = count + 1
            fired.append(self.library[spec.event])
        return fired

    def conditional(self, world: WorldView, draws: Sequence[float]) -> list[Event]:
        """Conditional events whose triggers have held long enough, in the scenario's order.

        Every entry is evaluated every turn (its streak must count turns even while it cannot
        fire); triggers read the world as the last turn left it, before this turn's events.
        """
        fired = []
        specs = self.scenario.conditional_events
        for i, (spec, draw) in enumerate(zip(specs, draws, strict=True)):
            holds = all(t.holds(measure(world, t)) for t in spec.when)
            self.streaks[i] = self.streaks[i] + 1 if holds else 0
            if (
                self.streaks[i] >= spec.for_turns
                and self.conditional_counts[i] < spec.max_times
                and world.turn > self.last_fired[i] + spec.cooldown_turns
                and draw < spec.probability
            ):
                self.conditional_counts[i] += 1
                self.streaks[i] = 0
                self.last_fired[i] = world.turn
                fired.append(self.library[spec.event])
        return fired

    def expire(self, turn: int) -> bool:
        before = len(self.shocks)
        self.shocks = [s for s in self.shocks if s.until_turn > turn]
        return len(self.shocks) != before

    # ------------------------------------------------------------------ what active shocks do

    def multipliers(
        self, firms: FirmTable, nation_ids: Sequence[str], mineral_ids: Sequence[str], n_sectors: int
    ) -> Multipliers:
        """Combine every active shock into capacity, demand and recycling changes.

        Effects on minerals or nations outside the scenario do nothing (an event library is
        shared by scenarios with different casts).
        """
        n_min, n_nat = len(mineral_ids), len(nation_ids)
        shock = np.ones(len(firms))
        demand = np.ones((n_min, n_nat, n_sectors))
        recycling = np.zeros(n_min)
        for s in self.shocks:
            e = s.effect
            if e.mineral not in mineral_ids:
                continue
            m = mineral_ids.index(e.mineral)
            match e:
                case ev.SupplyShock():
                    if e.country not in nation_ids:
                        continue
                    kind = KIND_CODE[FirmKind.MINE if e.stage == Stage.ORE else FirmKind.REFINERY]
                    sel = (firms.mineral == m) & (firms.country == nation_ids.index(e.country))
                    shock[sel & (firms.kind == kind)] *= e.capacity_factor
                case ev.DemandShock():
                    if e.country is not None and e.country not in nation_ids:
                        continue
                    n = slice(None) if e.country is None else nation_ids.index(e.country)
                    sec = slice(None) if e.sector is None else SECTORS.index(e.sector)
                    demand[m, n, sec] *= e.factor
                case ev.Technology():
                    sec = slice(None) if e.sector is None else SECTORS.index(e.sector)
                    demand[m, :, sec] *= e.demand_factor
                    recyclers = (firms.mineral == m) & (firms.kind == KIND_CODE[FirmKind.RECYCLER])
                    shock[recyclers] *= e.recycler_capacity_factor
                    recycling[m] += e.recycling_rate_pct / 100
        return Multipliers(shock, demand, recycling)

    def recycling_rates(self, boost: F64, eol_rate: F64, eol_ceiling: F64) -> tuple[F64, F64]:
        """New (collection rate, ceiling) once `boost` replaces the boost applied so far.

        The world's collection rate drifts towards its ceiling every turn, so the boost is
        applied as a change to both rather than kept aside: the gap, and so the drift, stay
        as they were, and removing the boost (on expiry) takes back what adding it gave.
        """
        delta = boost - self.recycling_applied
        self.recycling_applied = boost.copy()
        ceiling = np.clip(eol_ceiling + delta, 0.0, 1.0)
        return np.clip(eol_rate + delta, 0.0, ceiling), ceiling
