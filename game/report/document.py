"""The after-action report of a game: an HTML document with its charts embedded, and a PDF
laid out as a document (game/report/pdf.py): a title, a one-page summary, numbered
sections, captioned charts, tables with names and units.

Built from a replayed save, so the report shows exactly the game that was played: who
played whom, the timeline of orders and events, each nation's outcome against its
objectives, the charts, and the causal chains that mattered most.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from game.ledger import Names
from game.report import charts
from game.report.chains import Chain, causal_chains
from game.report.pdf import write_pdf
from game.report.questions import discussion_questions
from game.saves import ControllerKind
from game.session import Game
from game.world.mechanisms.registry import describe
from game.world.model import WorldModel
from game.world.scoring import PART_NAMES

TIMELINE_KINDS = {
    "export_control",
    "lift_export_control",
    "tariff",
    "propose_zone",
    "join_zone",
    "leave_zone",
    "invest",
    "fund_rnd",
    "message",
    "share_stockpile",
}
"""Routine orders (stockpile top-ups, subsidies, deal offers) are counted, not listed."""


@dataclass(frozen=True)
class Outcome:
    nation: str
    """Display name."""
    controller: str
    """Who played it, as a reader says it: 'Team Japan', 'AI', 'script'."""
    player: bool
    start: float
    end: float
    parts: dict[str, float]
    weights: dict[str, float]
    """Each part's weight in the nation's score, in percent (they add up to 100)."""

    def verdict(self) -> str:
        best = max(self.parts, key=lambda p: self.weights[p] * self.parts[p])
        worst = min((p for p in self.parts if self.weights[p] > 0), key=lambda p: self.parts[p], default=best)
        return f"strongest on {PART_WORDS[best]}, weakest on {PART_WORDS[worst]}"


@dataclass(frozen=True)
class Figure_:
    title: str
    caption: str
    figure: Figure


@dataclass(frozen=True)
class ChainText:
    act: str
    link: str
    followed: str

    def line(self) -> str:
        text = f"{self.act} → {self.link}."
        return text + (f" What followed (not measured as caused): {self.followed}." if self.followed else "")


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    teams: list[tuple[str, str]]
    outcomes: list[Outcome]
    chains: list[ChainText]
    questions: list[str]
    timeline: list[tuple[str, str, str]]
    routine: dict[str, int]
    figures: dict[str, Figure_]
    summary: list[str] = field(default_factory=list)
    """The one-page summary's key findings, each a sentence with its numbers."""

    @property
    def chain_lines(self) -> list[str]:
        return [c.line() for c in self.chains]


PART_WORDS = {
    "supply_security": "supply security",
    "economic_cost": "economic cost",
    "revenue": "revenue",
    "leverage": "leverage",
    "bloc_cohesion": "bloc cohesion",
    "treasury": "treasury",
}
ROUTINE_WORDS = {
    "stockpile": "stockpile orders",
    "subsidise": "subsidies",
    "propose_deal": "deal offers",
    "invite_to_zone": "zone invitations",
    "plant_news": "news items on plants started, finished or cancelled",
}


def _controller(kind: str, name: str) -> str:
    return {"human": f"Team {name}", "ai": "AI", "script": "script", "external": "script"}.get(kind, kind)


