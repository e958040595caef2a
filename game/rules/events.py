"""Schema of the event library (`content/events/*.toml`, a list of `[[event]]`) and of the
ways a scenario makes events happen: on a date (`ScheduledEvent`, in game.rules.scenarios),
when the world reaches a state (`ConditionalEvent`) or by seeded chance (`RandomEvent`).

An event is news plus effects. Effects are either policies (the same models nations use),
orders (the path nations' decisions take) or world modifications with a duration, so the
world applies them through one path.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import Field, NonNegativeFloat, model_validator

from game.rules.ids import Frozen, Sector, Slug, Source, Stage
from game.rules.orders import Order
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


class Technology(Frozen):
    """A technology change in how a mineral is used or recovered: substitution or thrifting
    (`demand_factor` multiplies the need of `sector`, all sectors if empty, everywhere) and
    recycling (`recycling_rate_pct` percentage points added to the end-of-life collection rate
    and to its ceiling; `recycler_capacity_factor` multiplies recycling plants' capacity, as a
    better process gets more out of the same plant).

    Technology diffuses: the change is world-wide. It lasts `duration_turns`, or for the rest
    of the game when that is empty (a breakthrough is not undone).
    """

    type: Literal["technology"]
    mineral: Slug
    sector: Sector | None = None
    demand_factor: Annotated[float, Field(gt=0, le=2)] = 1.0
    recycling_rate_pct: Annotated[float, Field(ge=0, le=100)] = 0.0
    recycler_capacity_factor: Annotated[float, Field(ge=1, le=10)] = 1.0
    duration_turns: Turns | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Technology:
        if self.demand_factor == 1 and self.recycling_rate_pct == 0 and self.recycler_capacity_factor == 1:
            raise ValueError(
                "a technology effect must change demand_factor, recycling_rate_pct "
                "or recycler_capacity_factor"
            )
        return self


class TreasuryChange(Frozen):
    """Money a nation gains or loses outside the market (a programme written off, a windfall)."""

    type: Literal["treasury"]
    nation: Slug
    change_usd_m: Annotated[float, Field(ge=-1e6, le=1e6)]


class OrderEffect(Frozen):
    """An order, applied as if its issuer had given it (validated against the world like any
    order), so an event that stands for a nation's decision takes the nations' own path."""

    type: Literal["order"]
    order: Order


Effect = Annotated[
    SupplyShock
    | DemandShock
    | ImposeControl
    | LiftControl
    | ImposeTariff
    | FormZone
    | StockpileChange
    | NewCapacity
    | Technology
    | TreasuryChange
    | OrderEffect,
    Field(discriminator="type"),
]

POLICY_EFFECTS = (ImposeControl, LiftControl, ImposeTariff, FormZone, StockpileChange, OrderEffect)
"""Effects that stand for a nation's decision (see `policy_actors`)."""


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


def policy_actors(effect: Effect) -> list[str]:
    """The nations whose own policy an effect decides (empty for world modifications).

    Random and conditional events must not decide a playable nation's policy: a human may
    be playing it, and a dice roll that lifts their controls takes the game out of their hands.
    """
    match effect:
        case ImposeControl():
            return [effect.control.issuer]
        case LiftControl():
            return [effect.issuer]
        case ImposeTariff():
            return [effect.tariff.issuer]
        case FormZone():
            return list(effect.zone.members)
        case StockpileChange():
            return [effect.nation]
        case OrderEffect():
            return [effect.order.issuer]
    return []


class RandomEvent(Frozen):
    """An event that may happen any turn with a seeded probability (one draw per entry per
    turn, whether or not it can fire, so the random stream does not depend on history)."""

    event: Slug
    probability_per_turn: Annotated[float, Field(ge=0, le=1)]
    max_times: Annotated[int, Field(ge=1, le=400)] = 1
    not_before: dt.date | None = Field(None, description="cannot happen before this date")
    excludes: list[Slug] = Field(
        [], description="events (random or conditional) whose having happened rules this one out"
    )
    source: Source = "model assumption"
    note: str = ""


class Metric(StrEnum):
    """What a trigger reads from the world, as it stood after the previous turn's clearing."""

    PRICE_RATIO = "price_ratio"
    """Refined price paid by `country`'s civil buyers (defence buyers if `sector` is defence)
    over the mineral's reference price; without a country, the mean over the scenario's
    nations (the world refined price index the charts show)."""
    SHORTFALL_SHARE = "shortfall_share"
    """Shortfall as a share of need for the mineral, in `country` (all if empty) and `sector`
    (all if empty); 0 when nothing was needed."""
    STOCKPILE_TONNES = "stockpile_tonnes"
    """Public stockpile of the mineral held by `country` (all nations' if empty), tonnes."""
    TURN = "turn"
    """The turn number (0 is the first turn)."""


Comparison = Literal[">", ">=", "<", "<="]
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class Trigger(Frozen):
    """One condition on the world: `metric comparison threshold`, e.g. price_ratio > 2."""

    metric: Metric
    mineral: Slug | None = None
    country: Slug | None = None
    sector: Sector | None = None
    comparison: Comparison
    threshold: Annotated[float, Field(ge=0, le=1e12)]

    @model_validator(mode="after")
    def _fields_fit_metric(self) -> Trigger:
        if self.metric == Metric.TURN:
            if self.mineral or self.country or self.sector:
                raise ValueError("a turn trigger takes no mineral, country or sector")
            return self
        if self.mineral is None:
            raise ValueError(f"a {self.metric.value} trigger needs a mineral")
        if self.metric == Metric.PRICE_RATIO and self.sector not in (None, Sector.DEFENCE):
            raise ValueError("a price_ratio trigger's sector can only be defence (civil pays one price)")
        if self.metric == Metric.STOCKPILE_TONNES and self.sector is not None:
            raise ValueError("a stockpile_tonnes trigger takes no sector")
        return self

    def holds(self, value: float) -> bool:
        return _COMPARE[self.comparison](value, self.threshold)


class ConditionalEvent(Frozen):
    """An event that happens when the world reaches a state: every trigger in `when` holds
    for `for_turns` consecutive turns. After firing it needs `for_turns` fresh turns of the
    triggers holding, and `cooldown_turns` turns, before it can fire again (up to `max_times`);
    `probability` is the chance it fires on a turn it could (one seeded draw per entry per turn).
    """

    event: Slug
    when: list[Trigger] = Field(min_length=1, max_length=8)
    for_turns: Annotated[int, Field(ge=1, le=400)] = 1
    max_times: Annotated[int, Field(ge=1, le=400)] = 1
    cooldown_turns: Annotated[int, Field(ge=0, le=400)] = 0
    probability: Annotated[float, Field(ge=0, le=1)] = 1.0
    source: Source = "model assumption"
    note: str = ""
