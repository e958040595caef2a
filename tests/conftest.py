"""Shared fixtures: the real content, a private copy of it to corrupt, and a CLI runner."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import game.cli
from game.cli import app
from game.content import DEFAULT_ROOT, Content, load_content

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="session")
def content() -> Content:
    """The real content under content/, loaded once per session."""
    return load_content()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the real content folder; returns its root (tmp_path/content)."""
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_ROOT, root)
    return root


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    @property
    def exited_cleanly(self) -> bool:
        """True when the command ended through sys.exit / typer.Exit, not an uncaught exception."""
        return self.exception is None or isinstance(self.exception, SystemExit)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run `lodestone <args>` in-process. `columns` pins the terminal width rich sees
    (wide by default, so that wrapping never decides a test; 80 is what a pipe or CI gets)."""
    consoles = [c for c in vars(game.cli).values() if isinstance(c, Console)]

    def invoke(*args: str | Path, columns: int = 250) -> CliResult:
        # the CLI's consoles are made at import; pin their width whatever COLUMNS was then
        for console in consoles:
            monkeypatch.setattr(console, "width", columns)
        runner = CliRunner()
        result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})
        return CliResult(
            exit_code=result.exit_code,
            stdout=_ANSI.sub("", result.stdout),
            stderr=_ANSI.sub("", result.stderr),
            exception=result.exception,
        )

    return invoke


@pytest.fixture(name="app")
def window(tmp_path: Path):
    """The game window (tests/window.py), imported here only when a test asks for it: the
    other tests run without pygame."""
    from tests.window import open_window

    application = open_window(tmp_path)
    yield application
    application.manager.clear_and_reset()
