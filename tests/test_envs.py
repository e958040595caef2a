"""The RL environments: the libraries' API checkers (gymnasium's, and PettingZoo's parallel,
AEC, max_cycles and state tests), determinism over whole episodes, masks that tell the truth,
invalid actions that change nothing, bounded observations and rewards that are score changes.
All on the tutorial (four nations, two minerals, twelve turns) to stay fast."""

from __future__ import annotations

import warnings
from functools import partial
from types import SimpleNamespace

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import api_test, max_cycles_test, parallel_api_test, state_test

from game.content import Content
from game.lab import lodestone_v0, masks
from game.lab.actions import SLOT_NAMES
from game.lab.baselines import DoctrineAgent, RandomValidAgent, run_episodes, sample_valid
from game.lab.envs import ENV_ID, LodestoneEnv, LodestoneParallelEnv
from game.lab.opening import opening_score
from game.saves import Save
from game.session import Game

TUTORIAL = "tutorial"


@pytest.fixture
def env(content: Content) -> LodestoneEnv:
    return LodestoneEnv(TUTORIAL, content=content)


def slot(name: str) -> int:
    return SLOT_NAMES.index(name)


# ---------------------------------------------------------------- the libraries' checkers


def test_gymnasium_env_checker_passes_without_warnings():
    env = gymnasium.make(ENV_ID, scenario=TUTORIAL, render_mode="ansi")  # content: the installed one
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker reports most problems as warnings
        check_env(env.unwrapped)
    assert "japan score" in (env.unwrapped.render() or "")


@pytest.mark.parametrize("dict_observations", [False, True])
def test_pettingzoo_parallel_api_test_passes(content: Content, dict_observations: bool):
    env = LodestoneParallelEnv(TUTORIAL, content=content, dict_observations=dict_observations)
    parallel_api_test(env, num_cycles=20)  # 20 > 12 turns: whole episodes, twice


def test_pettingzoo_aec_conversion_passes_api_test(content: Content):
    """PettingZoo's AEC api_test on the AEC form (`lodestone_v0.env`), with the masks in the
    dict observations, where api_test samples with them."""
    env = lodestone_v0.env(scenario=TUTORIAL, content=content, dict_observations=True)
    assert isinstance(env.unwrapped, LodestoneParallelEnv)
    api_test(env, num_cycles=60)


def test_pettingzoo_max_cycles_test_passes(content: Content):
    mod = SimpleNamespace(
        parallel_env=partial(lodestone_v0.parallel_env, scenario=TUTORIAL, content=content),
        env=partial(lodestone_v0.env, scenario=TUTORIAL, content=content),
    )
    max_cycles_test(mod)


def test_pettingzoo_state_test_passes(content: Content):
    aec = lodestone_v0.env(scenario=TUTORIAL, content=content)
    state_test(aec, lodestone_v0.parallel_env(scenario=TUTORIAL, content=content), num_cycles=10)
    par = LodestoneParallelEnv(TUTORIAL, content=content)
    assert par.state_space.shape == (len(par.possible_agents) * 44,)


def test_pettingzoo_dict_observations_carry_the_masks_samplers_use(content: Content):
    env = LodestoneParallelEnv(TUTORIAL, content=content, dict_observations=True, compute_masks=False)
    obs, infos = env.reset(seed=1)
    for n in env.agents:
        assert env.observation_space(n).contains(obs[n])
        np.testing.assert_array_equal(obs[n]["action_mask"], infos[n]["action_mask"])
        for _ in range(5):  # PettingZoo's samplers pass the dict's mask to the action space
            action = env.action_space(n).sample(mask=obs[n]["action_mask"])
            flat = np.concatenate(([0], np.cumsum(env.layouts[n].nvec)[:-1])) + action
            assert obs[n]["action_mask"][flat].all()


