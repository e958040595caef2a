"""Mass balance holds exactly (1e-9 relative) in every country, mineral, stage and turn:
production + imports = consumption + exports + stock change + inventory change, with offtake
deals, licensed, defence, stockpile and manufacturers' inventory flows included; and the
stocks the world holds (stockpiles, refiners' and manufacturers' inventories) move by exactly
what the balances say."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.firms import REFINERY
from game.content import Content
from game.rules import Stage
from game.rules.orders import DealKind, ProposeDeal
from game.session import Game
from game.world.economy import demand
from game.world.mechanisms.trade import routes_of
from game.world.model import WorldModel

REL = 1e-9


def residuals(world: WorldModel) -> list[tuple[str, int, np.ndarray, np.ndarray]]:
    """(stage, turn, residual (M, N), scale (M, N)) of every record's balance."""
    out = []
    for r in world.records:
        for stage, flow, production, use, stock in (
            (
                "ore",
                r.ore_flow,
                r.ore_production,
                r.ore_intake - r.ore_inventory_change,  # into the plants
                r.ore_inventory_change,
            ),
            (
                "refined",
                r.refined_flow,
                r.refined_production,
                r.consumption.sum(axis=2),
                r.refined_stock_change + r.inventory_change,
            ),
        ):
            domestic = np.einsum("mnn->mn", flow)
            imports, exports = flow.sum(axis=1) - domestic, flow.sum(axis=2) - domestic
            residual = production + imports - exports - use - stock
            scale = production + flow.sum(axis=1) + flow.sum(axis=2) + np.abs(stock) + 1.0
            out.append((stage, r.turn, residual, scale))
    return out


def assert_balanced(world: WorldModel) -> None:
    for stage, turn, residual, scale in residuals(world):
        worst = np.unravel_index(np.argmax(np.abs(residual) / scale), residual.shape)
        m, n = worst
        assert abs(residual[worst]) <= REL * scale[worst], (
            f"turn {turn} {stage} {world.mineral_ids[m]} {world.nation_ids[n]}: "
            f"{residual[worst]:.6g} t unaccounted"
        )
        # Each market as a whole: what was made is what was used or stored.
        assert np.all(np.abs(residual.sum(axis=1)) <= REL * scale.sum(axis=1))


def play_checking_stocks(game: Game, turns: int) -> None:
    """Play, checking that the stockpiles, refiners' and manufacturers' inventories held
    move by exactly the stock and inventory changes each turn's record states."""
    world = game.world
    for _ in range(turns):
        if game.over:
            break
        before = world.stockpile.T.copy() + _inventories(world)
        held, ore_held = world.inventory.copy(), world.ore_inventory.copy()
        game.play_turn()
        after = world.stockpile.T + _inventories(world)
        record = world.records[-1]
        change = record.refined_stock_change
        np.testing.assert_allclose(after - before, change, rtol=REL, atol=REL * (1 + np.abs(before).max()))
        np.testing.assert_allclose(
            world.inventory - held, record.inventory_change, rtol=REL, atol=REL * (1 + held.max())
        )
        assert np.all(world.inventory >= -REL * (1 + held.max())), "a stock went below zero"
        # refiners' ore stocks move by what they bought less what went into their plants,
        # which is exactly what the plants took in
        scale = REL * (1 + ore_held.max() + record.ore_intake.max())
        np.testing.assert_allclose(
            world.ore_inventory - ore_held, record.ore_inventory_change, rtol=REL, atol=scale
        )
        into_plants = _by_cell(world, np.where(world.firms.kind == REFINERY, world.firms.output, 0.0))
        np.testing.assert_allclose(
            into_plants, record.ore_intake - record.ore_inventory_change, rtol=REL, atol=scale
        )
        assert np.all(world.ore_inventory >= -scale), "an ore stock went below zero"


