"""After a turn: the turn report; any time: the charts; at the end: the debrief."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pygame
import pygame_gui

from game.report.chains import causal_chains
from game.report.document import build_report, write_report
from game.report.questions import discussion_questions
from game.ui import charts
from game.ui.app import Screen
from game.ui.play import PART_LABELS, Play, TurnReport, mineral_name
from game.ui.screens.base import Builder, backs_out, esc
from game.ui.wargame import Wargame


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
        rect = _panel_rect(self.app, 980, 700)
        root = self.make_root(rect, "#report")
        root.background_colour = pygame.Color(17, 27, 36)
        root.rebuild()
        b = Builder(self)
        u = b.u
        r = self.report
        pad = u(18)
        b.label(pygame.Rect(pad, pad, rect.w - 2 * pad, u(36)), f"Turn report · {r.date}", "@heading")
        score = ""
        if not math.isnan(r.score_after):
            before = "—" if math.isnan(r.score_before) else f"{r.score_before:.1f}"
            score = f"Score {before} to {r.score_after:.1f}."
        b.label(
            pygame.Rect(pad, pad + u(36), rect.w - 2 * pad, u(24)),
            f"What mattered for you this quarter. {score}",
            "@small",
        )
        lines = []
        for c in r.changes:
            colour = "#e4e8ec" if c.good is None else ("#7fd18b" if c.good else "#ff8a7a")
            mark = "•" if c.good is None else ("+" if c.good else "−")
            lines.append(
                f"<font color='{colour}'><b>{mark} "
                f"{esc(c.headline)}</b></font><br>&nbsp;&nbsp;&nbsp;{esc(c.why)}"
            )
        if not lines:
            lines.append("<i>A quiet quarter: nothing moved by more than a few percent.</i>")
        if r.replies:
            lines.append(
                "<font color='#f0c65a'><b>Answers and refusals</b></font><br>"
                + "<br>".join(esc(x) for x in r.replies)
            )
        if r.news:
            lines.append(
                "<font color='#f0c65a'><b>News</b></font><br>"
                + "<br>".join(f"<b>{esc(h)}</b>: {esc(t)}" for h, t in r.news)
            )
        box_h = rect.h - pad * 3 - u(64) - u(46)
        b.text(pygame.Rect(pad, pad + u(66), rect.w - 2 * pad, box_h), "<br><br>".join(lines))
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

    def handle(self, event: pygame.event.Event) -> bool:
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
            rows.append(f"Team {esc(play.name(team))}: score {start:.1f} → <b>{end:.1f}</b>")
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
        from game.ui.screens.wargame import guard

        guard(self.app, self.session, self._write_report, "write the report")

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
                from game.ui.screens.title import TitleScreen

                self.app.reset(TitleScreen(self.app))
            else:
                self.app.pop()
            return True
        return False
