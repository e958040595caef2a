"""What every lever shares: its place in the resolution order, the checks common to all
orders (the issuer and everything the order names exist in this scenario), and the one
tolerance every budget and stock comparison uses (`within`): the desk's checks, the lab's
masks and the forms that read a mechanism's facts compare amounts the same way."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from game.rules.orders import OrderBase

if TYPE_CHECKING:
    from game.world.state import WorldState

Check = Callable[["WorldState", Any], "str | None"]
Label = Callable[[str], str]
"""Names ids for a message: `WorldState.label` (display names), or `same` (the ids)."""

ISSUE_SLACK = 1e-9
"""An amount may exceed what is available by this much (rounding in the caller's sums)."""


def same(some_id: str) -> str:
    return some_id


def within(amount: float, available: float) -> bool:
    """Whether `amount` (a cost, tonnes to release) fits in `available`, to `ISSUE_SLACK`.
    Written as `not >`, as every check always was: a NaN amount fits (pydantic refuses NaN
    before an order reaches a check)."""
    return not amount > available + ISSUE_SLACK


def _free(world: WorldState, order: Any) -> float:
    return 0.0


@dataclass(frozen=True)
class Lever:
    """How one kind of order is checked, applied and priced.

    `check` returns the reason the order cannot be applied now (None when it can); `apply`
    assumes a passed check and may still refuse (returning a reason) before it changes
    anything; `cost` is what the issuer's treasury pays, in USD m. `verb` says what the order
    does ('impose a ban on refined gallium to Japan'), naming ids with the `Label` given.
    """

    phase: int
    verb: Callable[[Any, Label], str]
    check: Check
    apply: Check
    cost: Callable[[WorldState, Any], float] = _free


NATION_FIELDS = ("targets", "origins", "invite", "to", "nation", "country", "buyer", "seller")


@functools.cache
def _named_fields(kind: type[OrderBase]) -> tuple[bool, tuple[str, ...]]:
    """Whether orders of `kind` name a mineral, and which of `NATION_FIELDS` they have: only
    those are read (getattr with a default on a field a pydantic model lacks goes through an
    exception, and was most of the cost of a check), and the answer is the same for every
    order of a kind, so it is worked out once per kind."""
    fields = kind.model_fields
    return "mineral" in fields, tuple(name for name in NATION_FIELDS if name in fields)


def unknown_names(world: WorldState, order: OrderBase) -> str | None:
    """The first thing the order names that this scenario does not have, as a reason."""
    nations = world.nation_ids
    if order.issuer not in nations:
        return f"{order.issuer} is not a nation in this scenario"
    has_mineral, nation_fields = _named_fields(type(order))
    mineral = order.mineral if has_mineral else None  # type: ignore[attr-defined]
    if mineral is not None and mineral not in world.mineral_ids:
        return f"{mineral} is not traded in this scenario"
    for name in nation_fields:
        value = getattr(order, name)
        for nation in [value] if isinstance(value, str) else value or []:
            if nation not in nations:
                return f"{nation} is not a nation in this scenario"
    return None


def refuse(world: WorldState, order: OrderBase, verb: str, why: str) -> str:
    return f"{world.display(order.issuer)} cannot {verb}: {why}"
