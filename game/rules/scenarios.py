"""Schema of a scenario (`content/scenarios/<id>.toml`): starting state and timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, PositiveFloat, model_validator

from game.rules.calibration import MineralCalibration
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


class Suggestion(Frozen):
    """An order the briefing's advice recommends (its fields, without the issuer), offered
    on the briefing screen; a test checks the order desk accepts it at turn 0, so advice
    never sends a new player into a refusal."""

    label: str = Field(min_length=1, max_length=120)
    order: dict[str, Any]


class Briefing(Frozen):
    title: str
    situation: str
    objectives: str
    levers: str
    advice: str
    suggested: list[Suggestion] = []


class RealPrice(Frozen):
    """One point of a mineral's real price path, to set beside the game's."""

    mineral: Slug
    date: str = Field(pattern=r"^\d{4}(-(Q[1-4]|\d{2}))?$", description="'2011', '2011-Q3' or '2011-08'")
    usd_per_t: PositiveFloat
    product: str
    source: Source
    note: str = ""


class RealFigure(Frozen):
    """Another real figure the debrief can quote (exports, production, a ruling's date)."""

    label: str
    value: float
    unit: str
    date: str
    source: Source


class Epilogue(Frozen):
    """What really happened, told after a historical scenario so a class can compare it with
    what it did. `prices` gives the real price path of the scenario's minerals."""

    title: str
    text: str = Field(min_length=40)
    prices: list[RealPrice] = []
    figures: list[RealFigure] = []
    source: Source

    def price_path(self, mineral: str) -> list[RealPrice]:
        """The real prices of one mineral, in date order."""
        return sorted((p for p in self.prices if p.mineral == mineral), key=lambda p: p.date)


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
    calibration: dict[Slug, MineralCalibration] = {}
    """The start year's world per mineral, for scenarios not set in 2025/26 (see
    game.rules.calibration); minerals not listed keep the content's figures."""
    doctrines: dict[Slug, Doctrine] = {}
    """AI doctrine per nation in this scenario, replacing its content doctrine: a nation whose
    policy is the scenario's history (China's quotas in 2010) plays `passive`, so its AI does
    not add policies on top of the scheduled ones."""
    epilogue: Epilogue | None = None
    """What really happened (historical scenarios)."""
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
        strangers = [n for n in self.doctrines if n not in nations]
        if strangers:
            raise ValueError(f"doctrines of nations not in nations: {', '.join(strangers)}")
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
