"""Wargame screens: the hand-over between hot-seat teams, the facilitator's console (behind
F9 and an optional PIN) and its confirm dialog.

The hand-over empties the screen stack (`App.reset`): nothing the previous team opened,
queued or was told survives into the next team's seat, not even a message at the bottom
of the window. The console sees the whole world but only counts the teams' queued orders
unless the facilitator chooses to reveal them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import pygame
import pygame_gui

from game.report.teampack import team_pack, write_team_pack
from game.saves import SaveError, write_save
from game.ui.app import App, Screen, action
from game.ui.play import mineral_name
from game.ui.roomwindow import close_room_windows, open_room_window
from game.ui.screens.base import (
    Builder,
    Centered,
    MapBackdrop,
    backs_out,
    esc,
    fit,
    overlay_root,
    selected_id,
)
from game.ui.wargame import Wargame


@action("resume_play")
def resume_play(app: App, session: Wargame) -> None:
    """Back to the game after the facilitator changed it: the next team's hand-over in a
    hot-seat game, the map in a one-player game."""

    if session.hosted:  # the teams are at their machines: the host's window is the console
        app.reset(FacilitatorScreen(app, session))
    elif session.hotseat:
        app.reset(HandOverScreen(app, session))
    else:
        play = session.play(session.teams[0])
        play.refresh()
        app.reset(app.make("main", play, session))


@action("finish_wargame")
def finish_wargame(app: App, session: Wargame) -> None:
    """The end of the game (its last turn, or the facilitator's call): the room's debrief."""

    app.toasts.clear()
    app.reset(app.make("debrief", session.play(session.teams[0]), session))


@action("open_facilitator")
def open_facilitator(app: App, session: Wargame) -> None:
    app.push(PinPrompt(app, session) if session.pin else FacilitatorScreen(app, session))


@action("guard")
def guard(app: App, session: Wargame | None, then: Callable[[], None], what: str = "") -> None:
    """Do `then` if the room allows it from this seat, else after the facilitator's PIN.

    In a hot-seat game with a PIN, the doors that would show or leak another team's secrets
    (saving mid-turn, loading, quitting, writing the report, the console) are the
    facilitator's: whoever sits at the keyboard types the PIN first."""
    if session is None or not session.guarded:
        then()
        return
    app.push(PinPrompt(app, session, then=then, what=what))


@action("confirm_end_turn")
def confirm_end_turn(app: App, main) -> None:
    """Hot seat: End turn asks first (Y or the button; not Enter), then hands the seat over."""
    queued = len(main.play.queued())
    app.push(
        ConfirmDialog(
            app,
            "End your turn?",
            f"Team {main.play.name(main.play.nation)}: end the turn with {queued} order(s) queued? "
            "Your orders stay secret; the next team sits down behind its hand-over screen.",
            "End turn (Y)",
            main.end_team_turn,
        )
    )


FACILITATOR_SCREENS = ("facilitator", "injects", "room")
"""While one of these is open the facilitator is at the keyboard: the timer waits for them
(a PIN prompt does not hold it: a team could open one to stop its clock)."""


def watch_turn_timer(app: App) -> None:
    """Every frame of a hot-seat game: when the seated team's time runs out, its turn ends
    with the orders it has queued (a form left open is closed unsent), the room reads why
    on the hand-over screen, and the next team sits down as after End turn."""
    main = app.find("main")
    session = getattr(main, "session", None)
    if session is None or not session.time_up() or main.play.nation != session.seated:
        return
    if any(app.find(name) is not None for name in FACILITATOR_SCREENS):
        return
    session.expire()
    while app.top is not main:
        app.pop()
    main.end_team_turn()


@action("quit_room")
def quit_room(app: App, session: Wargame) -> None:
    """Quit to title from a hot-seat game: the facilitator's call (PIN), and asked first."""

    def ask() -> None:
        app.push(
            ConfirmDialog(
                app,
                "Quit to title?",
                "Leave this wargame? Autosaves are kept every turn; save from the console first to "
                "keep this quarter's queued orders.",
                "Quit (Y)",
                lambda: (close_room_windows(app), app.reset(app.make("title"))),
            )
        )

    guard(app, session, ask, "quit to title")


@action("draw_room_clock")
def draw_room_clock(
    app: App, session: Wargame, surface: pygame.Surface, corner: tuple[int, int] | None = None
) -> None:
    """The room's clock (date, turn, timer) and a PAUSED banner, on every team's screen:
    in the bottom-right `corner` of the map (clear of the buttons, the legend and the
    tutorial's guidance), else at the window's foot."""
    text = session.clock()
    font = app.font(15, bold=True)
    colour = (255, 138, 122) if session.paused or "time is up" in text else (240, 198, 90)
    label = font.render(text, True, colour)
    w, h = surface.get_size()
    pad = round(6 * app.scale)
    box = pygame.Rect(0, 0, label.get_width() + 2 * pad, label.get_height() + pad)
    if corner is None:
        box.midbottom = (w // 2, h - round(4 * app.scale))
    else:
        box.bottomright = (corner[0] - round(8 * app.scale), corner[1] - round(8 * app.scale))
    pygame.draw.rect(surface, (16, 22, 30), box, border_radius=6)
    surface.blit(label, (box.x + pad, box.y + pad // 2))


class HandOverScreen(Centered):
    """'Team Japan — press Enter when ready': the seat changes hands with nothing on screen."""

    name = "hand_over"
    column_width = 760

    def __init__(self, app: App, session: Wargame) -> None:
        super().__init__(app)
        self.session = session
        self.team = session.current
        app.toasts.clear()  # the previous team's messages go with it
        app.watchers["turn_timer"] = watch_turn_timer

    def build(self) -> None:
        self.make_root()
        self.backdrop = MapBackdrop(self)
        b = Builder(self)
        u = b.u
        col = self.column()
        s = self.session
        play = s.play(self.team)
        sc = play.scenario
        y = self.app.size[1] // 2 - u(190)
        self.heading = b.label(
            pygame.Rect(col.x - u(100), y, col.w + u(200), u(80)), f"Team {play.name(self.team)}", "@title"
        )
        b.label(pygame.Rect(col.x, y + u(84), col.w, u(34)), "press Space when ready", "@subtitle")
        done = [play.name(t) for t in s.teams if t in s.done]
        self.messages = s.inbox.get(self.team, [])
        status = [
            f"{esc(sc.name)} · {esc(s.clock())}",
            f"Team {s.teams.index(self.team) + 1} of {len(s.teams)} this quarter"
            + (f"; already ended: {esc(', '.join(done))}" if done else ""),
        ]
        if s.timeout_notice:
            status.insert(0, f"<font color='#ff8a7a'><b>{esc(s.timeout_notice)}</b></font>")
        if self.team in s.pending:
            status.append("<font color='#f0c65a'>Your report on last quarter is waiting for you.</font>")
        if self.team not in s.briefed:
            status.append("<font color='#f0c65a'>Your briefing comes first.</font>")
        if self.messages:
            count = len(self.messages)
            status.append(f"<font color='#f0c65a'>{count} message(s) from the facilitator.</font>")
        if s.paused:
            status.append("<font color='#ff8a7a'><b>PAUSED</b>: the facilitator has paused the game.</font>")
        status.append(
            "<font color='#a9b6c3'>Other teams: look away. Only this team's orders, reports and "
            "messages are shown after Space. Facilitator: F9.</font>"
        )
        self.status = b.text(pygame.Rect(col.x, y + u(130), col.w, u(200)), "<br>".join(status))
        self.ready = b.button(
            pygame.Rect(col.centerx - u(120), y + u(346), u(240), u(52)),
            "Ready",
            "Show this team's screen (Space)",
            "@primary",
            "#ready",
        )
        self.shown_clock = s.clock()

    def update(self, dt: float) -> None:
        if self.session.clock() != self.shown_clock:  # the timer ticks, a pause shows at once
            self.rebuild()

    def draw(self, surface: pygame.Surface) -> None:
        self.backdrop.draw(surface)

    def sit_down(self) -> None:
        self.sit_down_as(self.team)

    def sit_down_as(self, team: str) -> None:
        """The team's briefing the first time; then its map, with its report of last
        quarter on top if it has not seen it, and the facilitator's unread messages."""

        self.team = team
        session = self.session
        if self.team not in session.briefed:
            self.app.reset(TeamBriefingScreen(self.app, session, self.team))
            return
        play = session.play(self.team)
        play.refresh()
        session.sit(self.team)  # its time starts now
        self.app.reset(self.app.make("main", play, session))
        report = session.take_report(self.team)
        if report is not None:
            self.app.open("turn_report", play, report)
        for text in session.take_messages(self.team):
            self.app.notify(f"Facilitator: {text}", seconds=12)

    def handle(self, event: pygame.event.Event) -> bool:
        # The hand-over has its own key (Space): Enter ends a turn, and a double press
        # must not show the next team's map to the wrong table.
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.ready) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_SPACE
        ):
            self.sit_down()
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F9:
            open_facilitator(self.app, self.session)
            return True
        return False


class TeamBriefingScreen(Centered):
    """A team's briefing (objectives, situation, levers) behind its own hand-over, before
    its first turn; it prints as a one-page PDF team pack."""

    name = "team_briefing"
    column_width = 1000

    def __init__(self, app: App, session: Wargame, team: str) -> None:
        super().__init__(app)
        self.session = session
        self.team = team

    def build(self) -> None:
        self.make_root()
        self.backdrop = MapBackdrop(self)
        b = Builder(self)
        u = b.u
        col = self.column()
        h = self.app.size[1]
        top = max(u(24), h // 2 - u(360))
        pack = team_pack(self.session.game, self.team)
        b.label(pygame.Rect(col.x, top, col.w, u(40)), f"Team {pack.nation}: briefing", "@heading")
        b.label(pygame.Rect(col.x, top + u(40), col.w, u(26)), f"{pack.scenario} · {pack.date}", "@small")
        body = "<br><br>".join(
            f"<font color='#f0c65a'><b>{esc(head)}</b></font><br>{esc(text)}" for head, text in pack.sections
        )
        box_h = h - top - u(70) - u(90)
        b.text(pygame.Rect(col.x, top + u(72), col.w, box_h), body)
        y = top + u(82) + box_h
        self.go = b.button(
            pygame.Rect(col.right - u(240), y, u(240), u(50)),
            "To the map",
            "This team's first turn (Space)",
            "@primary",
            "#go",
        )
        self.print = b.button(
            pygame.Rect(col.x, y, u(260), u(50)),
            "Print team pack (PDF)",
            "A one-page PDF of this briefing, in your exports folder",
        )

    def draw(self, surface: pygame.Surface) -> None:
        self.backdrop.draw(surface)

    def write_pack(self) -> Path | None:
        sc = self.session.game.world.scenario
        path = self.app.home / "exports" / f"team-pack-{sc.id}-{self.team}.pdf"
        try:
            written = write_team_pack(team_pack(self.session.game, self.team), path)
        except Exception as exc:  # a printing problem must not end the game
            self.app.notify(f"Could not write the team pack: {type(exc).__name__}: {exc}", bad=True)
            return None
        self.app.notify(f"Team pack written to {written}")
        return written

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.print:
            self.write_pack()
            return True
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.go) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_SPACE
        ):
            self.session.briefed.add(self.team)
            HandOverScreen(self.app, self.session).sit_down_as(self.team)
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F9:
            open_facilitator(self.app, self.session)
            return True
        return False


class PinPrompt(Screen):
    """The facilitator's PIN, asked before the console shows the whole world."""

    overlay = True
    name = "pin"

    def __init__(
        self,
        app: App,
        session: Wargame | None,
        then: Callable[[], None] | None = None,
        what: str = "",
        check: Callable[[str], bool] | None = None,
        opened: Callable[[str], None] | None = None,
    ) -> None:
        """`then`: what the PIN opens (default: the console); `what` says it to the room.
        Without a session (a sealed save, before it is loaded), `check` tells a right PIN
        and `opened` gets it."""
        super().__init__(app)
        self.session = session
        self.then = then
        self.what = what
        self.check = check
        self.opened = opened

    def build(self) -> None:
        rect = overlay_root(self, 440, 230)
        b = Builder(self)
        u = b.u
        title = f"Facilitator PIN: {self.what}" if self.what else "Facilitator PIN"
        b.label(pygame.Rect(u(24), u(14), rect.w - u(48), u(36)), title, "@heading")
        self.entry = b.entry(pygame.Rect(u(24), u(62), rect.w - u(48), u(38)), "", "The PIN set at new game")
        self.entry.set_allowed_characters("numbers")
        self.entry.set_text_hidden(True)  # the room must not read it over the shoulder
        self.entry.focus()
        self.ok = b.button(
            pygame.Rect(rect.w - u(164), rect.h - u(62), u(140), u(44)),
            "Open",
            "Open the console",
            "@primary",
        )
        self.cancel = b.button(pygame.Rect(u(24), rect.h - u(62), u(140), u(44)), "Cancel", "Back (Esc)")

    def submit(self, text: str | None = None) -> bool:
        pin = self.entry.get_text() if text is None else text
        if self.check is not None:
            right = self.check(pin)
        else:
            right = self.session is not None and self.session.check_pin(pin)
        if right:
            if self.opened is not None:
                self.app.pop()
                self.opened(pin)
            elif self.then is None:
                self.app.replace(FacilitatorScreen(self.app, self.session))
            else:
                self.app.pop()
                self.then()
            return True
        self.app.notify("Wrong PIN.", bad=True)
        self.entry.set_text("")
        return False

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.ok) or (
            event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.entry
        ):
            self.submit()
            return True
        if backs_out(event, self.cancel):
            self.app.pop()
            return True
        return False


