"""Reinforcement-learning environments: gymnasium (one nation) and PettingZoo (many nations).

Both drive a `game.session.Game` exactly as a human at the UI would: the agents' nations
have no controller (their orders come from outside), every other nation plays its AI
doctrine, and each step is one turn: the agents' orders are submitted, the AI nations
decide, the world resolves the turn. Nothing here reaches around the order desk, so an
episode is an ordinary game (its `game.to_save()` replays and verifies like any other).

Spaces (see `game.lab.features` and `game.lab.actions` for the tables):

- observation: `Box(low, high, (F,), float32)`, the nation's normalised features; F = 44
  on the tutorial, 116 on Ministerial 2026;
- action: `MultiDiscrete(nvec)`, one slot per family of orders, 0 = nothing;
- masks (`game.lab.masks`): one flat bool array of length `sum(nvec)`, the slots' values side
  by side (True = the template is valid now), from `env.action_masks()` (what sb3-contrib's
  `MaskablePPO` calls) and in `info["action_mask"]`; the action space's `sample(mask=...)`
  takes it, and gymnasium's vector envs stack it into `(num_envs, sum(nvec))`.

Reward: the change of the nation's score (0–100, `game.world.scoring`) over the turn just
played. The world has no score before its first turn; the first step's reward is measured
from the score of the starting position (`game.lab.opening`), so an episode's return is its
last score minus its opening score. A chosen template that cannot be built or that the world
refuses is simply not ordered (never an exception); each such slot costs `invalid_penalty`
(default 0) and is listed in `info["refused"]` with the world's reason.

An episode ends (`terminated`) when the scenario's turns are played; `max_turns` cuts it
short (`truncated`; PettingZoo's name `max_cycles` is the same). `reset(seed=s)` builds a
new game with seed `s` (world and AI), so the same seed gives the same observations, rewards
and masks; without a seed, the next game's seed is drawn from the env's generator.

Speed: the world's turn dominates (~4 ms on the tutorial, ~30 ms on Ministerial 2026, one
core, December 2026); the env's own work per step (orders, masks, features) is timed separately in
`timings` (`bench/lab_env.py` prints both). Masks are decided from facts gathered once per
turn (`game.lab.facts`), not by building and checking every template's order;
`compute_masks=False` still skips them for agents that do not use them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from numpy.typing import NDArray
from pettingzoo import ParallelEnv

from agents.controller import Controller, Level
from game.content import Content, load_content
from game.lab import masks
from game.lab.actions import ActionLayout, Menu, Situation
from game.lab.facts import WorldFacts
from game.lab.features import FeatureLayout, features
from game.lab.masks import FlatMask, FlatMaskMultiDiscrete
from game.lab.opening import opening_score
from game.rules.orders import Order
from game.session import Game

DEFAULT_SCENARIO = "ministerial-2026"
SEED_BOUND = 2**31 - 1


@lru_cache(maxsize=1)
def default_content() -> Content:
    """The installed content, loaded once per process (every env shares it, read-only)."""
    return load_content()


class Timings:
    """CPU seconds of this process per part of a step, summed since the last `clear`: the
    env's own work (`env`), the AI nations' decisions (`ai`) and the world's turn (`world`).
    CPU time rather than wall time, so that figures taken on a busy machine stay honest."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.env = 0.0
        self.ai = 0.0
        self.world = 0.0
        self.steps = 0

    def turn(self, game: Game) -> float:
        """The AI nations decide and the world resolves, each part timed; returns both."""
        t0 = time.process_time()
        game.ask_controllers()
        t1 = time.process_time()
        game.end_turn()
        t2 = time.process_time()
        self.ai += t1 - t0
        self.world += t2 - t1
        return t2 - t0

    def step_done(self, start: float, turn: float) -> None:
        """A step that began at `start` is over: what was not the turn was the env's work."""
        self.env += time.process_time() - start - turn
        self.steps += 1

    def as_dict(self) -> dict[str, float]:
        return {"env": self.env, "ai": self.ai, "world": self.world, "steps": float(self.steps)}


