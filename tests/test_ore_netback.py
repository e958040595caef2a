"""Ore priced by netback: refiners value a contained tonne of ore at the refined price they
expect less their conversion cost, so ore is not dearer than the metal made from it, and an
ore exporter feels its own ban as a fall in its own ore price."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.firms import REFINERY
from game.content import Content
from game.rules.orders import ImposeExportControl
from game.session import Game
from game.world.economy import supply
from game.world.model import WorldModel


def netback_now(world: WorldModel) -> np.ndarray:
    """(M, N) what the refiners of each country can pay for ore this turn (the model's own
    netback: the refined price they expect, never above the dearest buyer's, less their
    conversion cost)."""
    t = world.firms
    n_nat, n_min = len(world.nation_ids), len(world.mineral_ids)
    w = np.where(t.kind == REFINERY, t.available(), 0.0)
    cap = np.bincount(t.mineral * n_nat + t.country, weights=w, minlength=n_min * n_nat)
    return supply.netback(world.state, cap.reshape(n_min, n_nat))


@settings(max_examples=4, deadline=None)
@given(
    scenario=st.sampled_from(["ministerial-2026", "rare-earth-2010", "lithium-2021"]),
    seed=st.integers(0, 999),
)
def test_ore_is_never_dearer_than_refined_where_nobody_curtails_ore(
    content: Content, scenario: str, seed: int
) -> None:
    """Nobody on AI (the scenario's own controls stand): where refiners bought ore, what they
    paid per contained tonne stays under the refined price at home, from the start on."""
    idle = dict.fromkeys(content.scenarios[scenario].nations)
    game = Game(content, scenario, seed=seed, controllers=idle)
    world = game.world
    n_nat = len(world.nation_ids)
    for _ in range(10):
        game.play_turn()
        r = world.records[-1]
        bought = r.ore_intake > 0
        over = bought & (r.ore_paid > r.refined_paid[:, :n_nat])
        assert not over.any(), [
            (world.mineral_ids[m], world.nation_ids[n]) for m, n in zip(*np.nonzero(over), strict=True)
        ]


def test_the_start_prices_ore_under_refined(content: Content) -> None:
    """Cobalt ore opened at 1.7-1.8 x refined: in the first turn every country's refiners pay
    for ore less than the refined price at home, and no more than its netback (with the 2 %
    the demand curve's soft ceiling lets through)."""
    for scenario in ("ministerial-2026", "rare-earth-2010", "lithium-2021"):
        game = Game(content, scenario, seed=0, controllers=dict.fromkeys(content.scenarios[scenario].nations))
        world = game.world
        netback = netback_now(world)  # what the refiners bid from in turn 1
        game.play_turn()
        r = world.records[-1]
        bought = r.ore_intake > 0
        assert np.all(r.ore_paid[bought] < r.refined_paid[:, : len(world.nation_ids)][bought]), scenario
        assert np.all(r.ore_paid[bought] <= 1.02 * netback[bought]), scenario


def test_an_ore_exporter_feels_its_own_ban_as_a_fall_in_its_price(content: Content) -> None:
    """Chile bans copper ore exports: its ore can only go to its own refiners, who pay no more
    than their netback, so Chile's ore price falls against the same game without the ban."""
    scenario = "ministerial-2026"
    idle = dict.fromkeys(content.scenarios[scenario].nations)
    prices = []
    for ban in (False, True):
        game = Game(content, scenario, seed=2, controllers=idle)
        if ban:
            verdict = game.submit(
                ImposeExportControl(issuer="chile", mineral="copper", stage="ore", instrument="ban")
            )
            assert verdict.accepted, verdict
        for _ in range(3):
            game.play_turn()
        world = game.world
        prices.append(world.ore_price[world.mineral_index("copper"), world.nation_index["chile"]])
    assert prices[1] < 0.9 * prices[0]
