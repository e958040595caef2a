"""Speed of the world: turns per second headless, ms per turn at scale, memory of a game.

    python bench/turns.py [--turns 20] [--runs 3] [--scale-turns 2] [--no-scale]
    python bench/turns.py --against COMMIT [--rounds 3]

Prints figures; asserts nothing (targets live in the issue notes, not in tests).

`--against` measures this checkout and another commit in one run, on one machine: the other
commit is checked out in a temporary git worktree, and each measure runs in a fresh process
for each side, the two sides taking turns round by round (a noisy machine then slows both
alike). It prints the best round of each side and their ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from game.content import Content, load_content
from game.rules import Firm, FirmKind, Region, Scenario
from game.session import Game
from game.world.model import WorldModel


def turns_per_second(
    content: Content, scenario: str, turns: int, runs: int, ai: bool, warmup: int = 2
) -> list[float]:
    """Turns per second of a world alone (`ai` False: nobody issues orders) or of a game with
    every nation on its AI doctrine (observations, decisions, order checks included)."""
    rates = []
    for seed in range(runs):
        idle = dict.fromkeys(content.scenarios[scenario].nations)
        game = Game(content, scenario, seed=seed, controllers=None if ai else idle)
        for _ in range(warmup):
            game.play_turn()
        start = time.perf_counter()
        for _ in range(turns):
            game.play_turn()
        rates.append(turns / (time.perf_counter() - start))
    return rates


def synthetic_content(base: Content, n_nations: int, n_firms: int, n_minerals: int, seed: int = 0) -> Content:
    """A generated world for the scale target: minerals cloned from the real ones, nations
    with random demand, firms with random capacity and cost around each mineral's prices."""
    rng = np.random.default_rng(seed)
    real = list(base.minerals.values())
    minerals = {}
    for i in range(n_minerals):
        template = real[i % len(real)]
        minerals[f"m{i}"] = template.model_copy(
            update={
                "id": f"m{i}",
                "reference_shares": template.reference_shares.model_copy(update={"mine": {}, "refining": {}}),
            }
        )
    regions = [r for r in Region if r != Region.WORLD]
    template_nation = base.nations["japan"]
    nations = {}
    for j in range(n_nations):
        demand = {s: {m: float(rng.uniform(10, 1000)) for m in minerals} for s in template_nation.demand}
        nations[f"n{j}"] = template_nation.model_copy(
            update={
                "id": f"n{j}",
                "name": f"Nation {j}",
                "region": regions[j % len(regions)],
                "demand": demand,
                "stockpile": None,
            }
        )
    firms = []
    kinds = [FirmKind.MINE, FirmKind.REFINERY, FirmKind.RECYCLER]
    for k in range(n_firms):
        mineral = minerals[f"m{k % n_minerals}"]
        kind = kinds[0 if k % 10 < 5 else 1 if k % 10 < 9 else 2]
        ore = mineral.prices.refined_usd_per_t * mineral.prices.ore_value_share
        cost = (
            ore * rng.uniform(0.4, 0.9)
            if kind == FirmKind.MINE
            else ((mineral.prices.refined_usd_per_t - ore) * rng.uniform(0.3, 0.8))
        )
        country = f"n{int(rng.integers(n_nations))}"
        firms.append(
            Firm(
                id=f"f{k}",
                name=f"Firm {k}",
                kind=kind,
                mineral=mineral.id,
                country=country,
                owner=country,
                capacity_tpy=float(rng.uniform(500, 5000)),
                unit_cost_usd_per_t=float(cost),
                source="synthetic",
            )
        )
    scenario = Scenario(
        id="scale",
        name="Scale",
        description="generated",
        start_year=2026,
        start_quarter=1,
        turns=60,
        nations=list(nations),
        minerals=list(minerals),
        playable=["n0"],
        default_player="n0",
        source="synthetic",
    )
    return Content(
        root=base.root,
        minerals=minerals,
        nations=nations,
        firms=tuple(firms),
        projects=base.projects,
        events=base.events,
        scenarios={"scale": scenario},
        content_hash="synthetic",
    )


def peak_memory_mb(content: Content, scenario: str, turns: int) -> float:
    gc.collect()
    tracemalloc.start()
    world = WorldModel(content, scenario, seed=0)
    for _ in range(turns):
        world.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


MEASURES = ("ministerial-idle", "ministerial-ai", "tutorial-idle", "tutorial-ai", "memory", "scale")
ROOT = Path(__file__).resolve().parents[1]


