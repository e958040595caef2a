"""Firms as cost curves: an aggregated national firm idles its dearest plants step by step
when losses last, shuts only when every plant is idle, and brings plants back after a year of
margins that cover them, at a cost; a big firm never goes running -> shut -> running within a
year."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.firms import (
    CLOSE_AFTER_LOSS_TURNS,
    IDLE_STEP,
    MINE,
    RESTART_COST_SHARE,
    RESTART_LAG,
    FirmTable,
    close_and_restart,
)
from game.content import Content
from game.session import Game

YEAR = 4


def table(n: int) -> FirmTable:
    return FirmTable(
        kind=np.full(n, MINE),
        mineral=np.zeros(n, dtype=np.int64),
        country=np.arange(n, dtype=np.int64),
        owner=np.arange(n, dtype=np.int64),
        capacity=np.full(n, 100.0),
        unit_cost=np.full(n, 1000.0),
        active=np.ones(n, dtype=bool),
        shock=np.ones(n),
    )


@settings(max_examples=60, deadline=None)
@given(
    margins=st.lists(st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3), min_size=4, max_size=30),
    losses=st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=30, max_size=30),
)
def test_no_firm_flips_within_a_year_and_idling_is_gradual(margins, losses) -> None:
    t = table(3)
    history = [t.active.copy()]
    for turn, margin in enumerate(margins):
        t.margin_avg = np.asarray(margin)
        t.profit = np.where(losses[turn], -1.0, 1.0) * t.available()
        idle_before = t.idle.copy()
        close_and_restart(t)
        assert np.all((t.idle >= 0) & (t.idle <= 1))
        # plants go idle or come back a step at a time (a shut firm is all idle)
        assert np.all(np.abs(t.idle - idle_before) <= IDLE_STEP + 1e-12)
        history.append(t.active.copy())
    h = np.array(history)
    for f in range(3):
        for i in np.flatnonzero(h[:-1, f] & ~h[1:, f]):  # shut at i + 1
            assert not h[i + 2 : i + 1 + YEAR, f].any(), (
                f"firm {f} shut at {i + 1} and ran again within a year"
            )


def test_two_years_of_losses_idle_one_step_a_turn_even_where_the_cost_curve_asks_more() -> None:
    """Both reasons to idle (the cost curve after sustained losses, and two years of losses)
    can hold in one turn: the firm still idles a single step (they once added up to two)."""
    t = table(1)
    t.margin_avg = np.array([-1.0])
    for turn in range(CLOSE_AFTER_LOSS_TURNS + 3):
        t.profit = -t.available()  # every plant loses, so the curve wants them all idle
        before = t.idle.copy()
        close_and_restart(t)
        if t.active[0]:
            assert t.idle[0] - before[0] <= IDLE_STEP + 1e-12, f"turn {turn}: {before[0]} -> {t.idle[0]}"


def test_a_loss_idles_the_dearest_plants_not_the_firm() -> None:
    """At a price that just covers the firm's mean cost, half its plants lose: after a while
    about half its capacity is idle, none of it shut; when the price recovers, the plants come
    back after RESTART_LAG turns, and the restart is paid for."""
    t = table(1)
    for _ in range(20):
        t.margin_avg = np.array([0.0])
        t.profit = np.where(t.idle < 0.5, -1.0, 1.0) * t.available()  # the cheaper half pays
        close_and_restart(t)
    assert t.active[0]
    assert abs(t.idle[0] - 0.5) < 1e-9
    waited = 0
    while t.idle[0] > 0 and waited < 20:
        t.margin_avg = np.array([0.5])
        t.profit = t.available()
        close_and_restart(t)
        waited += 1
        if t.restart_cost[0] > 0:
            back = t.restart_cost[0] / (RESTART_COST_SHARE * t.unit_cost[0] * t.capacity[0])
            assert back <= IDLE_STEP + 1e-12
    assert waited >= RESTART_LAG
    assert t.idle[0] == 0


def test_big_firms_do_not_flip_in_a_default_game_with_ai(content: Content) -> None:
    """The games where Codelco, Grasberg and China's refiners shut together and reopened a
    quarter later: no firm holding over 20 % of its market's capacity goes running -> shut ->
    running within a year."""
    game = Game(content, "ministerial-2026", seed=5)
    world = game.world
    history = []
    for _ in range(24):
        game.play_turn()
        history.append(world.firms.active.copy())
    t = world.firms
    n = len(history[0])
    key = t.mineral[:n] * 3 + t.kind[:n]
    share = t.capacity[:n] / np.bincount(key, weights=t.capacity[:n])[key]
    h = np.array([a[:n] for a in history])
    for f in np.flatnonzero(share > 0.2):
        for i in np.flatnonzero(h[:-1, f] & ~h[1:, f]):
            assert not h[i + 2 : i + 1 + YEAR, f].any(), world.firm_names[f]


def test_an_expansion_is_news_under_the_firms_name_not_its_id(content: Content) -> None:
    from game.world.economy.firms import announce_expansion
    from game.world.model import WorldModel

    world = WorldModel(content, "ministerial-2026", seed=0)
    s = world.state
    rows = [r for r in range(len(s.firms)) if not s.firms.expanding[r]]
    before = len(s.pipeline.names)
    for r in rows:
        announce_expansion(s, r)
        if len(s.pipeline.names) > before:
            firm_id, firm_name = s.firm_names[r]
            assert s.pipeline.names[-1] == f"expansion of {firm_name}" and firm_id not in s.pipeline.names[-1]
            return
    raise AssertionError("no firm could announce an expansion")
