"""Train stable-baselines3's PPO on the tutorial, one nation against the AI, without masks.

Plain PPO does not read masks: it may choose templates the world refuses. A refused choice
orders nothing and costs `invalid_penalty` (0.2 here) of reward, so the policy learns which
orders are possible from the penalty alone. Compare with `train_maskable_ppo.py`, which is
told. Writes `ppo_curve.png` (training returns against steps, beside the baselines and the
trained policy on held-out seeds).

    pip install -e ".[rl]"          # stable-baselines3, sb3-contrib (and torch)
    python examples/train_ppo.py                  # 30,000 steps: about ten minutes of one core
    python examples/train_ppo.py --steps 3000     # a quick look
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gymnasium as gym
import numpy as np
from rl_curves import baselines, evaluate, learning_curve
from stable_baselines3 import PPO
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.monitor import Monitor

import game.lab  # noqa: F401  (registers the env ids)

PENALTY = 0.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--nation", default="japan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("ppo_curve.png"))
    args = parser.parse_args()

    check_env(gym.make("LodestoneTutorial-v0", nation=args.nation).unwrapped)  # SB3's own checker
    env = Monitor(gym.make("LodestoneTutorial-v0", nation=args.nation, invalid_penalty=PENALTY))
    model = PPO(
        "MlpPolicy", env, n_steps=240, batch_size=60, n_epochs=5, ent_coef=0.01, seed=args.seed, device="cpu"
    )
    print(f"training {args.steps} steps on the tutorial as {args.nation} ...", flush=True)
    model.learn(total_timesteps=args.steps)

    def act(obs: np.ndarray, e) -> np.ndarray:
        return model.predict(obs, deterministic=True)[0]

    evaluation = gym.make("LodestoneTutorial-v0", nation=args.nation).unwrapped  # scored without penalty
    reference = {"trained": evaluate(evaluation, act), **baselines("tutorial", args.nation)}
    for name, value in reference.items():
        print(f"{name:13s} mean return {value:+7.2f} on 10 held-out seeds")
    title = f"PPO (no masks, {PENALTY} per refused slot), tutorial, {args.nation}: {args.steps} steps"
    path = learning_curve(env.get_episode_rewards(), env.get_episode_lengths(), reference, title, args.out)
    print(f"learning curve -> {path}")


if __name__ == "__main__":
    main()
