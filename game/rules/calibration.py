"""Schema of a scenario's `[calibration.<mineral>]` tables: the world of another year.

Firms, demand and prices in `content/` describe the 2025/26 world. A historical scenario
(2010, 2021) needs the world of its own time, and that world differs from 2025 in a few
numbers per mineral, not in its structure: who mines and refines how much, who consumes
how much in which sector, what the price was and how fast demand grew. So a scenario
restates those numbers, each with its source, and `game.world.calibration` turns the
2025 content into the scenario's world before the model is built:

- capacity per stage and country (t/yr): the firms in a listed country keep their
  relative sizes and are scaled to the country's total (0 removes them: Lynas had no
  separation plant in 2010); firms in unlisted countries are multiplied by `others`;
- demand: per-sector multipliers on the nations' 2025 demand (EV motors were a sliver of
  rare-earth use in 2010), then nations' shares of world demand, then growth rates;
- the refined reference price at the start, with costs scaled by the same ratio unless
  `cost_scale` says otherwise (a 2025 cost curve under a 2010 price would shut every mine);
- the capacity growth of projects already under construction at the start.

Why this and not scenario-specific firm lists: a firm list per year would copy about 250
firms per scenario, with their names, owners and costs, to change a handful of totals the
sources actually give (USGS gives production by country, not by mine). Scaling keeps
the firms' identities, owners and cost ranking, which the sources for 2010 or 2021 would
not improve on, and puts every historical figure in one table the validator can check.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from game.rules.ids import Frozen, Sector, Slug, Source
from game.rules.minerals import WorldProduction

Percent = Annotated[float, Field(ge=0, le=100)]
Multiplier = Annotated[float, Field(ge=0, le=100)]


class CapacityCalibration(Frozen):
    """Installed capacity of one stage (mines, refineries or recyclers) at the start.

    `tpy` gives a country's total in t/yr: its firms are scaled together to that total, and
    0 removes them. A listed country with no firm of this stage in the content gets none
    (there is nothing to scale), which the validator reports. Unlisted countries' firms are
    multiplied by `others` (1 keeps them as in 2025, 0 removes them).
    """

    tpy: dict[Slug, NonNegativeFloat] = {}
    others: Annotated[float, Field(ge=0, le=10)] = 1.0
    source: Source


class DemandCalibration(Frozen):
    """Demand at the start and its growth.

    `sectors` multiplies every nation's content demand of that sector (unlisted sectors: 1).
    `nation_shares_pct` then sets listed nations' shares of world demand (the scenario's
    nations only); the others share the rest in proportion to their demand. The world total
    does not matter: the model scales it so that the start balances (game.world.model).
    `growth_pct_per_year` replaces the mineral's demand growth for the listed sectors.
    """

    sectors: dict[Sector, Multiplier] = {}
    nation_shares_pct: dict[Slug, Percent] = {}
    growth_pct_per_year: dict[Sector, Annotated[float, Field(ge=-20, le=60)]] = {}
    source: Source

    @model_validator(mode="after")
    def _shares_fit(self) -> DemandCalibration:
        total = sum(self.nation_shares_pct.values())
        if total > 100.5:
            raise ValueError(f"nation_shares_pct add up to {total:g} %, over 100 %")
        if self.sectors and not any(v > 0 for v in self.sectors.values()):
            raise ValueError("every sector multiplier is 0: nothing would be demanded")
        return self


class PriceCalibration(Frozen):
    """The refined reference price at the scenario's start (the price index's 1.0)."""

    refined_usd_per_t: PositiveFloat
    ore_value_share: Annotated[float, Field(gt=0, lt=1)] | None = None
    date: str
    source: Source
    note: str = ""


class MineralCalibration(Frozen):
    """Everything a scenario restates about one mineral for its start year."""

    price: PriceCalibration | None = None
    cost_scale: PositiveFloat | None = Field(
        None,
        description="multiplies firms' and project templates' unit costs; default: the start "
        "price over the content's reference price, so costs keep their place against the price",
    )
    mine: CapacityCalibration | None = None
    refinery: CapacityCalibration | None = None
    recycler: CapacityCalibration | None = None
    demand: DemandCalibration | None = None
    production: WorldProduction | None = Field(
        None, description="world mine production of the start year, for reference and the AI's estimates"
    )
    pipeline_growth_pct_per_year: Annotated[float, Field(ge=0, le=100)] | None = Field(
        None,
        description="yearly capacity growth from projects under construction at the start (for "
        "the model's first PIPELINE_TURNS turns); default: the demand-weighted growth of demand",
    )
    source: Source = "model assumption"
    """Source of cost_scale and pipeline_growth_pct_per_year."""
    note: str = ""


def placed_country(country: str, nations: Collection[str]) -> str:
    """The country a firm stands in within a scenario: its own, or `rest_of_world` when its
    country is not in play (as the world places it); its own when neither is in play."""
    return country if country in nations or "rest_of_world" not in nations else "rest_of_world"
