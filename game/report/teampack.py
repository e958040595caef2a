"""A team's briefing as one printed page: the pack a wargame director hands each table.

The same words the team reads on its briefing screen (the scenario's briefing for the
nation: situation, objectives, levers, first advice, and what its score weighs), laid out
on one A4 page with matplotlib so no other PDF library is needed. Long briefings shrink
their type until they fit; nothing is cut.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from game.session import Game

PART_NAMES = {
    "supply_security": "supply security",
    "economic_cost": "economic cost",
    "revenue": "revenue",
    "leverage": "leverage",
    "bloc_cohesion": "bloc cohesion",
    "treasury": "treasury",
}
A4 = (8.27, 11.69)


@dataclass(frozen=True)
class TeamPack:
    nation: str
    scenario: str
    date: str
    title: str
    sections: list[tuple[str, str]]
    """(heading, text) in reading order."""


def team_pack(game: Game, team: str) -> TeamPack:
    """What a team is told before its first turn."""
    world = game.world
    sc = world.scenario
    spec = world.content.nations[team]
    brief = sc.briefings.get(team)
    weights = sc.objectives_for(team, spec.doctrine)
    parts = [(getattr(weights, k, 0), name) for k, name in PART_NAMES.items() if getattr(weights, k, 0) > 0]
    total = sum(w for w, _ in parts) or 1
    score = ", ".join(f"{name} {w / total * 100:.0f} %" for w, name in sorted(parts, reverse=True))
    sections: list[tuple[str, str]] = []
    if brief is not None:
        sections += [
            ("Situation", brief.situation),
            ("Objectives", brief.objectives),
            ("Your levers", brief.levers),
            ("First advice", brief.advice),
        ]
    else:
        sections.append(("Situation", spec.summary))
    sections.append(("Your score weighs", score or "the doctrine's defaults"))
    length = game.length
    sections.append(
        (
            "The exercise",
            f"{length} quarters from {sc.date_of(0)} to {sc.date_of(length - 1)}. Your orders stay "
            "secret until the quarter resolves; the facilitator may inject events, message teams "
            "and rule on orders. Events never set your export controls: you decide your policy.",
        )
    )
    return TeamPack(spec.name, sc.name, sc.date_of(game.turn), brief.title if brief else spec.name, sections)


def _lines(pack: TeamPack, width: int) -> list[tuple[str, str]]:
    """(style, text) lines wrapped to `width` characters."""
    out: list[tuple[str, str]] = []
    for head, text in pack.sections:
        out.append(("head", head))
        for para in text.split("\n"):
            out += [("body", line) for line in textwrap.wrap(para, width) or [""]]
        out.append(("gap", ""))
    return out


def render(pack: TeamPack) -> Figure:
    """The page as a figure (A4 portrait)."""
    fig = Figure(figsize=A4)
    left, top, bottom = 0.08, 0.95, 0.05
    fig.text(left, top, f"Team {pack.nation}", fontsize=22, weight="bold", va="top")
    fig.text(
        left, top - 0.035, f"{pack.scenario} · team pack · {pack.date}", fontsize=11, color="#555", va="top"
    )
    fig.text(left, top - 0.06, pack.title, fontsize=13, style="italic", va="top")
    start = top - 0.095
    for size in (10.5, 10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6):
        width = int(90 * 10 / size)
        lines = _lines(pack, width)
        step = size * 1.45 / 72 / A4[1]
        if start - step * len(lines) >= bottom:
            break
    y = start
    for style, text in lines:
        if style == "head":
            y -= step * 0.3
            fig.text(left, y, text, fontsize=size + 1.5, weight="bold", color="#7a5a00", va="top")
        elif style == "body":
            fig.text(left, y, text, fontsize=size, va="top")
        y -= step
    fig.text(left, 0.02, "Lodestone wargame · hand to the team only", fontsize=7, color="#888")
    return fig


def write_team_pack(pack: TeamPack, path: Path | str) -> Path:
    """Write the one-page PDF atomically (or PNG, by the suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        render(pack).savefig(tmp, dpi=110)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