def measure(name: str, turns: int, scale_turns: int) -> float:
    """One figure, in ms per turn (memory: MB of process max RSS after a 60-turn AI game)."""
    warnings.simplefilter("ignore")
    content = load_content(Path.cwd() / "content")  # the side's own content (cwd is its tree)
    if name == "memory":
        game = Game(content, "ministerial-2026", seed=0)
        for _ in range(60):
            game.play_turn()
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if name == "scale":
        world = WorldModel(synthetic_content(content, 200, 5000, 20), "scale", seed=0)
        start = time.process_time()
        for _ in range(scale_turns):
            world.step()
        return 1000 * (time.process_time() - start) / scale_turns
    scenario, mode = name.rsplit("-", 1)
    scenario = {"ministerial": "ministerial-2026"}.get(scenario, scenario)
    idle = dict.fromkeys(content.scenarios[scenario].nations)
    game = Game(content, scenario, seed=0, controllers=None if mode == "ai" else idle)
    for _ in range(2):
        game.play_turn()
    # CPU time of this process, not wall time: other work on a shared machine slows the
    # wall clock of both sides by whatever it takes, but not their CPU time.
    start = time.process_time()
    for _ in range(turns):
        game.play_turn()
    return 1000 * (time.process_time() - start) / turns


def compare(commit: str, rounds: int, turns: int, scale_turns: int, skip_scale: bool) -> None:
    """This checkout against `commit`, measure by measure, the sides taking turns."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"lodestone-bench-{sha[:12]}"
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha],
            check=True,
            capture_output=True,
        )
    sides = {"before": tree, "after": ROOT}
    names = [m for m in MEASURES if not (skip_scale and m == "scale")]
    header = f"{'measure':18s} {'before':>10s} {'after':>10s} {'ratio':>7s}"
    print(f"{header}   (before = {sha[:10]}, best of {rounds}, CPU time)")
    for name in names:
        best: dict[str, float] = {}
        for _ in range(rounds):
            for side, path in sides.items():
                env = {**os.environ, "PYTHONPATH": str(path)}
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        name,
                        "--turns",
                        str(turns),
                        "--scale-turns",
                        str(scale_turns),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=path,
                ).stdout
                value = json.loads(out.strip().splitlines()[-1])
                best[side] = min(best.get(side, value), value)
        unit = "MB" if name == "memory" else "ms"
        print(
            f"{name:18s} {best['before']:8.1f}{unit} {best['after']:8.1f}{unit} "
            f"{best['before'] / best['after']:6.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale-turns", type=int, default=2)
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--against", metavar="COMMIT", help="compare with this commit, in one run")
    parser.add_argument("--rounds", type=int, default=3, help="with --against: rounds per side")
    parser.add_argument("--child", choices=MEASURES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.turns, args.scale_turns)))
        return
    if args.against:
        compare(args.against, args.rounds, args.turns, args.scale_turns, args.no_scale)
        return
    warnings.simplefilter("ignore")
    content = load_content()
    for scenario in ("ministerial-2026", "tutorial"):
        for ai in (False, True):
            rates = turns_per_second(content, scenario, args.turns, args.runs, ai)
            label = f"{scenario} ({'AI doctrines' if ai else 'no orders'})"
            print(
                f"{label:34s} {statistics.mean(rates):8.1f} turns/s "
                f"({1000 / statistics.mean(rates):6.1f} ms/turn; runs {', '.join(f'{r:.1f}' for r in rates)})"
            )
    mem = peak_memory_mb(content, "ministerial-2026", 60)
    print(
        f"ministerial-2026 60 turns: peak traced memory {mem:.0f} MB, "
        f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    if not args.no_scale:
        scale = synthetic_content(content, 200, 5000, 20)
        start = time.perf_counter()
        world = WorldModel(scale, "scale", seed=0)
        built = time.perf_counter() - start
        times = []
        for _ in range(args.scale_turns):
            t0 = time.perf_counter()
            world.step()
            times.append(time.perf_counter() - t0)
        each = ", ".join(f"{1000 * t:.0f}" for t in times)
        print(
            f"scale 200 nations x 5000 firms x 20 minerals: build {built:.1f} s, "
            f"{1000 * statistics.mean(times):.0f} ms/turn (turns: {each})"
        )


if __name__ == "__main__":
    main()
