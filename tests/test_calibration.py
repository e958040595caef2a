"""Long-run calibration: prices stay in a plausible band without orders, the world starts in
equilibrium with its starting policies, and a ban's spike decays as supply responds.

`python bench/calibration.py` prints the full 2026-2040 tables these properties summarise.
The runs here are shorter (eight years) to keep CI time down.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from game.content import Content, load_content
from game.lab.summary import price_index
from game.session import Game
from game.world.model import WorldModel

SCENARIO = "ministerial-2026"
YEARS = 8
TURNS = 4 * YEARS


@cache
def _content() -> Content:
    return load_content()


def _idle(content: Content) -> dict[str, None]:
    return dict.fromkeys(content.scenarios[SCENARIO].nations)


@cache
def _index(seed: int, ban: tuple[str, str, str] | None = None, turns: int = TURNS) -> np.ndarray:
    """(T, M) world price index of a no-orders run, optionally with a ban imposed at the start."""
    content = _content()
    game = Game(content, SCENARIO, seed=seed, controllers=_idle(content))
    if ban is not None:
        issuer, mineral, stage = ban
        order = {"kind": "export_control", "issuer": issuer, "mineral": mineral, "stage": stage}
        assert game.submit({**order, "instrument": "ban"}).accepted
    for _ in range(turns):
        game.play_turn()
    return price_index(game.world)


@pytest.mark.parametrize("seed", [0, 1])
def test_no_orders_prices_stay_in_a_plausible_band(seed: int) -> None:
    """Demand grows 5-20 % a year, yet with market-led mines, refineries and recyclers,
    substitution and recycling no mineral runs away: no year averages above 5x the
    reference (the DR Congo cobalt quota alone holds cobalt near 4x in 2026), and from the
    fourth year on every mineral's median index lies between 0.3x and 3x (before the market
    built capacity, lithium's median over 2029-2033 was about 4x and still rising; in the
    full run to 2040, bench/calibration.py, most years lie within 0.5-2.5x).

    A single quarter can spike higher, though never above 8x: China's rare-earth refining is
    two aggregated firms, which mothball together after two years of losses on a glutted
    home market and restart two quarters later, and the world's refined supply goes with
    them (4.4-7.0x at the peak over seeds 0-7)."""
    index = _index(seed)
    assert np.isfinite(index).all() and (index > 0).all()
    yearly = np.stack([index[t : t + 4].mean(axis=0) for t in range(len(index) - 3)])
    assert yearly.max() < 5.0, f"peak year {yearly.max():.2f}"
    assert index.max() < 8.0, f"peak quarter {index.max():.2f}"
    later = np.median(index[12:], axis=0)
    assert (later > 0.3).all() and (later < 3.0).all(), later


def test_turn_one_moves_are_small_without_news() -> None:
    """The spin-up starts the world at prices that clear under the starting controls, so
    with no event and no order the first turn moves every index by under 15 % (before it,
    cobalt jumped +320 % and gallium +100 % as 'market adjustment'). The bound is not
    tighter because cobalt's ore market runs a two-quarter cobweb of about +-12 % (refiners
    plan from the spread they expect, and DR Congo's quota makes supply rigid); the spin-up
    leaves it at some phase of that cycle."""
    content = _content()
    quiet = content.scenarios[SCENARIO].model_copy(update={"schedule": [], "random_events": []})
    world = WorldModel(content, quiet, seed=0)
    n = len(world.nation_ids)
    start = world.refined_paid[:, :n].mean(axis=1)
    world.step()
    moves = world.refined_paid[:, :n].mean(axis=1) / start - 1
    assert np.abs(moves).max() < 0.15, dict(zip(world.mineral_ids, np.round(moves, 3), strict=True))


def test_spin_up_is_deterministic_and_draws_nothing() -> None:
    """Two worlds of one seed hash the same, and the spin-up leaves the generator untouched."""
    content = _content()
    a, b = WorldModel(content, SCENARIO, seed=3), WorldModel(content, SCENARIO, seed=3)
    assert a.world_hash() == b.world_hash()
    fresh = np.random.default_rng(3)
    assert a.rng.random() == fresh.random()


def test_a_ban_spikes_the_price_and_the_spike_decays_as_supply_responds() -> None:
    """China bans refined gallium exports in 2026 Q1: the world index at least doubles over
    the no-ban run in the first year; six years on, new refineries outside China (announced by
    the market when margins soar) have brought it back under 1.5x the no-ban run."""
    turns = 24
    gallium = _content().scenarios[SCENARIO].minerals.index("gallium")
    base = _index(0, turns=turns)[:, gallium]
    banned = _index(0, ("china", "gallium", "refined"), turns=turns)[:, gallium]
    ratio = (banned / base).reshape(-1, 4).mean(axis=1)  # yearly means
    assert ratio[0] > 2.0, ratio
    assert ratio[-1] < 1.5 and ratio[-1] < 0.5 * ratio.max(), ratio
