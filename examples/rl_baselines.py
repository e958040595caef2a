"""Two baselines through the gymnasium env on the tutorial: a random-but-valid agent and
Japan's own AI doctrine. Prints the mean return (final score minus opening score) of each.

    python examples/rl_baselines.py [--episodes 5] [--scenario tutorial] [--nation japan]
"""

from __future__ import annotations

import argparse
import statistics

from game.lab.baselines import DoctrineAgent, RandomValidAgent, run_episodes
from game.lab.envs import LodestoneEnv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--scenario", default="tutorial")
    parser.add_argument("--nation", default=None)
    args = parser.parse_args()

    env = LodestoneEnv(args.scenario, nation=args.nation)
    seeds = list(range(args.episodes))
    print(f"{args.scenario}, {env.nation}, {args.episodes} episodes (seeds {seeds[0]}..{seeds[-1]})")
    for name, policy in (("random valid", RandomValidAgent(seed=0)), ("AI doctrine", DoctrineAgent())):
        episodes = run_episodes(env, policy, seeds)
        returns = [e.ret for e in episodes]
        spread = statistics.stdev(returns) if len(returns) > 1 else 0.0
        refused = statistics.mean(e.refused for e in episodes)
        print(
            f"  {name:13s} mean return {statistics.mean(returns):+7.2f} (sd {spread:.2f}), "
            f"final score {statistics.mean(e.final_score for e in episodes):6.2f}, "
            f"refused slots per episode {refused:.1f}"
        )


if __name__ == "__main__":
    main()
