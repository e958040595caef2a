"""Schema of a scenario (`content/scenarios/<id>.toml`): starting state and timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from game.rules.events import ConditionalEvent, RandomEvent
from game.rules.ids import Doctrine, Frozen, ScenarioSlug, Slug, Source
from game.rules.objectives import DOCTRINE_OBJECTIVES, Objectives
from game.rules.policies import ExportControl, Tariff, Zone


class ScheduledEvent(Frozen):
    event: Slug
    date: dt.date


class StartingStockpile(Frozen):
    nation: Slug
    mineral: Slug
    tonnes: Annotated[float, Field(ge=0)] = 0
    target_tonnes: Annotated[float, Field(ge=0)] = 0
    source: Source


class Briefing(Frozen):
    title: str
    situation: str
    objectives: str
    levers: str
    advice: str


class Scenario(Frozen):
    id: ScenarioSlug
    name: str
    description: str
    start_year: Annotated[int, Field(ge=1990, le=2100)]
    start_quarter: Annotated[int, Field(ge=1, le=4)]
    turns: Annotated[int, Field(ge=1, le=400)]
    nations: list[Slug] = Field(min_length=2)
    minerals: list[Slug] = Field(min_length=1)
    playable: list[Slug] = Field(min_length=1)
    default_player: Slug
    export_controls: list[ExportControl] = []
    tariffs: list[Tariff] = []
    zones: list[Zone] = []
    stockpiles: list[StartingStockpile] = []
    schedule: list[ScheduledEvent] = []
    random_events: list[RandomEvent] = []
    conditional_events: list[ConditionalEvent] = []
    briefings: dict[Slug, Briefing] = {}
    objectives: dict[Slug, Objectives] = {}
    """Score weights per nation; nations not listed play by their doctrine's defaults."""
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        nations = set(self.nations)
        if len(nations) != len(self.nations):
            raise ValueError("a nation is listed twice in nations")
        missing = [n for n in self.playable if n not in nations]
        if missing:
            raise ValueError(f"playable nations not in nations: {', '.join(missing)}")
        if self.default_player not in self.playable:
            raise ValueError("default_player must be playable")
        return self

    def objectives_for(self, nation: str, doctrine: Doctrine) -> Objectives:
        """The nation's objectives: the scenario's table, else its doctrine's defaults."""
        return self.objectives.get(nation) or DOCTRINE_OBJECTIVES[doctrine]

    def start_date(self) -> dt.date:
        return dt.date(self.start_year, 3 * (self.start_quarter - 1) + 1, 1)

    def turn_of(self, date: dt.date) -> int:
        """The turn (0-based) during which `date` falls; negative before the start."""
        months = (date.year - self.start_year) * 12 + date.month - 1
        return months // 3 - (self.start_quarter - 1)

    def date_of(self, turn: int) -> str:
        """'2026 Q3' for a turn number."""
        q = self.start_quarter - 1 + turn
        return f"{self.start_year + q // 4} Q{q % 4 + 1}"
