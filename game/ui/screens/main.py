"""The main screen: the map with its lenses and flows, the top bar, the mineral selector,
the selected nation's panel, the news feed, the order buttons and End turn."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pygame
import pygame_gui

from game.saves import SaveError
from game.ui import palette as pal
from game.ui.app import Screen, wrap
from game.ui.mapview import Flow, MapView, RouteControl
from game.ui.play import PART_LABELS, Play, mineral_name
from game.ui.screens.base import Builder, esc, fit
from game.ui.wargame import Wargame

LENSES = [
    ("refining", "Refining share", "Share of world refined output of the selected mineral, by country"),
    ("mining", "Mining share", "Share of world mine output of the selected mineral, by country"),
    (
        "dependence",
        "Your dependence",
        "Share of your refined imports of the mineral coming from each supplier",
    ),
    ("relations", "Relations", "How your government regards each nation (−100 hostile … +100 close ally)"),
    ("zones", "Zones", "Preferential trade zones: members share a colour"),
]
INSTRUMENT_SHORT = {
    "ban": "BAN",
    "quota": "QUOTA",
    "licensing": "LICENCE",
    "export_tax": "TAX",
    "end_use": "END-USE",
}
PANELS = [
    ("trade", "Trade", "T"),
    ("diplomacy", "Diplomacy", "D"),
    ("industry", "Industry", "I"),
    ("stockpile", "Stockpile", "S"),
]


def money(usd_m: float) -> str:
    if abs(usd_m) >= 10_000:
        return f"${usd_m / 1000:,.1f}bn"
    return f"${usd_m:,.0f}m"


def price(usd_t: float) -> str:
    if usd_t >= 1e6:
        return f"${usd_t / 1e6:,.2f}m/t"
    if usd_t >= 1e4:
        return f"${usd_t / 1e3:,.0f}k/t"
    return f"${usd_t:,.0f}/t"


class MainScreen(Screen):
    name = "main"

    def __init__(self, app, play: Play, session: Wargame | None = None) -> None:
        """`session`: the hot-seat teams this play is one of (a one-player game is a
        session of one team, so the facilitator console and guidance work the same)."""
        super().__init__(app)
        self.play = play
        self.session = session or Wargame(play.game, [play.nation], plays=[play])
        self.guidance = self.session.guide(play.nation)
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
        lb.label(pygame.Rect(u(10), u(6), self.left_w - u(20), u(24)), "Minerals (1–8)", "@small")
        y = u(32)
        n_min = len(self.play.obs.minerals)
        spare = h - self.top_h - u(32) - u(42) - len(LENSES) * u(36) - u(16)
        bh = max(u(34), min(u(50), spare // n_min - u(4)))
        self.mineral_buttons = {}
        for i, mineral in enumerate(self.play.obs.minerals):
            button = lb.button(
                pygame.Rect(u(8), y, self.left_w - u(18), bh),
                "",
                f"Show {mineral_name(mineral).lower()} on the map ({i + 1})",
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
        m = obs.m(self.mineral)
        n = len(obs.nations)
        me = obs.me
        self.date_label.set_text(obs.date)
        turn = f"{obs.turn + 1}/{obs.turns_total}"
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
        palette = self.app.palette
        fills: list[pal.Colour] = [pal.LAND_NEUTRAL] * n
        dep = obs.import_dependence()[m]
        if self.lens in ("refining", "mining"):
            shares = (obs.refine_share if self.lens == "refining" else obs.mine_share)[m]
            top = max(float(shares.max()), 1e-9)
            fills = [palette.seq(math.sqrt(s / top)) if s > 0.001 else pal.LAND_NEUTRAL for s in shares]
            self.legend = (
                f"{'Refining' if self.lens == 'refining' else 'Mining'} share of world "
                f"{mineral_name(self.mineral).lower()}",
                [(palette.seq(math.sqrt(f)), f"{top * f * 100:.0f} %") for f in (0.05, 0.25, 0.5, 1.0)],
            )
        elif self.lens == "dependence":
            top = max(float(dep.max()), 1e-9)
            fills = [palette.seq(math.sqrt(s / top)) if s > 0.001 else pal.LAND_NEUTRAL for s in dep]
            fills[me] = pal.PLAYER
            self.legend = (
                f"Share of your {mineral_name(self.mineral).lower()} imports",
                [(palette.seq(math.sqrt(f)), f"{top * f * 100:.0f} %") for f in (0.05, 0.25, 0.5, 1.0)]
                + [(pal.PLAYER, "you")],
            )
        elif self.lens == "relations":
            fills = [palette.div(float(r) / 100) for r in obs.relations]
            fills[me] = pal.PLAYER
            self.legend = (
                "Your relations",
                [(palette.div(v / 100), f"{v:+d}") for v in (-100, -50, 0, 50, 100)],
            )
        elif self.lens == "zones":
            items = []
            for zi, zone in enumerate(obs.zones):
                for member in zone.members:
                    if member in obs.nations and fills[obs.n(member)] == pal.LAND_NEUTRAL:
                        fills[obs.n(member)] = palette.cat(zi)
                items.append((palette.cat(zi), zone.name[:44]))
            self.legend = ("Trade zones", items or [(pal.LAND_NEUTRAL, "no zones yet")])
        flow = (obs.ore_flow if self.lens == "mining" else obs.refined_flow)[m].copy()
        np.fill_diagonal(flow, 0.0)
        if self.lens == "dependence":
            mask = np.zeros_like(flow)
            mask[:, me] = 1
            flow *= mask
        order = np.argsort(flow, axis=None)[::-1][:18]
        flows = [
            Flow(int(k // n), int(k % n), float(flow.flat[k]))
            for k in order
            if flow.flat[k] > max(1e-6, flow.max() * 0.01)
        ]
        controls = []
        for c in obs.controls:
            if c.mineral != self.mineral or c.issuer not in obs.nations:
                continue
            label = INSTRUMENT_SHORT.get(c.instrument.value, c.instrument.value)
            if c.stage.value == "ore":
                label += " ore"
            issuer = obs.n(c.issuer)
            if not c.targets:
                controls.append(RouteControl(issuer, None, label))
            for t in c.targets:
                if t in obs.nations:
                    controls.append(RouteControl(issuer, obs.n(t), label))
        labels = {i: play.short_name(nation) for i, nation in enumerate(obs.nations)}
        self.view.flow_colour = palette.flow
        self.view.control_colour = palette.control
        self.view.set_data(fills, flows, controls, labels)
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
        play = self.play
        obs = play.obs
        i = self.view.selected if self.view.selected is not None else obs.me
        nation = obs.nations[i]
        spec = play.content.nations[nation]
        m = obs.m(self.mineral)
        big = round(21 * self.app.scale)
        lines = [f"<font pixel_size={big}><b>{esc(spec.name)}</b></font>"]
        if nation == play.nation:
            lines.append("<font color='#f0c65a'>Your nation</font>")
        lines.append(f"<font color='#a9b6c3'>{esc(spec.summary)}</font>")
        lines.append(
            f"Alignment: {esc(obs.alignment[i].replace('_', ' '))} · doctrine: "
            f"{esc(obs.doctrine[i].replace('_', ' '))}"
        )
        mn = mineral_name(self.mineral)
        lines.append(
            f"<b>{mn}</b>: mines {obs.mine_share[m, i] * 100:.0f} %, refines "
            f"{obs.refine_share[m, i] * 100:.0f} % of the world; "
            f"pays {price(float(obs.refined_price[m, i]))}"
        )
        if nation == play.nation:
            fill = play.fill(obs)
            lines.append(
                f"Supplied {fill[m] * 100:.0f} % of need · stockpile {obs.stockpile[m]:,.0f} t "
                f"· treasury {money(obs.treasury_usd_m)}"
            )
            if obs.projects:
                proj = "; ".join(
                    f"{mineral_name(p.mineral)} {p.kind} in {play.short_name(p.country)} "
                    f"({p.turns_left} turns)"
                    for p in obs.projects[:4]
                )
                lines.append(f"Building: {esc(proj)}")
        else:
            lines.append(
                f"Relations: you {obs.relations[i]:+.0f}, they {obs.regard[i]:+.0f} · "
                f"your {mn.lower()} imports from here: {obs.import_dependence()[m, i] * 100:.0f} %"
            )
        zones = [z.name for z in obs.zones if nation in z.members]
        if zones:
            lines.append(f"Zones: {esc(', '.join(zones))}")
        by = [c for c in obs.controls if c.issuer == nation]
        if by:
            txt = "; ".join(
                f"{INSTRUMENT_SHORT.get(c.instrument.value, c.instrument.value).lower()} "
                f"{mineral_name(c.mineral).lower()} "
                f"to {', '.join(play.short_name(t) for t in c.targets) or 'all'}"
                for c in by[:6]
            )
            lines.append(f"<font color='#ff8a7a'>Controls imposed:</font> {esc(txt)}")
        on = [c for c in obs.controls_on(nation) if c.issuer != nation]
        if on:
            faced = dict.fromkeys(
                f"{play.short_name(c.issuer)} {mineral_name(c.mineral).lower()}" for c in on
            )
            txt = "; ".join(list(faced)[:6])
            lines.append(f"<font color='#ff8a7a'>Controls faced:</font> {esc(txt)}")
        self.nation_box.set_text("<br>".join(lines))
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
        g = self.guidance
        step = g.current(self.play.turn)
        parts = ["<font color='#f0c65a'><b>Guidance</b></font> <font color='#a9b6c3'>(G hides)</font>"]
        if g.last_done:
            parts.append(f"<font color='#7fd18b'>Done: {esc(g.last_done)}</font>")
        if step is not None:
            parts.append(f"<b>Step {g.index + 1} of {len(g.steps)}.</b> {esc(step.prompt)}")
            if g.hinted and step.hint:
                parts.append(f"<font color='#ff8a7a'>Hint: {esc(step.hint)}</font>")
        elif g.finished:
            parts.append(
                "You have used every lever of the tutorial. Play on to the end and read the debrief."
            )
        else:
            parts.append("Nothing more to do this turn: press End turn (Enter).")
        self.guide_box.set_text("<br>".join(parts))

    def notice(self, action: str) -> None:
        """Tell the tutorial's guidance what the player did."""
        if self.guidance is not None and self.guidance.notice(action, self.play.turn) is not None:
            self._guidance()

    def _news(self) -> None:
        if self.news_box is None:
            return
        obs = self.play.obs
        items = sorted(obs.news, key=lambda n: -n.turn)[:14]
        parts = ["<font color='#f0c65a'><b>News</b></font>"]
        for item in items:
            parts.append(
                f"<font color='#a9b6c3'>{esc(self.play.scenario.date_of(item.turn))}</font> "
                f"<b>{esc(item.headline)}</b><br>{esc(item.text)}"
            )
        for reply in obs.replies[:6]:
            parts.append(f"<font color='#ff8a7a'>{esc(reply)}</font>")
        if len(parts) == 1:
            parts.append("<i>Nothing has happened yet.</i>")
        self.news_box.set_text("<br><br>".join(parts))

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
            from game.ui.screens.wargame import confirm_end_turn

            confirm_end_turn(self.app, self)  # asks first: Enter alone never hands the seat over
            return
        t0 = time.perf_counter()

        def done(report, error) -> None:
            self.play.last_turn_seconds = time.perf_counter() - t0
            if error is not None:
                self.app.notify(f"The turn could not be resolved: {error}", bad=True)
                return
            from game.ui.screens.report import TurnReportScreen

            # The report first (it is drawn over a snapshot of the frame before the turn in
            # any case); the map and panels behind it catch up on the next frame.
            self.app.push(TurnReportScreen(self.app, self.play, report))
            self.app.later(self.refresh)

        self.app.run_task("Resolving the turn", self.play.end_turn, done)

    def end_team_turn(self) -> None:
        """Hot seat: this team's orders wait, secret; the next team sits down behind the
        hand-over screen, or, after the last team, the world resolves once for all."""
        from game.ui.screens.wargame import HandOverScreen, finish_wargame

        session = self.session
        if not session.team_done(self.play.nation):
            self.app.reset(HandOverScreen(self.app, session))
            return
        t0 = time.perf_counter()

        def done(_reports, error) -> None:
            self.play.last_turn_seconds = time.perf_counter() - t0
            if error is not None:
                session.done.discard(self.play.nation)
                self.app.notify(f"The turn could not be resolved: {error}", bad=True)
                return
            if session.game.over:
                finish_wargame(self.app, session)
            else:
                self.app.reset(HandOverScreen(self.app, session))

        self.app.run_task("Resolving the turn", session.resolve, done)

    def open_debrief(self) -> None:
        from game.ui.screens.report import DebriefScreen

        self.app.push(DebriefScreen(self.app, self.play, self.session))

    def open_panel(self, key: str, partner: str | None = None) -> None:
        from game.ui.screens.orders import OrdersScreen

        self.notice(f"panel:{key}")
        self.app.push(OrdersScreen(self.app, self.play, key, self.mineral, partner))

    def save(self, path: Path | None = None) -> Path | None:
        if self.session.hotseat and path is None:  # the room's save is the facilitator's
            from game.ui.screens.wargame import guard, save_room

            guard(self.app, self.session, lambda: save_room(self.app, self.session), "save the game")
            return None
        folder = self.app.home / "saves"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{self.play.scenario.id}-{self.play.nation}-{self.play.date.replace(' ', '')}-{stamp}.json"
        try:
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
        self.app.push(_charts(self.app, self.play))

    def toggle_projector(self) -> None:
        settings = self.app.settings
        settings.projector = not settings.projector
        self.app.apply_settings(settings)
        self.app.notify("Projector mode on." if settings.projector else "Projector mode off.")

    def handle(self, event: pygame.event.Event) -> bool:
        from game.ui.screens.menus import EscMenu, HelpOverlay

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
                self.top_buttons["menu"]: lambda: self.app.push(EscMenu(self.app, self)),
                self.top_buttons["help"]: lambda: self.app.push(HelpOverlay(self.app)),
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
                self.app.push(EscMenu(self.app, self))
            elif key in (pygame.K_F1, pygame.K_h) or (key == pygame.K_SLASH and mods & pygame.KMOD_SHIFT):
                self.app.push(HelpOverlay(self.app))
            elif key == pygame.K_c:
                self.open_charts()
            elif key == pygame.K_l:
                self.next_lens()
            elif key == pygame.K_F9:
                from game.ui.screens.wargame import open_facilitator

                open_facilitator(self.app, self.session)
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
            from game.ui.screens.wargame import draw_room_clock

            draw_room_clock(self.app, self.session, surface)
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
        title, items = self.legend
        font = self.app.font(12)
        bold = self.app.font(12, bold=True)
        row = font.get_linesize()
        width = max([bold.size(title)[0]] + [font.size(t)[0] + 26 for _, t in items]) + 20
        if self.view.flows:
            width = max(width, font.size("trade flow (width: tonnes)")[0] + 42)
        height = 10 + row * (len(items) + 1) + 6 + (row if self.view.flows else 0)
        card = pygame.Surface((width, height), pygame.SRCALPHA)
        card.fill((10, 16, 22, 210))
        card.blit(bold.render(title, True, pal.GOLD), (10, 6))
        y = 6 + row
        for colour, text in items:
            pygame.draw.rect(card, colour, (10, y + 3, 16, row - 6))
            card.blit(font.render(text, True, pal.TEXT), (32, y))
            y += row
        if self.view.flows:
            pygame.draw.line(card, self.app.palette.flow, (10, y + row // 2), (26, y + row // 2), 3)
            card.blit(font.render("trade flow (width: tonnes)", True, pal.TEXT), (32, y))
        return card

    def _draw_tooltip(self, surface: pygame.Surface, i: int) -> None:
        key = (i, self.play.turn, self.mineral, len(self.play.queued()), self.app.scale)
        if getattr(self, "_tip_key", None) != key:
            self._tip_key, self._tip = key, self._render_tooltip(i)
        mx, my = pygame.mouse.get_pos()
        box = self._tip.get_rect(topleft=(mx + 18, my + 18))
        box.clamp_ip(surface.get_rect())
        surface.blit(self._tip, box)

    def _render_tooltip(self, i: int) -> pygame.Surface:
        """The hover card, drawn once per nation, turn and mineral (text rendering is the
        costly part of a frame)."""
        play = self.play
        obs = play.obs
        m = obs.m(self.mineral)
        nation = obs.nations[i]
        mn = mineral_name(self.mineral)
        lines = [
            (play.name(nation), True),
            (
                f"{mn}: mine share {obs.mine_share[m, i] * 100:.1f} %, refining share "
                f"{obs.refine_share[m, i] * 100:.1f} %",
                False,
            ),
            (f"Refined price paid: {price(float(obs.refined_price[m, i]))}", False),
        ]
        if nation != play.nation:
            lines.append(
                (
                    f"Your imports from here: {obs.import_dependence()[m, i] * 100:.0f} % · "
                    f"relations {obs.relations[i]:+.0f}",
                    False,
                )
            )
        controls = [
            c
            for c in obs.controls
            if c.mineral == self.mineral and (c.issuer == nation or nation in c.targets)
        ]
        for c in controls[:4]:
            to = ", ".join(play.short_name(t) for t in c.targets) or "all"
            lines.append(
                (
                    f"{play.short_name(c.issuer)}: {c.instrument.value.replace('_', ' ')} on "
                    f"{c.stage.value} to {to}",
                    False,
                )
            )
        if not controls:
            lines.append(("No export controls in force on this mineral", False))
        font, bold = self.app.font(13), self.app.font(14, bold=True)
        rendered = []
        for text, is_bold in lines:
            f = bold if is_bold else font
            for part in wrap(text, f, 420):
                rendered.append(f.render(part, True, pal.GOLD if is_bold else pal.TEXT))
        w = max(r.get_width() for r in rendered) + 20
        h = sum(r.get_height() for r in rendered) + 14
        card = pygame.Surface((w, h), pygame.SRCALPHA)
        card.fill((8, 13, 18, 238))
        pygame.draw.rect(card, pal.GOLD, card.get_rect(), 1, border_radius=3)
        y = 7
        for r in rendered:
            card.blit(r, (10, y))
            y += r.get_height()
        return card


def _charts(app, play):
    from game.ui.screens.report import ChartsScreen

    return ChartsScreen(app, play)
