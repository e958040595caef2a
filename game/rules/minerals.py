"""Schema of a mineral file (`content/minerals/<id>.toml`).

Quantities are tonnes of contained element per year (lithium as contained Li, rare
earths as NdPr oxide for prices and REO for tonnage), prices USD per tonne. The world
converts per-year figures to per-turn figures; content stays in the units sources use.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveFloat, model_validator

from game.rules.ids import Frozen, Sector, Slug, Source

Percent = Annotated[float, Field(ge=0, le=100)]
Share = Annotated[float, Field(ge=0, le=1)]


class WorldProduction(Frozen):
    mine_tpy: PositiveFloat = Field(description="world mine production, t/yr contained")
    year: int = Field(ge=1990, le=2100)
    source: Source


class Prices(Frozen):
    refined_usd_per_t: PositiveFloat = Field(description="indicative refined price, USD/t")
    ore_value_share: Share = Field(
        gt=0, lt=1, description="ore/concentrate price as a share of the refined price (payable)"
    )
    date: str
    source: Source
    note: str = ""


class EndUse(Frozen):
    """World end-use split in percent of refined demand; must add up to 100."""

    shares: dict[Sector, Percent]
    source: Source

    @model_validator(mode="after")
    def _adds_up(self) -> EndUse:
        total = sum(self.shares.values())
        if abs(total - 100.0) > 0.5:
            raise ValueError(f"end-use shares must add up to 100 %, got {total:g}")
        return self


class DemandGrowth(Frozen):
    """Annual growth of demand per sector, percent per year."""

    pct_per_year: dict[Sector, Annotated[float, Field(ge=-20, le=60)]]
    source: Source


class ReferenceShares(Frozen):
    """Reference country shares (percent of world) the firm content is calibrated to."""

    mine: dict[Slug, Percent]
    refining: dict[Slug, Percent]
    year: int
    source: Source

    @model_validator(mode="after")
    def _at_most_100(self) -> ReferenceShares:
        for stage, shares in (("mine", self.mine), ("refining", self.refining)):
            total = sum(shares.values())
            if total > 100.5:
                raise ValueError(f"{stage} shares add up to {total:g} %, over 100 %")
        return self


class Recycling(Frozen):
    eol_rate_pct: Percent = Field(description="end-of-life recycling rate today")
    max_rate_pct: Percent = Field(description="technical ceiling with full policy support")
    product_life_years: Annotated[float, Field(gt=0, le=40)]
    source: Source


class Substitution(Frozen):
    """How far demand can move away from the mineral when it is dear."""

    substitutability: Annotated[str, Field(pattern="^(low|low-medium|medium|medium-high|high)$")]
    long_run_elasticity: Annotated[float, Field(ge=0, le=2)]
    source: Source


class LeadTimes(Frozen):
    mine_years_min: Annotated[float, Field(gt=0, le=30)]
    mine_years_max: Annotated[float, Field(gt=0, le=30)]
    refinery_years_min: Annotated[float, Field(gt=0, le=15)]
    refinery_years_max: Annotated[float, Field(gt=0, le=15)]
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> LeadTimes:
        if self.mine_years_min > self.mine_years_max:
            raise ValueError("mine_years_min is above mine_years_max")
        if self.refinery_years_min > self.refinery_years_max:
            raise ValueError("refinery_years_min is above refinery_years_max")
        return self


class MarketParameters(Frozen):
    """Model parameters of the mineral's market (not real-world figures)."""

    demand_elasticity: Annotated[float, Field(gt=0, le=2)] = 0.3
    transport_cost_pct: Annotated[float, Field(ge=0, le=50)] = 3.0
    source: Source = "model assumption"


class Inventories(Frozen):
    """Commercial stocks of refined metal that manufacturers keep against interruptions."""

    cover_quarters: Annotated[float, Field(ge=0, le=8)] = Field(
        0.5, description="manufacturers' target stock, in quarters of the country's civil use"
    )
    refiner_ore_cover_quarters: Annotated[float, Field(ge=0, le=8)] = Field(
        0.25, description="refiners' target ore stock, in quarters of the ore their plants run"
    )
    source: Source = "model assumption"
    note: str = ""


class Mineral(Frozen):
    id: Slug
    name: str
    symbol: str
    unit: str = Field(description="what one tonne means, e.g. 't Li contained'")
    production: WorldProduction
    prices: Prices
    end_use: EndUse
    demand_growth: DemandGrowth
    reference_shares: ReferenceShares
    recycling: Recycling
    substitution: Substitution
    lead_times: LeadTimes
    market: MarketParameters = MarketParameters()
    inventories: Inventories = Inventories()
    note: str = ""
