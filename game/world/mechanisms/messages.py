"""Diplomatic messages: summits, promises and pressure move relations and bind nobody."""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules.orders import DiplomaticMessage, Tone
from game.world.mechanisms.base import Lever, refuse, same

if TYPE_CHECKING:
    from game.world.state import WorldState

SUMMIT_FLOOR = -50.0
"""Below this regard for the host, a nation does not come to a summit."""


def _check(world: WorldState, o: DiplomaticMessage) -> str | None:
    if o.issuer in o.to:
        return refuse(world, o, "send a message", "it cannot address itself")
    if len(set(o.to)) != len(o.to):
        return refuse(world, o, "send a message", "a recipient is listed twice")
    return None


def _apply(world: WorldState, o: DiplomaticMessage) -> None:
    d = world.diplomacy
    me = world.nation_index[o.issuer]
    for nation in o.to:
        if o.tone == Tone.SUMMIT:
            if d.relations[world.nation_index[nation], me] < SUMMIT_FLOOR:
                d.replies.append(
                    (
                        world.turn,
                        o.issuer,
                        f"{world.display(nation)} declined the summit: relations too poor.",
                    )
                )
                continue
            d.act(world.turn, nation, o.issuer, "summit")
        d.act(world.turn, o.issuer, nation, o.tone.value)
        world.messages.append((world.turn, o.issuer, nation, o.tone.value, o.text))


LEVERS = {DiplomaticMessage: Lever(0, lambda o, n=same: f"send a {o.tone.value} message", _check, _apply)}