class ConfirmDialog(Screen):
    """Yes or no before something that cannot be taken back in the room (a rewind, the end)."""

    overlay = True
    name = "confirm"

    def __init__(self, app: App, title: str, text: str, yes: str, action: Callable[[], None]) -> None:
        super().__init__(app)
        self.title, self.text, self.yes_text, self.action = title, text, yes, action

    def build(self) -> None:
        rect = overlay_root(self, 560, 300)
        b = Builder(self)
        u = b.u
        b.label(pygame.Rect(u(24), u(14), rect.w - u(48), u(36)), self.title, "@heading")
        b.text(pygame.Rect(u(24), u(56), rect.w - u(48), rect.h - u(56) - u(76)), esc(self.text))
        self.yes = b.button(
            pygame.Rect(rect.w - u(204), rect.h - u(62), u(180), u(44)), self.yes_text, "Do it", "@primary"
        )
        self.no = b.button(pygame.Rect(u(24), rect.h - u(62), u(140), u(44)), "Cancel", "Back (Esc)")

    def confirm(self) -> None:
        self.app.pop()
        self.action()

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.yes) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_y
        ):  # not Enter: a double Enter must not confirm what the first one asked
            self.confirm()
            return True
        if backs_out(event, self.no):
            self.app.pop()
            return True
        return False