def test_pettingzoo_full_episode_seed_test(content: Content):
    """PettingZoo's `parallel_seed_test` stops after one step (it tests `any(dict)`, the
    keys); this plays two envs with the same seed to the end, masked samples from action
    spaces seeded alike, and compares everything each step returns."""
    from gymnasium.utils.env_checker import data_equivalence

    envs = [LodestoneParallelEnv(TUTORIAL, content=content, dict_observations=True) for _ in range(2)]
    first = [env.reset(seed=42) for env in envs]
    assert data_equivalence(first[0], first[1])
    obs = first[0][0], first[1][0]
    for env in envs:
        for i, agent in enumerate(env.possible_agents):
            env.action_space(agent).seed(100 + i)
    steps = 0
    while envs[0].agents:
        assert envs[0].agents == envs[1].agents
        actions = [
            {n: env.action_space(n).sample(mask=o[n]["action_mask"]) for n in env.agents}
            for env, o in zip(envs, obs, strict=True)
        ]
        assert data_equivalence(actions[0], actions[1])
        out = [env.step(a) for env, a in zip(envs, actions, strict=True)]
        assert data_equivalence(out[0], out[1])
        obs = out[0][0], out[1][0]
        steps += 1
    assert steps == content.scenario(TUTORIAL).turns and all(out[0][2].values())
    assert envs[0].game is not None and envs[1].game is not None
    assert envs[0].game.world_hashes == envs[1].game.world_hashes
    accepted = sum(r.accepted for r in envs[0].game.world.desk.log)
    assert accepted > 20  # the agents did act: a game where nothing happens proves little


def test_renders_in_ansi(content: Content):
    env = LodestoneParallelEnv(TUTORIAL, content=content, render_mode="ansi")
    env.reset(seed=0)
    env.step({n: np.zeros(len(env.layouts[n].nvec), dtype=np.int64) for n in env.agents})
    text = env.render()
    assert text is not None and "turn 1/12" in text
    assert all(f"{n} score" in text for n in env.possible_agents)
    aec = lodestone_v0.env(scenario=TUTORIAL, content=content, render_mode="ansi")
    aec.reset(seed=0)
    assert "turn 0/12" in (aec.render() or "")
    with pytest.raises(ValueError, match="render_mode"):
        LodestoneParallelEnv(TUTORIAL, content=content, render_mode="human")


# ---------------------------------------------------------------- determinism


def _trajectory(env: LodestoneEnv, seed: int, turns: int) -> tuple[list[np.ndarray], list[float], str]:
    obs, info = env.reset(seed=seed)
    agent = RandomValidAgent(seed=seed, activity=0.5)
    agent.start(env)
    observations, rewards = [obs], []
    for _ in range(turns):
        obs, reward, _, _, info = env.step(agent.act(obs, info))
        observations.append(obs)
        rewards.append(reward)
    assert env.game is not None
    return observations, rewards, env.game.world.records[-1].world_hash


def test_same_seed_same_episode_and_another_seed_another(content: Content):
    a = _trajectory(LodestoneEnv(TUTORIAL, content=content), seed=7, turns=4)
    b = _trajectory(LodestoneEnv(TUTORIAL, content=content), seed=7, turns=4)
    for x, y in zip(a[0], b[0], strict=True):
        np.testing.assert_array_equal(x, y)
    assert a[1] == b[1] and a[2] == b[2]
    c = _trajectory(LodestoneEnv(TUTORIAL, content=content), seed=8, turns=4)
    assert c[2] != a[2]


def test_parallel_env_is_deterministic_over_a_whole_episode(content: Content):
    runs = []
    for _ in range(2):
        env = LodestoneParallelEnv(TUTORIAL, content=content)
        obs, infos = env.reset(seed=3)
        rng = np.random.default_rng(0)
        trace = []
        while env.agents:
            actions = {
                n: sample_valid(infos[n]["action_mask"], env.layouts[n].nvec, rng, 0.5) for n in env.agents
            }
            obs, rewards, _, _, infos = env.step(actions)
            trace.append((np.concatenate(list(obs.values())), tuple(rewards.values())))
        assert env.game is not None
        runs.append((trace, env.game.world_hashes))
    assert runs[0][1] == runs[1][1]
    for (o1, r1), (o2, r2) in zip(runs[0][0], runs[1][0], strict=True):
        np.testing.assert_array_equal(o1, o2)
        assert r1 == r2


# ---------------------------------------------------------------- masks


@pytest.mark.parametrize("nation", ["japan", "china", "australia", "united_states"])
def test_mask_marks_exactly_the_templates_the_world_accepts(content: Content, nation: str):
    env = LodestoneEnv(TUTORIAL, nation=nation, content=content)
    obs, info = env.reset(seed=1)
    agent = RandomValidAgent(seed=1, activity=0.5)
    agent.start(env)
    for _ in range(4):
        assert env._seat is not None and env.game is not None
        menu = env._seat.menu()
        flat = info["action_mask"]
        assert flat.dtype == np.bool_ and flat.shape == (env.layout.nvec.sum(),)
        np.testing.assert_array_equal(env.action_masks(), flat)
        for k, mask in enumerate(masks.split(flat, env.layout.nvec)):
            assert mask[0] == 1 and mask.size == env.layout.nvec[k]
            for v in range(1, mask.size):
                order = menu.order(k, v)
                accepted = order is not None and env.game.world.check(order).accepted
                assert bool(mask[v]) == accepted, (nation, env.layout.labels(k)[v])
        obs, _, _, _, info = env.step(agent.act(obs, info))


