"""AI doctrines: how a nation the player does not steer plays the game.

`make_controller` builds the controller for a nation's doctrine (from its content file, or
one chosen by the scenario or the user); every doctrine decides through the same
`Controller.decide(observation) -> list[Order]` as a human or a script, and is
deterministic given its seed.

- dominant_refiner: export controls as an escalation ladder (agents/doctrines/dominant_refiner.py)
- consumer_ally: zones, stockpiles, offtakes and investment (consumer_ally.py)
- resource_nationalist: ore export bans and the best bidder (resource_nationalist.py)
- hedging_swing: options kept open with both camps (hedging_swing.py)
- passive: keeps the policies in force (`agents.controller.Idle`)
"""

from __future__ import annotations

from agents.controller import Controller, Idle, Level
from agents.doctrines.base import DoctrineController, order_cost
from agents.doctrines.consumer_ally import ConsumerAlly
from agents.doctrines.dominant_refiner import DominantRefiner
from agents.doctrines.hedging_swing import HedgingSwing
from agents.doctrines.resource_nationalist import ResourceNationalist
from game.content import Content
from game.rules import Doctrine

DOCTRINES: dict[Doctrine, type[DoctrineController]] = {
    Doctrine.DOMINANT_REFINER: DominantRefiner,
    Doctrine.CONSUMER_ALLY: ConsumerAlly,
    Doctrine.RESOURCE_NATIONALIST: ResourceNationalist,
    Doctrine.HEDGING_SWING: HedgingSwing,
}


def make_controller(doctrine: Doctrine, nation: str, level: Level, seed: int, content: Content) -> Controller:
    """The AI controller of `nation` playing `doctrine` at `level`.

    `seed` is the game's seed: each nation derives its own generator from it and its id, so
    two nations never share a random stream and adding a nation changes no one else's.
    """
    doctrine = Doctrine(doctrine)
    if doctrine == Doctrine.PASSIVE:
        return Idle(nation)
    return DOCTRINES[doctrine](nation, Level(level), seed, content)


__all__ = [
    "DOCTRINES",
    "ConsumerAlly",
    "DoctrineController",
    "DominantRefiner",
    "HedgingSwing",
    "ResourceNationalist",
    "make_controller",
    "order_cost",
]
