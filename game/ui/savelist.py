"""Where a game's autosaves go, and how a save reads in the load list.

Each game autosaves into its own folder (scenario, nation, seed and the minute it began),
so the rolling pruning of one game never deletes another game's autosaves; a loaded game
keeps writing into the folder it was loaded from.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

KEEP = 5


def autosave_folder(home: Path, game: Any, loaded_from: Path | None = None) -> Path:
    """The folder this game's autosaves go to."""
    root = home / "autosave"
    if loaded_from is not None and loaded_from.parent.parent == root:
        return loaded_from.parent
    humans = "+".join(game.humans) or "ai"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return root / f"{game.world.scenario.id}-{humans}-seed{game.seed}-{stamp}"


def enable_autosave(home: Path, game: Any, loaded_from: Path | None = None) -> None:
    game.autosave = (autosave_folder(home, game, loaded_from), KEEP)


def list_saves(home: Path) -> list[Path]:
    """Saves and every game's autosaves, newest first."""
    found = list((home / "saves").glob("*.json")) + list((home / "autosave").rglob("*.json"))
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def describe_save(path: Path, content: Any) -> str:
    """'Ministerial 2026 · Japan · 2026 Q3 (turn 3 of 60) · autosave · 07 Dec 20:31', or the file
    name and why it cannot be read (the load itself says more)."""
    when = time.strftime("%d %b %H:%M", time.localtime(path.stat().st_mtime))
    kind = "autosave" if "autosave" in path.parts else "saved"
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
        scenario = content.scenarios[head["scenario"]]
        humans = [n for n, spec in head.get("controllers", {}).items() if spec.get("kind") == "human"]
        turn = int(head["turn"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"{path.name} · unreadable or foreign · {when}"
    names = ", ".join(content.nations[n].name if n in content.nations else n for n in humans) or "AI only"
    date = scenario.date_of(min(turn, scenario.turns - 1))
    shown = min(turn + 1, scenario.turns)  # as the map's top bar counts: the turn being played
    if head.get("sealed"):
        kind += " · sealed (PIN)"
    return f"{scenario.name} · {names} · {date} (turn {shown} of {scenario.turns}) · {kind} · {when}"
