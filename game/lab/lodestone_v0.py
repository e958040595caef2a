"""The PettingZoo entry points, named as PettingZoo's own environments are (`<name>_v<N>`).

    from game.lab import lodestone_v0
    par = lodestone_v0.parallel_env(scenario="tutorial", dict_observations=True)
    aec = lodestone_v0.env(scenario="tutorial", max_cycles=4)   # the AEC form

`parallel_env(**kwargs)` is `game.lab.envs.LodestoneParallelEnv(**kwargs)`; `env(**kwargs)`
turns it into an AEC env with PettingZoo's own `parallel_to_aec` (agents act one after the
other within a turn; the turn resolves when the last has acted), so every PettingZoo tool
that takes either form (`api_test`, `max_cycles_test`, `state_test`, SuperSuit, ...) works.
"""

from __future__ import annotations

from typing import Any

from pettingzoo import AECEnv
from pettingzoo.utils.conversions import parallel_to_aec

from game.lab.envs import LodestoneParallelEnv


def parallel_env(**kwargs: Any) -> LodestoneParallelEnv:
    return LodestoneParallelEnv(**kwargs)


def env(**kwargs: Any) -> AECEnv:
    return parallel_to_aec(LodestoneParallelEnv(**kwargs))


raw_env = env
