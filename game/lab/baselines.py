"""Baseline policies for the RL environments, and a loop that runs episodes with them.

- `RandomValidAgent` picks, for each slot, "nothing" with probability `1 - activity` and
  otherwise a template uniformly among those the mask marks valid: the floor any learned
  policy must beat, and a fuzzer for the env (it orders a lot, all of it legal).
- `DoctrineAgent` plays the nation's own AI doctrine *through the env*: each step it asks
  the doctrine (same seed and level as the game would use) for its orders from the
  nation's observation and queues them with `env.queue_orders`, submitted directly rather
  than mapped to templates (doctrines use parameters the templates do not cover, such as
  quotas, fixed-price deals, financing and price floors; a mapping would change what they
  do). Its action is all zeros. The game it plays is therefore the same game as an all-AI
  `Game` with the same seed: the env adds nothing and loses nothing (tested).

Both implement `act(obs, info) -> action` and `start(env)` (called after every reset).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from agents.controller import Controller
from agents.doctrines import make_controller
from game.lab.envs import LodestoneEnv
from game.lab.masks import sample_valid

__all__ = ["DoctrineAgent", "Episode", "RandomValidAgent", "run_episodes", "sample_valid"]


class Policy(Protocol):
    def start(self, env: LodestoneEnv) -> None: ...

    def act(self, obs: NDArray[np.float32], info: dict[str, Any]) -> NDArray[np.int64]: ...


class RandomValidAgent:
    """Samples only masked-valid templates (see the module doc)."""

    def __init__(self, seed: int | None = None, activity: float = 0.3) -> None:
        self.rng = np.random.default_rng(seed)
        self.activity = activity
        self.nvec: NDArray[np.int64] | None = None

    def start(self, env: LodestoneEnv) -> None:
        self.nvec = env.layout.nvec

    def act(self, obs: NDArray[np.float32], info: dict[str, Any]) -> NDArray[np.int64]:
        assert self.nvec is not None, "call start(env) after reset()"
        return sample_valid(info["action_mask"], self.nvec, self.rng, self.activity)


class DoctrineAgent:
    """The agent nation's own AI doctrine, its orders queued directly (see the module doc)."""

    def __init__(self) -> None:
        self.env: LodestoneEnv | None = None
        self.controller: Controller | None = None

    def start(self, env: LodestoneEnv) -> None:
        assert env.game is not None, "start() comes after reset()"
        self.env = env
        doctrine = env.content.nations[env.nation].doctrine
        self.controller = make_controller(doctrine, env.nation, env.level, env.game.seed, env.content)

    def act(self, obs: NDArray[np.float32], info: dict[str, Any]) -> NDArray[np.int64]:
        assert self.env is not None and self.controller is not None, "call start(env) after reset()"
        self.env.queue_orders(self.controller.decide(self.env.observation()))
        return np.zeros(len(self.env.layout.nvec), dtype=np.int64)


@dataclass(frozen=True)
class Episode:
    seed: int
    ret: float
    turns: int
    final_score: float
    refused: int


def run_episodes(env: LodestoneEnv, policy: Policy, seeds: list[int]) -> list[Episode]:
    """Play one episode per seed with `policy`; returns what each earned."""
    episodes = []
    for seed in seeds:
        obs, info = env.reset(seed=seed)
        policy.start(env)
        total, turns, refused, done = 0.0, 0, 0, False
        while not done:
            obs, reward, terminated, truncated, info = env.step(policy.act(obs, info))
            total += reward
            turns += 1
            refused += len(info["refused"])
            done = terminated or truncated
        assert env.game is not None
        score = float(env.game.world.score[env.game.world.nation_index[env.nation]])
        episodes.append(Episode(seed, total, turns, score, refused))
    return episodes
