"""Front-ends for headless experiments: runs, tables, sweeps and RL environments.

Importing `game.lab` registers the gymnasium env ids (when gymnasium, from the `lab` extra,
is installed), so `gymnasium.make("Lodestone-v0")` works after `import game.lab`, and
`gymnasium.make("game.lab:Lodestone-v0")` works with no import at all (gymnasium imports
the module named before the colon). The ids:

- `Lodestone-v0`: `game.lab.envs.LodestoneEnv` on Ministerial 2026 (the default scenario);
- `LodestoneTutorial-v0`: the same on the tutorial (four nations, two minerals, 12 turns).

Keyword arguments of `make` go to `LodestoneEnv` (`nation=`, `level=`, `max_turns=`, ...).
The env module itself (and so PettingZoo and numba's solver) is imported only by `make`.
"""

from __future__ import annotations

ENV_IDS: dict[str, dict[str, str]] = {
    "Lodestone-v0": {},
    "LodestoneTutorial-v0": {"scenario": "tutorial"},
}
ENTRY_POINT = "game.lab.envs:LodestoneEnv"


def _register_envs() -> None:
    try:
        import gymnasium
    except ImportError:  # the lab extra is not installed: runs and tables still work
        return
    for env_id, kwargs in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=ENTRY_POINT, kwargs=kwargs)


_register_envs()
