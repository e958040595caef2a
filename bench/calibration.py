"""Long-run price calibration: the world price index of every mineral by year, and turn 1.

    python bench/calibration.py [--scenario ministerial-2026] [--seeds 0 1] [--turns 60] [--no-ai]

For a run where nobody issues orders and one where every nation plays its AI doctrine
(per seed), prints the refined world price index (mean price paid over the reference) of
every mineral as a yearly mean, its peak over the run, and the price moves of turn 1 with
the causes the world gives them. Asserts nothing: the robust properties are in
tests/test_calibration.py.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from game.content import load_content
from game.lab.summary import price_index
from game.session import Game
from game.world.model import WorldModel


def play(scenario: str, seed: int, turns: int, ai: bool) -> tuple[WorldModel, np.ndarray]:
    """One game: every nation idle (`ai` False) or on its AI doctrine; with the world index
    at the start (after the world's spin-up, before turn 1)."""
    content = load_content()
    idle = dict.fromkeys(content.scenarios[scenario].nations)
    game = Game(content, scenario, seed=seed, controllers=None if ai else idle)
    world = game.world
    start = world.refined_paid[:, : len(world.nation_ids)].mean(axis=1) / world.ref_price
    for _ in range(turns):
        if game.over:
            break
        game.play_turn()
    return game.world, start


def yearly_table(world: WorldModel) -> str:
    """Rows: year; columns: minerals; cells: the mean index over the year's turns."""
    index = price_index(world)  # (T, M)
    start = world.scenario.start_year
    turns_per_year = 4
    years = len(index) // turns_per_year
    names = [m[:8] for m in world.mineral_ids]
    lines = ["year  " + " ".join(f"{n:>8}" for n in names)]
    for y in range(years):
        row = index[y * turns_per_year : (y + 1) * turns_per_year].mean(axis=0)
        lines.append(f"{start + y}  " + " ".join(f"{v:8.2f}" for v in row))
    lines.append("peak  " + " ".join(f"{v:8.2f}" for v in index.max(axis=0)))
    lines.append("min   " + " ".join(f"{v:8.2f}" for v in index.min(axis=0)))
    return "\n".join(lines)


def first_turn(world: WorldModel, base: np.ndarray) -> str:
    """Turn 1's move of each mineral's world index (from `base`, the index at the start) and
    the two largest causes the world names for the refined price moves of turn 1."""
    index = price_index(world)
    moves = index[0] / base - 1
    causes: dict[int, dict[str, float]] = {}
    for e in world.records[0].explanations.rows():
        if e.stage == 1:
            causes.setdefault(e.mineral, {}).setdefault(e.cause, 0.0)
            causes[e.mineral][e.cause] += e.share
    out = []
    for m, name in enumerate(world.mineral_ids):
        named = sorted(causes.get(m, {}).items(), key=lambda kv: -kv[1])[:2]
        why = ", ".join(c for c, _ in named) or "-"
        out.append(f"  {name:<12} start {base[m]:5.2f}  turn 1 {moves[m]:+7.1%}  ({why})")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ministerial-2026")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--no-ai", action="store_true", help="only the no-orders runs")
    args = parser.parse_args()
    modes = [False] if args.no_ai else [False, True]
    for ai in modes:
        for seed in args.seeds:
            began = time.perf_counter()
            world, start = play(args.scenario, seed, args.turns, ai)
            took = time.perf_counter() - began
            label = "AI doctrines" if ai else "no orders"
            print(f"\n== {args.scenario}, {label}, seed {seed} ({took:.1f} s)")
            print(yearly_table(world))
            print("turn 1 moves of the world index:")
            print(first_turn(world, start))


if __name__ == "__main__":
    main()
