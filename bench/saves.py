"""Size and speed of saves: a 60-turn default game with every nation on its AI.

    python bench/saves.py [--turns 60] [--seed 1]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from game.content import load_content
from game.saves import read_save, write_save
from game.session import Game


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default="ministerial-2026")
    args = parser.parse_args()
    content = load_content()
    game = Game(content, args.scenario, args.seed)
    start = time.perf_counter()
    for _ in range(args.turns):
        game.play_turn()
    played = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "game.json"
        t0 = time.perf_counter()
        write_save(game.to_save(), path)
        t1 = time.perf_counter()
        save = read_save(path)
        t2 = time.perf_counter()
        again = Game.from_save(content, save)
        t3 = time.perf_counter()
        size = path.stat().st_size
    assert again.world_hashes == game.world_hashes
    print(
        f"{args.scenario}, {args.turns} turns, AI doctrines: played in {played:.1f} s; "
        f"save {size / 1024:.0f} KiB with {len(save.orders)} orders; write {1000 * (t1 - t0):.0f} ms, "
        f"read+validate {1000 * (t2 - t1):.0f} ms, load by verified replay {t3 - t2:.1f} s"
    )


if __name__ == "__main__":
    main()