def build_report(game: Game) -> Report:
    world = game.world
    sc = world.scenario
    names = Names(world.content, world)
    turns = len(world.records)
    first, last = world.records[0], world.records[-1]
    kinds = {n: spec.kind.value for n, spec in game.specs.items()}
    players = [
        n
        for n in world.nation_ids
        if kinds.get(n) in (ControllerKind.HUMAN.value, ControllerKind.SCRIPT.value)
    ]
    focus = players or [sc.default_player]
    refiner = next(
        (n for n in world.nation_ids if world.content.nations[n].doctrine.value == "dominant_refiner"), None
    )
    weights = world.scorer.weights
    outcomes = []
    for i, n in enumerate(world.nation_ids):
        total = float(sum(weights[i])) or 1.0
        outcomes.append(
            Outcome(
                nation=world.display(n),
                controller=_controller(kinds.get(n, "ai"), world.display(n)),
                player=n in focus,
                start=float(first.score[i]),
                end=float(last.score[i]),
                parts={p: float(last.score_parts[i, k]) for k, p in enumerate(PART_NAMES)},
                weights={p: 100 * float(weights[i, k]) / total for k, p in enumerate(PART_NAMES)},
            )
        )
    outcomes.sort(key=lambda o: (not o.player, -o.end))
    timeline: list[tuple[int, str, str, str]] = []
    routine: dict[str, int] = {}
    for r in world.desk.log:
        if not r.accepted:
            continue
        if r.kind in TIMELINE_KINDS and not (r.kind == "respond" and not r.order.accept):
            what = names(describe(r.order))
            timeline.append(
                (r.turn, sc.date_of(r.turn), world.display(r.issuer), what[:1].upper() + what[1:])
            )
        else:
            routine[r.kind] = routine.get(r.kind, 0) + 1
    for d in world.diplomacy.deals:
        t = d.terms
        what = (
            f"{t.deal.value.capitalize()} signed: {world.display(t.buyer)} buys "
            f"{t.tonnes_per_turn:,.0f} t a quarter of {t.stage.value} {t.mineral.replace('_', ' ')} from "
            f"{world.display(t.seller)}"
            if t.deal.value == "offtake"
            else f"Memorandum signed with {world.display(t.seller)} on {t.mineral.replace('_', ' ')}"
        )
        timeline.append((d.start_turn, sc.date_of(d.start_turn), world.display(t.buyer), what))
    plants = {"project": 0, "firm": 0}
    for h in world.news:
        if h.kind in plants:  # hundreds of plant announcements: counted, not listed
            plants[h.kind] += 1
            continue
        # generic headlines ('Research') say less than their text
        title = h.name if len(h.name.split()) > 2 else h.news
        timeline.append((h.turn, sc.date_of(h.turn), "News", names(title)))
    if plants["project"]:
        routine["plant_news"] = plants["project"] + plants["firm"]
    timeline = _grouped(timeline)
    pairs = [(p, refiner) for p in focus if refiner and p != refiner][:4]
    if refiner and "united_states" in world.nation_ids and ("united_states", refiner) not in pairs:
        pairs.append(("united_states", refiner))
    score_nations = list(dict.fromkeys([*focus, *([refiner] if refiner else [])]))[:8]
    who = ", ".join(world.display(n) for n in focus)
    figures = {
        "Prices": Figure_(
            "Refined prices",
            "World average price paid for each refined mineral, as a multiple of its reference price "
            "(1.0 = the scenario's reference). Quarterly.",
            charts.prices(world),
        ),
        "Shortfall": Figure_(
            "Shortfall by sector",
            f"Need that could not be bought, by end-use sector, in percent of need ({who}). Quarterly.",
            charts.shortfall(world, focus),
        ),
        "Concentration": Figure_(
            "Concentration of refining",
            "Herfindahl-Hirschman index of refined output by country (0-10,000; above 2,500 is highly "
            "concentrated, 10,000 is one country).",
            charts.concentration(world),
        ),
        "Scores": Figure_(
            "Scores",
            "Score (0-100) of the players and the dominant refiner: each nation's objectives weighted "
            "as in the outcomes table.",
            charts.scores(world, score_nations),
        ),
    }
    if pairs:
        figures["Relations"] = Figure_(
            "Relations",
            "Mutual regard between pairs of nations (-100 hostile to +100 close allies).",
            charts.relations(world, pairs),
        )
    chains: list[Chain] = causal_chains(world)
    texts = [ChainText(c.act_text(world), c.link_text(world), c.followed_text(world)) for c in chains]
    return Report(
        title=f"{sc.name}: after-action report",
        subtitle=(
            f"{sc.date_of(0)} – {sc.date_of(turns - 1)}, {turns} quarters, seed {game.seed}, "
            f"content {game.content.content_hash[:12]}"
        ),
        teams=[
            (world.display(n), _controller(kinds.get(n, "ai"), world.display(n))) for n in world.nation_ids
        ],
        outcomes=outcomes,
        chains=texts,
        questions=discussion_questions(world, chains),
        timeline=[(date, who_, what) for _, date, who_, what in timeline],
        routine=routine,
        figures=figures,
        summary=_summary(world, outcomes, texts),
    )


def _grouped(rows: list[tuple[int, str, str, str]]) -> list[tuple[int, str, str, str]]:
    """One row per quarter and act: 'European Union, Japan, India | Join zone X' rather
    than a row for each (a timeline to read, not a log); orders before news each quarter."""
    groups: dict[tuple[int, str, str], list[str]] = {}
    for turn, date, who, what in rows:
        groups.setdefault((turn, date, what), [])
        if who not in groups[(turn, date, what)]:
            groups[(turn, date, what)].append(who)
    out = [(turn, date, ", ".join(whos), what) for (turn, date, what), whos in groups.items()]
    out.sort(key=lambda row: (row[0], row[2] == "News"))
    return out


def _summary(world: WorldModel, outcomes: list[Outcome], chains: list[ChainText]) -> list[str]:
    """Three to five findings for the first page, each with its numbers."""
    records = world.records
    n = len(world.nation_ids)
    out = []
    for o in [o for o in outcomes if o.player][:3]:
        out.append(f"{o.nation} ({o.controller}) ended with a score of {o.end:.1f}, from {o.start:.1f}: "
                   f"{o.verdict()}.")  # fmt: skip
    index = np.array([r.refined_paid[:, :n].mean(axis=1) / world.ref_price for r in records])
    t, m = np.unravel_index(int(np.argmax(index)), index.shape)
    mineral = world.mineral_ids[int(m)].replace("_", " ")
    out.append(
        f"The highest price was {mineral} at {index[t, m]:.1f}× its reference in "
        f"{world.scenario.date_of(records[t].turn)}."
    )
    if chains:
        out.append(f"What mattered most: {chains[0].act} → {chains[0].link}.")
    else:
        out.append("No export control or tariff measurably moved a price (see the method note).")
    return out


