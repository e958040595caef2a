"""What the two training examples share: the baselines a learned policy is measured against,
a policy's mean return over fixed evaluation seeds, and the learning-curve chart.

Not an example to run; `train_ppo.py` and `train_maskable_ppo.py` import it (Python puts
the script's folder on the path).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from game.lab.baselines import DoctrineAgent, RandomValidAgent, run_episodes
from game.lab.envs import LodestoneEnv

EVAL_SEEDS = list(range(10_000, 10_010))
"""Seeds no training episode used (training games draw their seeds from the model's seed)."""
COLOURS = {"trained": "#0072B2", "do nothing": "#009E73", "AI doctrine": "#D55E00", "random valid": "#999999"}


class DoNothing:
    """The agent that never orders anything: on the tutorial a strong baseline for Japan."""

    def start(self, env: LodestoneEnv) -> None:
        self.size = len(env.layout.nvec)

    def act(self, obs, info) -> np.ndarray:
        return np.zeros(self.size, dtype=np.int64)


def baselines(scenario: str, nation: str | None) -> dict[str, float]:
    """Mean return over the evaluation seeds of three policies that do not learn."""
    env = LodestoneEnv(scenario, nation=nation)
    out = {}
    for name, policy in (
        ("do nothing", DoNothing()),
        ("AI doctrine", DoctrineAgent()),
        ("random valid", RandomValidAgent(seed=0)),
    ):
        out[name] = statistics.mean(e.ret for e in run_episodes(env, policy, EVAL_SEEDS))
    return out


def evaluate(env: LodestoneEnv, act: Callable[[np.ndarray, LodestoneEnv], np.ndarray]) -> float:
    """Mean return of a policy `act(obs, env) -> action` over the evaluation seeds."""
    returns = []
    for seed in EVAL_SEEDS:
        obs, _ = env.reset(seed=seed)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(obs, env))
            total += reward
            done = terminated or truncated
        returns.append(total)
    return statistics.mean(returns)


def learning_curve(
    returns: list[float], lengths: list[int], reference: dict[str, float], title: str, path: Path
) -> Path:
    """Episode returns against training steps (dots, and a rolling mean over 50 episodes),
    with the baselines and the trained policy's evaluation as horizontal lines."""
    fig = Figure(figsize=(8, 4.5), dpi=110)
    ax = fig.add_subplot()
    steps = np.cumsum(lengths)
    ax.scatter(steps, returns, s=4, alpha=0.25, color=COLOURS["trained"], label="training episodes")
    window = min(50, max(len(returns) // 5, 1))
    if len(returns) >= window:
        rolling = np.convolve(returns, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1 :], rolling, color=COLOURS["trained"], lw=2, label=f"mean of {window}")
    for name, value in reference.items():
        colour = COLOURS.get(name, COLOURS["trained"])
        ax.axhline(value, color=colour, ls="--", lw=1.3, label=f"{name}: {value:+.1f}")
    ax.set_xlabel("environment steps (turns)")
    ax.set_ylabel("episode return (final score - opening score)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    return path
