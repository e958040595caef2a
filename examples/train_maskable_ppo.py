"""Train sb3-contrib's MaskablePPO on the tutorial, one nation against the AI, masks from the env.

The env is used as registered (`LodestoneTutorial-v0`): sb3-contrib finds its
`action_masks()` (one flat bool array of length `sum(nvec)`), so no `ActionMasker` wrapper
is needed. Writes `maskable_ppo_curve.png`: the training episodes' returns against steps,
beside three baselines on held-out seeds (do nothing, the nation's AI doctrine, random valid
orders) and the trained policy on the same seeds.

    pip install -e ".[rl]"          # stable-baselines3, sb3-contrib (and torch)
    python examples/train_maskable_ppo.py                  # 30,000 steps: about ten minutes of one core
    python examples/train_maskable_ppo.py --steps 3000     # a quick look
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gymnasium as gym
import numpy as np
from rl_curves import baselines, evaluate, learning_curve
from sb3_contrib import MaskablePPO
from stable_baselines3.common.monitor import Monitor

import game.lab  # noqa: F401  (registers the env ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--nation", default="japan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("maskable_ppo_curve.png"))
    args = parser.parse_args()

    env = Monitor(gym.make("LodestoneTutorial-v0", nation=args.nation))
    model = MaskablePPO(
        "MlpPolicy", env, n_steps=240, batch_size=60, n_epochs=5, ent_coef=0.01, seed=args.seed, device="cpu"
    )
    print(f"training {args.steps} steps on the tutorial as {args.nation} ...", flush=True)
    model.learn(total_timesteps=args.steps)

    def act(obs: np.ndarray, e) -> np.ndarray:
        action, _ = model.predict(obs, action_masks=e.action_masks(), deterministic=True)
        return action

    evaluation = gym.make("LodestoneTutorial-v0", nation=args.nation).unwrapped
    reference = {"trained": evaluate(evaluation, act), **baselines("tutorial", args.nation)}
    for name, value in reference.items():
        print(f"{name:13s} mean return {value:+7.2f} on 10 held-out seeds")
    title = f"MaskablePPO, tutorial, {args.nation}: {args.steps} steps"
    path = learning_curve(env.get_episode_rewards(), env.get_episode_lengths(), reference, title, args.out)
    print(f"learning curve -> {path}")


if __name__ == "__main__":
    main()
