"""Files the player takes away from a game (the after-action report), written from any
screen without one screen importing another."""

from __future__ import annotations

import time
from pathlib import Path

from game.report.document import build_report, write_report


def write_game_report(app, game, name: str) -> list[Path] | str:
    """The after-action report of `game` under the user's reports folder: the files
    written, or why it could not be (the game goes on either way)."""
    if not game.world.records:
        return "No turn has been played yet: nothing to report."
    out = app.home / "reports" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        written = write_report(build_report(game), out)
        if game.room is not None:  # a wargame: the hot-wash beside the after-action report
            from game.report.hotwash import write_hotwash

            written += write_hotwash(game, out)
        return written
    except Exception as exc:  # a report that fails must not end the game
        return f"Could not write the report: {type(exc).__name__}: {exc}"
