"""Broken facilitator actions given to a running game (`Game.facilitate`, as the console
does): each is refused with a reason naming the field, nothing is queued, and the game
plays on. (Broken actions inside a save are in test_fuzz_saves.)"""

from __future__ import annotations

import random

from game.content import Content
from game.session import Game
from tests.fuzz.harness import count, rng_for
from tests.fuzz.test_fuzz_saves import bad_effect, custom_event


def broken_action(rng: random.Random) -> tuple[str, object, str]:
    """(how, the action, a field its refusal must name)."""
    kind = rng.randrange(6)
    if kind <= 2:
        name, effect, field = bad_effect(rng)
        return f"event: {name}", custom_event([effect]), f"effects[0].{field}"
    if kind == 3:
        return "unknown library event", {"kind": "inject_event", "event": "no_such_event"}, "no_such_event"
    if kind == 4:
        stranger = rng.choice(["atlantis", "chile"])
        return "broadcast to a stranger", {"kind": "broadcast", "to": [stranger], "text": "hi"}, stranger
    action = rng.choice(
        [
            ({"kind": "broadcast", "text": ""}, "text"),
            ({"kind": "broadcast", "text": "x" * 1001}, "text"),
            ({"kind": "inject_event"}, "custom"),
            ({"kind": "rewind", "to": 1}, "action"),
            (
                custom_event(
                    [{"type": "stockpile", "nation": "japan", "mineral": "lithium", "target_tonnes": -1}]
                ),
                "target_tonnes",
            ),
            (custom_event([{"type": "meteor", "mineral": "lithium"}]), "effects.0"),
        ]
    )
    return "malformed", action[0], action[1]


def test_broken_facilitator_actions_are_refused_naming_the_field(fuzz_content: Content) -> None:
    game = Game(fuzz_content, "tutorial", seed=1)
    failures = []
    for i in range(count(150)):
        how, action, field = broken_action(rng_for("facilitator", i))
        try:
            verdict = game.facilitate(action)  # type: ignore[arg-type]
        except Exception as exc:  # the contract: a verdict, never an exception
            failures.append(f"facilitator#{i} ({how}): raised {type(exc).__name__}: {exc}")
            continue
        if verdict.accepted or field not in verdict.reason:
            failures.append(f"facilitator#{i} ({how}): {verdict}")
    assert not game.world.facilitator_queue, "a refused action was queued"
    game.play_turn()  # and the game goes on
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} failures)"
