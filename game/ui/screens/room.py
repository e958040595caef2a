"""The facilitator's planning screen (the inject schedule, adjudication, the game's length
and timer) and the room view for the projector.

Both sit behind the console (and so behind the PIN). The room view shows only what every
team may see: the map of who refines what and where it flows, public prices, the news and
the clock; no score, no queue, no message.
"""

from __future__ import annotations

import pygame
import pygame_gui

from game.net.room import public_news
from game.ui.app import App, Screen
from game.ui.mapview import MapView
from game.ui.panels.roommap import draw_mineral
from game.ui.play import mineral_name
from game.ui.screens.base import Builder, backs_out, esc, selected_id
from game.ui.wargame import Wargame, parse_changes


class InjectsScreen(Screen):
    """Upcoming injects (disable, move, add), rulings on queued orders, length and timer."""

    name = "injects"

    def __init__(self, app: App, session: Wargame) -> None:
        super().__init__(app)
        self.session = session
        self.team = session.teams[0]
        self.library = sorted((e.name, e.id) for e in app.content.events.values())
        self.add_event = self.library[0][1]
        self.texts = {"turn": str(session.game.turn + 2), "note": "", "changes": ""}
        self.texts["length"] = str(session.game.length)
        self.texts["timer"] = f"{session.room.timer_minutes:g}"
        self.shown = session.version
        """The session's version the order list shows (a hosted team's queue changes remotely)."""

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        s = self.session
        pad, row, gap = u(14), u(32), u(6)
        b.label(pygame.Rect(pad, u(8), w - u(220), u(36)), f"Injects & rulings · {s.clock()}", "@heading")
        self.close = b.button(pygame.Rect(w - pad - u(180), u(8), u(180), u(36)), "Back (Esc)", "The console")
        top = u(52)
        cw = (w - 3 * pad) // 2
        # left: the schedule
        x, y = pad, top
        b.label(pygame.Rect(x, y, cw, u(24)), "Upcoming injects (the scenario's schedule)", "@small")
        y += u(24)
        list_h = max(u(120), h - y - pad - (row + gap) * 6 - u(40))
        self.inject_list = pygame_gui.elements.UISelectionList(
            pygame.Rect(x, y, cw, list_h), self._inject_items(), manager=self.manager, container=self.root
        )
        y += list_h + gap
        third = (cw - 2 * gap) // 3
        b.label(pygame.Rect(x, y, third, row), "Turn (1-based)")
        self.turn_entry = b.entry(
            pygame.Rect(x + third + gap, y, third, row),
            self.texts["turn"],
            "The quarter to move or add it to",
        )
        y += row + gap
        self.disable = b.button(pygame.Rect(x, y, third, row), "Disable", "It will not happen")
        self.move = b.button(
            pygame.Rect(x + third + gap, y, third, row), "Move to turn", "Reschedule the selected inject"
        )
        y += row + gap
        self.add_menu = b.dropdown(
            pygame.Rect(x, y, cw - third - gap, row), self.library, self.add_event, "An event of the library"
        )
        self.add = b.button(
            pygame.Rect(x + cw - third, y, third, row), "Add at turn", "Schedule it for that turn"
        )
        y += row + u(14)
        b.label(pygame.Rect(x, y, third, row), "Length (quarters)")
        self.length_entry = b.entry(
            pygame.Rect(x + third + gap, y, third // 2, row), self.texts["length"], "A shorter game"
        )
        self.set_length = b.button(
            pygame.Rect(x + third + gap + third // 2 + gap, y, third // 2, row), "Set", "End (and score) then"
        )
        y += row + gap
        b.label(pygame.Rect(x, y, third, row), "Timer (minutes)")
        self.timer_entry = b.entry(
            pygame.Rect(x + third + gap, y, third // 2, row), self.texts["timer"], "0: no timer"
        )
        self.set_timer = b.button(
            pygame.Rect(x + third + gap + third // 2 + gap, y, third // 2, row), "Set", "Shown to every team"
        )
        y += row + gap
        prompt = s.room.team_events == "prompt"
        self.team_events = b.button(
            pygame.Rect(x, y, cw, row),
            "Events on a team's controls: " + ("prompt the team" if prompt else "news"),
            "A scheduled or random event never sets a team's controls; it becomes news or a "
            "prompt to the team (choose before the first quarter)",
        )
        if s.game.turn > 0:
            self.team_events.disable()
        # right: adjudication
        x, y = 2 * pad + cw, top
        b.label(pygame.Rect(x, y, cw, u(24)), "Adjudicate a team's queued order", "@small")
        y += u(24)
        teams = [(f"Team {s.play(t).name(t)}", t) for t in s.teams]
        self.team_menu = b.dropdown(pygame.Rect(x, y, cw, row), teams, self.team, "Whose orders")
        y += row + gap
        orders_h = max(u(100), (h - y) // 3)
        self.order_list = pygame_gui.elements.UISelectionList(
            pygame.Rect(x, y, cw, orders_h), self._order_items(), manager=self.manager, container=self.root
        )
        y += orders_h + gap
        self.note_entry = b.entry(
            pygame.Rect(x, y, cw, row), self.texts["note"], "The ruling (the team reads it)"
        )
        _placeholder(self.note_entry, "Ruling note (required)")
        y += row + gap
        self.changes_entry = b.entry(pygame.Rect(x, y, cw, row), self.texts["changes"], "Fields to change")
        _placeholder(self.changes_entry, "Amend: field=value, e.g. tonnes=250")
        y += row + gap
        half = (cw - gap) // 2
        self.veto = b.button(pygame.Rect(x, y, half, row), "Veto", "Take the order out, with the ruling")
        self.amend = b.button(
            pygame.Rect(x + half + gap, y, half, row), "Amend", "Replace it by the amended order"
        )
        y += row + u(10)
        self.log_box = b.text(pygame.Rect(x, y, cw, h - y - pad), self._log_html())

    def _inject_items(self) -> list[tuple[str, str]]:
        items = [(f"{i.date} · {i.name}", str(k)) for k, i in enumerate(self.session.upcoming())]
        return items or [("(no scheduled inject to come)", "")]

    def _order_items(self) -> list[tuple[str, str]]:
        play = self.session.play(self.team)
        items = [(play.describe(o), str(k)) for k, o in enumerate(self.session.queued_of(self.team))]
        return items or [("(nothing queued)", "")]

    def _log_html(self) -> str:
        lines = [esc(x) for x in self.session.log[-12:]] or ["<i>nothing done yet</i>"]
        return "<font color='#f0c65a'><b>Facilitator's log</b></font><br>" + "<br>".join(lines)

    def _keep(self) -> None:
        for key, entry in (
            ("turn", self.turn_entry),
            ("note", self.note_entry),
            ("changes", self.changes_entry),
            ("length", self.length_entry),
            ("timer", self.timer_entry),
        ):
            self.texts[key] = entry.get_text()

    def say(self, ok: bool, text: str) -> None:
        self.app.notify(text, bad=not ok, seconds=6)
        if ok:
            self.texts["note"] = self.texts["changes"] = ""
        self.rebuild()

    @staticmethod
    def _chosen(selection: pygame_gui.elements.UISelectionList) -> int | None:
        picked = selection.get_single_selection(include_object_id=True)
        return int(picked[1]) if picked and picked[1] else None

    def act(self, el) -> None:
        self._keep()
        s = self.session
        if el in (self.disable, self.move):
            k = self._chosen(self.inject_list)
            if k is None:
                self.say(False, "Choose an inject in the list first.")
                return
            inject = s.upcoming()[k]
            self.say(
                *(
                    s.disable_inject(inject)
                    if el is self.disable
                    else s.reschedule_inject(inject, self.texts["turn"])
                )
            )
        elif el is self.add:
            self.say(*s.add_inject(self.add_event, self.texts["turn"]))
        elif el is self.set_length:
            self.say(*s.set_length(self.texts["length"]))
        elif el is self.set_timer:
            self.say(*s.set_timer(self.texts["timer"]))
        elif el is self.team_events:
            self.say(*s.set_team_events("news" if s.room.team_events == "prompt" else "prompt"))
        elif el in (self.veto, self.amend):
            k = self._chosen(self.order_list)
            if k is None:
                self.say(False, "Choose a queued order first.")
                return
            if el is self.veto:
                self.say(*s.veto(self.team, k, self.texts["note"]))
                return
            changes = parse_changes(self.texts["changes"])
            if isinstance(changes, str):
                self.say(False, changes)
                return
            self.say(*s.amend(self.team, k, changes, self.texts["note"]))

    def update(self, dt: float) -> None:
        s = self.session
        if s.hosted and self.shown != s.version and not s.busy:
            self.shown = s.version
            self.order_list.set_item_list(self._order_items())

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is self.team_menu:
                self._keep()
                self.team = selected_id(self.team_menu)
                self.rebuild()
            elif event.ui_element is self.add_menu:
                self.add_event = selected_id(self.add_menu)
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.close:
                self.app.pop()
            else:
                self.act(event.ui_element)
            return True
        typing = any(
            e.is_focused
            for e in (
                self.turn_entry,
                self.note_entry,
                self.changes_entry,
                self.length_entry,
                self.timer_entry,
            )
        )
        if backs_out(event) and not typing:
            self.app.pop()
            return True
        return False


class RoomScreen(Screen):
    """The projector: the map of one mineral (who refines it, where it flows, the controls
    on its routes), public prices, the news and the turn clock. Nothing private."""

    name = "room"
    CYCLE_SECONDS = 12.0

    def __init__(self, app: App, session: Wargame) -> None:
        super().__init__(app)
        self.session = session
        world = session.game.world
        self.mineral = world.mineral_ids[0]
        nations = list(world.nation_ids)
        content = session.game.content
        self.view = MapView(app.world_map, nations, {n: content.nations[n].iso_a3 for n in nations})
        self.words = session.play(session.teams[0])  # names and descriptions only
        self.elapsed = 0.0
        self.auto = True

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        s = self.session
        sc = s.game.world.scenario
        pad = u(12)
        self.clock = b.label(pygame.Rect(pad, u(8), w - u(200) - pad, u(40)), "", "@heading")
        self.close = b.button(
            pygame.Rect(w - pad - u(170), u(10), u(170), u(36)), "Back (Esc)", "The console"
        )
        top = u(56)
        side = min(u(320), w * 24 // 100)
        self.prices = b.text(pygame.Rect(pad, top, side, h - top - pad), "")
        self.news = b.text(pygame.Rect(w - side - pad, top, side, h - top - pad), "")
        self.view.set_rect(pygame.Rect(side + 2 * pad, top, w - 2 * side - 4 * pad, h - top - pad))
        self.view.font = self.app.font(14, bold=True)
        self.view.small = self.app.font(12, bold=True)
        self.title = sc.name
        self.show()

    def public_html(self) -> tuple[str, str]:
        """(prices, news): what every team may read."""
        s = self.session
        world = s.game.world
        play = self.words
        history = play.price_history()
        lines = ["<font color='#f0c65a'><b>Prices (world average, refined)</b></font>"]
        for m, mineral in enumerate(world.mineral_ids):
            p = history[-1, m]
            change = (
                f" ({p / history[-2, m] * 100 - 100:+.0f} %)"
                if len(history) > 1 and history[-2, m] > 0
                else ""
            )
            name = esc(mineral_name(mineral))
            name = (
                f"<font color='#f0c65a'><b>{name} (on the map)</b></font>"
                if mineral == self.mineral
                else name
            )
            lines.append(f"{name}: ${p:,.0f}/t{change}")
        waiting = [play.name(t) for t in s.teams if t not in s.done]
        lines.append("<br><font color='#f0c65a'><b>This quarter</b></font>")
        lines.append(
            "Waiting for: " + esc(", ".join(waiting)) if waiting else "Every team has ended its turn."
        )
        if s.paused:
            lines.append("<font color='#ff8a7a'><b>PAUSED</b> by the facilitator</font>")
        date = world.scenario.date_of
        items = [
            f"<font color='#a9b6c3'>{esc(date(n.turn))}</font> <b>{esc(n.name)}</b>: {esc(n.news)}"
            for n in reversed(public_news(s.game))
        ]
        return "<br>".join(lines), "<font color='#f0c65a'><b>News</b></font><br>" + (
            "<br><br>".join(items) or "<i>Nothing has happened yet.</i>"
        )

    def show(self) -> None:
        s = self.session
        world = s.game.world
        self.clock.set_text(f"{self.title} · {s.clock()}")
        prices, news = self.public_html()
        self.prices.set_text(prices)
        self.news.set_text(news)
        obs = self.words.obs
        m = world.mineral_index(self.mineral)
        controls = [
            (c.issuer, list(c.targets), c.instrument.value) for c in obs.controls if c.mineral == self.mineral
        ]
        draw_mineral(
            self.view,
            self.app.palette,
            world.nation_ids,
            obs.refine_share[m],
            obs.refined_flow[m],
            controls,
            self.words.short_name,
        )

    def update(self, dt: float) -> None:
        self.view.update(dt)
        self.elapsed += dt
        if self.auto and self.elapsed >= self.CYCLE_SECONDS:  # the projector walks the minerals
            ids = self.session.game.world.mineral_ids
            self.mineral = ids[(ids.index(self.mineral) + 1) % len(ids)]
            self.elapsed = 0.0
            self.show()
        elif self.clock.text != f"{self.title} · {self.session.clock()}":
            self.show()

    def draw(self, surface: pygame.Surface) -> None:
        self.view.draw(surface)

    def handle(self, event: pygame.event.Event) -> bool:
        if backs_out(event, self.close):
            self.app.pop()
            return True
        if event.type == pygame.KEYDOWN and pygame.K_1 <= event.key <= pygame.K_9:
            ids = self.session.game.world.mineral_ids
            i = event.key - pygame.K_1
            if i < len(ids):
                self.mineral, self.auto = ids[i], False
                self.show()
            return True
        return self.view.handle(event) is not False

    def wants_mouse(self, pos: tuple[int, int]) -> bool:
        return self.view.rect.collidepoint(pos)


def _placeholder(entry: pygame_gui.elements.UITextEntryLine, text: str) -> None:
    try:
        entry.placeholder_text = text
        entry.rebuild()
    except AttributeError:
        entry.set_tooltip(text)
