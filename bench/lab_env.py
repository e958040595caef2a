"""Speed of the RL environments: env steps per second on one core, with the env's own work
separated from the game's (the AI nations' decisions and the world's turn).

    python bench/lab_env.py [--steps 24] [--default-steps 6] [--no-parallel] [--no-vector]

Times are CPU seconds of this process (`time.process_time`), so that figures taken on a
shared machine are not inflated by other processes; numpy is held to one thread.

For each scenario: a `LodestoneEnv` stepped by a random-but-valid agent (masks on) and by a
do-nothing agent with masks off; steps per second of CPU (resets and the agent's sampling
included), then per step the env's overhead (orders, masks, features), the AI's and the
world's time, and the steps per second the env alone would allow (1 / overhead). The
overhead is then split into features, masks and order building on a fresh state. The
PettingZoo env is timed with every nation an agent. The mask is timed both ways: from the
turn's facts (what the envs use) and by definition (every order built and checked by the
desk, `Menu.checked_mask`), and as a share of a whole step (the target: under 10 %).
Last, wall-clock steps per second of gymnasium's `AsyncVectorEnv` with 1 and with 2 envs
on the tutorial (one process per env), and their ratio: how far vector envs scale with
processes on this machine. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one core, as the target says

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from game.lab import masks as flat_masks  # noqa: E402
from game.lab.actions import Menu, Situation  # noqa: E402
from game.lab.baselines import sample_valid  # noqa: E402
from game.lab.envs import LodestoneEnv, LodestoneParallelEnv, Timings, default_content  # noqa: E402


def _row(label: str, t: Timings, cpu: float) -> str:
    n = max(t.steps, 1)
    env_ms, ai_ms, world_ms = (1e3 * x / n for x in (t.env, t.ai, t.world))
    alone = 1e3 / env_ms if env_ms > 0 else float("inf")
    return (
        f"  {label:34s} {n / cpu:8.1f} steps/s | per step: env {env_ms:7.2f} ms, AI {ai_ms:7.2f} ms, "
        f"world {world_ms:8.2f} ms | env alone {alone:7.0f} steps/s"
    )


def gym_env(scenario: str, steps: int, masks: bool, seed: int = 0) -> tuple[Timings, float]:
    env = LodestoneEnv(scenario, compute_masks=masks)
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    env.timings.clear()
    zeros = np.zeros(len(env.layout.nvec), dtype=np.int64)
    start = time.process_time()
    for _ in range(steps):
        action = sample_valid(info["action_mask"], env.layout.nvec, rng, 0.3) if masks else zeros
        _, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            _, info = env.reset()
    return env.timings, time.process_time() - start


def overhead_parts(scenario: str, step_ms: float, repeats: int = 20) -> str:
    """Features, a full mask and order building alone, on the state after one turn."""
    env = LodestoneEnv(scenario, compute_masks=False)
    env.reset(seed=0)
    env.step(np.zeros(len(env.layout.nvec), dtype=np.int64))
    seat = env._seat
    assert seat is not None and env.game is not None
    obs = seat.observation()

    def timed(fn) -> float:
        start = time.process_time()
        for _ in range(repeats):
            fn()
        return 1e3 * (time.process_time() - start) / repeats

    def fresh() -> Menu:
        return Menu(seat.layout, Situation(env.game.world, obs, seat.rivals, seat.friends, seat.treasury0))

    def build_all() -> None:
        menu = fresh()
        for k, size in enumerate(seat.layout.nvec):
            for v in range(1, int(size)):
                menu.order(k, v)

    n_templates = int(seat.layout.nvec.sum() - len(seat.layout.nvec))
    observe = timed(lambda: env.game.world.observe(seat.nation))
    feats = timed(lambda: seat.features())
    build = timed(build_all)
    mask = timed(lambda: flat_masks.flatten(fresh().mask()))
    desk = timed(lambda: fresh().checked_mask())
    return (
        f"  overhead parts ({n_templates} templates): observe {observe:.2f} ms, features {feats:.2f} ms, "
        f"build every order {build:.2f} ms, mask {mask:.2f} ms (facts gathered anew; "
        f"by the desk, building and checking every order: {desk:.2f} ms)\n"
        f"  mask share of a step: {mask:.2f} ms of {step_ms:.2f} ms = {100 * mask / step_ms:.1f} % "
        "(the flat mask, facts gathered anew; a step with masks, CPU)"
    )


def parallel_env(scenario: str, steps: int, masks: bool, seed: int = 0) -> tuple[Timings, float, int]:
    env = LodestoneParallelEnv(scenario, compute_masks=masks)
    rng = np.random.default_rng(seed)
    _, infos = env.reset(seed=seed)
    env.timings.clear()
    start = time.process_time()
    for _ in range(steps):
        if masks:
            actions = {
                n: sample_valid(infos[n]["action_mask"], env.layouts[n].nvec, rng, 0.3) for n in env.agents
            }
        else:
            actions = {n: np.zeros(len(env.layouts[n].nvec), dtype=np.int64) for n in env.agents}
        _, _, _, _, infos = env.step(actions)
        if not env.agents:
            _, infos = env.reset()
    return env.timings, time.process_time() - start, len(env.possible_agents)


def _tutorial() -> LodestoneEnv:
    return LodestoneEnv("tutorial")


def vector_envs(steps: int) -> str:
    """Wall-clock env steps per second of AsyncVectorEnv with 1 and 2 tutorial envs."""
    from gymnasium.vector import AsyncVectorEnv

    rates, parent = {}, {}
    for n in (1, 2):
        envs = AsyncVectorEnv([_tutorial] * n)
        try:
            _, info = envs.reset(seed=list(range(n)))
            envs.action_space.seed(0)
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                _, _, _, _, info = envs.step(envs.action_space.sample(mask=info["action_mask"]))
            rates[n] = n * steps / (time.perf_counter() - start)
            parent[n] = 1e3 * (time.process_time() - cpu) / steps
        finally:
            envs.close()
    return (
        f"  AsyncVectorEnv on the tutorial, wall clock: 1 env {rates[1]:.0f} steps/s, 2 envs {rates[2]:.0f} "
        f"steps/s, ratio {rates[2] / rates[1]:.2f} (os.cpu_count() = {os.cpu_count()}, load average "
        f"{os.getloadavg()[0]:.1f}); the driving process's CPU per vector step: {parent[1]:.2f} ms with "
        f"1 env, {parent[2]:.2f} ms with 2"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="RL env steps per second")
    parser.add_argument("--steps", type=int, default=24, help="steps on the tutorial")
    parser.add_argument("--default-steps", type=int, default=6, help="steps on Ministerial 2026")
    parser.add_argument("--no-parallel", action="store_true")
    parser.add_argument("--no-vector", action="store_true")
    args = parser.parse_args()
    default_content()  # loading content is not a step
    for scenario, steps in (("tutorial", args.steps), ("ministerial-2026", args.default_steps)):
        print(f"{scenario} ({steps} steps, one core)")
        t, cpu = gym_env(scenario, steps, masks=True)
        print(_row("gymnasium, random valid, masks", t, cpu))
        step_ms = 1e3 * (t.env + t.ai + t.world) / max(t.steps, 1)
        t, cpu = gym_env(scenario, steps, masks=False)
        print(_row("gymnasium, do nothing, no masks", t, cpu))
        print(overhead_parts(scenario, step_ms))
        if not args.no_parallel:
            t, cpu, n = parallel_env(scenario, max(steps // 2, 2), masks=True)
            print(_row(f"pettingzoo, {n} agents, masks", t, cpu))
    if not args.no_vector:
        print(vector_envs(args.steps))


if __name__ == "__main__":
    main()
