"""Doctrines weigh their own losses: a producer does not cap its own ore exports when the
revenue its miners lose outweighs the value its refiners could add (Chile's AI capped its own
copper ore in turn 0 of every AI game, and Codelco closed), and still does where refining
adds most of the value."""

from __future__ import annotations

import pytest

from game.content import Content
from game.session import Game


def ore_controls(game: Game) -> set[tuple[str, str]]:
    return {
        (e.order.issuer, e.order.mineral)
        for e in game.order_log()
        if e.order.kind == "export_control" and e.order.stage.value == "ore"
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_chile_does_not_cap_its_own_copper_ore(content: Content, seed: int) -> None:
    game = Game(content, "ministerial-2026", seed=seed)
    for _ in range(3):
        game.play_turn()
    chosen = ore_controls(game)
    assert ("chile", "copper") not in chosen
    # the same doctrine still restricts ore where refining at home is worth more than the ore
    assert ("zimbabwe", "lithium") in chosen
