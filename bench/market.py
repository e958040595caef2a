"""Speed of the market solve alone: record a game's clearings once, then replay them.

    python bench/market.py [--scenario ministerial-2026] [--turns 20] [--reps 15] [--seed 0]

Plays a game with every nation on its AI doctrine and keeps each call of `clear` (its offers,
bids, routes, starting prices and rents, contracted tonnes). Then it solves each recorded
call `--reps` times and prints, per turn: the solve's time (the median of the repetitions of
each call, summed), its iterations and its evaluations (whole and partial), and the markets
that cost the most. Timing a replay of the same inputs takes the game around it out of the
measure; on a shared machine compare two builds by running both in turn, and trust the
counts over the times. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from game.content import load_content
from game.session import Game
from game.world.market import clearing


@dataclass
class Call:
    turn: int
    stage: int  # 0 ore, 1 refined: the order the turn clears them in
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def record(scenario: str, seed: int, turns: int) -> list[Call]:
    """Play a game and keep the inputs of every clearing (copies: the world reuses arrays)."""
    calls: list[Call] = []
    real = clearing.clear
    turn = [0]

    def keep(offers, bids, routes, price0, **kwargs):
        stage = sum(1 for c in calls if c.turn == turn[0])
        inputs = copy.deepcopy(((offers, bids, routes, price0), kwargs))
        calls.append(Call(turn[0], stage, *inputs))
        return real(offers, bids, routes, price0, **kwargs)

    clearing.clear = keep
    try:
        game = Game(load_content(), scenario, seed=seed)
        for t in range(turns):
            turn[0] = t + 1
            game.play_turn()
    finally:
        clearing.clear = real
    return [c for c in calls if c.turn > 0]  # the spin-up before the first turn is not a turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ministerial-2026")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    clearing.warm_up()
    calls = record(args.scenario, args.seed, args.turns)
    times: list[list[float]] = [[] for _ in calls]
    results = [clearing.clear(*c.args, **c.kwargs) for c in calls]
    for _ in range(args.reps):
        for i, c in enumerate(calls):
            start = time.perf_counter()
            clearing.clear(*c.args, **c.kwargs)
            times[i].append(time.perf_counter() - start)
    n_turns = len({c.turn for c in calls})
    per_call = [statistics.median(t) for t in times]
    print(
        f"{args.scenario} seed {args.seed}: {len(calls)} clearings over {n_turns} turns, "
        f"{args.reps} reps each"
    )
    print(f"  solve           {1000 * sum(per_call) / n_turns:7.2f} ms/turn (median of reps, summed)")
    print(f"  iterations      {sum(r.iterations for r in results) / n_turns:7.1f} /turn (max over minerals)")
    print(f"  unsettled       {sum(int((~r.settled).sum()) for r in results)} mineral-solves")
    evals = [getattr(r, "evaluations", None) for r in results]
    if all(e is not None for e in evals):
        whole = sum(int(e[:, 0].sum()) for e in evals)
        partial = sum(int(e[:, 1].sum()) for e in evals)
        print(
            f"  evaluations     {(whole + partial) / n_turns:7.1f} /turn ({whole / n_turns:.1f} whole, "
            f"{partial / n_turns:.1f} partial: rent steps on some buyers)"
        )
        minerals = calls[0].args[1].need.shape[0]
        names = list(load_content().scenarios[args.scenario].minerals)
        cost: dict[tuple[int, int], float] = defaultdict(float)
        for c, e in zip(calls, evals, strict=True):
            for m in range(minerals):
                cost[(c.stage, m)] += float(e[m].sum()) / n_turns
        top = sorted(cost.items(), key=lambda kv: -kv[1])[:6]
        print(
            "  most evaluations: "
            + ", ".join(
                f"{names[m] if m < len(names) else m} {'ore' if s == 0 else 'refined'} {v:.0f}"
                for (s, m), v in top
            )
        )


if __name__ == "__main__":
    main()