def _by_cell(world: WorldModel, weights: np.ndarray) -> np.ndarray:
    """(M, N) a firm column summed by mineral and country."""
    t = world.firms
    n_nat, n_min = len(world.nation_ids), len(world.mineral_ids)
    cell = t.mineral * n_nat + t.country
    return np.bincount(cell, weights=weights, minlength=n_min * n_nat).reshape(n_min, n_nat)


def _inventories(world: WorldModel) -> np.ndarray:
    return _by_cell(world, np.where(world.firms.kind == REFINERY, world.firms.inventory, 0.0))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scenario=st.sampled_from(["ministerial-2026", "rare-earth-2010", "lithium-2021", "tutorial"]),
    seed=st.integers(0, 2**16),
    turns=st.integers(2, 8),
)
def test_mass_balance_is_exact_in_games_with_ai(
    content: Content, scenario: str, seed: int, turns: int
) -> None:
    """Every nation on its AI doctrine (controls, licences, deals, stockpiles, investment)."""
    game = Game(content, scenario, seed=seed)
    play_checking_stocks(game, turns)
    assert_balanced(game.world)


def test_deal_tonnes_a_buyer_does_not_want_are_stored_not_lost(content: Content) -> None:
    """An offtake deal that delivers refined metal to a country whose industry needs none of
    it (the leak seen for the UK's and India's gallium): the tonnes land in its stockpile."""
    idle = dict.fromkeys(content.scenarios["ministerial-2026"].nations)
    game = Game(content, "ministerial-2026", seed=3, controllers=idle)
    world = game.world
    civil = demand.civil_need(world.need)
    # the buyer and mineral with the least civil need, and the largest refiner of it abroad
    m, b = np.unravel_index(np.argmin(civil / (civil.sum(axis=1, keepdims=True) + 1e-9)), civil.shape)
    world.need[m, b, :] = 0.0
    world.base_need[m, b, :] = 0.0
    mineral, buyer = world.mineral_ids[m], world.nation_ids[b]
    t = world.firms
    mine = (t.mineral == m) & (t.kind == REFINERY)
    prod = np.bincount(t.country[mine], weights=t.capacity[mine], minlength=len(world.nation_ids))
    prod[b] = 0.0
    prod[~routes_of(world.state, Stage.REFINED).open[m, :, b]] = 0.0  # a seller that may sell to it
    seller = world.nation_ids[int(np.argmax(prod))]
    terms = ProposeDeal(
        issuer=buyer,
        deal=DealKind.OFFTAKE,
        buyer=buyer,
        seller=seller,
        mineral=mineral,
        stage=Stage.REFINED,
        tonnes_per_turn=0.2 * prod.max(),
        duration_turns=8,
    )
    world.diplomacy.sign(world.turn, terms)
    held = world.stockpile[b, m]
    play_checking_stocks(game, 3)
    delivered = sum(r.refined_flow[m, :, b].sum() for r in world.records)
    assert delivered > 0
    assert world.stockpile[b, m] > held
    assert_balanced(world)


@pytest.mark.parametrize("scenario", ["ministerial-2026"])
def test_world_balance_sums_to_zero_over_countries(content: Content, scenario: str) -> None:
    """Summed over countries, imports equal exports, so each market's production equals its
    consumption plus stock change (the country check above, aggregated)."""
    game = Game(content, scenario, seed=11)
    play_checking_stocks(game, 4)
    # manufacturers' and refiners' ore stocks moved: the balances are checked with them in
    assert any(np.abs(r.inventory_change).max() > 0 for r in game.world.records)
    assert any(np.abs(r.ore_inventory_change).max() > 0 for r in game.world.records)
    for r in game.world.records:
        total = (
            r.refined_production.sum(axis=1)
            - r.consumption.sum(axis=(1, 2))
            - r.refined_stock_change.sum(axis=1)
            - r.inventory_change.sum(axis=1)
        )
        assert np.all(np.abs(total) <= REL * (r.refined_production.sum(axis=1) + 1.0))
