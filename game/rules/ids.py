"""Identifiers and enumerations shared by every schema.

Ids are short lowercase slugs so that TOML keys, Parquet columns and order JSON all use
the same spelling; a typo in an id is caught by the cross-reference checks in
`game.content`, not at run time.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A content id: lowercase letters, digits and underscores, starting with a letter."""

ScenarioSlug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
"""Scenario ids may use hyphens, as users type them on the command line."""

Source = Annotated[str, StringConstraints(min_length=3, strip_whitespace=True)]
"""Where a real-world figure comes from: publication and year (or 'model assumption')."""


class Frozen(BaseModel):
    """Base for content models: unknown fields are errors, and loaded content is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Stage(StrEnum):
    """Where in the value chain a tonne is traded."""

    ORE = "ore"
    REFINED = "refined"


class Sector(StrEnum):
    """End-use sectors whose demand the manufacturers represent."""

    EV_BATTERIES = "ev_batteries"
    GRID_STORAGE = "grid_storage"
    ELECTRONICS = "electronics"
    DEFENCE = "defence"
    WIND_SOLAR = "wind_solar"
    OTHER = "other"


class FirmKind(StrEnum):
    MINE = "mine"
    REFINERY = "refinery"
    RECYCLER = "recycler"


class Alignment(StrEnum):
    US_ALIGNED = "us_aligned"
    CHINA_ALIGNED = "china_aligned"
    HEDGING = "hedging"
    NON_ALIGNED = "non_aligned"


class Doctrine(StrEnum):
    """The AI behaviour a nation plays by default (see agents/doctrines)."""

    DOMINANT_REFINER = "dominant_refiner"
    CONSUMER_ALLY = "consumer_ally"
    RESOURCE_NATIONALIST = "resource_nationalist"
    HEDGING_SWING = "hedging_swing"
    PASSIVE = "passive"


class Region(StrEnum):
    """Coarse geography used for transport costs."""

    EAST_ASIA = "east_asia"
    SOUTHEAST_ASIA = "southeast_asia"
    SOUTH_ASIA = "south_asia"
    EUROPE = "europe"
    NORTH_AMERICA = "north_america"
    LATIN_AMERICA = "latin_america"
    AFRICA = "africa"
    OCEANIA = "oceania"
    EURASIA = "eurasia"
    WORLD = "world"
