"""Schema of a nation's objectives: the weights of the parts of its score.

A scenario lists `[objectives.<nation>]` tables; a nation without one plays by the default
weights of its doctrine (`DOCTRINE_OBJECTIVES`), so every nation always has a score. The
parts themselves (each on a 0–100 scale) are computed by `game.world.scoring`; here are only
the weights, which are relative: the score divides by their sum, so `40/20/...` and
`0.4/0.2/...` mean the same.

Revenue and leverage are two parts, not one: export earnings and the share of the others'
supply a nation could withhold move differently (an ore ban can cut the first and raise the
second), and the doctrines weight them differently.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from game.rules.ids import Doctrine, Frozen, Sector, Source

Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Part(StrEnum):
    """The parts of a score, in the order of the score arrays' last axis."""

    SUPPLY_SECURITY = "supply_security"
    ECONOMIC_COST = "economic_cost"
    REVENUE = "revenue"
    LEVERAGE = "leverage"
    BLOC_COHESION = "bloc_cohesion"
    TREASURY = "treasury"


PARTS: tuple[Part, ...] = tuple(Part)


class Objectives(Frozen):
    """What one nation plays for: relative weights of the score's parts.

    Parts left out weigh 0, so a table lists what the nation cares about. `sectors` weighs
    the end-use sectors inside supply security; sectors left out there weigh 1, so listing
    `defence = 3` alone means "defence counts three times as much as each other sector".
    """

    supply_security: Weight = 0.0
    economic_cost: Weight = 0.0
    revenue: Weight = 0.0
    leverage: Weight = 0.0
    bloc_cohesion: Weight = 0.0
    treasury: Weight = 0.0
    sectors: dict[Sector, Weight] = {}
    source: Source

    @model_validator(mode="after")
    def _something_counts(self) -> Objectives:
        if not any(w > 0 for w in self.weights()):
            names = ", ".join(p.value for p in PARTS)
            raise ValueError(f"at least one weight must be positive (of {names})")
        if self.supply_security > 0 and not any(w > 0 for w in self.sector_weights()):
            raise ValueError("supply_security has a weight but every sector in sectors weighs 0")
        return self

    def weights(self) -> tuple[float, ...]:
        """Weights in `PARTS` order (not normalised)."""
        return tuple(float(getattr(self, p.value)) for p in PARTS)

    def sector_weights(self) -> tuple[float, ...]:
        """Weights of the sectors in `Sector` order inside supply security (unlisted: 1)."""
        return tuple(float(self.sectors.get(s, 1.0)) for s in Sector)


def _default(doctrine: Doctrine, why: str, **weights: float) -> Objectives:
    source = f"model assumption: default for the {doctrine.value} doctrine ({why})"
    return Objectives(source=source, **weights)


DOCTRINE_OBJECTIVES: dict[Doctrine, Objectives] = {
    Doctrine.DOMINANT_REFINER: _default(
        Doctrine.DOMINANT_REFINER,
        "a refiner that sells to the world plays for its lever and its earnings",
        supply_security=15, economic_cost=5, revenue=25, leverage=35, bloc_cohesion=10, treasury=10,
    ),
    Doctrine.CONSUMER_ALLY: _default(
        Doctrine.CONSUMER_ALLY,
        "an importing manufacturer plays to keep its factories supplied, with its allies",
        supply_security=45, economic_cost=20, bloc_cohesion=25, treasury=10,
    ),
    Doctrine.RESOURCE_NATIONALIST: _default(
        Doctrine.RESOURCE_NATIONALIST,
        "a producer plays to capture more of the value of its ore",
        supply_security=5, economic_cost=5, revenue=50, leverage=20, bloc_cohesion=5, treasury=15,
    ),
    Doctrine.HEDGING_SWING: _default(
        Doctrine.HEDGING_SWING,
        "a swing state keeps several goals and no strong camp",
        supply_security=20, economic_cost=15, revenue=25, leverage=15, bloc_cohesion=10, treasury=15,
    ),
    Doctrine.PASSIVE: _default(
        Doctrine.PASSIVE,
        "no strategy of its own: every part counts the same",
        supply_security=1, economic_cost=1, revenue=1, leverage=1, bloc_cohesion=1, treasury=1,
    ),
}  # fmt: skip
"""Weights for a nation whose scenario gives it no objectives table."""
