"""Sweep throughput on local Dask workers, and what it means for the 10,000 x 60 target.

    python bench/lab.py [--scenario ministerial-2026] [--games 8] [--turns 4] [--workers 1 2]
                        [--flat-games 160]

1. One game in this process: world set-up time and seconds per turn (the cost model).
2. The same sweep (`--games` seeds x `--turns` turns) on a local cluster of 1 and of 2 worker
   processes: cluster start-up, wall time, games/min, turns/s, scaling ratio, efficiency
   against the in-process cost model, peak memory of the driver and of the workers.
3. The extrapolation to the issue's target (10,000 games x 60 turns on 2 workers), from the
   cost model and the measured efficiency, stated as what it is: an extrapolation.
4. Memory flat in the number of runs: the driver's resident memory sampled during a sweep of
   `--flat-games` one-turn tutorial games (cheap runs, so the driver's per-run work dominates).

Prints figures; asserts nothing (targets live in the issue notes, not in tests).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from game.content import Content
from game.lab.api import default_content, run_game
from game.lab.sweep import make_client, run_sweep
from game.lab.sweep_spec import load_spec
from game.session import Game

TARGET_GAMES, TARGET_TURNS, TARGET_MINUTES = 10_000, 60, 10.0


def rss_mb(pid: int | None = None) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def cost_model(content: Content, scenario: str, turns: int, runs: int = 2) -> tuple[float, float]:
    """(set-up s, s per turn) of a game with every nation on its AI, in this process: the
    median of `runs` games, set-up (world, agents, controllers) and turns timed apart."""
    run_game(scenario, 0, turns=1, content=content)  # warm caches and imports
    setups, per_turn = [], []
    for seed in range(1, runs + 1):
        start = time.perf_counter()
        game = Game(content, scenario, seed)
        setups.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(turns):
            game.play_turn()
        per_turn.append((time.perf_counter() - start) / turns)
    return statistics.median(setups), statistics.median(per_turn)


def spec_file(folder: Path, scenario: str, games: int, turns: int, root_seed: int) -> Path:
    path = folder / f"bench-{scenario}-{games}x{turns}-{root_seed}.toml"
    text = f'root_seed = {root_seed}\nseeds = {games}\nscenarios = ["{scenario}"]\nturns = {turns}\n'
    path.write_text(text)
    return path


def sweep_once(content: Content, spec: Path, workers: int, out: Path) -> dict[str, float]:
    start = time.perf_counter()
    client, cluster = make_client(workers)
    startup = time.perf_counter() - start
    try:
        sweep = load_spec(spec, content)
        outcome = run_sweep(sweep, out, content, client=client)
        worker_mb = client.run(lambda: psutil.Process().memory_info().rss / 2**20)
    finally:
        client.close()
        cluster.close()
    return {
        "startup_s": startup,
        "sweep_s": outcome.seconds,
        "games": outcome.done,
        "failed": outcome.failed,
        "turns": outcome.turns_played,
        "worker_mb": max(worker_mb.values()),
    }


def flat_memory(content: Content, folder: Path, games: int, workers: int) -> list[tuple[int, float]]:
    """Driver RSS (MB) after every tenth of a sweep of cheap games."""
    spec = spec_file(folder, "tutorial", games, 1, 99)
    samples: list[tuple[int, float]] = []
    step = max(games // 10, 1)

    def on_result(o) -> None:
        n = o.done + o.failed
        if n % step == 0:
            samples.append((n, rss_mb()))

    client, cluster = make_client(workers)
    try:
        sweep = load_spec(spec, content)
        run_sweep(sweep, folder / "flat", content, client=client, on_result=on_result, batch=16)
    finally:
        client.close()
        cluster.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="ministerial-2026")
    parser.add_argument("--games", type=int, default=8)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--flat-games", type=int, default=160, help="0 to skip the memory check")
    args = parser.parse_args()
    content = default_content()
    load = os.getloadavg()[0]
    print(f"== {os.cpu_count()} cores; load average before: {load:.2f} (other work skews the figures)")

    setup, per_turn = cost_model(content, args.scenario, args.turns)
    print(f"== one game in-process ({args.scenario}): set-up {setup:.2f} s, {per_turn * 1000:.0f} ms/turn")
    target_cpu = TARGET_GAMES * (setup + TARGET_TURNS * per_turn)
    print(
        f"   a {TARGET_TURNS}-turn game: {setup + TARGET_TURNS * per_turn:.1f} s; "
        f"{TARGET_GAMES:,} of them: {target_cpu / 3600:.1f} CPU-hours"
    )

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, workers in enumerate(args.workers):
            spec = spec_file(folder, args.scenario, args.games, args.turns, 1000 + i)
            r = sweep_once(content, spec, workers, folder / f"out-{workers}")
            results[workers] = r
            ideal = r["games"] * (setup + args.turns * per_turn) / workers
            r["efficiency"] = ideal / r["sweep_s"] if r["sweep_s"] else 0.0
            print(
                f"== sweep {args.games} games x {args.turns} turns on {workers} worker(s): "
                f"cluster start {r['startup_s']:.1f} s, sweep {r['sweep_s']:.1f} s, "
                f"{r['games'] / r['sweep_s'] * 60:.1f} games/min, {r['turns'] / r['sweep_s']:.2f} turns/s, "
                f"efficiency {r['efficiency']:.0%} of the in-process cost model, "
                f"worker peak RSS {r['worker_mb']:.0f} MB, failed {r['failed']:.0f}"
            )
        if 1 in results and 2 in results:
            ratio = results[1]["sweep_s"] / results[2]["sweep_s"]
            print(f"== scaling: 2 workers are {ratio:.2f}x as fast as 1 (ideal 2.00x on this 2-core machine)")
        best = max(results, key=lambda w: results[w]["games"] / results[w]["sweep_s"])
        efficiency = results[best]["efficiency"] or 1.0
        minutes = target_cpu / best / efficiency / 60
        print(
            f"== extrapolation: {TARGET_GAMES:,} x {TARGET_TURNS} turns on {best} worker(s) at the measured "
            f"efficiency: {minutes:,.0f} min ({minutes / 60:.1f} h); target {TARGET_MINUTES:.0f} min, "
            f"i.e. {minutes / TARGET_MINUTES:,.0f}x too slow. Needed per game: "
            f"{TARGET_MINUTES * 60 * best / TARGET_GAMES * 1000:.0f} ms for {TARGET_TURNS} turns "
            f"({TARGET_MINUTES * 60 * best / TARGET_GAMES / TARGET_TURNS * 1000:.1f} ms/turn incl. set-up)"
        )
        if args.flat_games:
            samples = flat_memory(content, folder, args.flat_games, max(args.workers))
            shown = ", ".join(f"{n}: {mb:.0f}" for n, mb in samples)
            print(f"== driver RSS (MB) by runs finished, {args.flat_games} one-turn tutorial games: {shown}")
    print(f"== load average after: {os.getloadavg()[0]:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"== driver peak RSS over the whole bench: {peak:.0f} MB")


if __name__ == "__main__":
    main()
