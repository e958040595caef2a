"""The fast action masks equal the masks by definition (build every template's order, ask the
world's desk), over whole episodes, perturbed states (hypothesis) and queued orders.

They are equal by construction: a template's `valid` calls the refusal rule its mechanism's
order check calls, on the facts the mechanism gathers (game.world.mechanisms). What these
tests still guard is the rest: that each template passes its rule the parameters its `build`
gives the order, its pydantic ranges and the desk's budget check, and that the per-turn
capacity grid the lab reads is `capacity_of`, bit for bit."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.content import Content
from game.lab.actions import SLOT_NAMES, Menu, Situation
from game.lab.baselines import sample_valid
from game.lab.envs import LodestoneParallelEnv, Seat
from game.lab.facts import WorldFacts
from game.rules import Stage
from game.rules.orders import FundRnD, Programme

TUTORIAL = "tutorial"


def _fresh(seat: Seat) -> Menu:
    """A menu with nothing cached, on the seat's current state and facts gathered anew."""
    world = seat.game.world
    obs = seat.game.observe(seat.nation)
    return Menu(seat.layout, Situation(world, obs, seat.rivals, seat.friends, seat.treasury0))


def _assert_equal(menu: Menu, where: str) -> list[tuple[np.ndarray, np.ndarray]]:
    fast, slow = menu.mask(), menu.checked_mask()
    for k, (a, b) in enumerate(zip(fast, slow, strict=True)):
        assert a.dtype == np.int8 and a[0] == 1
        wrong = [menu.layout.labels(k)[v] for v in np.flatnonzero(a != b)]
        assert not wrong, f"{where}: {menu.situation.nation}: fast mask differs from the desk on {wrong}"
    return list(zip(fast, slow, strict=True))


def _episode(env: LodestoneParallelEnv, seed: int, activity: float, turns: int) -> Iterator[int]:
    """Steps `env` with random valid actions, yielding the turn before each step."""
    _, infos = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    for turn in range(turns):
        if not env.agents:
            return
        yield turn
        actions = {
            n: sample_valid(infos[n]["action_mask"], env.layouts[n].nvec, rng, activity) for n in env.agents
        }
        _, _, _, _, infos = env.step(actions)


def test_fast_mask_equals_the_desk_over_whole_tutorial_episodes(content: Content):
    env = LodestoneParallelEnv(TUTORIAL, content=content)
    seen_valid = np.zeros(len(SLOT_NAMES), dtype=int)
    seen_invalid = np.zeros(len(SLOT_NAMES), dtype=int)
    for seed, activity in ((0, 0.9), (1, 0.5), (2, 1.0)):
        for turn in _episode(env, seed, activity, 12):
            for nation in env.agents:
                for k, (fast, _) in enumerate(
                    _assert_equal(_fresh(env.seats[nation]), f"seed {seed} turn {turn}")
                ):
                    seen_valid[k] += int(fast[1:].sum())
                    seen_invalid[k] += int((fast[1:] == 0).sum())
    # Not vacuous: every slot was open somewhere in these episodes, and closed somewhere
    # (but messages, which the desk always takes).
    closable = np.array([name != "message" for name in SLOT_NAMES])
    assert (seen_valid > 0).all() and (seen_invalid[closable] > 0).all(), (seen_valid, seen_invalid)


def test_fast_mask_equals_the_desk_on_the_default_scenario(content: Content):
    env = LodestoneParallelEnv(content=content)
    for turn in _episode(env, 5, 0.7, 3):
        for nation in env.agents:
            _assert_equal(_fresh(env.seats[nation]), f"turn {turn}")


def _played(content: Content, seed: int, turns: int) -> LodestoneParallelEnv:
    env = LodestoneParallelEnv(TUTORIAL, content=content)
    for _ in _episode(env, seed, 0.8, turns):
        pass
    return env


def _assert_all_seats_equal(env: LodestoneParallelEnv, where: str) -> None:
    for nation in env.possible_agents:
        _assert_equal(_fresh(env.seats[nation]), where)


@pytest.mark.parametrize("budget", ["zero", "negative", "tiny", "rnd", "subsidy"])
@pytest.mark.parametrize("hair", [0.0, 5e-10, 2e-9])
@pytest.mark.parametrize("turns", [0, 3])
def test_fast_mask_equals_the_desk_at_the_edges_of_budgets(
    content: Content, budget: str, hair: float, turns: int
):
    """Treasuries at 0, below 0, or a `hair` under an R&D budget or a first subsidy payment:
    either side of the desk's 1e-9 tolerance. At the start (no proposals pending yet, so
    deals are decided without the desk) and a few turns in."""
    env = _played(content, 3, turns)
    assert env.game is not None
    world = env.game.world
    for nation in env.possible_agents:
        seat = env.seats[nation]
        world.treasury[seat.index] = {
            "zero": 0.0,
            "negative": -1.0,
            "tiny": 1e-12,
            "rnd": min(0.02 * seat.treasury0, 1e5) - hair,
            "subsidy": min(0.005 * seat.treasury0, 1e5) - hair,
        }[budget]
    _assert_all_seats_equal(env, f"treasury {budget} - {hair}")


