"""The hot-wash report of a wargame: what each team did and why, what the facilitator did,
and what followed, for the discussion right after the exercise.

It reads a replayed game with a room (`game.room`): the teams, the order log, the teams'
own rationale notes, the facilitator's injects, schedule changes, rulings, messages and
rewinds. Unlike the general after-action report it is about the teams:

- one page per team: its objectives, every order it gave (refused ones too) with its own
  note and any ruling on it, the facilitator's messages to it, and its outcome against
  the objectives' weights;
- a timeline of decision points, injects and rulings; routine lines (investors' capacity
  announcements, firms opening and closing) are folded into counts per quarter;
- charts marked where teams decided (solid) and injects landed (dashed);
- causal chains only as far as the model measured them: an act, the price move and the
  shortfall it caused. What a human team did next is listed in its timeline, never given
  as its motive.

The HTML and the PDF are written from the same blocks, and the PDF wraps and paginates
every line, so the PDF holds everything the HTML holds.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import os
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from game.report import charts
from game.report.chains import Chain, causal_chains
from game.report.document import TIMELINE_KINDS
from game.rules.facilitator import Broadcast, InjectEvent
from game.rules.orders import Order
from game.saves import Room
from game.session import Game
from game.world.mechanisms.registry import describe
from game.world.scoring import PART_NAMES

FOLDED_NEWS = {"investment": "investors' capacity announcements", "firm": "firms opening or closing"}
"""News read as routine in a hot-wash: counted per quarter instead of listed."""
FOLDED_KINDS = {"firm"}
STRATEGIC = TIMELINE_KINDS  # the decisions the after-action report lists are the ones a hot-wash discusses
"""AI orders worth a timeline line (the teams' orders are all listed)."""


@dataclass(frozen=True)
class Row:
    turn: int
    date: str
    kind: str
    """decision | inject | ruling | message | rewind | schedule | order | news | folded"""
    who: str
    what: str


@dataclass
class TeamPage:
    nation: str
    name: str
    objectives: str
    score_start: float
    score_end: float
    parts: list[tuple[str, float, float]]
    """(part, value 0–100 at the end, weight)"""
    orders: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(date, order, outcome, the team's note and any ruling)"""
    messages: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Hotwash:
    title: str
    subtitle: str
    room: list[str]
    chains: list[str]
    teams: list[TeamPage]
    timeline: list[Row]
    figures: dict[str, Figure]


def _room(game: Game) -> Room:
    return game.room or Room(teams=list(game.humans))


def build_hotwash(game: Game) -> Hotwash:
    world = game.world
    sc = world.scenario
    room = _room(game)
    teams = [t for t in world.nation_ids if t in (room.teams or game.humans)]
    date = sc.date_of
    name = world.display

    def in_words(order: Order) -> str:  # in the names players read, not ids
        return describe(order, world.state)

    played = len(world.records)

    notes: dict[tuple[int, str, str], list[str]] = {}
    for r in room.rationales:
        notes.setdefault((r.turn, r.team, r.order.model_dump_json()), []).append(r.note)
    rulings: dict[tuple[int, str, str], list[str]] = {}
    for ruling in room.rulings:  # a team's note follows its order through an amendment
        if ruling.amended is not None:
            was = notes.get((ruling.turn, ruling.team, ruling.original.model_dump_json()), [])
            notes.setdefault((ruling.turn, ruling.team, ruling.amended.model_dump_json()), []).extend(was)
    for ruling in room.rulings:
        key = (ruling.turn, ruling.team, (ruling.amended or ruling.original).model_dump_json())
        verb = "amended by the facilitator" if ruling.action == "amend" else "vetoed by the facilitator"
        rulings.setdefault(key, []).append(f"{verb}: {ruling.note}")

    rows: list[Row] = []
    pages = {t: _team_page(game, t) for t in teams}
    for rec in world.desk.log:
        if rec.stage == "event":
            continue
        key = (rec.turn, rec.issuer, rec.order.model_dump_json())
        text = in_words(rec.order)
        if rec.issuer in pages:
            outcome = "done" if rec.accepted else f"refused: {rec.reason}"
            said = [f"note: {n}" for n in notes.get(key, [])] + rulings.get(key, [])
            pages[rec.issuer].orders.append((date(rec.turn), text, outcome, "; ".join(said)))
            if rec.accepted:
                why = f" (note: {'; '.join(notes[key])})" if key in notes else ""
                rows.append(Row(rec.turn, date(rec.turn), "decision", f"Team {name(rec.issuer)}", text + why))
        elif rec.accepted and rec.kind in STRATEGIC:
            rows.append(Row(rec.turn, date(rec.turn), "order", name(rec.issuer), text))
    for branch in game.branches:  # what a rewind discarded stays on the team's page
        for logged in branch.orders:
            if logged.order.issuer in pages:
                pages[logged.order.issuer].orders.append(
                    (date(logged.turn), in_words(logged.order), "discarded by a rewind", "")
                )
    for ruling in room.rulings:
        if ruling.action == "veto" and ruling.team in pages:  # a vetoed order never reached the log
            pages[ruling.team].orders.append(
                (date(ruling.turn), in_words(ruling.original), "vetoed", f"ruling: {ruling.note}")
            )
        what = f"{ruling.action} of Team {name(ruling.team)}'s order ({in_words(ruling.original)})"
        if ruling.amended is not None:
            what += f" to: {in_words(ruling.amended)}"
        rows.append(
            Row(ruling.turn, date(ruling.turn), "ruling", "Facilitator", f"{what}. Ruling: {ruling.note}")
        )
    for turn, action in world.facilitator_log:
        if isinstance(action, InjectEvent):
            event = world.content.events[action.event] if action.event else action.custom
            what = f"{event.name}: {event.news}" if event else "an event"
            rows.append(Row(turn, date(turn), "inject", "Facilitator", what))
        elif isinstance(action, Broadcast):
            to = ", ".join(f"Team {name(t)}" for t in action.to) or "every team"
            rows.append(Row(turn, date(turn), "message", "Facilitator", f"to {to}: {action.text}"))
            for team in action.to or teams:
                if team in pages:
                    pages[team].messages.append((date(turn), action.text))
    for edit in room.schedule:
        event = world.content.events.get(edit.event)
        label = event.name if event else edit.event
        when = f" for {date(sc.turn_of(edit.date))}" if edit.date else ""
        rows.append(
            Row(
                edit.turn, date(edit.turn), "schedule", "Facilitator", f"{edit.action} inject '{label}'{when}"
            )
        )
    for rw in room.rewinds:
        rows.append(
            Row(rw.turn, date(min(rw.turn, sc.turns - 1)), "rewind", "Facilitator",
                f"rewound to the start of {date(rw.to_turn)}: {rw.reason}")
        )  # fmt: skip
    folded: dict[tuple[int, str], int] = {}
    for h in world.news:
        if h.event in FOLDED_NEWS or h.kind in FOLDED_KINDS:
            label = FOLDED_NEWS.get(h.event, FOLDED_NEWS.get(h.kind, h.kind))
            folded[(h.turn, label)] = folded.get((h.turn, label), 0) + 1
            continue
        kind = "inject" if h.kind in ("scheduled", "facilitator") else "news"
        if h.kind == "facilitator":
            continue  # listed from the facilitator's log above
        rows.append(Row(h.turn, date(h.turn), kind, h.kind, f"{h.name}: {h.news}"))
    for (turn, label), n in folded.items():
        rows.append(Row(turn, date(turn), "folded", "routine", f"{n} {label} (folded)"))
    order = {"rewind": 0, "schedule": 1, "inject": 2, "news": 3, "ruling": 4, "message": 5, "decision": 6}
    rows.sort(key=lambda r: (r.turn, order.get(r.kind, 7)))

    # The teams' own acts first, then acts that hit a team, then the rest of the world.
    found = causal_chains(world, limit=200)
    found.sort(key=lambda c: (c.actor not in teams, c.target not in teams))
    chains = measured_chains(world, teams, found[:8])

    room_lines = [f"Teams: {', '.join(f'Team {name(t)}' for t in teams)}; every other nation on its AI."]
    room_lines.append(
        f"Played {played} of {game.length} quarters"
        + (f" (the facilitator shortened the game from {sc.turns})" if game.length < sc.turns else "")
        + "."
    )
    room_lines.append(
        "Scheduled and random events left the teams' export controls to them "
        + ("(as prompts to the team)." if room.team_events == "prompt" else "(as news).")
    )
    room_lines += [
        f"Rewind at {date(min(r.turn, sc.turns - 1))} to {date(r.to_turn)}: {r.reason}" for r in room.rewinds
    ]
    room_lines.append(
        f"Facilitator: {sum(1 for r in rows if r.kind == 'inject' and r.who == 'Facilitator')} injects, "
        f"{len(room.rulings)} rulings, {sum(1 for r in rows if r.kind == 'message')} messages, "
        f"{len(room.schedule)} schedule changes, {len(room.rewinds)} rewinds."
    )
    return Hotwash(
        title=f"{sc.name}: hot-wash",
        subtitle=f"{date(0)} – {date(max(played - 1, 0))}, {played} quarters, seed {game.seed}",
        room=room_lines,
        chains=chains,
        teams=[pages[t] for t in teams],
        timeline=rows,
        figures=_figures(game, teams, rows),
    )


def measured_chains(world, teams: list[str], chains: list[Chain]) -> list[str]:
    """The chains as far as the model measured them: for a team, what it did next is in its
    timeline, never given as the reason it did it (a person's motive is not measured)."""
    out = []
    for chain in chains:
        if chain.target in teams:
            chain = dataclasses.replace(chain, response="", response_turn=None)
        out.append(chain.text(world))
    return out


def _team_page(game: Game, team: str) -> TeamPage:
    world = game.world
    sc = world.scenario
    i = world.nation_ids.index(team)
    brief = sc.briefings.get(team)
    weights = world.scorer.weights[i]
    first, last = world.records[0], world.records[-1]
    return TeamPage(
        nation=team,
        name=world.display(team),
        objectives=brief.objectives if brief else world.content.nations[team].summary,
        score_start=float(first.score[i]),
        score_end=float(last.score[i]),
        parts=[(p, float(last.score_parts[i, k]), float(weights[k])) for k, p in enumerate(PART_NAMES)],
    )


def _figures(game: Game, teams: list[str], rows: list[Row]) -> dict[str, Figure]:
    """The report's charts with markers: solid where a team decided, dashed where an inject
    (the facilitator's or the scenario's) landed."""
    world = game.world
    figures = {
        "Prices": charts.prices(world),
        "Team shortfall": charts.shortfall(world, teams),
        "Scores": charts.scores(world, teams),
    }
    decided = sorted({r.turn for r in rows if r.kind in ("decision", "ruling")})
    injected = sorted({r.turn for r in rows if r.kind == "inject"})
    for fig in figures.values():
        ax = fig.axes[0]
        for t in decided:
            ax.axvline(t, color="#555555", linewidth=0.8, alpha=0.6)
        for t in injected:
            ax.axvline(t, color="#D55E00", linewidth=1.0, linestyle="--", alpha=0.8)
        ax.text(
            0.995, 0.99, "│ team decision   ┆ inject", transform=ax.transAxes, ha="right", va="top",
            fontsize=7, color="#555555",
        )  # fmt: skip
    return figures


# ---------------------------------------------------------------- one set of blocks, two formats


def blocks(report: Hotwash) -> list[tuple[str, list[str]]]:
    """The report as (heading, lines): what both the HTML and the PDF print."""
    out: list[tuple[str, list[str]]] = [("The room", [report.subtitle, *report.room])]
    out.append(
        (
            "What the model measured",
            report.chains or ["No control or tariff moved prices measurably."],
        )
    )
    for page in report.teams:
        lines = [f"Objectives: {page.objectives}"]
        lines.append(f"Score {page.score_start:.1f} → {page.score_end:.1f}")
        for part, value, weight in page.parts:
            if weight > 0:
                lines.append(f"  {part.replace('_', ' ')}: {value:.0f}/100 at weight {weight:.2f}")
        lines.append(f"Orders ({len(page.orders)}):")
        for d, order, outcome, said in page.orders:
            lines.append(f"  {d}  {order} [{outcome}]" + (f" — {said}" if said else ""))
        if not page.orders:
            lines.append("  none")
        if page.messages:
            lines.append("Messages from the facilitator:")
            lines += [f"  {d}  {text}" for d, text in page.messages]
        out.append((f"Team {page.name}", lines))
    out.append(("Timeline", [f"{r.date}  [{r.kind}] {r.who}: {r.what}" for r in report.timeline]))
    return out


def _e(text: object) -> str:
    return html.escape(str(text))


def render_html(report: Hotwash) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(report.title)}</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}",
        "section.team{page-break-before:always} li{margin-bottom:.3em} img{max-width:100%}",
        ".k{color:#777;font-size:.85em}</style></head><body>",
        f"<h1>{_e(report.title)}</h1>",
    ]
    for heading, lines in blocks(report):
        cls = ' class="team"' if heading.startswith("Team ") else ""
        out.append(f"<section{cls}><h2>{_e(heading)}</h2><ul>")
        out += [f"<li>{_e(line)}</li>" for line in lines]
        out.append("</ul></section>")
    out.append("<h2>Charts</h2>")
    for name, fig in report.figures.items():
        data = base64.b64encode(charts.png(fig)).decode()
        out.append(f'<h3>{_e(name)}</h3><img alt="{_e(name)}" src="data:image/png;base64,{data}">')
    out.append("</body></html>")
    return "\n".join(out)


