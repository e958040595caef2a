"""Nations: the actors of the game. Their numbers live in world arrays indexed by `index`."""

from __future__ import annotations

from agents._mesa import mesa
from game.rules import Doctrine
from game.rules import Nation as NationSpec


class Nation(mesa.Agent):
    """A nation (or bloc) in the scenario: holds demand, stockpiles and treasury by index.

    Its decisions arrive as orders (from a player, an AI doctrine or a script); until then
    it keeps the policies the scenario puts in force.
    """

    def __init__(self, model: mesa.Model, index: int, spec: NationSpec) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.nation_id = spec.id
        self.name = spec.name

    @property
    def doctrine(self) -> Doctrine:
        return self.spec.doctrine

    @property
    def treasury_usd_m(self) -> float:
        return float(self.model.treasury[self.index])  # type: ignore[attr-defined]

    def stockpile(self, mineral: str) -> float:
        world = self.model
        return float(world.stockpile[self.index, world.mineral_index(mineral)])  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"Nation({self.nation_id})"