def test_sampled_masked_actions_are_all_accepted(content: Content):
    env = LodestoneEnv(TUTORIAL, nation="china", content=content)
    _, info = env.reset(seed=2)
    rng = np.random.default_rng(2)
    for _ in range(6):
        assert env._seat is not None and env.game is not None
        action = env.action_space.sample(mask=info["action_mask"])  # gymnasium's own masked sampling
        for k, v in enumerate(action):
            if v:
                order = env._seat.menu().order(k, int(v))
                assert order is not None and env.game.world.check(order).accepted
        _, _, _, _, info = env.step(sample_valid(info["action_mask"], env.layout.nvec, rng, 0.5))


def test_china_can_choose_export_controls_and_japan_a_stockpile_release(content: Content):
    china = LodestoneEnv(TUTORIAL, nation="china", content=content)
    _, info = china.reset(seed=0)
    parts = masks.split(info["action_mask"], china.layout.nvec)
    valid = [china.layout.labels(slot("control"))[v] for v in np.flatnonzero(parts[0])]
    assert "ban on rivals: refined rare_earths" in valid
    japan = LodestoneEnv(TUTORIAL, nation="japan", content=content)
    _, info = japan.reset(seed=0)
    valid = [
        japan.layout.labels(slot("stockpile"))[v]
        for v in np.flatnonzero(masks.split(info["action_mask"], japan.layout.nvec)[slot("stockpile")])
    ]
    assert "release a quarter of the rare_earths stockpile" in valid


# ---------------------------------------------------------------- invalid actions


def test_invalid_unmasked_actions_never_raise_and_change_nothing(content: Content):
    env = LodestoneEnv(TUTORIAL, content=content, invalid_penalty=0.5)
    twin = LodestoneEnv(TUTORIAL, content=content)
    _, info = env.reset(seed=4)
    twin.reset(seed=4)
    assert env.game is not None and twin.game is not None and env._seat is not None
    action = np.zeros(len(env.layout.nvec), dtype=np.int64)
    action[slot("zone")] = env.layout.labels(slot("zone")).index("leave zone #2")  # no such zone: not built
    action[slot("answer")] = 1  # accept proposal #0: the inbox is empty
    tariff_removal = env.layout.labels(slot("tariff")).index("tariff remove on rivals' refined rare_earths")
    action[slot("tariff")] = tariff_removal  # built, but the world refuses: no such tariff
    parts = masks.split(info["action_mask"], env.layout.nvec)
    for k, v in enumerate(action):
        assert v == 0 or parts[k][v] == 0
    before = env.game.world.world_hash()
    refused = env._seat.submit(action)
    assert len(refused) == 3 and any("no such tariff" in r for r in refused)
    assert env.game.world.world_hash() == before  # nothing queued, nothing changed
    env.reset(seed=4)
    _, reward, _, _, info = env.step(action)
    _, twin_reward, _, _, _ = twin.step(np.zeros_like(action))
    assert len(info["refused"]) == 3
    assert env.game.world_hashes == twin.game.world_hashes
    assert reward == pytest.approx(twin_reward - 3 * 0.5)
    # out of range, wrong length: refused, not raised
    _, _, _, _, info = env.step(np.full(len(action) + 2, 10_000, dtype=np.int64))
    assert len(info["refused"]) == len(action)


# ---------------------------------------------------------------- observations and rewards


def test_observations_stay_finite_and_within_bounds_over_an_episode(env: LodestoneEnv):
    obs, info = env.reset(seed=5)
    agent = RandomValidAgent(seed=5, activity=0.7)
    agent.start(env)
    done = False
    seen = [obs]
    while not done:
        obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
        seen.append(obs)
        done = terminated or truncated
    assert len(seen) == 13 and terminated and not truncated
    for obs in seen:
        assert obs.dtype == np.float32 and np.all(np.isfinite(obs)) and env.observation_space.contains(obs)
    assert np.ptp(np.stack(seen), axis=0).max() > 0.1  # features move


