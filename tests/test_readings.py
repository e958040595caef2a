"""The doctrines' readings of the world (agents.doctrines.assess): the observations of a turn
share one reading of its public fields, and what each nation reads from it is what it would
compute from its own observation alone, bit for bit; an observation whose fields were
replaced by hand reads its own fields, not the turn's."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents.doctrines import assess
from agents.observation import Observation
from game.content import Content
from game.rules import Stage
from game.session import Game


@pytest.fixture(scope="module")
def turn(content: Content) -> list[Observation]:
    """Every nation's observation of one turn of the default scenario, controls in force."""
    game = Game(content, "ministerial-2026", seed=1)
    for _ in range(6):
        game.play_turn()
    return [game.observe(n) for n in game.world.nation_ids]


def readings(obs: Observation, content: Content) -> list[np.ndarray]:
    """Every array reading a doctrine takes (each read-only: the turn's doctrines share them)."""
    n = len(obs.nations)
    return [
        assess.supply_stress(obs, content),
        assess.controls_severity_on_me(obs),
        assess.rival_concentration(obs),
        assess.shortfall_ratio(obs),
        assess.price_ratio(obs, content),
        assess.hostility(obs),
        *(assess.consumption(obs, i) for i in range(n)),
    ]


def outputs(obs: Observation, content: Content) -> list[float]:
    return [assess.world_output(obs, content, m, s) for m in obs.minerals for s in Stage]


def test_shared_readings_are_each_nations_own(turn: list[Observation], content: Content) -> None:
    assert any(obs.controls for obs in turn), "the test needs controls in force"
    assert len({id(obs.shared) for obs in turn}) == 1, "the turn's observations share one dict"
    shared = [readings(obs, content) for obs in turn]
    alone = [readings(dataclasses.replace(obs, shared={}), content) for obs in turn]
    for obs, a, b in zip(turn, shared, alone, strict=True):
        for x, y in zip(a, b, strict=True):
            assert x.tobytes() == y.tobytes(), obs.nation
            assert not x.flags.writeable, "a reading shared by the turn must be read-only"
        assert outputs(obs, content) == outputs(dataclasses.replace(obs, shared={}), content)
    assert assess.turn_reading(turn[0]) is assess.turn_reading(turn[-1])


def test_a_replaced_field_is_read_not_the_turns(turn: list[Observation], content: Content) -> None:
    first = turn[0]
    assess.supply_stress(first, content)  # the turn's reading exists before the replacement
    share = first.refine_share.copy()
    share[:] = 0.0
    share[:, first.me] = 1.0  # we refine everything: nobody outside our camp holds a lever
    mine = dataclasses.replace(first, refine_share=share)
    assert mine.shared is first.shared
    assert assess.turn_reading(mine) is not assess.turn_reading(first)
    assert not assess.rival_concentration(mine).any()
    assert not assess.controls_severity_on_me(mine).any()
    fresh = dataclasses.replace(first, shared={})
    assert assess.rival_concentration(first).tobytes() == assess.rival_concentration(fresh).tobytes()
