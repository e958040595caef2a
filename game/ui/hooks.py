"""What the UI borrows from layers it may not import.

The after-action report (`game.report`) sits beside the UI in the layering of DESIGN.md §2:
neither may import the other. The command line, above both, hands the UI these functions
at start-up (`game.cli.install_ui_hooks`); without them the UI says the report is not
available and goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Reporting:
    questions: Callable[[Any], list[str]]
    """Discussion questions (3–5) for a world that has played some turns."""
    write: Callable[[Any, Path], list[Path]]
    """Write the after-action report of a game into a folder; returns the files written."""


_reporting: Reporting | None = None


def set_reporting(reporting: Reporting | None) -> None:
    global _reporting
    _reporting = reporting


def reporting() -> Reporting | None:
    return _reporting