WIDTH = 100
LINES_PER_PAGE = 52


def pdf_pages(report: Hotwash) -> list[tuple[str, list[str]]]:
    """The text pages of the PDF, wrapped and paginated: every line whole, on some page.
    Each team starts a page of its own."""
    pages: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for heading, lines in blocks(report):
        if current is None or heading.startswith("Team ") or heading == "Timeline":
            current = (heading, [])
            pages.append(current)
        else:
            current[1].extend(["", heading.upper()])
        for line in lines:
            indent = len(line) - len(line.lstrip())
            wrapped = textwrap.wrap(
                line, WIDTH, subsequent_indent=" " * (indent + 4), break_on_hyphens=False
            ) or [""]
            for piece in wrapped:
                if len(current[1]) >= LINES_PER_PAGE:
                    current = (f"{heading} (continued)", [])
                    pages.append(current)
                current[1].append(piece)
    return pages


def _page(title: str, lines: list[str]) -> Figure:
    fig = Figure(figsize=(8.27, 11.69))
    fig.text(0.06, 0.96, title, fontsize=13, weight="bold", va="top")
    y = 0.925
    for line in lines:
        fig.text(0.06, y, line, fontsize=7.6, va="top", family="DejaVu Sans")
        y -= 0.0168
    return fig


def write_hotwash(game: Game, out: Path | str) -> list[Path]:
    """`hotwash.html` and `hotwash.pdf` in `out` (each written atomically)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = build_hotwash(game)
    html_path = _atomic_text(out / "hotwash.html", render_html(report))
    pdf_path = out / "hotwash.pdf"
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".hotwash.", suffix=".pdf")
    os.close(fd)
    try:
        with PdfPages(tmp) as pdf:
            for title, lines in pdf_pages(report):
                pdf.savefig(_page(title, lines))
            for fig in report.figures.values():
                pdf.savefig(fig)
        os.replace(tmp, pdf_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return [html_path, pdf_path]


def _atomic_text(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
