"""After a turn: the turn report; any time: the charts; at the end: the debrief."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pygame
import pygame_gui

from game.report.chains import causal_chains
from game.report.questions import discussion_questions
from game.ui import charts
from game.ui.app import Screen
from game.ui.exports import write_game_report
from game.ui.play import PART_LABELS, Play, TurnReport, mineral_name
from game.ui.screens.base import Builder, backs_out, esc
from game.ui.wargame import Wargame

MAX_LINES = 6
MAX_CHANGES = 6


def _panel_rect(app, width: int, height: int) -> pygame.Rect:
    w, h = app.size
    s = app.scale
    pw, ph = min(w - 60, round(width * s)), min(h - 60, round(height * s))
    return pygame.Rect((w - pw) // 2, (h - ph) // 2, pw, ph)


class TurnReportScreen(Screen):
    """What changed for the player this turn, each change with its explanation."""

    overlay = True
    name = "turn_report"

    def __init__(self, app, play: Play, report: TurnReport) -> None:
        super().__init__(app)
        self.play = play
        self.report = report

    def build(self) -> None:
        rect = _panel_rect(self.app, 1180, 700)
        root = self.make_root(rect, "#report")
        root.background_colour = pygame.Color(17, 27, 36)
        root.rebuild()
        b = Builder(self)
        u = b.u
        r = self.report
        pad = u(18)
        reports = self.play.reports
        where = reports.index(r) + 1 if r in reports else len(reports)
        b.label(
            pygame.Rect(pad, pad, rect.w - 2 * pad, u(36)),
            f"Turn report · {r.date} ({where} of {len(reports)})",
            "@heading",
        )
        score = ""
        if not math.isnan(r.score_after):
            score = (
                f"Score {r.score_after:.1f}, the first measured."
                if math.isnan(r.score_before)
                else f"Score {r.score_before:.1f} to {r.score_after:.1f}."
            )
        b.label(
            pygame.Rect(pad, pad + u(36), rect.w - 2 * pad, u(24)),
            f"What mattered for you this quarter. {score}",
            "@small",
        )
        # Two columns, each its own text box: what the player did and what came back, then
        # what changed in the world. A box whose text overflows is laid out twice by
        # pygame-gui (once more with a scroll bar), so each column is kept short enough to
        # fit as a rule: the full lists are in the ledger, the news feed and the charts.
        head = lambda t: f"<font color='#f0c65a'><b>{esc(t)}</b></font>"  # noqa: E731
        left = [head("Your orders")]
        for o in r.orders:
            colour = "#e4e8ec" if o.good is None else ("#7fd18b" if o.good else "#ff8a7a")
            left.append(f"<b>{esc(o.order)}</b>: <font color='{colour}'>{esc(o.result)}</font>")
        if not r.orders:
            left.append("<i>You gave no orders this quarter.</i>")
        if r.replies:
            left += ["", head("Answers and refusals")] + [esc(x) for x in r.replies[:MAX_LINES]]
        if r.messages:
            left += ["", head("What others did to or about you")]
            left += [esc(x) for x in r.messages[:MAX_LINES]]
            if len(r.messages) > MAX_LINES:
                left.append(f"<i>… and {len(r.messages) - MAX_LINES} more</i>")
        if r.spending is not None and r.spending.lines:
            sp = r.spending
            items = ", ".join(f"{esc(name)} {v:+,.0f}" for name, v in sp.lines if abs(v) >= 0.5)
            left += ["", f"{head('Treasury')} ${sp.before:,.0f}m to ${sp.after:,.0f}m ($m): {items}"]
        right = [head("What changed")]
        for c in r.changes[:MAX_CHANGES]:
            colour = "#e4e8ec" if c.good is None else ("#7fd18b" if c.good else "#ff8a7a")
            mark = "•" if c.good is None else ("+" if c.good else "−")
            right.append(f"<font color='{colour}'><b>{mark} {esc(c.headline)}</b></font><br>{esc(c.why)}")
        if not r.changes:
            right.append("<i>A quiet quarter: nothing moved by more than a few percent.</i>")
        if r.news:
            right += ["", head("News")] + [f"<b>{esc(h)}</b>" for h, _ in r.news[:MAX_LINES]]
        box_h = rect.h - pad * 3 - u(64) - u(46)
        col = (rect.w - 3 * pad) // 2
        b.text(pygame.Rect(pad, pad + u(66), col, box_h), "<br>".join(left))
        b.text(pygame.Rect(2 * pad + col, pad + u(66), col, box_h), "<br>".join(right))
        y = rect.h - pad - u(46)
        label = "Debrief" if self.play.over else "Continue"
        self.go = b.button(
            pygame.Rect(rect.w - pad - u(180), y, u(180), u(46)),
            label,
            "Back to the map (Enter)",
            "@primary",
            "#continue",
        )
        self.charts = b.button(
            pygame.Rect(pad, y, u(150), u(46)), "Charts (C)", "Prices, supply and score over time"
        )
        self.ledger = b.button(
            pygame.Rect(pad + u(160), y, u(150), u(46)),
            "Ledger (N)",
            "Your need, purchases, stocks, deals and spending, per mineral",
        )
        self.prev = b.button(
            pygame.Rect(pad + u(320), y, u(120), u(46)), "< Older", "The quarter before (Left arrow)"
        )
        self.next = b.button(
            pygame.Rect(pad + u(450), y, u(120), u(46)), "Newer >", "The quarter after (Right arrow)"
        )
        if where <= 1:
            self.prev.disable()
        if where >= len(reports):
            self.next.disable()

    def step(self, by: int) -> None:
        """Show an older or newer report in place."""
        reports = self.play.reports
        if self.report not in reports:
            return
        k = reports.index(self.report) + by
        if 0 <= k < len(reports):
            self.report = reports[k]
            self.rebuild()

    def handle(self, event: pygame.event.Event) -> bool:
        pressed = event.ui_element if event.type == pygame_gui.UI_BUTTON_PRESSED else None
        key = event.key if event.type == pygame.KEYDOWN else None
        if pressed is self.prev or key == pygame.K_LEFT:
            self.step(-1)
            return True
        if pressed is self.next or key == pygame.K_RIGHT:
            self.step(1)
            return True
        if pressed is self.ledger or key == pygame.K_n:
            self.app.open("ledger", self.play)
            return True
        go = (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.go) or (
            event.type == pygame.KEYDOWN
            and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_ESCAPE)
        )
        if go:
            self.app.pop()
            if self.play.over:
                self.app.push(DebriefScreen(self.app, self.play))
            return True
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.charts) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_c
        ):
            self.app.push(ChartsScreen(self.app, self.play))
            return True
        return False


class ChartsScreen(Screen):
    """Prices, your supply security, concentration and your score over time."""

    name = "charts"

    def __init__(self, app, play: Play) -> None:
        super().__init__(app)
        self.play = play
        self.image: pygame.Surface | None = None
        self._key: tuple | None = None

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        b.label(pygame.Rect(u(16), u(10), w // 2, u(36)), f"Charts · {self.play.date}", "@heading")
        self.close = b.button(pygame.Rect(w - u(150), u(10), u(134), u(38)), "Close (Esc)", "Back")
        self.export = b.button(
            pygame.Rect(w - u(330), u(10), u(170), u(38)),
            "Export PNG (E)",
            "Save these charts as a PNG image",
        )
        self.area = pygame.Rect(u(16), u(58), w - u(32), h - u(74))

    def _render(self) -> None:
        key = (self.area.size, self.play.turn, self.app.settings.colour_blind)
        if key != self._key:
            fig = charts.figure(
                self.play.series(),
                self.area.size,
                dpi=round(100 * self.app.scale),
                colour_blind=self.app.settings.colour_blind,
            )
            self.image = charts.to_surface(fig)
            self._key = key

    def draw(self, surface: pygame.Surface) -> None:
        self._render()
        if self.image is not None:
            surface.blit(self.image, self.area)

    def export_png(self) -> None:
        path = (
            self.app.home
            / "exports"
            / f"{self.play.scenario.id}-{self.play.nation}-{time.strftime('%Y%m%d-%H%M%S')}.png"
        )
        try:
            charts.export_png(
                self.play.series(),
                path,
                f"{self.play.name(self.play.nation)} · {self.play.date}",
                self.app.settings.colour_blind,
            )
        except OSError as exc:
            self.app.notify(f"Could not export: {exc}", bad=True)
            return
        self.app.notify(f"Charts saved to {path}")
        self.exported = path

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.close) or (
            event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_c)
        ):
            self.app.pop()
            return True
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.export) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_e
        ):
            self.export_png()
            return True
        return False


def class_html(play: Play, session: Wargame | None) -> str:
    """The room's part of the debrief: every team's outcome, 3–5 discussion questions and,
    for a historical scenario, what really happened beside what the class did."""
    world = play.world
    parts: list[str] = []
    if session is not None and session.hotseat and (session.ended or play.over):  # no team sees mid-game
        rows = []
        for team in session.teams:
            i = world.nation_ids.index(team)
            start = float(world.records[0].score[i]) if world.records else math.nan
            end = float(world.records[-1].score[i]) if world.records else math.nan
            rows.append(f"Team {esc(play.name(team))}: score {start:.1f} to <b>{end:.1f}</b>")
        parts.append("<font color='#f0c65a'><b>Teams</b></font><br>" + "<br>".join(rows))
    if world.records:
        try:
            questions = discussion_questions(world, causal_chains(world))
        except Exception:  # questions are a help, never a reason to lose the debrief
            questions = []
        if questions:
            parts.append(
                "<font color='#f0c65a'><b>Questions for discussion</b></font><br>"
                + "<br>".join(f"{i + 1}. {esc(q)}" for i, q in enumerate(questions[:5]))
            )
    epilogue = play.scenario.epilogue
    if epilogue is not None:
        compare = []
        history = play.price_history()
        sc = play.scenario
        for m, mineral in enumerate(world.mineral_ids):
            path = epilogue.price_path(mineral)
            if not path or len(history) < 2:
                continue
            real = max(path, key=lambda p: p.usd_per_t)
            k = int(history[1:, m].argmax())
            compare.append(
                f"{esc(mineral_name(mineral))}: your game peaked at ${history[1 + k, m]:,.0f}/t in "
                f"{esc(sc.date_of(k))}; in reality ${real.usd_per_t:,.0f}/t in {esc(real.date)} "
                f"({esc(real.product)})"
            )
        parts.append(
            f"<font color='#f0c65a'><b>{esc(epilogue.title)}</b></font><br>{esc(epilogue.text)}"
            + ("<br><br><b>Your class and history</b><br>" + "<br>".join(compare) if compare else "")
        )
    return "<br><br>".join(parts)


class DebriefScreen(Screen):
    """End of game (or any time from the menu): outcome against objectives, the key
    decisions and what followed them, the charts (exportable); for a class or a wargame,
    the teams, questions for discussion and the epilogue; the after-action report."""

    name = "debrief"

    def __init__(self, app, play: Play, session: Wargame | None = None) -> None:
        super().__init__(app)
        self.play = play
        self.session = session
        self.image: pygame.Surface | None = None
        self.written: list[Path] = []

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        play = self.play
        obs = play.obs
        spec = play.content.nations[play.nation]
        self.final = play.over or (self.session is not None and self.session.ended)
        title = "Debrief" if self.final else f"Debrief so far ({play.date})"
        b.label(
            pygame.Rect(u(16), u(10), w - u(560), u(36)),
            f"{title} · {spec.name} · {play.scenario.name}",
            "@heading",
        )
        self.close = b.button(
            pygame.Rect(w - u(170), u(10), u(154), u(38)),
            "Title screen" if self.final else "Close (Esc)",
            "Leave the debrief",
        )
        self.export = b.button(
            pygame.Rect(w - u(350), u(10), u(170), u(38)), "Export PNG (E)", "Save the charts as a PNG image"
        )
        self.report_button = b.button(
            pygame.Rect(w - u(530), u(10), u(170), u(38)),
            "Write report (R)",
            "The after-action report (HTML and PDF) into your reports folder",
        )
        left_w = max(u(420), w * 2 // 5)
        weights = play.scenario.objectives_for(play.nation, spec.doctrine)
        total = sum(getattr(weights, k, 0) for k in PART_LABELS) or 1
        series = play.series()
        first = series["parts"][0] if series else None
        rows = []
        for j, (key, name) in enumerate(PART_LABELS.items()):
            weight = getattr(weights, key, 0) / total
            now = obs.score_parts.get(key, math.nan)
            start = first[j] if first is not None else math.nan
            arrow = (
                ""
                if math.isnan(now) or math.isnan(start)
                else f" ({now - start:+.0f} since {play.scenario.date_of(0)})"
            )
            rows.append(f"{esc(name)}: <b>{now:.0f}</b>/100{arrow} · weight {weight * 100:.0f} %")
        score = "—" if math.isnan(obs.score) else f"{obs.score:.1f}"
        start_score = series["score"][0] if series else math.nan
        verdict = ""
        if not math.isnan(obs.score) and not math.isnan(start_score):
            delta = obs.score - start_score
            verdict = (
                "You leave your nation stronger than you found it."
                if delta > 2
                else "You held your ground."
                if delta > -2
                else "Your nation ends weaker than it began."
            )
        brief = play.scenario.briefings.get(play.nation)
        decisions = play.decisions()
        dec = (
            "<br>".join(
                f"<font color='#a9b6c3'>{esc(d.date)}</font> {esc(d.text)}"
                + (f"<br>&nbsp;&nbsp;then: {esc(d.effect)}" if d.effect else "")
                for d in decisions[:14]
            )
            or "<i>You gave no orders: the world played itself.</i>"
        )
        big = round(21 * self.app.scale)
        html = (
            f"<font pixel_size={big}><b>Score {score}</b></font>  <font color='#a9b6c3'>(started "
            f"{start_score:.1f})</font><br>{esc(verdict)}<br><br>"
            + (
                f"<font color='#f0c65a'><b>Your objectives</b></font><br>{esc(brief.objectives)}<br><br>"
                if brief
                else ""
            )
            + "<font color='#f0c65a'><b>Outcome by part</b></font><br>"
            + "<br>".join(rows)
            + f"<br><br><font color='#f0c65a'><b>Key decisions ({len(decisions)})</b></font><br>{dec}"
        )
        room = class_html(play, self.session)
        if room:
            html = room + "<br><br>" + html
        if self.written:
            html = (
                f"<font color='#7fd18b'>Report written to {esc(self.written[0].parent)}</font><br><br>" + html
            )
        self.body = b.text(pygame.Rect(u(16), u(58), left_w, h - u(74)), html)
        self.area = pygame.Rect(u(32) + left_w, u(58), w - left_w - u(48), h - u(74))
        fig = charts.figure(
            series,
            self.area.size,
            dpi=round(90 * self.app.scale),
            colour_blind=self.app.settings.colour_blind,
        )
        self.image = charts.to_surface(fig)

    def draw(self, surface: pygame.Surface) -> None:
        if self.image is not None:
            surface.blit(self.image, self.area)

    def write_report(self) -> None:
        self.app.act("guard", self.session, self._write_report, "write the report")

    def _write_report(self) -> None:
        result = write_game_report(self.app, self.play.game, self.play.scenario.id)
        if isinstance(result, str):
            self.app.notify(result, bad=True, seconds=8)
            return
        self.written = result
        self.app.notify(f"Report written to {result[0].parent}", seconds=8)
        self.rebuild()

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.export) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_e
        ):
            ChartsScreen.export_png(self)  # same export, same folder
            return True
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.report_button) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_r
        ):
            self.write_report()
            return True
        if backs_out(event, self.close):
            if self.final:
                self.app.reset(self.app.make("title"))
            else:
                self.app.pop()
            return True
        return False
