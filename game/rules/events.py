"""Schema of the event library (`content/events/*.toml`, a list of `[[event]]`).

An event is news plus effects. Effects are either policies (the same models nations use)
or world modifications with a duration, so the world applies them through one path.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, NonNegativeFloat, PositiveFloat

from game.rules.ids import Frozen, Sector, Slug, Source, Stage
from game.rules.policies import ExportControl, Instrument, Tariff, Zone

Turns = Annotated[int, Field(ge=1, le=400)]


class SupplyShock(Frozen):
    """Capacity of a country's firms for a mineral and stage falls to `capacity_factor`."""

    type: Literal["supply_shock"]
    mineral: Slug
    stage: Stage
    country: Slug
    capacity_factor: Annotated[float, Field(ge=0, le=1)]
    duration_turns: Turns


class DemandShock(Frozen):
    """Demand of a sector (all if empty) in a country (all if empty) is multiplied by `factor`."""

    type: Literal["demand_shock"]
    mineral: Slug
    sector: Sector | None = None
    country: Slug | None = None
    factor: Annotated[float, Field(ge=0, le=10)]
    duration_turns: Turns


class ImposeControl(Frozen):
    type: Literal["export_control"]
    control: ExportControl


class LiftControl(Frozen):
    """Removes `issuer`'s controls on the mineral (one instrument, or all if empty)."""

    type: Literal["lift_export_control"]
    issuer: Slug
    mineral: Slug
    stage: Stage | None = None
    instrument: Instrument | None = None


class ImposeTariff(Frozen):
    type: Literal["tariff"]
    tariff: Tariff


class FormZone(Frozen):
    type: Literal["zone"]
    zone: Zone


class StockpileChange(Frozen):
    """A nation adds tonnes (bought outside the market, e.g. a stockpile fund) or budget."""

    type: Literal["stockpile"]
    nation: Slug
    mineral: Slug
    target_tonnes: NonNegativeFloat = 0
    budget_usd_m: NonNegativeFloat = 0


class NewCapacity(Frozen):
    """A project template comes online in `country` after `delay_turns` (e.g. a trial succeeds)."""

    type: Literal["new_capacity"]
    template: Slug
    country: Slug
    owner: Slug
    delay_turns: Annotated[int, Field(ge=0, le=200)] = 0
    success_probability: Annotated[float, Field(ge=0, le=1)] = 1.0


Effect = Annotated[
    SupplyShock
    | DemandShock
    | ImposeControl
    | LiftControl
    | ImposeTariff
    | FormZone
    | StockpileChange
    | NewCapacity,
    Field(discriminator="type"),
]


EFFECT_TAGS = frozenset(
    get_args(kind.model_fields["type"].annotation)[0] for kind in get_args(get_args(Effect)[0])
)
"""The `type` values of effects, for error messages that skip the union tag."""


class Event(Frozen):
    id: Slug
    name: str
    news: str = Field(min_length=1, description="what the news feed says when it happens")
    effects: list[Effect] = []
    source: Source
    note: str = ""


class EventFile(Frozen):
    event: list[Event] = Field(min_length=1)


class RandomEvent(Frozen):
    """An event that may happen any turn with a seeded probability."""

    event: Slug
    probability_per_turn: Annotated[float, Field(ge=0, le=1)]
    max_times: PositiveFloat = 1
