"""What every lever shares: its place in the resolution order, and the checks common to all
orders (the issuer and everything the order names exist in this scenario)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from game.rules.orders import OrderBase

if TYPE_CHECKING:
    from game.world.state import WorldState

Check = Callable[["WorldState", Any], "str | None"]


def _free(world: WorldState, order: Any) -> float:
    return 0.0


@dataclass(frozen=True)
class Lever:
    """How one kind of order is checked, applied and priced.

    `check` returns the reason the order cannot be applied now (None when it can); `apply`
    assumes a passed check and may still refuse (returning a reason) before it changes
    anything; `cost` is what the issuer's treasury pays, in USD m.
    """

    phase: int
    verb: Callable[[Any], str]
    check: Check
    apply: Check
    cost: Callable[[WorldState, Any], float] = _free


NATION_FIELDS = ("targets", "origins", "invite", "to", "nation", "country", "buyer", "seller")


def unknown_names(world: WorldState, order: OrderBase) -> str | None:
    """The first thing the order names that this scenario does not have, as a reason."""
    if order.issuer not in world.nation_ids:
        return f"{order.issuer} is not a nation in this scenario"
    # Only the fields this kind of order has: getattr with a default on a field a pydantic
    # model lacks goes through an exception, and was most of the cost of a check.
    fields = type(order).model_fields
    mineral = order.mineral if "mineral" in fields else None  # type: ignore[attr-defined]
    if mineral is not None and mineral not in world.mineral_ids:
        return f"{mineral} is not traded in this scenario"
    for name in NATION_FIELDS:
        if name not in fields:
            continue
        value = getattr(order, name)
        for nation in [value] if isinstance(value, str) else value or []:
            if nation not in world.nation_ids:
                return f"{nation} is not a nation in this scenario"
    return None


def refuse(world: WorldState, order: OrderBase, verb: str, why: str) -> str:
    return f"{world.display(order.issuer)} cannot {verb}: {why}"
