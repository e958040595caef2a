"""Speed of the game window: start to title, idle and panning frame times on the map,
turn resolution as the player waits for it.

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy python bench/ui.py [--frames 600] [--turns 8]

Runs with SDL's dummy drivers (no display needed), so frame times measure our drawing and
pygame-gui's, not a GPU's flip. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

START = """
import time, os
t0 = time.perf_counter()
from game.ui.app import create_app
from game.ui.settings import Settings
app = create_app(Settings(width=1600, height=900, sound=False), home={home!r}, headless=True)
print(time.perf_counter() - t0)
"""


def start_to_title(home: str, runs: int = 3) -> list[float]:
    """Seconds from a fresh interpreter's first import to the title screen drawn."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", START.format(home=home)], check=True, capture_output=True)
        out.append(time.perf_counter() - t0)
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--turns", type=int, default=8)
    args = parser.parse_args()

    import pygame

    from game.ui.app import create_app
    from game.ui.play import Play
    from game.ui.screens.main import MainScreen
    from game.ui.settings import Settings

    home = tempfile.mkdtemp(prefix="lodestone-bench-")
    starts = start_to_title(home)
    print(
        f"start to title (fresh process, incl. interpreter): {statistics.median(starts):.2f} s "
        f"median of {len(starts)}"
    )

    app = create_app(Settings(width=1600, height=900, sound=False), home=Path(home), headless=True)
    print(f"create_app in-process (window, theme, content, map, title): {app.started_in * 1000:.0f} ms")
    play = Play.new(app.content, "ministerial-2026", "japan")
    main = app.reset(MainScreen(app, play))
    for _ in range(10):
        app.step()
    centre = main.view.rect.center

    def frames(n: int, events) -> list[float]:
        times = []
        for i in range(n):
            for e in events(i):
                pygame.event.post(e)
            t0 = time.perf_counter()
            app.step()
            times.append((time.perf_counter() - t0) * 1000)
        return times

    def hover(i: int) -> list:
        return [pygame.event.Event(pygame.MOUSEMOTION, pos=centre, rel=(0, 0), buttons=(0, 0, 0))]

    idle = frames(args.frames, hover)
    print(
        f"idle on the map, 1600x900, mouse over a country: {statistics.mean(idle):.2f} ms/frame mean, "
        f"p95 {pct(idle, 0.95):.2f} ms, p99 {pct(idle, 0.99):.2f} ms "
        f"({1000 / statistics.mean(idle):.0f} fps possible; map redraws {main.view.redraws})"
    )
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=centre, button=1))
    app.step()

    def drag(i: int) -> list:
        x = centre[0] + (i % 40) * 3
        return [pygame.event.Event(pygame.MOUSEMOTION, pos=(x, centre[1]), rel=(3, 0), buttons=(1, 0, 0))]

    main.view.zoom_by(3)
    for _ in range(60):
        app.step()
    before = main.view.redraws
    pan = frames(min(args.frames, 200), drag)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=centre, button=1))
    app.step()
    print(
        f"panning (dragging, zoomed 3x; shifted blits of the cache, redrawn past its margin): "
        f"{statistics.mean(pan):.2f} ms/frame mean, "
        f"p95 {pct(pan, 0.95):.2f} ms ({main.view.redraws - before} redraws)"
    )

    resolve, waited = [], []
    for _ in range(args.turns):
        t0 = time.perf_counter()
        main.end_turn()
        while app.busy:  # the frame that ends the task pushes the report and draws it
            app.step()
        waited.append(time.perf_counter() - t0)
        resolve.append(play.last_turn_seconds)
        app.step()  # the map behind catches up
        app.pop()  # the turn report
    print(
        f"turn resolution (default scenario, all AI, in the worker thread): "
        f"{statistics.mean(resolve) * 1000:.0f} ms mean, "
        f"max {max(resolve) * 1000:.0f} ms over {len(resolve)} turns; "
        f"End turn to report on screen {statistics.mean(waited) * 1000:.0f} ms mean"
    )
    from game.session import Game

    game = Game(app.content, "ministerial-2026", 0, controllers={"japan": None})
    bare = []
    for _ in range(args.turns):
        t0 = time.perf_counter()
        game.play_turn()
        bare.append(time.perf_counter() - t0)
    print(
        f"the same turns without the window (Game.play_turn on the main thread): "
        f"{statistics.mean(bare) * 1000:.0f} ms mean, max {max(bare) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
