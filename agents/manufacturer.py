"""Manufacturers: the demand side, one agent per country and end-use sector."""

from __future__ import annotations

from agents._mesa import mesa
from game.rules import Sector


class Manufacturer(mesa.Agent):
    """The firms of one sector in one country, buying refined minerals.

    A view on the world's demand arrays (need, consumption and shortfall by mineral).
    """

    def __init__(self, model: mesa.Model, country: int, sector: Sector, sector_index: int) -> None:
        super().__init__(model)
        self.country = country
        self.sector = sector
        self.sector_index = sector_index

    def shortfall(self, mineral: int) -> float:
        """Tonnes this sector needed and did not get last turn."""
        return float(self.model.shortfall[mineral, self.country, self.sector_index])  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"Manufacturer({self.model.nation_ids[self.country]}, {self.sector.value})"  # type: ignore[attr-defined]