def _e(text: object) -> str:
    return html.escape(str(text))


METHOD = (
    "How to read the chains: an act is linked to a price move only where the model measured the "
    "connection. Each quarter the world attributes every price move to its causes in signed "
    "percentage points that add up to the move; a chain links an export control or tariff to the "
    "price its target paid in the quarter it took effect when policy causes carried at least a "
    "quarter of that move in its direction. The strength of the link is that part (0-100 %). What "
    "the target went short of and what it did next are listed as what followed: the model does not "
    "measure that the act caused them."
)

CSS = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
body { line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } .sub { color: #555; margin-top: 0; }
h2 { border-bottom: 2px solid #0072B2; padding-bottom: 2px; margin-top: 1.6em; }
.summary { background: #f4f7fa; border-left: 4px solid #0072B2; padding: 0.6em 1.2em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0 1.5em; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.player td { font-weight: 600; } li { margin-bottom: 0.5em; } img { max-width: 100%; }
figure { margin: 1em 0 2em; } figcaption { font-size: 0.9em; color: #444; }
.followed { color: #555; } .method { font-size: 0.9em; color: #444; }
"""


def render_html(report: Report) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(report.title)}</h1>",
        f'<p class="sub">{_e(report.subtitle)}</p>',
        '<h2>Summary</h2><div class="summary"><ul>',
    ]
    out += [f"<li>{_e(line)}</li>" for line in report.summary]
    out.append("</ul></div>")
    out.append("<h2>1. Who played</h2><table><tr><th>Nation</th><th>Played by</th></tr>")
    for name, label in report.teams:
        out.append(f"<tr><td>{_e(name)}</td><td>{_e(label)}</td></tr>")
    out.append("</table><h2>2. What mattered most</h2><ol>")
    for c in report.chains:
        followed = (
            f'<br><span class="followed">What followed (not measured as caused): {_e(c.followed)}.</span>'
            if c.followed
            else ""
        )
        out.append(f"<li><b>{_e(c.act)}</b> → {_e(c.link)}.{followed}</li>")
    if not report.chains:
        out.append("<li>No export control or tariff measurably moved a price.</li>")
    out.append(f'</ol><p class="method">{_e(METHOD)}</p>')
    out.append("<h2>3. Outcomes against objectives</h2>")
    out.append(
        "<table><caption>Table 1. Each part of the score at the end (0-100), with its weight in the "
        "nation's score in percent (weights add up to 100).</caption><tr><th>Nation</th><th>Played by</th>"
    )
    out += [f"<th>{_e(PART_WORDS[p].capitalize())}</th>" for p in PART_NAMES]
    out.append("<th>Score, start → end</th><th>In short</th></tr>")
    for o in report.outcomes:
        cls = ' class="player"' if o.player else ""
        out.append(f"<tr{cls}><td>{_e(o.nation)}</td><td>{_e(o.controller)}</td>")
        out += [
            f'<td class="num">{o.parts[p]:.0f} <small>({o.weights[p]:.0f} %)</small></td>' for p in PART_NAMES
        ]
        out.append(f'<td class="num">{o.start:.1f} → {o.end:.1f}</td><td>{_e(o.verdict())}</td></tr>')
    out.append("</table><h2>4. Charts</h2>")
    for k, fig in enumerate(report.figures.values(), start=1):
        data = base64.b64encode(charts.png(fig.figure)).decode()
        out.append(
            f'<figure><img alt="{_e(fig.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>Figure {k}. {_e(fig.title)}.</b> {_e(fig.caption)}</figcaption></figure>"
        )
    out.append("<h2>5. Questions for discussion</h2><ol>")
    out += [f"<li>{_e(q)}</li>" for q in report.questions]
    out.append("</ol><h2>Appendix: timeline</h2>")
    out.append("<table><caption>Table 2. Strategic orders and news, by quarter.</caption>")
    out.append("<tr><th>Quarter</th><th>Who</th><th>What</th></tr>")
    out += [f"<tr><td>{_e(d)}</td><td>{_e(w)}</td><td>{_e(x)}</td></tr>" for d, w, x in report.timeline]
    out.append("</table>")
    if report.routine:
        out.append(f"<p>Routine orders not listed: {_e(routine_text(report.routine))}.</p>")
    out.append("</body></html>")
    return "\n".join(out)


def routine_text(routine: dict[str, int]) -> str:
    return ", ".join(f"{n} {ROUTINE_WORDS.get(k, k.replace('_', ' '))}" for k, n in sorted(routine.items()))


def write_report(report: Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "report.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    pdf_path = write_pdf(report, out / "report.pdf")
    written = [html_path, pdf_path]
    for name, fig in report.figures.items():
        path = out / f"{name.lower()}.png"
        path.write_bytes(charts.png(fig.figure))
        written.append(path)
    return written
