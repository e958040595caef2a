"""The after-action report of a game: HTML with its charts embedded, and a PDF of the same.

Built from a replayed save, so the report shows exactly the game that was played: who
played whom, the timeline of orders and events, each nation's outcome against its
objectives, the charts, and the causal chains that mattered most.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from game.report import charts
from game.report.chains import Chain, causal_chains
from game.report.questions import discussion_questions
from game.saves import ControllerKind
from game.session import Game
from game.world.mechanisms.registry import describe
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
    "respond",
    "message",
    "share_stockpile",
}
"""Routine orders (stockpile top-ups, subsidies, deal offers) are counted, not listed."""


@dataclass(frozen=True)
class Outcome:
    nation: str
    controller: str
    start: float
    end: float
    parts: dict[str, float]
    weights: dict[str, float]

    def verdict(self) -> str:
        best = max(self.parts, key=lambda p: self.weights[p] * self.parts[p])
        worst = min((p for p in self.parts if self.weights[p] > 0), key=lambda p: self.parts[p], default=best)
        return f"strongest on {best.replace('_', ' ')}, weakest on {worst.replace('_', ' ')}"


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    teams: list[tuple[str, str]]
    outcomes: list[Outcome]
    chains: list[str]
    questions: list[str]
    timeline: list[tuple[str, str, str]]
    routine: dict[str, int]
    figures: dict[str, Figure]


def build_report(game: Game) -> Report:
    world = game.world
    sc = world.scenario
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
    outcomes = [
        Outcome(
            nation=n,
            controller=kinds.get(n, "ai"),
            start=float(first.score[i]),
            end=float(last.score[i]),
            parts={p: float(last.score_parts[i, k]) for k, p in enumerate(PART_NAMES)},
            weights={p: float(weights[i, k]) for k, p in enumerate(PART_NAMES)},
        )
        for i, n in enumerate(world.nation_ids)
    ]
    outcomes.sort(key=lambda o: (o.nation not in focus, -o.end))
    timeline: list[tuple[int, str, str, str]] = []
    routine: dict[str, int] = {}
    for r in world.desk.log:
        if not r.accepted:
            continue
        if r.kind in TIMELINE_KINDS and not (r.kind == "respond" and not r.order.accept):
            timeline.append((r.turn, sc.date_of(r.turn), world.display(r.issuer), describe(r.order)))
        else:
            routine[r.kind] = routine.get(r.kind, 0) + 1
    for h in world.news:
        timeline.append((h.turn, sc.date_of(h.turn), "news", f"{h.name}: {h.news}"))
    timeline.sort(key=lambda row: row[0])
    pairs = [(p, refiner) for p in focus if refiner and p != refiner][:4]
    if refiner and "united_states" in world.nation_ids and ("united_states", refiner) not in pairs:
        pairs.append(("united_states", refiner))
    score_nations = list(dict.fromkeys([*focus, *([refiner] if refiner else [])]))[:8]
    figures = {
        "Prices": charts.prices(world),
        "Shortfall": charts.shortfall(world, focus),
        "Concentration": charts.concentration(world),
        "Scores": charts.scores(world, score_nations),
    }
    if pairs:
        figures["Relations"] = charts.relations(world, pairs)
    chains: list[Chain] = causal_chains(world)
    return Report(
        title=f"{sc.name}: after-action report",
        subtitle=(
            f"{sc.date_of(0)} – {sc.date_of(turns - 1)}, {turns} turns, seed {game.seed}, "
            f"content {game.content.content_hash[:12]}"
        ),
        teams=[(world.display(n), kinds.get(n, "ai")) for n in world.nation_ids],
        outcomes=outcomes,
        chains=[c.text(world) for c in chains],
        questions=discussion_questions(world, chains),
        timeline=[(date, who, what) for _, date, who, what in timeline],
        routine=routine,
        figures=figures,
    )


def _e(text: object) -> str:
    return html.escape(str(text))


CSS = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.player td { font-weight: 600; } li { margin-bottom: 0.4em; } img { max-width: 100%; }
"""


