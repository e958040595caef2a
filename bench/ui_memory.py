"""Memory of the game window over a long game: resident set size after 5 turns and after
60 (or --turns), each turn played as a player does it (End turn, the report, back to the
map, the charts now and then).

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy python bench/ui_memory.py [--turns 60]

The target (issue 18): after 60 turns within 20 % of after 5. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    """Resident set size now (Linux /proc), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    w, h = (int(x) for x in args.size.split("x"))

    from game.ui.app import create_app
    from game.ui.play import Play
    from game.ui.settings import Settings

    app = create_app(Settings(width=w, height=h, sound=False), home=Path(tempfile.mkdtemp()), headless=True)
    play = Play.new(app.content, "ministerial-2026", "japan", seed=1)
    main_screen = app.reset(app.make("main", play))
    marks: dict[int, float] = {}
    turns = min(args.turns, play.scenario.turns)
    for turn in range(1, turns + 1):
        main_screen.end_turn()
        app.wait(120)
        for _ in range(3):
            app.step()
        app.pop()  # the report
        if turn % 10 == 0:
            app.open("charts", play)
            app.step()
            app.pop()
        app.step()
        if turn in (5, 10, 20, 30, 40, 50, 60) or turn == turns:
            gc.collect()
            marks[turn] = rss_mb()
            print(f"after {turn:3d} turns: {marks[turn]:7.1f} MB", flush=True)
    first = marks.get(5)
    if first:
        last = marks[max(marks)]
        growth = (last / first - 1) * 100
        print(f"growth from turn 5 to turn {max(marks)}: {growth:+.1f} % (target: within 20 %)")


if __name__ == "__main__":
    main()
