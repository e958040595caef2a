"""The facilitator's hand on the world: events injected from the library (or written on the
spot) and messages, checked when given and applied at the start of the next turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from game.content import event_problems
from game.rules.facilitator import FACILITATOR_ADAPTER, Broadcast, FacilitatorAction, InjectEvent
from game.world.mechanisms.desk import Verdict
from game.world.mechanisms.effects import apply_event

if TYPE_CHECKING:
    from game.world.state import WorldState


def facilitate(s: WorldState, action: FacilitatorAction | dict) -> Verdict:
    """Queue a facilitator's action for the start of the next turn, or refuse it."""
    try:
        parsed = FACILITATOR_ADAPTER.validate_python(action) if isinstance(action, dict) else action
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "action"
        return Verdict(False, f"not a valid facilitator action: {where}: {first['msg']}")
    if isinstance(parsed, InjectEvent) and parsed.event is not None and parsed.event not in s.content.events:
        return Verdict(False, f"there is no event {parsed.event} in the library")
    if isinstance(parsed, InjectEvent) and parsed.custom is not None:
        problems = event_problems(parsed.custom, s.content, s.scenario.id)
        if problems:
            return Verdict(False, f"custom.{problems[0][0]}: {problems[0][1]}")
    if isinstance(parsed, Broadcast):
        unknown = [n for n in parsed.to if n not in s.nation_ids]
        if unknown:
            return Verdict(False, f"{unknown[0]} is not a nation in this scenario")
    s.facilitator_queue.append(parsed)
    return Verdict(True)


def step(s: WorldState) -> None:
    for action in s.facilitator_queue:
        s.facilitator_log.append((s.turn, action))
        if isinstance(action, InjectEvent):
            event = s.content.events[action.event] if action.event else action.custom
            apply_event(s, event, "facilitator")
        else:
            for nation in action.to or s.nation_ids:
                s.diplomacy.replies.append((s.turn, nation, f"Facilitator: {action.text}"))
    s.facilitator_queue = []