class Seat:
    """One nation played from outside within a game: builds its observation, its menu of
    templates and its mask, submits its action, measures its reward."""

    def __init__(
        self,
        game: Game,
        nation: str,
        layout: ActionLayout,
        feature_layout: FeatureLayout,
        facts: dict[int, WorldFacts] | None = None,
    ) -> None:
        self.game = game
        self.facts = {} if facts is None else facts
        """Where this seat finds the world's facts of the turn (shared by a game's seats)."""
        self.nation = nation
        self.layout = layout
        self.feature_layout = feature_layout
        world = game.world
        i = world.nation_index[nation]
        start = world.relations[i]
        others = [(n, start[j]) for j, n in enumerate(world.nation_ids) if n != nation]
        self.rivals = tuple(n for n, r in others if r < 0)
        self.friends = tuple(n for n, r in others if r > 0)
        self.treasury0 = float(world.treasury[i])
        self.index = i
        self.opening = float(opening_score(world)[i])
        """The score the first step's reward is measured from (game.lab.opening)."""
        self.last_score = self.opening
        self._menu: tuple[int, Menu] | None = None
        self._observation: tuple[int, Any] | None = None
        self._mask: tuple[int, FlatMask] | None = None

    def observation(self):  # -> agents.observation.Observation
        turn = self.game.world.turn
        if self._observation is None or self._observation[0] != turn:
            self._observation = (turn, self.game.observe(self.nation))
        return self._observation[1]

    def features(self) -> NDArray[np.float32]:
        return features(self.observation(), self.treasury0, self.feature_layout)

    def menu(self) -> Menu:
        turn = self.game.world.turn
        if self._menu is None or self._menu[0] != turn:
            situation = Situation(
                self.game.world, self.observation(), self.rivals, self.friends, self.treasury0, self.facts
            )
            self._menu = (turn, Menu(self.layout, situation))
        return self._menu[1]

    def mask(self) -> FlatMask:
        """The flat bool mask of this turn (game.lab.masks), made once per turn."""
        turn = self.game.world.turn
        if self._mask is None or self._mask[0] != turn:
            flat = masks.noop(self.layout.nvec) if self.game.over else masks.flatten(self.menu().mask())
            self._mask = (turn, flat)
        return self._mask[1]

    def submit(self, action: Sequence[int] | NDArray[np.integer], extra: Iterable[Order] = ()) -> list[str]:
        """Submit `extra` orders, then the order of every non-zero slot (in slot order);
        returns the reasons of the slots that ordered nothing (not buildable, refused)."""
        for order in extra:
            self.game.submit(order)
        refused = []
        values = np.asarray(action).ravel()
        for k, (name, _) in enumerate(self.layout.slots):
            v = int(values[k]) if k < values.size else 0
            if v == 0:
                continue
            if not 0 < v < self.layout.nvec[k]:
                refused.append(f"{name}: value {v} is out of range")
                continue
            order = self.menu().order(k, v)
            if order is None:
                refused.append(f"{name}: {self.layout.labels(k)[v]}: not possible now")
                continue
            verdict = self.game.submit(order)
            if not verdict.accepted:
                refused.append(f"{name}: {verdict.reason}")
        return refused

    def reward(self) -> float:
        """The score change since the last call (the turn just played)."""
        score = float(self.game.world.score[self.index])
        if not np.isfinite(score):
            return 0.0
        change, self.last_score = score - self.last_score, score
        return change


def _check_nations(content: Content, scenario: str, nations: Iterable[str]) -> None:
    known = content.scenario(scenario).nations
    strangers = sorted(set(nations) - set(known))
    if strangers:
        raise ValueError(f"not nations of {scenario}: {', '.join(strangers)}; choose from {', '.join(known)}")


