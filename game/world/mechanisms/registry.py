"""Which lever checks, applies and prices each kind of order.

`LEVERS` maps each order type to its `Lever`, gathered from the mechanism modules; the order
desk (`game.world.mechanisms.desk`) is the only caller that applies them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules.orders import ORDER_TYPES, OrderBase
from game.world.mechanisms import (
    controls,
    deals,
    investment,
    messages,
    programmes,
    stockpiles,
    tariffs,
    zones,
)
from game.world.mechanisms.base import Lever, same, unknown_names

if TYPE_CHECKING:
    from game.world.state import WorldState

_FAMILIES = (messages, controls, tariffs, deals, zones, investment, stockpiles, programmes)
LEVERS: dict[type, Lever] = {kind: lever for family in _FAMILIES for kind, lever in family.LEVERS.items()}
assert set(LEVERS) == set(ORDER_TYPES), "every order type needs a lever"


def _checked(lever: Lever) -> Lever:
    """The lever's check, preceded by the checks every order shares."""

    def check(world: WorldState, order: OrderBase) -> str | None:
        unknown = unknown_names(world, order)
        if unknown:
            return f"{world.display(order.issuer)} cannot {lever.verb(order, world.label)}: {unknown}"
        return lever.check(world, order)

    return Lever(lever.phase, lever.verb, check, lever.apply, lever.cost)


LEVERS = {kind: _checked(lever) for kind, lever in LEVERS.items()}


def cost_of(world: WorldState, order: OrderBase) -> float:
    return float(LEVERS[type(order)].cost(world, order))


def describe(order: OrderBase, world: WorldState | None = None) -> str:
    """What the order does, in the world's names when `world` is given (else in ids)."""
    return LEVERS[type(order)].verb(order, same if world is None else world.label)


__all__ = ["LEVERS", "Lever", "cost_of", "describe"]
