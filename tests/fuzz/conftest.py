"""Fuzz fixtures: the content loaded once, and the expensive work behind a command (playing a
game, starting a Dask cluster) replaced by a failure, since every variant must be refused
before it: a variant that gets that far is a bug the test reports, not a slow test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import game.cli
import game.lab.run
import game.lab.sweep
from game.content import Content, load_content


class Accepted(AssertionError):
    """A broken input got past the checks and reached the game."""


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise Accepted("the broken input was accepted and the work started")


@pytest.fixture(scope="session")
def fuzz_content() -> Content:
    return load_content()


@pytest.fixture(autouse=True)
def fast_cli(monkeypatch: pytest.MonkeyPatch, fuzz_content: Content) -> Iterator[None]:
    real = game.cli.load_content

    def cached(root: object = None) -> Content:
        return fuzz_content if root is None else real(root)

    monkeypatch.setattr(game.cli, "load_content", cached)
    monkeypatch.setattr(game.lab.run, "play", _refuse)
    monkeypatch.setattr(game.lab.sweep, "run_sweep", _refuse)
    monkeypatch.setattr(game.cli, "_warm_up_solver", lambda: None)
    yield
