"""The main screen: the map with its lenses and flows, the top bar, the mineral selector,
the selected nation's panel, the news feed, the order buttons and End turn."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pygame
import pygame_gui

from game.saves import SaveError, write_save
from game.ui import palette as pal
from game.ui.app import Screen
from game.ui.mapview import MapView
from game.ui.panels.fmt import money, price
from game.ui.panels.lens import LENSES, lens_view, render_legend
from game.ui.panels.side import guidance_html, nation_html, news_html, render_tooltip
from game.ui.play import PART_LABELS, Play, mineral_name
from game.ui.screens.base import Builder, fit
from game.ui.tutorial import facts
from game.ui.wargame import Wargame

PANELS = [
    ("trade", "Trade", "T"),
    ("diplomacy", "Diplomacy", "D"),
    ("industry", "Industry", "I"),
    ("stockpile", "Stockpile", "S"),
]


class MainScreen(Screen):
    name = "main"

    def __init__(self, app, play: Play, session: Wargame | None = None) -> None:
        """`session`: the hot-seat teams this play is one of (a one-player game is a
        session of one team, so the facilitator console and guidance work the same)."""
        super().__init__(app)
        self.play = play
        self.session = session or Wargame(play.game, [play.nation], plays=[play])
        self.guidance = self.session.guide(play.nation)
        if self.guidance is not None:
            self.guidance.facts = lambda: facts(self.play)
        self.show_guidance = True
        self.mineral = play.obs.minerals[0]
        if "gallium" in play.obs.minerals:
            self.mineral = "gallium"
        self.lens = "refining"
        nations = play.obs.nations
        content = play.content
        self.view = MapView(app.world_map, nations, {n: content.nations[n].iso_a3 for n in nations})
        self.view.player = nations.index(play.nation)
        self.view.selected = self.view.player
        self.legend: tuple[str, list[tuple[pal.Colour, str]]] = ("", [])
        self.mineral_buttons: dict[str, pygame_gui.elements.UIButton] = {}
        self.lens_buttons: dict[str, pygame_gui.elements.UIButton] = {}
        self.panel_buttons: dict[str, pygame_gui.elements.UIButton] = {}

    # ---------------------------------------------------------------- layout

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        self.top_h = u(46)
        self.left_w = min(u(250), w * 20 // 100)
        self.right_w = min(u(350), w * 27 // 100)
        self.bottom_h = u(62)
        top = b.panel(pygame.Rect(0, 0, w, self.top_h))
        tb = Builder(self, top)
        spec = self.play.content.nations[self.play.nation]
        right = [
            ("help", "Help", "Keyboard shortcuts and how to play (F1)"),
            ("menu", "Menu", "Save, load, debrief, settings, quit (Esc)"),
            ("save", "Save", "Save the game to your saves folder (Ctrl+S)"),
            ("charts", "Charts", "Prices, supply security, concentration and your score over time (C)"),
        ]
        bw = u(92)
        right_x = w - len(right) * (bw + u(6)) - u(10)
        # the left items share what the buttons leave, squeezed in proportion if need be
        wanted = [u(230), u(110), u(110), u(250), u(130)]
        room = right_x - u(24)
        self.compact = sum(wanted) > room  # big fonts on a small window: shorter texts
        if self.compact:
            wanted = [0, u(90), u(70), u(120), u(110)]
        k = min(1.0, room / sum(wanted))
        widths = [int(x * k) for x in wanted]
        x = u(14)
        h_in = self.top_h - 2
        if widths[0]:
            title = f"Team {spec.name}" if self.session.hotseat else f"LODESTONE · {spec.name}"
            tb.label(pygame.Rect(x, 0, widths[0], h_in), title, "@topbar")
        x += widths[0]
        self.date_label = tb.label(pygame.Rect(x, 0, widths[1], h_in), "", "@topbar")
        self.date_label.set_tooltip("The current quarter; every turn is one quarter")
        x += widths[1]
        self.turn_label = tb.label(pygame.Rect(x, 0, widths[2], h_in), "", "@topbar")
        self.turn_label.set_tooltip("Turns played out of the scenario's length")
        x += widths[2]
        self.treasury_label = tb.label(pygame.Rect(x, 0, widths[3], h_in), "", "@topbar")
        self.treasury_label.set_tooltip(
            "Your budget for mineral policy; orders queued this turn are already set aside"
        )
        x += widths[3]
        self.score_button = tb.button(pygame.Rect(x, u(6), widths[4], self.top_h - u(12)), "", "")
        rx = w - u(10)
        self.top_buttons: dict[str, pygame_gui.elements.UIButton] = {}
        for key, text, tip in right:
            rx -= bw + u(6)
            self.top_buttons[key] = tb.button(
                pygame.Rect(rx, u(6), bw, self.top_h - u(12)), text, tip, oid=f"#{key}"
            )
        # left: minerals and lenses
        left = b.panel(pygame.Rect(0, self.top_h, self.left_w, h - self.top_h))
        lb = Builder(self, left)
        heading = "Minerals (world avg.)" if self.projector else "Minerals · world average price"
        head = lb.label(pygame.Rect(u(10), u(6), self.left_w - u(20), u(24)), heading, "@small")
        head.set_tooltip("Keys 1–8 select a mineral. Prices are the world average paid for refined metal.")
        y = u(32)
        n_min = len(self.play.obs.minerals)
        spare = h - self.top_h - u(32) - u(42) - len(LENSES) * u(36) - u(16)
        bh = max(u(34), min(u(50), spare // n_min - u(4)))
        self.mineral_buttons = {}
        for i, mineral in enumerate(self.play.obs.minerals):
            button = lb.button(
                pygame.Rect(u(8), y, self.left_w - u(18), bh),
                "",
                f"Show {mineral_name(mineral).lower()} on the map ({i + 1}); the price is the world "
                "average paid, the change is since last quarter",
                "@mineral",
            )
            self.mineral_buttons[mineral] = button
            y += bh + u(4)
        y += u(8)
        lb.label(pygame.Rect(u(10), y, self.left_w - u(20), u(24)), "Map lens (L)", "@small")
        y += u(26)
        self.lens_buttons = {}
        if self.projector:  # one lens at a time: a single button steps through them
            self.lens_buttons["cycle"] = lb.button(
                pygame.Rect(u(8), y, self.left_w - u(18), u(32)), "", "Next map lens (L)", oid="#lens_cycle"
            )
        else:
            for key, text, tip in LENSES:
                self.lens_buttons[key] = lb.button(
                    pygame.Rect(u(8), y, self.left_w - u(18), u(32)), text, tip
                )
                y += u(36)
        # right: nation panel and news
        rx0 = w - self.right_w
        # projector mode drops the news column: the room reads one panel, the teacher the news
        side_h = (h - self.top_h) if self.projector else (h - self.top_h) * 55 // 100
        self.nation_box = b.text(pygame.Rect(rx0, self.top_h, self.right_w, side_h - u(44)), "")
        self.nation_trade = b.button(
            pygame.Rect(rx0 + u(6), self.top_h + side_h - u(40), (self.right_w - u(18)) // 2, u(34)),
            "Trade measures…",
            "Export controls and tariffs toward this nation",
            oid="#nation_trade",
        )
        self.nation_diplo = b.button(
            pygame.Rect(
                rx0 + u(12) + (self.right_w - u(18)) // 2,
                self.top_h + side_h - u(40),
                (self.right_w - u(18)) // 2,
                u(34),
            ),
            "Diplomacy…",
            "Deals, zones and messages with this nation",
            oid="#nation_diplo",
        )
        self.news_box = None
        if self.projector:  # simpler side panel: the order panels stay on the bottom bar
            self.nation_trade.hide()
            self.nation_diplo.hide()
        else:
            self.news_box = b.text(
                pygame.Rect(rx0, self.top_h + side_h, self.right_w, h - self.top_h - side_h), ""
            )
        # bottom bar over the map
        mx0, mx1 = self.left_w, w - self.right_w
        bar = b.panel(pygame.Rect(mx0, h - self.bottom_h, mx1 - mx0, self.bottom_h))
        bb = Builder(self, bar)
        bar_w = mx1 - mx0
        ew = min(u(180), bar_w // 4)
        pw_ = min(u(120), (bar_w - ew - u(24)) // 4 - u(6))
        bx = u(8)
        self.panel_buttons = {}
        tips = {
            "trade": "Export controls and tariffs (T)",
            "diplomacy": "Zones, offtake deals, memoranda, messages, answers to proposals (D)",
            "industry": "Invest in mines, refineries, recycling; R&D; subsidies (I)",
            "stockpile": "Buy, release, share stockpiles (S)",
        }
        for key, text, _short in PANELS:
            self.panel_buttons[key] = bb.button(
                pygame.Rect(bx, u(8), pw_, self.bottom_h - u(16)), text, tips[key], oid=f"#panel_{key}"
            )
            bx += pw_ + u(6)
        label_w = bar_w - ew - u(16) - bx
        self.queued_label = None  # without room, the count is in End turn's tooltip only
        if label_w >= u(120):
            self.queued_label = bb.label(
                pygame.Rect(bx + u(6), u(8), label_w, self.bottom_h - u(16)), "", "@small"
            )
        self.end_button = bb.button(
            pygame.Rect(bar_w - ew - u(8), u(6), ew, self.bottom_h - u(12)),
            "End turn",
            "Resolve this quarter: every nation's orders apply, markets clear (Enter)",
            "@primary",
            "#end_turn",
        )
        self.guide_box = None
        if self.guidance is not None:
            gw = min(u(440), (mx1 - mx0) * 62 // 100)
            gh = min(u(210), (h - self.top_h - self.bottom_h) // 2)
            self.guide_box = b.text(pygame.Rect(mx0 + u(10), self.top_h + u(10), gw, gh), "", oid="#guide")
        self.view.set_rect(pygame.Rect(mx0, self.top_h, mx1 - mx0, h - self.top_h - self.bottom_h))
        self.view.font = self.app.font(12, bold=True)
        self.view.small = self.app.font(11, bold=True)
        self.refresh()

    # ---------------------------------------------------------------- data

    def refresh(self) -> None:
        """Recompute everything shown from the current observation (after a turn, an order,
        a change of mineral or lens)."""
        play = self.play
        obs = play.obs
        self.date_label.set_text(obs.date)
        turn = f"{obs.turn + 1}/{play.game.length}"  # a wargame may be set shorter
        self.turn_label.set_text(turn if self.compact else f"Turn {turn}")
        committed = sum(play.check_cost(o) for o in play.queued())
        tre = money(obs.treasury_usd_m) if self.compact else f"Treasury {money(obs.treasury_usd_m)}"
        if committed > 0 and not self.compact:
            tre += f" (−{money(committed)})"
        self.treasury_label.set_text(tre)
        score = "—" if math.isnan(obs.score) else f"{obs.score:.1f}"
        self.score_button.set_text(score if self.compact else f"Score {score}")
        parts = "<br>".join(
            f"{PART_LABELS.get(k, k)}: {v:.0f}/100" for k, v in obs.score_parts.items() if not math.isnan(v)
        )
        self.score_button.set_tooltip(
            "Your score (0–100) weighs six parts by your objectives"
            + (f":<br>{parts}" if parts else "; it is first computed after the first turn.")
        )
        history = play.price_history()
        for i, mineral in enumerate(obs.minerals):
            p = float(history[-1, i])
            series = history[:, i] if len(history) else np.array([])
            change = ""
            if len(series) >= 2 and series[-2] > 0:
                change = f" {series[-1] / series[-2] * 100 - 100:+.0f}%"
            button = self.mineral_buttons[mineral]
            room = button.rect.w - round(18 * self.app.scale)
            text = fit(f"{mineral_name(mineral)}  {price(p)}{change}", self.app.font(14), room)
            button.set_text(text)
            if mineral == self.mineral:
                self.mineral_buttons[mineral].select()
            else:
                self.mineral_buttons[mineral].unselect()
        self.sparks = history
        for key, button in self.lens_buttons.items():
            button.select() if key == self.lens else button.unselect()
            if key == "cycle":
                button.set_text(f"{dict((k, t) for k, t, _ in LENSES)[self.lens]} (L)")
        view = lens_view(play, self.lens, self.mineral, palette := self.app.palette)
        self.legend = view.legend
        self.view.flow_colour = palette.flow
        self.view.control_colour = palette.control
        self.view.set_data(view.fills, view.flows, view.controls, view.labels)
        self._side_panel()
        self._news()
        queued = play.queued()
        count = f"{len(queued)} order(s) queued this turn" if queued else "No orders queued"
        if self.queued_label is not None:
            self.queued_label.set_text(count)
        can, _ = self.session.can_end_turn()
        self.end_button.set_text("End turn" if can else "Paused")
        self.end_button.enable() if can else self.end_button.disable()
        self._guidance()
        self.end_button.set_tooltip(
            f"Resolve this quarter: every nation's orders apply, markets clear (Enter). {count}."
        )

    def _side_panel(self) -> None:
        i = self.view.selected if self.view.selected is not None else self.play.obs.me
        self.nation_box.set_text(nation_html(self.play, i, self.mineral, self.app.scale))
        nation = self.play.obs.nations[i]
        play = self.play
        mine = nation == play.nation
        self.nation_trade.set_text("Trade measures…")
        if mine:
            self.nation_trade.disable()
            self.nation_diplo.disable()
        else:
            self.nation_trade.enable()
            self.nation_diplo.enable()

    @property
    def projector(self) -> bool:
        return self.app.settings.projector

    def _guidance(self) -> None:
        """The tutorial's prompt for this turn, and what the player just achieved."""
        if self.guide_box is None or self.guidance is None:
            return
        if not self.show_guidance:
            self.guide_box.hide()
            return
        self.guide_box.show()
        self.guide_box.set_text(guidance_html(self.guidance, self.play.turn))

    def notice(self, action: str) -> None:
        """Tell the tutorial's guidance what the player did."""
        if self.guidance is not None and self.guidance.notice(action, self.play.turn) is not None:
            self._guidance()

    def _news(self) -> None:
        if self.news_box is None:
            return
        self.news_box.set_text(news_html(self.play))

    # ---------------------------------------------------------------- actions

    def end_turn(self) -> None:
        if self.app.busy:
            return
        if self.play.over:
            self.open_debrief()
            return
        can, why = self.session.can_end_turn()
        if not can:
            self.app.notify(why, bad=True)
            return
        guide = self.guidance
        if guide is not None and guide.notice("end_turn", self.play.turn) is None:
            if hint := guide.hint(self.play.turn):
                self.app.notify(f"Guidance: {hint}")
            guide.skip_if_stale(self.play.turn)
        if self.session.hotseat:
            self.app.act("confirm_end_turn", self)  # asks first: Enter alone never hands the seat over
            return
        t0 = time.perf_counter()

        def done(report, error) -> None:
            self.play.last_turn_seconds = time.perf_counter() - t0
            if error is not None:
                self.app.notify(f"The turn could not be resolved: {error}", bad=True)
                return

            # The report first (it is drawn over a snapshot of the frame before the turn in
            # any case); the map and panels behind it catch up on the next frame.
            self.app.open("turn_report", self.play, report)
            self.app.later(self.refresh)

        self.app.run_task("Resolving the turn", self.play.end_turn, done)

    def end_team_turn(self) -> None:
        """Hot seat: this team's orders wait, secret; the next team sits down behind the
        hand-over screen, or, after the last team, the world resolves once for all."""
        session = self.session
        if not session.team_done(self.play.nation):
            self.app.reset(self.app.make("hand_over", session))
            return
        t0 = time.perf_counter()

        def done(_reports, error) -> None:
            self.play.last_turn_seconds = time.perf_counter() - t0
            if error is not None:
                session.done.discard(self.play.nation)
                self.app.notify(f"The turn could not be resolved: {error}", bad=True)
                return
            if session.game.over:
                self.app.act("finish_wargame", session)
            else:
                self.app.reset(self.app.make("hand_over", session))

        self.app.run_task("Resolving the turn", session.resolve, done)

    def open_debrief(self) -> None:

        self.app.open("debrief", self.play, self.session)

    def open_panel(self, key: str, partner: str | None = None) -> None:

        self.notice(f"panel:{key}")
        self.app.open("orders", self.play, key, self.mineral, partner)

    def save(self, path: Path | None = None) -> Path | None:
        if self.session.hotseat and path is None:  # the room's save is the facilitator's
            self.app.act(
                "guard", self.session, lambda: self.app.act("save_room", self.session), "save the game"
            )
            return None
        folder = self.app.home / "saves"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{self.play.scenario.id}-{self.play.nation}-{self.play.date.replace(' ', '')}-{stamp}.json"
        try:
            if self.session.hotseat:  # the window closed: no team's secret goes to the file
                save = self.session.closing_save()
                written = write_save(save, path or folder / name, self.session.game.sealer)
            else:
                written = self.play.save(path or folder / name)
        except (OSError, SaveError) as exc:
            self.app.notify(f"Could not save: {exc}", bad=True)
            return None
        self.app.notify(f"Saved to {written}")
        return written

    def wants_mouse(self, pos: tuple[int, int]) -> bool:
        return self.view.rect.collidepoint(pos)

    def resumed(self) -> None:
        self.play.refresh()
        for order in self.play.queued():
            self.notice(f"order:{order.kind}")
        self.refresh()

    def select_mineral(self, mineral: str) -> None:
        self.mineral = mineral
        self.notice(f"mineral:{mineral}")
        self.refresh()

    def set_lens(self, lens: str) -> None:
        self.lens = lens
        self.notice(f"lens:{lens}")
        self.refresh()

    def next_lens(self) -> None:
        keys = [k for k, _, _ in LENSES]
        self.set_lens(keys[(keys.index(self.lens) + 1) % len(keys)])

    def open_charts(self) -> None:
        self.notice("charts")
        self.app.open("charts", self.play)

    def toggle_projector(self) -> None:
        settings = self.app.settings
        settings.projector = not settings.projector
        self.app.apply_settings(settings)
        self.app.notify("Projector mode on." if settings.projector else "Projector mode off.")

    def handle(self, event: pygame.event.Event) -> bool:

        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            el = event.ui_element
            for mineral, button in self.mineral_buttons.items():
                if el is button:
                    self.select_mineral(mineral)
                    return True
            for key, button in self.lens_buttons.items():
                if el is button:
                    self.next_lens() if key == "cycle" else self.set_lens(key)
                    return True
            for key, button in self.panel_buttons.items():
                if el is button:
                    self.open_panel(key)
                    return True
            selected = self.play.obs.nations[self.view.selected] if self.view.selected is not None else None
            actions = {
                self.end_button: self.end_turn,
                self.top_buttons["charts"]: self.open_charts,
                self.top_buttons["save"]: self.save,
                self.top_buttons["menu"]: lambda: self.app.open("menu", self),
                self.top_buttons["help"]: lambda: self.app.open("help"),
                self.nation_trade: lambda: self.open_panel("trade", selected),
                self.nation_diplo: lambda: self.open_panel("diplomacy", selected),
            }
            for button, action in actions.items():
                if el is button:
                    action()
                    return True
            return False
        if event.type == pygame.KEYDOWN:
            mods = pygame.key.get_mods() | getattr(event, "mod", 0)
            key = event.key
            if key == pygame.K_s and mods & pygame.KMOD_CTRL:
                self.save()
            elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.end_turn()
            elif key == pygame.K_ESCAPE:
                self.app.open("menu", self)
            elif key in (pygame.K_F1, pygame.K_h) or (key == pygame.K_SLASH and mods & pygame.KMOD_SHIFT):
                self.app.open("help")
            elif key == pygame.K_c:
                self.open_charts()
            elif key == pygame.K_n:
                self.app.open("ledger", self.play, self.mineral)
            elif key == pygame.K_r and self.play.reports:
                self.app.open("turn_report", self.play, self.play.reports[-1])
            elif key == pygame.K_l:
                self.next_lens()
            elif key == pygame.K_F9:
                self.app.act("open_facilitator", self.session)
            elif key == pygame.K_g and self.guidance is not None:
                self.show_guidance = not self.show_guidance
                self._guidance()
            elif key == pygame.K_p:
                self.toggle_projector()
            elif pygame.K_1 <= key <= pygame.K_9:
                i = key - pygame.K_1
                if i < len(self.play.obs.minerals):
                    self.select_mineral(self.play.obs.minerals[i])
            elif key in (pygame.K_t, pygame.K_d, pygame.K_i, pygame.K_s):
                self.open_panel(
                    {
                        pygame.K_t: "trade",
                        pygame.K_d: "diplomacy",
                        pygame.K_i: "industry",
                        pygame.K_s: "stockpile",
                    }[key]
                )
            else:
                self.view.handle(event)
            return True
        result = self.view.handle(event)
        if event.type == pygame.MOUSEBUTTONUP and result is not False:
            if self.view.selected is None:
                self.view.selected = self.play.obs.me
            self._side_panel()
        return result is not False

    # ---------------------------------------------------------------- drawing

    def update(self, dt: float) -> None:
        self.view.update(dt)

    def draw(self, surface: pygame.Surface) -> None:
        self.view.draw(surface)

    def draw_over(self, surface: pygame.Surface) -> None:
        if self.session.hotseat:
            self.app.act("draw_room_clock", self.session, surface, self.view.rect.bottomright)
        self._draw_sparklines(surface)
        self._draw_legend(surface)
        if self.view.hover is not None and self.app.top is self:
            self._draw_tooltip(surface, self.view.hover)

    def _draw_sparklines(self, surface: pygame.Surface) -> None:
        history = getattr(self, "sparks", np.zeros((0, 0)))
        if len(history) < 2:
            return
        for i, mineral in enumerate(self.play.obs.minerals):
            rect = self.mineral_buttons[mineral].get_abs_rect()
            area = pygame.Rect(rect.x + 10, rect.bottom - 16, rect.w - 20, 12)
            series = history[-24:, i]
            lo, hi = float(series.min()), float(series.max())
            span = hi - lo or 1.0
            xs = np.linspace(area.left, area.right, len(series))
            ys = area.bottom - (series - lo) / span * area.h
            up = series[-1] >= series[0]
            colour = self.app.palette.bad if up else self.app.palette.good
            pygame.draw.lines(surface, colour, False, np.column_stack([xs, ys]), 2)

    def _draw_legend(self, surface: pygame.Surface) -> None:
        key = (self.legend[0], tuple(self.legend[1]), bool(self.view.flows), self.app.scale)
        if getattr(self, "_legend_key", None) != key:
            self._legend_key, self._legend = key, self._render_legend()
        card = self._legend
        surface.blit(card, (self.view.rect.x + 10, self.view.rect.bottom - card.get_height() - 10))

    def _render_legend(self) -> pygame.Surface:
        return render_legend(self.app, self.legend, bool(self.view.flows))

    def _draw_tooltip(self, surface: pygame.Surface, i: int) -> None:
        key = (i, self.play.turn, self.mineral, len(self.play.queued()), self.app.scale)
        if getattr(self, "_tip_key", None) != key:
            self._tip_key, self._tip = key, self._render_tooltip(i)
        mx, my = pygame.mouse.get_pos()
        box = self._tip.get_rect(topleft=(mx + 18, my + 18))
        box.clamp_ip(surface.get_rect())
        surface.blit(self._tip, box)

    def _render_tooltip(self, i: int) -> pygame.Surface:
        return render_tooltip(self.app, self.play, i, self.mineral)
