"""The game window in tests: SDL's dummy drivers (no display needed), a window at 1280x720
in a temporary home, and the input a player gives it. Importing this module skips the
importing test module when pygame is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

pygame = pytest.importorskip("pygame")

from game.ui.app import App, create_app  # noqa: E402
from game.ui.settings import Settings  # noqa: E402

__all__ = ["App", "Settings", "frames", "key", "open_window", "pygame"]


def open_window(home: Path) -> App:
    return create_app(Settings(width=1280, height=720, sound=False), home=home, headless=True)


def frames(app: App, n: int = 3) -> None:
    for _ in range(n):
        app.step()


def key(app: App, k: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode="", scancode=0))
    frames(app, 2)
