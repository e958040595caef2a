"""The event engine: scheduled, random and expiring events, applied as effects.

Effects that are policies go to the policy book (the path nations' orders take); effects
with a duration (supply and demand shocks) are kept as active shocks whose combined
multipliers are recomputed when the set changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from game.rules import Event, Scenario
from game.rules import events as ev


@dataclass(frozen=True)
class Shock:
    effect: ev.SupplyShock | ev.DemandShock
    until_turn: int  # exclusive
    event: str


@dataclass
class Happened:
    turn: int
    event: str
    name: str
    news: str
    kind: str  # scheduled | random | expiry


@dataclass
class EventEngine:
    scenario: Scenario
    library: dict[str, Event]
    shocks: list[Shock] = field(default_factory=list)
    random_counts: dict[str, int] = field(default_factory=dict)

    def scheduled(self, turn: int) -> list[Event]:
        return [
            self.library[s.event]
            for s in sorted(self.scenario.schedule, key=lambda s: (s.date, s.event))
            if self.scenario.turn_of(s.date) == max(turn, 0)
            or (turn == 0 and self.scenario.turn_of(s.date) < 0)
        ]

    def random(self, draws: list[float]) -> list[Event]:
        """Random events whose draw fell under their probability (one draw each, every turn)."""
        fired = []
        for spec, draw in zip(self.scenario.random_events, draws, strict=True):
            if draw < spec.probability_per_turn and self.random_counts.get(spec.event, 0) < spec.max_times:
                self.random_counts[spec.event] = self.random_counts.get(spec.event, 0) + 1
                fired.append(self.library[spec.event])
        return fired

    def expire(self, turn: int) -> bool:
        before = len(self.shocks)
        self.shocks = [s for s in self.shocks if s.until_turn > turn]
        return len(self.shocks) != before