def render_html(report: Report) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(report.title)}</h1>",
        f'<p class="sub">{_e(report.subtitle)}</p>',
        "<h2>Who played</h2><table><tr><th>nation</th><th>played by</th></tr>",
    ]
    for name, kind in report.teams:
        label = f"Team {name}" if kind == "human" else {"ai": "AI", "script": "script"}.get(kind, kind)
        out.append(f"<tr><td>{_e(name)}</td><td>{_e(label)}</td></tr>")
    out.append("</table><h2>What mattered most</h2><ol>")
    out += [f"<li>{_e(c)}</li>" for c in report.chains] or ["<li>No control or tariff moved prices.</li>"]
    out.append("</ol><h2>Questions for discussion</h2><ol>")
    out += [f"<li>{_e(q)}</li>" for q in report.questions]
    out.append("</ol><h2>Outcomes against objectives</h2><table><tr><th>nation</th><th>played by</th>")
    out += [f"<th>{_e(p.replace('_', ' '))}</th>" for p in PART_NAMES]
    out.append("<th>score start → end</th><th>in short</th></tr>")
    for o in report.outcomes:
        cls = ' class="player"' if o.controller in ("human", "script") else ""
        out.append(f"<tr{cls}><td>{_e(o.nation)}</td><td>{_e(o.controller)}</td>")
        out += [
            f'<td class="num">{o.parts[p]:.0f} <small>(w {o.weights[p]:.2f})</small></td>' for p in PART_NAMES
        ]
        out.append(f'<td class="num">{o.start:.1f} → {o.end:.1f}</td><td>{_e(o.verdict())}</td></tr>')
    out.append("</table><h2>Charts</h2>")
    for name, fig in report.figures.items():
        data = base64.b64encode(charts.png(fig)).decode()
        out.append(f'<h3>{_e(name)}</h3><img alt="{_e(name)}" src="data:image/png;base64,{data}">')
    out.append("<h2>Timeline</h2><table><tr><th>date</th><th>who</th><th>what</th></tr>")
    out += [f"<tr><td>{_e(d)}</td><td>{_e(w)}</td><td>{_e(x)}</td></tr>" for d, w, x in report.timeline]
    out.append("</table>")
    if report.routine:
        counted = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(report.routine.items()))
        out.append(f"<p>Routine orders not listed: {_e(counted)}.</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _text_page(lines: list[str], title: str) -> Figure:
    fig = Figure(figsize=(8.27, 11.69))  # A4 portrait
    fig.text(0.07, 0.95, title, fontsize=14, weight="bold", va="top")
    y = 0.91
    for line in lines:
        for chunk in [line[i : i + 105] for i in range(0, len(line), 105)] or [""]:
            fig.text(0.07, y, chunk, fontsize=8, va="top", family="DejaVu Sans")
            y -= 0.018
            if y < 0.05:
                return fig
    return fig


def write_report(report: Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "report.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    pdf_path = out / "report.pdf"
    with PdfPages(pdf_path) as pdf:
        summary = [report.subtitle, ""]
        summary += ["What mattered most:"] + [f"{i + 1}. {c}" for i, c in enumerate(report.chains)] + [""]
        summary += ["Questions for discussion:"] + [f"{i + 1}. {q}" for i, q in enumerate(report.questions)]
        summary += ["", "Outcomes (score start → end):"]
        summary += [f"  {o.nation}: {o.start:.1f} → {o.end:.1f} ({o.verdict()})" for o in report.outcomes]
        pdf.savefig(_text_page(summary, report.title))
        for fig in report.figures.values():
            pdf.savefig(fig)
        rows = [f"{d}  {w}: {x}" for d, w, x in report.timeline]
        for start in range(0, len(rows), 48):
            pdf.savefig(_text_page(rows[start : start + 48], "Timeline"))
    written = [html_path, pdf_path]
    for name, fig in report.figures.items():
        path = out / f"{name.lower()}.png"
        path.write_bytes(charts.png(fig))
        written.append(path)
    return written
