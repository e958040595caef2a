"""Speed of the AI side of a turn: observing, deciding and submitting, nation by nation.

    python bench/ai_turn.py [--scenario ministerial-2026 tutorial] [--seeds 0 1] [--turns N]
                            [--calls] [--wall]

Plays each game with every nation on its AI doctrine, exactly as `Game.play_turn` does, but
times the three parts of `Game.ask_controllers` apart (the world's `observe` for each nation,
the controller's `decide`, the desk's `submit` of each order) and the world's own step. With
`--calls`, counts the Python calls of the AI side per turn (cProfile; the timings are then
those of a profiled run). Times are CPU time of this process unless `--wall` (on a machine
shared with others, wall time also counts the turns others took). Uses only the session's
public API, so the same script measures any commit: run it from two checkouts, interleaved.

Prints figures; asserts nothing (targets live in the issue notes, not in tests).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import mesa

from game.content import load_content
from game.session import Game


def play(content, scenario: str, seed: int, turns: int | None, calls: bool, wall: bool) -> dict[str, float]:
    """ms per turn of each part, summed over the game's turns, divided by the turns played."""
    game = Game(content, scenario, seed=seed)
    world = game.world
    last = world.scenario.turns if turns is None else min(turns, world.scenario.turns)
    parts = dict.fromkeys(("observe", "decide", "submit", "step"), 0.0)
    profile = cProfile.Profile() if calls else None
    clock = time.perf_counter if wall else time.process_time
    while world.turn < last:
        for order in game.scripted.pop(world.turn, []):
            world.submit(order)
        if profile is not None:
            profile.enable()
        for nation in world.nation_ids:
            controller = game.controllers.get(nation)
            if controller is None:
                continue
            a = clock()
            observation = world.observe(nation)
            b = clock()
            orders = controller.decide(observation)
            c = clock()
            for order in orders:
                world.submit(order)
            d = clock()
            parts["observe"] += b - a
            parts["decide"] += c - b
            parts["submit"] += d - c
        if profile is not None:
            profile.disable()
        a = clock()
        game.end_turn()
        parts["step"] += clock() - a
    # Mesa 3.3 keeps every model in `Agent._ids` (mesa issue 3179, fixed upstream by PR 3180):
    # let this game go, or every later game pays for collecting around it.
    mesa.Agent._ids.pop(world, None)
    out = {k: 1000 * v / last for k, v in parts.items()}
    out["ai"] = out["observe"] + out["decide"] + out["submit"]
    out["turn"] = out["ai"] + out["step"]
    if profile is not None:
        out["calls"] = pstats.Stats(profile).total_calls / last  # type: ignore[attr-defined]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", nargs="+", default=["ministerial-2026", "tutorial"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--turns", type=int, default=None, help="turns per game (default: full length)")
    parser.add_argument("--calls", action="store_true", help="count Python calls of the AI side")
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    args = parser.parse_args()
    content = load_content()
    for scenario in args.scenario:
        runs = [play(content, scenario, seed, args.turns, args.calls, args.wall) for seed in args.seeds]
        mean = {k: sum(r[k] for r in runs) / len(runs) for k in runs[0]}
        figures = "  ".join(f"{k} {v:7.2f}" for k, v in mean.items() if k != "calls")
        extra = f"  calls/turn {mean['calls']:,.0f}" if "calls" in mean else ""
        print(f"{scenario:18s} ms/turn: {figures}{extra}")


if __name__ == "__main__":
    main()
