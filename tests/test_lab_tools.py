"""The lab with the tools researchers already use: importing lodestone leaves multiprocessing
alone, the env ids exist after `import game.lab`, gymnasium's vector envs (sync and async)
stack the masks and sample with them, and sb3-contrib's MaskablePPO trains on the env as it
is (only when sb3-contrib is installed: the `rl` extra, which CI does not install)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AsyncVectorEnv, SyncVectorEnv

import game.lab
from game.lab.envs import LodestoneEnv
from game.lab.masks import FlatMaskMultiDiscrete, split

TUTORIAL = "tutorial"


def _fresh_python(code: str) -> str:
    """Run `code` in a new interpreter (nothing imported yet); returns its stdout."""
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---------------------------------------------------------------- multiprocessing start method

IMPORT_EVERYTHING = """
import json, multiprocessing, pkgutil, importlib, sys
{setup}
before = multiprocessing.get_start_method(allow_none=True)
import game, agents
names = []
for pkg in (game, agents):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(json.dumps({{"before": before, "after": multiprocessing.get_start_method(allow_none=True),
                  "modules": names, "mesa": "mesa.batchrunner" in sys.modules}}))
"""


@pytest.mark.parametrize(
    ("setup", "expected"), [("", None), ("multiprocessing.set_start_method('fork')", "fork")]
)
def test_importing_any_part_of_lodestone_keeps_the_start_method(setup: str, expected: str | None):
    out = json.loads(_fresh_python(IMPORT_EVERYTHING.format(setup=setup)))
    assert out["before"] == expected and out["after"] == expected
    assert out["mesa"]  # Mesa (and its batchrunner, which forces "spawn") was imported
    assert {"game.world.model", "game.lab.envs", "game.lab.sweep", "game.cli", "agents.nation"} <= set(
        out["modules"]
    )


def test_every_mesa_import_goes_through_the_guard():
    """The import above stops at the first Mesa import; a second module importing Mesa
    directly would go unnoticed there when it comes later, and be the first elsewhere."""
    root = Path(__file__).resolve().parents[1]
    direct = []
    for path in sorted([*(root / "game").rglob("*.py"), *(root / "agents").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "mesa" or n.startswith("mesa.") for n in names):
                direct.append(str(path.relative_to(root)))
    assert direct == ["agents/_mesa.py"]


def test_mesa_alone_would_change_it():
    """The check above is not vacuous: Mesa 3.3 itself switches the start method on import."""
    out = _fresh_python(
        "import multiprocessing, mesa; print(multiprocessing.get_start_method(allow_none=True))"
    )
    assert out.strip() == "spawn"


# ---------------------------------------------------------------- env ids


def test_env_ids_are_registered_by_importing_game_lab():
    out = _fresh_python("""
        import gymnasium
        before = "Lodestone-v0" in gymnasium.registry
        import game.lab
        env = gymnasium.make("LodestoneTutorial-v0")
        obs, info = env.reset(seed=0)
        print(before, gymnasium.spec("Lodestone-v0").entry_point, env.unwrapped.scenario, obs.shape)
    """)
    assert out.split() == ["False", "game.lab.envs:LodestoneEnv", "tutorial", "(44,)"]
    assert set(game.lab.ENV_IDS) <= set(gymnasium.registry)


def test_make_with_the_module_prefix_needs_no_import():
    out = _fresh_python("""
        import gymnasium
        env = gymnasium.make("game.lab:LodestoneTutorial-v0", nation="china")
        print(env.unwrapped.nation)
    """)
    assert out.strip() == "china"


# ---------------------------------------------------------------- vector envs


def _make_tutorial() -> LodestoneEnv:
    return gymnasium.make("LodestoneTutorial-v0").unwrapped  # type: ignore[return-value]


@pytest.mark.parametrize("vector", [SyncVectorEnv, AsyncVectorEnv])
def test_vector_envs_stack_masks_and_sample_with_them(vector):
    envs = vector([_make_tutorial, _make_tutorial])
    try:
        nvec = envs.single_action_space.nvec
        assert isinstance(envs.action_space, FlatMaskMultiDiscrete) and envs.action_space.shape == (
            2,
            len(nvec),
        )
        _, info = envs.reset(seed=[3, 4])
        acted = 0
        for _ in range(14):  # past the end of the first episode: autoreset keeps the masks
            mask = info["action_mask"]
            assert mask.dtype == np.bool_ and mask.shape == (2, int(nvec.sum()))
            actions = envs.action_space.sample(mask=mask)
            assert actions.shape == (2, len(nvec))
            acted += int(np.count_nonzero(actions))
            for row, action in zip(mask, actions, strict=True):
                parts = split(row, nvec)
                assert all(parts[k][v] for k, v in enumerate(action))
            _, _, _, _, info = envs.step(actions)
            assert info["_action_mask"].all()
        assert acted > 50  # not only "nothing" (the mask after the last turn allows only that)
    finally:
        envs.close()


# ---------------------------------------------------------------- sb3-contrib


def test_maskable_ppo_trains_on_the_env_without_wrappers():
    """A smoke run of sb3-contrib's MaskablePPO on the tutorial: the env as registered, no
    ActionMasker; the masks it reads are ours, and its masked predictions are valid."""
    sb3_contrib = pytest.importorskip("sb3_contrib")
    from sb3_contrib.common.maskable.utils import get_action_masks

    env = gymnasium.make("LodestoneTutorial-v0")
    model = sb3_contrib.MaskablePPO(
        "MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=2, seed=0, device="cpu", verbose=0
    )
    model.learn(total_timesteps=256)
    assert model.num_timesteps >= 256 and len(model.ep_info_buffer) >= 15  # 12-turn episodes
    venv = model.get_env()
    obs = venv.reset()
    for _ in range(5):
        masks = get_action_masks(venv)
        assert masks.shape == (1, int(env.unwrapped.layout.nvec.sum()))
        action, _ = model.predict(obs, action_masks=masks, deterministic=False)
        parts = split(masks[0], env.unwrapped.layout.nvec)
        assert all(parts[k][v] for k, v in enumerate(action[0]))
        obs, _, _, _ = venv.step(action)
