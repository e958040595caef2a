"""Licensing set by its issuer: the approval rate of the order caps what passes, what passes
below that cap follows demand and price, and approvals move with relations."""

from __future__ import annotations

import numpy as np
import pytest

from game.content import load_content
from game.net.codec import decode_observation, encode_observation
from game.rules import ExportControl, Instrument, Stage
from game.session import Game
from game.world.model import WorldModel
from game.world.record import CAUSES

CN, JP = "china", "japan"


@pytest.fixture(scope="module")
def content():
    return load_content()


def _licence(rate: float, mineral: str = "rare_earths") -> ExportControl:
    return ExportControl(
        issuer=CN,
        mineral=mineral,
        stage=Stage.REFINED,
        instrument=Instrument.LICENSING,
        targets=[JP],
        approval_rate=rate,
    )


def _licensed(content, rate: float, turns: int = 3, then=None) -> WorldModel:
    """The tutorial, two turns of free trade, then China's licence on Japan. Manufacturers
    keep no stocks here, so what passes is the licence's doing (stocks drawn when access is
    cut would blur it; tests/test_inventories.py covers them)."""
    world = WorldModel(content, "tutorial", seed=0)
    s = world.state
    s.inventory_cover[:] = 0.0
    s.inventory[:] = 0.0
    for _ in range(2):
        world.step()
    world.impose_control(_licence(rate))
    if then is not None:
        then(world)
    for _ in range(turns):
        world.step()
    return world


def _on_japan(world: WorldModel):
    """Our licence (the tutorial's China may license everyone as well)."""
    (licence,) = [
        a
        for a in world.matching_controls(CN, "rare_earths", Stage.REFINED, Instrument.LICENSING)
        if a.spec.targets == [JP]
    ]
    return licence


def _route(world: WorldModel) -> tuple[int, int, int]:
    return world.mineral_index("rare_earths"), world.nation_ids.index(CN), world.nation_ids.index(JP)


def test_a_lower_approval_rate_lets_fewer_tonnes_through(content):
    loose, tight = _licensed(content, 0.8), _licensed(content, 0.4)
    m, cn, jp = _route(loose)
    first = tight.records[2].refined_flow[m, cn, jp], loose.records[2].refined_flow[m, cn, jp]
    assert first[0] < 0.6 * first[1]  # half the approvals, about half the tonnes
    # later the tutorial's own licensing of everyone binds both; ours still grants less
    assert _on_japan(tight).licensed[JP] < 0.6 * _on_japan(loose).licensed[JP]
    licence = _on_japan(tight)
    assert licence.approval[JP] == pytest.approx(0.4, abs=0.05)  # the policy's rate, relations at rest
    assert tight.records[-1].refined_flow[m, cn, jp] <= licence.licensed[JP] * (1 + 1e-12)


def test_with_room_under_the_licence_a_dearer_market_draws_more_tonnes(content):
    """A licence approved in full leaves room: when Japan's buyers want more and bid the price
    up, more passes (a fixed tonnage would have held it where it was)."""

    def boom(world: WorldModel) -> None:
        m, _, jp = _route(world)
        world.state.demand_shock[m, jp, :] *= 1.5

    # one turn: the tutorial's own licensing of everyone comes later
    calm, booming = _licensed(content, 1.0, turns=1), _licensed(content, 1.0, turns=1, then=boom)
    m, cn, jp = _route(calm)
    assert booming.records[-1].refined_paid[m, jp] > calm.records[-1].refined_paid[m, jp]
    assert booming.records[-1].refined_flow[m, cn, jp] > 1.1 * calm.records[-1].refined_flow[m, cn, jp]
    assert booming.records[-1].refined_flow[m, cn, jp] <= _on_japan(booming).licensed[JP] * (1 + 1e-12)


def test_worse_relations_lower_an_issuers_approvals_and_the_move_is_explained(content):
    world = _licensed(content, 0.5, turns=2)
    m, cn, jp = _route(world)
    licence = _on_japan(world)
    before = licence.approval[JP]
    granted = world.records[-1].refined_flow[m, cn, jp]
    world.state.diplomacy.relations[cn, jp] -= 60.0  # Beijing's view of Tokyo sours
    world.step()
    assert licence.approval[JP] < 0.8 * before
    assert world.records[-1].refined_flow[m, cn, jp] < granted
    rows = {r.cause: r.share for r in world.records[-1].explanations.cell(m, 1, jp)}
    assert rows.get("licence_approvals", 0.0) > 0.05, rows
    assert "licence_approvals" in CAUSES


def test_the_approval_rate_has_a_default_and_old_saves_name_it_pass_share():
    control = ExportControl(
        issuer=CN, mineral="gallium", stage=Stage.REFINED, instrument=Instrument.LICENSING
    )
    assert 0 < (control.approval_rate or 0) < 1
    old = ExportControl.model_validate(
        {"issuer": CN, "mineral": "gallium", "stage": "refined", "instrument": "licensing", "pass_share": 0.3}
    )
    assert old.approval_rate == 0.3
    with pytest.raises(ValueError, match="approval_rate"):
        ExportControl(
            issuer=CN, mineral="gallium", stage=Stage.REFINED, instrument=Instrument.BAN, approval_rate=0.5
        )
    assert np.isfinite(control.approval_rate or 0)


def test_observations_show_each_targets_approval_rate_and_travel_as_json(content):
    world = _licensed(content, 0.5, turns=1)
    seen = world.observe(JP)
    rate = seen.approval(CN, "rare_earths", "refined", JP)
    assert rate == _on_japan(world).approval[JP]
    assert seen.approval(CN, "rare_earths", "refined", "china") is None
    assert decode_observation(encode_observation(seen)).approval(CN, "rare_earths", "refined", JP) == rate


def test_an_ai_issuer_approves_fewer_licences_for_a_nation_it_has_fallen_out_with(content):
    """Ministerial 2026, every nation on its AI: China licenses gallium to everyone; once
    Beijing's view of Tokyo sours, Japan's applications fare worse than Europe's."""
    game = Game(content, "ministerial-2026", seed=1)
    game.play_turn()
    world = game.world
    cn, jp = world.nation_ids.index(CN), world.nation_ids.index(JP)
    world.state.diplomacy.relations[cn, jp] -= 50.0
    game.play_turn()
    seen = world.observe(JP)
    japan = seen.approval(CN, "gallium", "refined", JP)
    europe = seen.approval(CN, "gallium", "refined", "european_union")
    assert japan is not None and europe is not None
    assert japan < 0.85 * europe
