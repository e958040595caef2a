"""Schema of project templates (`content/projects.toml`): what an investment builds.

Lead times are in quarters (turns) because projects advance once per turn.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveFloat, model_validator

from game.rules.ids import FirmKind, Frozen, Slug, Source

Probability = Annotated[float, Field(ge=0, le=1)]


class ProjectTemplate(Frozen):
    id: Slug
    kind: FirmKind
    mineral: Slug
    capacity_tpy: PositiveFloat
    capex_usd_per_tpy: PositiveFloat = Field(description="capital cost per t/yr of capacity")
    unit_cost_usd_per_t: PositiveFloat
    lead_time_quarters_min: Annotated[int, Field(ge=1, le=120)]
    lead_time_quarters_max: Annotated[int, Field(ge=1, le=120)]
    delay_probability: Probability = Field(description="chance per turn of a one-turn slip")
    cancel_probability: Probability = Field(description="chance over the project's life")
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> ProjectTemplate:
        if self.lead_time_quarters_min > self.lead_time_quarters_max:
            raise ValueError("lead_time_quarters_min is above lead_time_quarters_max")
        return self

    def capex_usd_m(self, share_pct: float = 100.0) -> float:
        """What a `share_pct` stake in one plant of this template costs, USD m: the one
        figure the order desk charges, the doctrines budget and the forms show."""
        return self.capex_usd_per_tpy * self.capacity_tpy / 1e6 * share_pct / 100


class ProjectFile(Frozen):
    template: list[ProjectTemplate] = Field(min_length=1)