class LodestoneEnv(gym.Env[NDArray[np.float32], NDArray[np.int64]]):
    """One nation as the agent, every other nation on its AI doctrine (see the module doc).

    Parameters: `scenario` (default Ministerial 2026), `nation` (default the scenario's
    default player), `level` of the AI nations, `max_turns` (truncate episodes), `content`
    (default the installed content), `invalid_penalty` per refused slot, `compute_masks`
    (for `info`; `action_masks()` computes them on demand either way).
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        nation: str | None = None,
        level: Level | str = Level.NORMAL,
        max_turns: int | None = None,
        content: Content | None = None,
        invalid_penalty: float = 0.0,
        compute_masks: bool = True,
        render_mode: str | None = None,
    ) -> None:
        self.content = content or default_content()
        sc = self.content.scenario(scenario)
        self.scenario = sc.id
        self.nation = nation or sc.default_player
        _check_nations(self.content, self.scenario, [self.nation])
        self.level = Level(level)
        self.max_turns = max_turns
        self.invalid_penalty = invalid_penalty
        self.compute_masks = compute_masks
        self.render_mode = render_mode
        self.layout = ActionLayout(sc.minerals, sc.nations, self.nation)
        self.feature_layout = FeatureLayout(tuple(sc.minerals))
        low, high = self.feature_layout.bounds()
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self.action_space = FlatMaskMultiDiscrete(self.layout.nvec)
        self.timings = Timings()
        self.game: Game | None = None
        self._seat: Seat | None = None
        self._queued: list[Order] = []
        self._played = 0

    # ---------------------------------------------------------------- gymnasium API

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        game_seed = seed if seed is not None else int(self.np_random.integers(SEED_BOUND))
        self.game = Game(
            self.content, self.scenario, game_seed, controllers={self.nation: None}, level=self.level
        )
        self._seat = Seat(self.game, self.nation, self.layout, self.feature_layout)
        self._queued = []
        self._played = 0
        return self._seat.features(), self._info([])

    def step(
        self, action: NDArray[np.int64] | Sequence[int]
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        seat, game = self._require()
        start = time.process_time()
        refused = seat.submit(action, self._queued)
        self._queued = []
        turn = self.timings.turn(game)
        self._played += 1
        reward = seat.reward() - self.invalid_penalty * len(refused)
        terminated = game.over
        truncated = not terminated and self.max_turns is not None and self._played >= self.max_turns
        obs, info = seat.features(), self._info(refused)
        self.timings.step_done(start, turn)
        return obs, reward, terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode != "ansi" or self.game is None:
            return None
        return _status(self.game, [self.nation])

    # ---------------------------------------------------------------- beyond the API

    def action_masks(self) -> FlatMask:
        """The valid actions now, flat (game.lab.masks): what sb3-contrib's MaskablePPO asks."""
        return self._require()[0].mask()

    def queue_orders(self, orders: Iterable[Order]) -> None:
        """Orders to submit at the next step, before the action's: for policies (a script, an
        AI doctrine, see `game.lab.baselines`) that act beyond the templates."""
        self._queued.extend(orders)

    def observation(self):  # -> agents.observation.Observation
        """The agent nation's full `Observation` (what its AI doctrine would see)."""
        return self._require()[0].observation()

    def describe(self, action: Sequence[int]) -> list[str]:
        return self.layout.describe(action)

    def _require(self) -> tuple[Seat, Game]:
        if self._seat is None or self.game is None:
            raise RuntimeError("call reset() before step()")
        return self._seat, self.game

    def _info(self, refused: list[str]) -> dict[str, Any]:
        seat, game = self._require()
        info: dict[str, Any] = {"turn": game.world.turn, "refused": refused}
        if self.compute_masks:
            info["action_mask"] = seat.mask()
        return info


def _status(game: Game, nations: Sequence[str]) -> str:
    """One line for an `ansi` render: the date, the turn and the nations' scores."""
    w = game.world
    played = f"{w.scenario.date_of(w.turn)} turn {w.turn}/{w.scenario.turns}"
    scores = ", ".join(f"{n} score {w.score[w.nation_index[n]]:.1f}" for n in nations)
    return f"{played}: {scores}"


