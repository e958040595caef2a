"""Are the tables of `lodestone run` the same as a recorded set? The check a refactor of the
core must pass: every table of every game, value for value.

    python tools/compare_tables.py record DIR [--turns N]   # play and keep the tables
    python tools/compare_tables.py check DIR [--turns N]    # play again and compare

Plays the four scenarios of DESIGN.md §7 × 3 seeds, every nation on its AI doctrine, full
length unless --turns says otherwise. `check` prints each table that differs, with the first
differing rows, and exits 1 if any does. The world hash is not compared: it is a digest of the
state's layout as well as its values, and a refactor may lay the state out anew.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from game.content import load_content
from game.lab.run import TABLES, play

SCENARIOS = ("ministerial-2026", "rare-earth-2010", "lithium-2021", "tutorial")
SEEDS = (0, 1, 2)


def games(turns: int | None) -> list[tuple[str, int, dict[str, pd.DataFrame]]]:
    content = load_content()
    out = []
    for scenario in SCENARIOS:
        for seed in SEEDS:
            start = time.perf_counter()
            result = play(content, scenario, seed, turns=turns)
            frames = {name: result.table(name) for name in TABLES}
            print(f"  {scenario} seed {seed}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
            out.append((scenario, seed, frames))
    return out


def first_difference(left: pd.DataFrame, right: pd.DataFrame) -> str:
    if list(left.columns) != list(right.columns):
        return f"columns {list(left.columns)} != {list(right.columns)}"
    if len(left) != len(right):
        return f"{len(left)} rows != {len(right)} rows"
    for column in left.columns:
        a, b = left[column], right[column]
        if isinstance(a.dtype, pd.CategoricalDtype) or isinstance(b.dtype, pd.CategoricalDtype):
            a, b = a.astype(object), b.astype(object)  # categories may differ (a new cause)
        same = (a == b) | (a.isna() & b.isna())
        if not bool(same.all()):
            row = int((~same).to_numpy().nonzero()[0][0])
            return f"column {column!r}, row {row}: {a.iloc[row]!r} != {b.iloc[row]!r}"
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("record", "check"))
    parser.add_argument("dir", type=Path)
    parser.add_argument("--turns", type=int, default=None)
    args = parser.parse_args()
    played = games(args.turns)
    failures = 0
    for scenario, seed, frames in played:
        folder = args.dir / f"{scenario}-{seed}"
        for name, frame in frames.items():
            path = folder / f"{name}.parquet"
            if args.mode == "record":
                folder.mkdir(parents=True, exist_ok=True)
                frame.to_parquet(path, index=False)
                continue
            diff = first_difference(pd.read_parquet(path), frame.reset_index(drop=True))
            if diff:
                failures += 1
                print(f"{scenario} seed {seed} {name}: {diff}")
    if args.mode == "check":
        print(f"{len(played)} games, {len(played) * len(TABLES)} tables: {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