@pytest.mark.parametrize("gap", [0.0, 5e-10, 2e-9, 1e-6])
def test_fast_mask_equals_the_desk_at_the_edge_of_a_stockpile(content: Content, gap: float):
    """Stockpiles of which `gap` tonnes are already promised for release: releasing all of
    it is allowed within the desk's tolerance only."""
    env = _played(content, 3, 2)
    assert env.game is not None
    world = env.game.world
    world.stockpile[:] = 1000.0 + np.arange(world.stockpile.size).reshape(world.stockpile.shape)
    world.forced_release[:] = gap
    _assert_all_seats_equal(env, f"stockpile gap {gap}")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**16),
    turns=st.integers(0, 6),
    scale=st.floats(-0.1, 1.5),
    release=st.floats(0.0, 1.0),
)
def test_fast_mask_equals_the_desk_on_perturbed_states(
    content: Content, seed: int, turns: int, scale: float, release: float
):
    """Random games, then treasuries scaled (below 0 included) and part of every stockpile
    already promised for release."""
    env = _played(content, seed, turns)
    assert env.game is not None
    world = env.game.world
    world.treasury[:] = scale * world.treasury
    world.forced_release[:] = release * world.stockpile
    _assert_all_seats_equal(env, f"seed {seed}, {turns} turns, treasury x{scale}, release {release}")


def test_with_orders_queued_the_mask_follows_the_desk(content: Content):
    """A queued order commits money: the desk then refuses what no longer fits, and so does
    the mask (it asks the desk whenever the nation has orders queued)."""
    env = LodestoneParallelEnv(TUTORIAL, content=content)
    env.reset(seed=4)
    assert env.game is not None
    seat = env.seats["japan"]
    before = _fresh(seat).mask()
    rnd = SLOT_NAMES.index("programme")
    budget = float(env.game.world.treasury[seat.index]) - 1.0  # leaves ~1 $m: no R&D fits
    mineral = env.game.world.mineral_ids[0]
    order = FundRnD(
        issuer="japan", programme=Programme.RECYCLING, mineral=mineral, budget_usd_m=min(budget, 1e5)
    )
    assert env.game.submit(order).accepted
    after = _assert_equal(_fresh(seat), "after queueing")
    assert before[rnd][1:].any()
    if budget <= 1e5:  # the whole treasury committed: every R&D template is now refused
        assert not after[rnd][0][3::4].any()
    assert not np.array_equal(before[rnd], after[rnd][0])


def test_facts_capacity_grid_is_the_worlds_capacity_bit_for_bit(content: Content):
    env = LodestoneParallelEnv(content=content)
    for _ in _episode(env, 2, 0.5, 2):
        pass
    assert env.game is not None
    world = env.game.world
    facts = WorldFacts(world)
    for nation in world.nation_ids:
        for mineral in world.mineral_ids:
            for stage in (Stage.ORE, Stage.REFINED):
                assert facts.capacity(nation, mineral, stage) == world.capacity_of(nation, mineral, stage)


def test_seats_of_one_game_share_one_gathering_of_facts_per_turn(content: Content):
    env = LodestoneParallelEnv(TUTORIAL, content=content)
    env.reset(seed=0)
    first = {id(seat.menu().situation.known) for seat in env.seats.values()}
    assert len(first) == 1
    env.step({n: np.zeros(len(env.layouts[n].nvec), dtype=np.int64) for n in env.agents})
    second = {id(seat.menu().situation.known) for seat in env.seats.values()}
    assert len(second) == 1 and second != first
    assert env.game is not None and env.seats["japan"].menu().situation.known.turn == env.game.world.turn


def test_capacity_grid_sums_a_crowded_cell_as_capacity_of_does(content: Content):
    """A country with 8 or more plants of one mineral (numpy then sums pairwise, not in row
    order): the grid still gives `capacity_of`'s float. The default scenario's refiners of
    its first mineral, all moved to one country, with capacities whose sum depends on order."""
    from game.world.economy.firms import PAIRWISE_FROM, capacity_grid, firm_rows
    from game.world.model import WorldModel

    world = WorldModel(content, "ministerial-2026", 0)
    s = world.state
    t = s.firms
    cells = firm_rows(s, Stage.REFINED)
    rows = np.concatenate([r for (m, _), r in cells.items() if m == 0])
    assert len(rows) >= PAIRWISE_FROM
    t.country[rows] = 0
    t.capacity[rows] = 1.0 + np.arange(len(rows)) * 0.1 + 1e-7 * np.sqrt(np.arange(len(rows)))
    s.rows_cache.clear()
    grid = capacity_grid(s, Stage.REFINED)
    assert len(firm_rows(s, Stage.REFINED)[0, 0]) >= PAIRWISE_FROM
    for mineral in s.mineral_ids:
        for nation in s.nation_ids:
            m, n = s.mineral_index_of[mineral], s.nation_index[nation]
            assert grid[m, n] == world.capacity_of(nation, mineral, Stage.REFINED)
