"""Schema of a nation file (`content/nations/<id>.toml`).

A nation is a market region: the EU is one bloc and "Rest of world" closes the world
totals. Demand is the nation's consumption of refined material by sector, t/yr.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeFloat, PositiveFloat

from game.rules.ids import Alignment, Doctrine, Frozen, Region, Sector, Slug, Source


class Gdp(Frozen):
    usd_bn: PositiveFloat
    year: int
    source: Source


class Stockpile(Frozen):
    """A public strategic stockpile at the start of the game (refined tonnes)."""

    tonnes: dict[Slug, NonNegativeFloat] = {}
    budget_usd_m: NonNegativeFloat = Field(0, description="money set aside for purchases, USD m")
    source: Source


class Nation(Frozen):
    id: Slug
    name: str
    iso_a3: list[Annotated[str, Field(pattern=r"^[A-Z0-9]{2,5}$")]] = Field(
        min_length=0, description="ISO 3166 alpha-3 codes of the map shapes (EU: its members)"
    )
    region: Region
    alignment: Alignment
    doctrine: Doctrine
    gdp: Gdp
    treasury_usd_m: NonNegativeFloat = Field(description="budget for mineral policy, USD m")
    demand: dict[Sector, dict[Slug, NonNegativeFloat]] = Field(
        description="refined demand by sector and mineral, t/yr"
    )
    demand_source: Source
    stockpile: Stockpile | None = None
    summary: str = Field("", description="one-line situation for the nation chooser")
