"""A game: a world plus who decides for each nation.

Every nation is played by a controller (an AI doctrine, a script, an RL policy) or by
someone who submits orders from outside (a human at the UI, an external agent): for those
the controller is None. Each turn the controllers are asked in scenario order, their
orders go through the same desk as anyone's, then the world resolves the turn.
"""

from __future__ import annotations

from collections.abc import Mapping

from agents.controller import Controller, Level
from agents.doctrines import make_controller
from game.content import Content
from game.rules.orders import Order
from game.world.model import WorldModel
from game.world.orders import Verdict


def default_controllers(
    content: Content, world: WorldModel, seed: int, level: Level
) -> dict[str, Controller]:
    """Every nation on its content doctrine."""
    return {
        n: make_controller(content.nations[n].doctrine, n, level, seed, content) for n in world.nation_ids
    }


class Game:
    def __init__(
        self,
        content: Content,
        scenario: str,
        seed: int = 0,
        controllers: Mapping[str, Controller | None] | None = None,
        level: Level = Level.NORMAL,
    ) -> None:
        self.content = content
        self.seed = seed
        self.world = WorldModel(content, scenario, seed=seed)
        self.controllers: dict[str, Controller | None] = default_controllers(content, self.world, seed, level)
        self.controllers.update(controllers or {})
        self.controller_errors: list[tuple[int, str, str]] = []

    @property
    def turn(self) -> int:
        return self.world.turn

    @property
    def over(self) -> bool:
        return self.world.turn >= self.world.scenario.turns

    def submit(self, order: Order | dict | str) -> Verdict:
        return self.world.submit(order)

    def play_turn(self) -> None:
        """Ask every controller for its orders, then resolve the turn."""
        for nation in self.world.nation_ids:
            controller = self.controllers.get(nation)
            if controller is None:
                continue
            try:
                orders = controller.decide(self.world.observe(nation))
            except Exception as err:  # a broken script must not end the game
                self.controller_errors.append((self.world.turn, nation, f"{type(err).__name__}: {err}"))
                continue
            for order in orders:
                self.world.submit(order)
        self.world.step()