class LodestoneParallelEnv(ParallelEnv):
    """Every nation (or the chosen `agents`) an agent; the others on their AI doctrines.

    All agents' orders of a turn are submitted together (in scenario order of the nations;
    the world resolves them in its fixed order whatever the order of submission), then the
    AI nations decide, then the turn resolves. Spaces, masks and rewards are those of
    `LodestoneEnv`, per agent. Every agent ends at the same turn.

    `max_cycles` (PettingZoo's name; `max_turns` is the same) truncates episodes.
    `dict_observations=True` gives each agent PettingZoo's `{"observation", "action_mask"}`
    dict (the flat bool mask), so PettingZoo's own samplers and tests use the masks; masks
    are then computed whatever `compute_masks` says. `state()` is every agent's features side
    by side, in `state_space`. `render_mode="ansi"` renders the date and every agent's score.
    """

    metadata = {"name": "lodestone_v0", "render_modes": ["ansi"], "is_parallelizable": True}

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        agents: Sequence[str] | None = None,
        level: Level | str = Level.NORMAL,
        max_cycles: int | None = None,
        content: Content | None = None,
        invalid_penalty: float = 0.0,
        compute_masks: bool = True,
        controllers: dict[str, Controller] | None = None,
        render_mode: str | None = None,
        dict_observations: bool = False,
        max_turns: int | None = None,
    ) -> None:
        self.content = content or default_content()
        sc = self.content.scenario(scenario)
        self.scenario = sc.id
        chosen = list(agents) if agents is not None else list(sc.nations)
        _check_nations(self.content, self.scenario, chosen)
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode {render_mode!r}: choose from {self.metadata['render_modes']}")
        self.possible_agents = [n for n in sc.nations if n in chosen]
        self.agents: list[str] = []
        self.level = Level(level)
        self.max_cycles = max_cycles if max_cycles is not None else max_turns
        self.invalid_penalty = invalid_penalty
        self.dict_observations = dict_observations
        self.compute_masks = compute_masks or dict_observations
        self.render_mode = render_mode
        self.controllers = dict(controllers or {})
        """Controllers for nations that are not agents (default: their AI doctrines)."""
        self.feature_layout = FeatureLayout(tuple(sc.minerals))
        self.layouts = {n: ActionLayout(sc.minerals, sc.nations, n) for n in self.possible_agents}
        low, high = self.feature_layout.bounds()
        self._observation_spaces: dict[str, spaces.Space] = {}
        for n in self.possible_agents:
            box = spaces.Box(low.copy(), high.copy(), dtype=np.float32)
            mask = spaces.MultiBinary(int(self.layouts[n].nvec.sum()))
            self._observation_spaces[n] = (
                spaces.Dict({"observation": box, "action_mask": mask}) if dict_observations else box
            )
        self._action_spaces = {n: FlatMaskMultiDiscrete(self.layouts[n].nvec) for n in self.possible_agents}
        k = len(self.possible_agents)
        self.state_space = spaces.Box(np.tile(low, k), np.tile(high, k), dtype=np.float32)
        self.timings = Timings()
        self.game: Game | None = None
        self.seats: dict[str, Seat] = {}
        self._np_random, _ = seeding.np_random(None)
        self._played = 0

    @property
    def max_turns(self) -> int | None:
        """The same as `max_cycles` (the name `LodestoneEnv` uses)."""
        return self.max_cycles

    @max_turns.setter
    def max_turns(self, value: int | None) -> None:
        self.max_cycles = value

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> FlatMaskMultiDiscrete:
        return self._action_spaces[agent]

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._np_random, _ = seeding.np_random(seed)
        game_seed = seed if seed is not None else int(self._np_random.integers(SEED_BOUND))
        chosen: dict[str, Controller | None] = {n: None for n in self.possible_agents}
        chosen.update({n: c for n, c in self.controllers.items() if n not in chosen})
        self.game = Game(self.content, self.scenario, game_seed, controllers=chosen, level=self.level)
        facts: dict[int, WorldFacts] = {}  # one gathering of the world's facts per turn for all seats
        self.seats = {
            n: Seat(self.game, n, self.layouts[n], self.feature_layout, facts) for n in self.possible_agents
        }
        self.agents = list(self.possible_agents)
        self._played = 0
        return {n: self._observe(n) for n in self.agents}, {n: self._info(n, []) for n in self.agents}

    def step(
        self, actions: dict[str, Any]
    ) -> tuple[
        dict[str, Any],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        if self.game is None:
            raise RuntimeError("call reset() before step()")
        game = self.game
        start = time.process_time()
        live = list(self.agents)
        refused = {n: self.seats[n].submit(actions[n]) if n in actions else [] for n in live}
        turn = self.timings.turn(game)
        self._played += 1
        over = game.over
        cut = not over and self.max_cycles is not None and self._played >= self.max_cycles
        obs = {n: self._observe(n) for n in live}
        rewards = {n: self.seats[n].reward() - self.invalid_penalty * len(refused[n]) for n in live}
        terminations = dict.fromkeys(live, over)
        truncations = dict.fromkeys(live, cut)
        infos = {n: self._info(n, refused[n]) for n in live}
        if over or cut:
            self.agents = []
        self.timings.step_done(start, turn)
        return obs, rewards, terminations, truncations, infos

    def _observe(self, agent: str) -> Any:
        seat = self.seats[agent]
        if self.dict_observations:
            return {"observation": seat.features(), "action_mask": seat.mask()}
        return seat.features()

    def _info(self, agent: str, refused: list[str]) -> dict[str, Any]:
        assert self.game is not None
        info: dict[str, Any] = {"turn": self.game.world.turn, "refused": refused}
        if self.compute_masks:
            info["action_mask"] = self.seats[agent].mask()
        return info

    def state(self) -> NDArray[np.float32]:
        """Every agent's features side by side (a centralised critic's input)."""
        return np.concatenate([self.seats[n].features() for n in self.possible_agents])

    def render(self) -> str | None:
        if self.render_mode != "ansi" or self.game is None:
            return None
        return _status(self.game, self.possible_agents)

    def close(self) -> None:
        self.game = None
        self.seats = {}


ENV_ID = "Lodestone-v0"
"""Registered when `game.lab` is imported (see `game.lab.__init__`)."""