def test_reward_is_the_change_of_the_nations_score(env: LodestoneEnv):
    _, info = env.reset(seed=6)
    assert env.game is not None
    world = env.game.world
    i = world.nation_ids.index(env.nation)
    opening = float(opening_score(world)[i])
    assert np.isnan(world.score[i]) and 0 < opening < 100  # the world has no score before turn 1
    previous, total = opening, 0.0
    for _ in range(5):
        _, reward, _, _, info = env.step(env.action_space.sample(mask=info["action_mask"]))
        assert reward == pytest.approx(world.score[i] - previous, abs=1e-12)
        previous = float(world.score[i])
        total += reward
    assert total == pytest.approx(world.score[i] - opening)


@pytest.mark.parametrize("nation", ["japan", "china"])
def test_first_reward_is_measured_from_the_score_at_reset_not_from_50(content: Content, nation: str):
    """The first step's reward used to be the score minus 50 (30-40 on the tutorial, a few
    points after): it must be a change like the later ones."""
    env = LodestoneEnv(TUTORIAL, nation=nation, content=content)
    noop = np.zeros(len(env.layout.nvec), dtype=np.int64)
    first, later = [], []
    for seed in range(3):
        env.reset(seed=seed)
        rewards = [env.step(noop)[1]]
        assert env.game is not None
        # a first reward measured from 50 would have been far off (the first score, not the
        # sixth: that one is 50 or near it in some games)
        assert abs(env.game.world.score[env.game.world.nation_ids.index(nation)] - 50) > 5
        rewards += [env.step(noop)[1] for _ in range(5)]
        first.append(abs(rewards[0]))
        later += [abs(r) for r in rewards[1:]]
    assert max(first) < 5 and np.mean(first) <= 2 * np.mean(later) + 0.5, (first, later)


def test_max_turns_truncates(content: Content):
    env = LodestoneEnv(TUTORIAL, content=content, max_turns=3)
    env.reset(seed=0)
    flags = [env.step(np.zeros(len(env.layout.nvec), dtype=np.int64))[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


def test_default_scenario_spaces(content: Content):
    env = LodestoneEnv(content=content, compute_masks=False)
    assert env.nation == "japan" and env.observation_space.shape == (116,)
    assert len(env.layout.nvec) == len(SLOT_NAMES)
    obs, info = env.reset(seed=0)
    assert "action_mask" not in info and env.observation_space.contains(obs)


# ---------------------------------------------------------------- baselines and replays


def test_doctrine_through_the_env_plays_the_all_ai_game(content: Content):
    env = LodestoneEnv(TUTORIAL, content=content, max_turns=4)
    [episode] = run_episodes(env, DoctrineAgent(), seeds=[9])
    game = Game(content, TUTORIAL, seed=9)
    for _ in range(4):
        game.play_turn()
    assert env.game is not None and episode.turns == 4
    assert env.game.world_hashes == game.world_hashes


def test_an_episode_is_an_ordinary_game_that_replays(env: LodestoneEnv, content: Content):
    obs, info = env.reset(seed=11)
    agent = RandomValidAgent(seed=11, activity=0.8)
    agent.start(env)
    for _ in range(4):
        obs, _, _, _, info = env.step(agent.act(obs, info))
    assert env.game is not None
    save = Save.model_validate_json(env.game.to_save().model_dump_json())
    replayed = Game.from_save(content, save)  # raises on a hash mismatch
    assert replayed.world_hashes == env.game.world_hashes


def test_parallel_env_with_a_subset_of_agents_leaves_the_others_to_their_ai(content: Content):
    env = LodestoneParallelEnv(TUTORIAL, agents=["united_states", "china"], content=content, max_turns=2)
    assert env.possible_agents == ["china", "united_states"]  # scenario order
    obs, infos = env.reset(seed=0)
    assert set(obs) == set(infos) == {"china", "united_states"}
    assert env.game is not None and env.game.controllers["japan"] is not None
    assert env.game.controllers["china"] is None
    noop = {n: np.zeros(len(env.layouts[n].nvec), dtype=np.int64) for n in env.agents}
    env.step(noop)
    *_, truncations, _ = env.step(noop)
    assert all(truncations.values()) and env.agents == []
    with pytest.raises(ValueError, match="not nations of tutorial"):
        LodestoneParallelEnv(TUTORIAL, agents=["atlantis"], content=content)