EFFECTS = [
    ("Supply shock (capacity falls)", "supply_shock"),
    ("Demand shock (demand × size)", "demand_shock"),
]
STAGES = [("Refined", "refined"), ("Ore", "ore")]
EXTEND_MINUTES = 2.0


class FacilitatorScreen(Screen):
    """The whole world for the facilitator, and what the facilitator may do to it."""

    name = "facilitator"

    def __init__(self, app: App, session: Wargame) -> None:
        super().__init__(app)
        self.session = session
        self.search = ""
        world = session.game.world
        self.values = {
            "effect": "supply_shock",
            "mineral": world.mineral_ids[0],
            "country": world.nation_ids[0],
            "stage": "refined",
            "to": "*",
            "rewind": str(max(0, world.turn - 1)),
        }
        self.texts = {"size": "0.5", "duration": "2", "headline": "", "news": "", "message": "", "reason": ""}
        self.revealed = False
        """The teams' queued orders shown here: this console's choice only, so a reveal never
        outlives the console it was made in (closing it hides them again)."""
        self.shown = (-1, "")
        """(session version, clock) last drawn: a hosted game changes from the network."""

    # ---------------------------------------------------------------- layout

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        s = self.session
        world = s.game.world
        sc = world.scenario
        names = s.play(s.teams[0]).name
        pad = u(14)
        self.header = b.label(
            pygame.Rect(pad, u(8), w - u(560), u(36)), f"Facilitator · {s.clock()}", "@heading"
        )  # the clock ticks here (the scenario's name heads the world column)
        self.close = b.button(
            pygame.Rect(w - pad - u(160), u(8), u(160), u(36)), "Close (F9)", "Back to the game"
        )
        if s.hosted:  # the host's window is the console: closing the window ends the hosting
            self.close.kill()
        self.plan = b.button(
            pygame.Rect(w - pad - u(340), u(8), u(172), u(36)),
            "Injects & rulings",
            "Upcoming injects (disable, move, add), adjudicate queued orders, length and timer",
        )
        self.room_view = b.button(
            pygame.Rect(w - pad - u(500), u(8), u(152), u(36)),
            "Room view",
            "The projector screen in its own window (drag it to the projector): map, public "
            "prices, news, the clock; nothing private",
        )
        top = u(52)
        left_w = int(w * 0.40)
        self.world_box = b.text(pygame.Rect(pad, top, left_w, h - top - pad), "")
        x0 = pad * 2 + left_w
        cw = (w - x0 - pad * 2) // 2
        row, gap = u(32), u(6)
        # column A: library events, messages
        y = top
        b.label(pygame.Rect(x0, y, cw, u(24)), "Inject an event from the library", "@small")
        y += u(24)
        self.search_entry = b.entry(pygame.Rect(x0, y, cw, row), self.search, "Search the library by name")
        self.search_entry.set_text(self.search)
        y += row + gap
        list_h = max(u(120), h - y - pad - (row + gap) * 4 - u(24) - u(22))
        self._event_width = cw - u(36)  # a list item's room beside the scroll bar
        self.event_list = pygame_gui.elements.UISelectionList(
            pygame.Rect(x0, y, cw, list_h), self._event_items(), manager=self.manager, container=self.root
        )
        y += list_h + gap
        self.inject = b.button(
            pygame.Rect(x0, y, cw, row), "Inject selected event", "At the start of next turn"
        )
        y += row + u(10)
        b.label(pygame.Rect(x0, y, cw, u(24)), "Message to teams", "@small")
        y += u(24)
        to = [("All teams", "*")] + [(f"Team {names(t)}", t) for t in s.teams]
        self.to_menu = b.dropdown(pygame.Rect(x0, y, cw, row), to, self.values["to"], "Who reads it")
        y += row + gap
        self.message_entry = b.entry(pygame.Rect(x0, y, cw, row), self.texts["message"], "The message")
        y += row + gap
        self.send = b.button(
            pygame.Rect(x0, y, cw, row), "Send message", "Delivered at the start of next turn"
        )
        # column B: compose, game controls
        x1 = x0 + cw + pad
        y = top
        b.label(pygame.Rect(x1, y, cw, u(24)), "Compose an event", "@small")
        y += u(24)
        self.effect_menu = b.dropdown(
            pygame.Rect(x1, y, cw, row), EFFECTS, self.values["effect"], "What happens"
        )
        y += row + gap
        half = (cw - gap) // 2
        minerals = [(mineral_name(m), m) for m in world.mineral_ids]
        self.mineral_menu = b.dropdown(
            pygame.Rect(x1, y, half, row), minerals, self.values["mineral"], "Mineral"
        )
        self.stage_menu = b.dropdown(
            pygame.Rect(x1 + half + gap, y, half, row), STAGES, self.values["stage"], "Stage (supply shocks)"
        )
        y += row + gap
        countries = [("Everywhere (demand)", "*")] + [(names(n), n) for n in world.nation_ids]
        self.country_menu = b.dropdown(
            pygame.Rect(x1, y, cw, row),
            countries,
            self.values["country"],
            "Country hit (a supply shock needs one)",
        )
        y += row + gap
        lw = u(70)
        b.label(pygame.Rect(x1, y, lw, row), "Size")
        self.size_entry = b.entry(
            pygame.Rect(x1 + lw, y, half - lw, row),
            self.texts["size"],
            "Supply: share of capacity left (0–1). Demand: factor (0–10)",
        )
        b.label(pygame.Rect(x1 + half + gap, y, lw, row), "Turns")
        self.duration_entry = b.entry(
            pygame.Rect(x1 + half + gap + lw, y, half - lw, row),
            self.texts["duration"],
            "How many turns it lasts",
        )
        y += row + gap
        self.headline_entry = b.entry(pygame.Rect(x1, y, cw, row), self.texts["headline"], "Headline")
        self.headline_entry.set_text(self.texts["headline"])
        y += row + gap
        self.news_entry = b.entry(pygame.Rect(x1, y, cw, row), self.texts["news"], "News text the teams read")
        y += row + gap
        for entry, hint in (
            (self.headline_entry, "Headline"),
            (self.news_entry, "News text the teams read"),
            (self.message_entry, "Message text"),
            (self.search_entry, "Search events…"),
        ):
            _placeholder(entry, hint)
        self.compose = b.button(
            pygame.Rect(x1, y, cw, row), "Inject composed event", "At the start of next turn"
        )
        y += row + u(14)
        b.label(pygame.Rect(x1, y, cw, u(24)), "The game", "@small")
        y += u(24)
        third = (cw - 2 * gap) // 3
        self.pause = b.button(
            pygame.Rect(x1, y, third, row),
            "Resume" if s.paused else "Pause",
            "While paused, no team can end its turn",
            oid="#pause",
        )
        self.reveal = b.button(
            pygame.Rect(x1 + third + gap, y, third, row),
            "Hide orders" if self.revealed else "Reveal orders",
            "Show the contents of the teams' queued orders here (hidden again when you close)",
        )
        self.save_button = b.button(
            pygame.Rect(x1 + 2 * (third + gap), y, third, row),
            "Save game",
            "The facilitator's save (mid-turn it holds the teams' queued orders)",
        )
        y += row + gap
        turns = [
            (f"Start of {sc.date_of(k)} (turn {k + 1})", str(k))
            for k in range(min(world.turn, sc.turns - 1) + 1)
        ]
        self.rewind_menu = b.dropdown(
            pygame.Rect(x1, y, cw - u(110) - gap, row), turns, self.values["rewind"], "Turn to go back to"
        )
        self.rewind = b.button(
            pygame.Rect(x1 + cw - u(110), y, u(110), row), "Rewind…", "Replay from there (asks first)"
        )
        y += row + gap
        self.reason_entry = b.entry(
            pygame.Rect(x1, y, cw, row), self.texts["reason"], "Why rewind (the log and the report keep it)"
        )
        _placeholder(self.reason_entry, "Reason for a rewind")
        y += row + gap
        self.end_game = b.button(
            pygame.Rect(x1, y, half, row), "End the game…", "Stop here and go to the debrief (asks first)"
        )
        self.more_time = b.button(
            pygame.Rect(x1 + half + gap, y, cw - half - gap, row),
            f"+{EXTEND_MINUTES:g} min for the team",
            "More time on the turn timer for the team at the keyboard (this seat only)",
        )
        if not s.room.timer_minutes or s.seated is None:
            self.more_time.disable()
        self.refresh()

    def _event_items(self) -> list[tuple[str, str]]:
        events = self.app.content.events.values()
        q = self.search.strip().lower()
        found = sorted((e.name, e.id) for e in events if not q or q in e.name.lower() or q in e.id)
        # the list cannot wrap: a long name ends in an ellipsis, not cut mid-word at the edge
        font = self.app.font(15)
        width = getattr(self, "_event_width", 10_000)
        return [(fit(name, font, width), eid) for name, eid in found] or [("(no event matches)", "")]

    # ---------------------------------------------------------------- the world

    def world_html(self) -> str:
        """Every nation's state, the markets, controls and zones, the teams' queues."""
        s = self.session
        world = s.game.world
        play = s.play(s.teams[0])
        obs = play.obs
        rec = world.records[-1] if world.records else None
        lines = [f"<b>{esc(world.scenario.name)}</b>"]
        if s.paused:
            lines.append("<font color='#ff8a7a'><b>PAUSED</b>: teams cannot end their turn.</font>")
        if self.revealed:  # first, where the facilitator looks: it goes when the console closes
            lines.append("<font color='#ff8a7a'><b>Queued orders (revealed)</b></font>")
            for t in s.teams:
                tp = s.play(t)
                orders = [esc(tp.describe(o)) for o in tp.queued()] or ["<i>none</i>"]
                lines.append(f"<b>Team {esc(tp.name(t))}</b>: " + "; ".join(orders))
            lines.append("")
        lines.append("<font color='#f0c65a'><b>Nations</b></font>")
        counts = s.queued_counts()
        for i, n in enumerate(world.nation_ids):
            score = float(rec.score[i]) if rec is not None and rec.score.size else math.nan
            need = rec.need[:, i, :].sum() if rec is not None else 0.0
            short = rec.shortfall[:, i, :].sum() if rec is not None else 0.0
            if rec is None:  # before the first quarter resolves there is nothing to report
                fill = "no quarter yet"
            else:
                fill = f"shortfall {short / need * 100:.0f} %" if need > 0 else "no need"
            who = "AI"
            if n in s.teams:
                state = "ended" if n in s.done else "playing"
                who = f"<font color='#f0c65a'>team</font>, {counts[n]} queued, {state}{s.presence(n)}"
            sc_txt = "—" if math.isnan(score) else f"{score:.1f}"
            lines.append(f"<b>{esc(play.name(n))}</b> ({who}) · score {sc_txt} · {fill}")
        lines.append("<br><font color='#f0c65a'><b>Prices (world average, refined)</b></font>")
        history = play.price_history()
        for m, mineral in enumerate(world.mineral_ids):
            p = history[-1, m]
            change = (
                f" ({p / history[-2, m] * 100 - 100:+.0f} %)"
                if len(history) > 1 and history[-2, m] > 0
                else ""
            )
            lines.append(f"{esc(mineral_name(mineral))}: ${p:,.0f}/t{change}")
        lines.append("<br><font color='#f0c65a'><b>Export controls in force</b></font>")
        controls = []
        for c in obs.controls:
            to = ", ".join(play.name(t) for t in c.targets) or "all"
            controls.append(
                f"{esc(play.name(c.issuer))}: {c.instrument.value.replace('_', ' ')} on {c.stage.value} "
                f"{esc(mineral_name(c.mineral).lower())} to {esc(to)}"
            )
        lines += controls or ["none"]
        lines.append("<br><font color='#f0c65a'><b>Zones</b></font>")
        lines += [f"{esc(z.name)}: {esc(', '.join(play.name(m) for m in z.members))}" for z in obs.zones] or [
            "none"
        ]
        queue = world.facilitator_queue
        lines.append(
            f"<br><font color='#f0c65a'><b>Facilitator</b></font> ({len(queue)} waiting for next turn)"
        )
        lines += [esc(x) for x in s.log[-8:]] or ["<i>nothing done yet</i>"]
        return "<br>".join(lines)

    def refresh(self) -> None:
        s = self.session
        self.shown = (s.version, s.clock())
        if s.busy:  # hosted: the quarter resolves in the host's worker thread
            self.world_box.set_text("<i>The quarter is resolving…</i>")
            return
        # the clock alone: with a timer, the scenario's name clipped it (it is in the world column)
        self.header.set_text(f"Facilitator · {s.clock()}")
        self.world_box.set_text(self.world_html())
        self.pause.set_text("Resume" if self.session.paused else "Pause")
        self.reveal.set_text("Hide orders" if self.revealed else "Reveal orders")

    def _keep(self) -> None:
        for key, entry in (
            ("size", self.size_entry),
            ("duration", self.duration_entry),
            ("headline", self.headline_entry),
            ("news", self.news_entry),
            ("message", self.message_entry),
            ("reason", self.reason_entry),
        ):
            self.texts[key] = entry.get_text()

    # ---------------------------------------------------------------- actions

    def say(self, ok: bool, text: str) -> None:
        self.app.notify(text, bad=not ok, seconds=6)
        self.refresh()

    def inject_selected(self) -> None:
        chosen = self.event_list.get_single_selection(include_object_id=True)
        if not chosen or not chosen[1]:
            self.say(False, "Choose an event in the list first.")
            return
        self.say(*self.session.inject_library(chosen[1]))

    def inject_composed(self) -> None:
        self._keep()
        v, t = self.values, self.texts
        self.say(
            *self.session.inject_custom(
                v["effect"],
                v["mineral"],
                v["country"],
                t["size"],
                t["duration"],
                t["headline"],
                t["news"],
                v["stage"],
            )
        )

    def send_message(self) -> None:
        to = [] if self.values["to"] == "*" else [self.values["to"]]
        ok, text = self.session.broadcast(self.message_entry.get_text(), to)
        if ok:
            self.message_entry.set_text("")
        self.say(ok, text)
        if ok:  # the team at the keyboard reads it now, the others when they sit down
            main = self.app.find("main")
            if main is not None:
                for unread in self.session.take_messages(main.play.nation):
                    self.app.notify(f"Facilitator: {unread}", seconds=15)

    def ask_rewind(self) -> None:
        k = int(self.values["rewind"])
        sc = self.session.game.world.scenario
        self._keep()
        reason = self.texts["reason"].strip()
        if not reason:
            self.say(False, "Rewind: give the reason first (the log and the report keep it).")
            return

        def go() -> None:
            ok, text = self.session.rewind(k, reason)
            if not ok:
                self.say(False, text)
                return
            self.texts["reason"] = ""
            resume_play(self.app, self.session)
            self.app.notify(text)

        self.app.push(
            ConfirmDialog(
                self.app,
                "Rewind?",
                f"Go back to the start of {sc.date_of(k)} (turn {k + 1})? Every team plays again from "
                "there; what was played since is kept in the save as a discarded branch.",
                "Rewind",
                go,
            )
        )

    def ask_end(self) -> None:
        def go() -> None:
            self.session.ended = True
            finish_wargame(self.app, self.session)

        self.app.push(
            ConfirmDialog(
                self.app,
                "End the game?",
                "Stop the game here and open the debrief for the room (scores, discussion questions, "
                "the after-action report).",
                "End the game",
                go,
            )
        )

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element is self.search_entry:
            self.search = self.search_entry.get_text()
            self.event_list.set_item_list(self._event_items())
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            for key, menu in (
                ("effect", self.effect_menu),
                ("mineral", self.mineral_menu),
                ("stage", self.stage_menu),
                ("country", self.country_menu),
                ("to", self.to_menu),
                ("rewind", self.rewind_menu),
            ):
                if event.ui_element is menu:
                    self.values[key] = selected_id(menu)
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            el = event.ui_element
            s = self.session
            if el is self.close:
                self.app.pop()
            elif el is self.inject:
                self.inject_selected()
            elif el is self.compose:
                self.inject_composed()
            elif el is self.send:
                self.send_message()
            elif el is self.pause:
                s.pause(not s.paused)
                self.refresh()
            elif el is self.reveal:
                self.revealed = not self.revealed
                s.note("revealed the teams' queued orders" if self.revealed else "hid the queued orders")
                self.refresh()
            elif el is self.save_button:
                save_room(self.app, s)
            elif el is self.plan:
                self.revealed = False
                self.app.open("injects", s)
            elif el is self.room_view:
                self.revealed = False
                if open_room_window(self.app, s) is None:  # no second window here: this one
                    self.app.open("room", s)
                else:
                    self.app.notify("The room view is open in its own window: drag it to the projector.")
            elif el is self.rewind:
                self.ask_rewind()
            elif el is self.end_game:
                self.ask_end()
            elif el is self.more_time:
                self.say(*s.extend(EXTEND_MINUTES))
            return True
        typing = any(
            e.is_focused for e in (self.search_entry, self.message_entry, self.news_entry, self.reason_entry)
        )
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_F9, pygame.K_ESCAPE) and not typing:
            if not self.session.hosted:
                self.app.pop()
            return True
        return False

    def update(self, dt: float) -> None:
        s = self.session
        if s.hosted and self.shown != (s.version, s.clock()):
            self.refresh()  # teams queued or ended at the host
            return
        clock = f"Facilitator · {s.clock()}"
        if self.header.text != clock:  # the seated team's time ticks on the console too
            self.header.set_text(clock)

    def resumed(self) -> None:
        self.refresh()


@action("save_room")
def save_room(app: App, session: Wargame) -> Path | None:
    """The facilitator's save of the whole room (named for the facilitator, not a team)."""
    session.mark_ended()
    game = session.game
    sc = game.world.scenario
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = app.home / "saves" / f"{sc.id}-facilitator-{session.date.replace(' ', '')}-{stamp}.json"
    try:
        written = write_save(game.to_save(), path, game.sealer)
    except (OSError, SaveError) as exc:
        app.notify(f"Could not save: {exc}", bad=True)
        return None
    app.notify(f"Saved to {written}")
    session.note(f"saved the game to {written.name}")
    return written


def _placeholder(entry: pygame_gui.elements.UITextEntryLine, text: str) -> None:
    """Grey text in an empty field saying what goes there (pygame-gui ≥ 0.6.10)."""
    try:
        entry.placeholder_text = text
        entry.rebuild()
    except AttributeError:
        entry.set_tooltip(text)
