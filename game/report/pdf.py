"""The after-action report as a PDF a wargame director can hand out (ReportLab's page
layout: paragraphs that wrap at word boundaries, tables that split across pages with their
header repeated, figures kept with their captions).

Page 1 is the summary: title, what was played, the findings with their numbers, what
mattered most. Then numbered sections: outcomes (a table with units), the chains and how
they were measured, the charts with captions, the questions, the timeline.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from game.world.scoring import PART_NAMES

if TYPE_CHECKING:
    from game.report.document import Report

BLUE = colors.HexColor("#0072B2")
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#eef2f6")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=13, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=20, leading=24, alignment=TA_LEFT),
        "sub": ParagraphStyle("sub", parent=body, textColor=GREY, spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=base["Heading2"], textColor=BLUE, spaceBefore=10, spaceAfter=4),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "caption": ParagraphStyle("caption", parent=body, fontSize=8.5, leading=11, textColor=GREY),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _bullets(items: list[str], style: ParagraphStyle, numbered: bool = False) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(t, style), leftIndent=12) for t in items],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else None,
        leftIndent=14,
        bulletFontSize=8,
    )


def _table(rows: list[list[object]], widths: list[float], header_rows: int = 1) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), LIGHT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#cccccc")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _figure(fig, width: float) -> Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    buffer.seek(0)
    w_in, h_in = fig.get_size_inches()
    return Image(buffer, width=width, height=width * h_in / w_in)


def write_pdf(report: Report, path: Path) -> Path:
    from game.report.document import METHOD, PART_WORDS, routine_text

    st = _styles()
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=report.title,
        author="Lodestone",
    )
    width = doc.width
    story: list[object] = [
        _p(report.title, st["title"]),
        _p(report.subtitle, st["sub"]),
        _p("Summary", st["h1"]),
        _bullets(report.summary, st["body"]),
        Spacer(1, 6),
        _p("Who played", st["h1"]),
        _p("; ".join(f"{name}: {label}" for name, label in report.teams), st["body"]),
        _p("Questions for the room", st["h1"]),
        _bullets(report.questions[:3], st["body"], numbered=True),
    ]
    if report.figures:
        key = next(iter(report.figures.values()))
        story += [
            Spacer(1, 6),
            KeepTogether(
                [
                    _figure(key.figure, 0.85 * width),
                    _p(f"Key chart: {key.title}. {key.caption} (Figure 1 in section 3.)", st["caption"]),
                ]
            ),
        ]
    story.append(PageBreak())
    # 1. what mattered most
    story.append(_p("1. What mattered most", st["h1"]))
    if report.chains:
        items = []
        for c in report.chains:
            text = f"<b>{escape(c.act)}</b> → {escape(c.link)}."
            if c.followed:
                followed = f"What followed (not measured as caused): {escape(c.followed)}."
                text += f"<br/><font color='#555555'>{followed}</font>"
            items.append(ListItem(Paragraph(text, st["body"]), leftIndent=12))
        story.append(ListFlowable(items, bulletType="1", leftIndent=14))
    else:
        story.append(_p("No export control or tariff measurably moved a price.", st["body"]))
    story.append(Spacer(1, 4))
    story.append(_p(METHOD, st["small"]))
    # 2. outcomes
    header = ["Nation", "Played by"] + [PART_WORDS[p].capitalize() for p in PART_NAMES] + ["Score"]
    rows: list[list[object]] = [[Paragraph(f"<b>{escape(h)}</b>", st["cell"]) for h in header]]
    for o in report.outcomes:
        cells = [o.nation, o.controller]
        cells += [f"{o.parts[p]:.0f} ({o.weights[p]:.0f} %)" for p in PART_NAMES]
        cells.append(f"{o.start:.1f} → {o.end:.1f}")
        style = st["cell"]
        rows.append([Paragraph(f"<b>{escape(c)}</b>" if o.player else escape(c), style) for c in cells])
    first = 0.15 * width
    rest = (width - first - 0.12 * width - 0.11 * width) / len(PART_NAMES)
    story.append(
        KeepTogether(
            [
                _p("2. Outcomes against objectives", st["h1"]),
                _p(
                    "Table 1. Each part of the score at the end of the game (0-100), with its weight in the "
                    "nation's score in brackets (weights add up to 100 %). Players in bold.",
                    st["caption"],
                ),
                _table(rows, [first, 0.12 * width] + [rest] * len(PART_NAMES) + [0.11 * width]),
            ]
        )
    )
    # 3. charts
    story.append(PageBreak())
    story.append(_p("3. Charts", st["h1"]))
    for k, fig in enumerate(report.figures.values(), start=1):
        story.append(
            KeepTogether(
                [
                    _figure(fig.figure, width),
                    _p(f"Figure {k}. {fig.title}. {fig.caption}", st["caption"]),
                    Spacer(1, 8),
                ]
            )
        )
    # 4. questions, 5. timeline
    story.append(_p("4. Questions for discussion", st["h1"]))
    story.append(_bullets(report.questions, st["body"], numbered=True))
    story.append(PageBreak())
    story.append(_p("Appendix: timeline", st["h1"]))
    story.append(_p("Table 2. Strategic orders and news, by quarter.", st["caption"]))
    rows = [[Paragraph(f"<b>{h}</b>", st["cell"]) for h in ("Quarter", "Who", "What")]]
    rows += [[_p(d, st["cell"]), _p(w, st["cell"]), _p(x, st["cell"])] for d, w, x in report.timeline]
    story.append(_table(rows, [0.11 * width, 0.16 * width, 0.73 * width]))
    if report.routine:
        story.append(_p(f"Routine orders not listed: {routine_text(report.routine)}.", st["small"]))

    def footer(canvas, doc_) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(doc_.leftMargin, 9 * mm, report.title)
        canvas.drawRightString(doc_.leftMargin + doc_.width, 9 * mm, f"page {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path
