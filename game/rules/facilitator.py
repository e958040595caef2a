"""What a wargame's facilitator may do to the world: inject an event (from the library or
composed on the spot) and send messages to teams.

These are not nations' orders (no budget, no consent, no relations), so they have their own
small union; like orders they are validated, queued, applied at the start of the next turn
and kept in the save's log, so a replay rebuilds the same world.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, model_validator

from game.rules.events import Event
from game.rules.ids import Frozen, Slug

FACILITATOR = "facilitator"


class InjectEvent(Frozen):
    kind: Literal["inject_event"] = "inject_event"
    event: Slug | None = None
    """An event of the content library, by id."""
    custom: Event | None = None
    """Or an event composed for the occasion (effects, news text)."""

    @model_validator(mode="after")
    def _one_event(self) -> InjectEvent:
        if (self.event is None) == (self.custom is None):
            raise ValueError("give either a library event id or a custom event")
        return self


class Broadcast(Frozen):
    kind: Literal["broadcast"] = "broadcast"
    to: list[Slug] = Field(default=[], max_length=64)
    """Nations to tell; empty: every team."""
    text: str = Field(min_length=1, max_length=1000)


FacilitatorAction = Annotated[InjectEvent | Broadcast, Field(discriminator="kind")]
FACILITATOR_ADAPTER: TypeAdapter[FacilitatorAction] = TypeAdapter(FacilitatorAction)
