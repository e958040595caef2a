"""The room's side of a game: hot-seat teams, the facilitator, the tutorial's guidance.

Like `game.ui.play`, nothing here draws: screens go through these objects, tests drive
them directly, and the turn resolves in a worker thread.

A hot-seat game is one `Game` with several human nations. Each team has its own `Play`
(its observation, its queue, its reports) over the shared game; a team's screen only ever
asks its own `Play`, so what another team queued is never on it. The world resolves once,
when the last team ends its turn, and each team's report waits until the team sits down
again behind the hand-over screen.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from game.content import Content
from game.saves import (
    ControllerKind,
    ControllerSpec,
    Rationale,
    RewindNote,
    Room,
    Ruling,
    Save,
    SaveError,
    ScheduleEdit,
    hash_pin,
    pin_matches,
    seal_key,
)
from game.session import Game, Level
from game.ui.play import Play, TurnReport, mineral_name
from game.ui.tutorial import Guidance, Step  # noqa: F401  (Step: moved, still importable here)

SUPPLY_RANGE = (0.0, 1.0)
"""A supply shock leaves this share of capacity (the core's SupplyShock.capacity_factor)."""
DEMAND_RANGE = (0.0, 10.0)
"""A demand shock multiplies demand by this (the core's DemandShock.factor)."""
DURATION_RANGE = (1, 400)


@dataclass(frozen=True)
class Inject:
    """A scheduled event still to come, as the console lists it."""

    turn: int
    date: str
    event: str
    name: str
    scheduled: dt.date
    """The schedule entry's own date (what a disable or a reschedule refers to)."""


class Wargame:
    """Teams (human nations, in seat order) around one game, and what the facilitator did."""

    hosted = False
    """Teams at their own machines (game.ui.hosted): the console is the host's window."""
    version = 0
    """Goes up when the teams change the game from elsewhere (hosted): the console redraws."""
    busy = False
    """The world is resolving elsewhere (hosted): not to be read now."""

    def __init__(self, game: Game, teams: list[str], pin: str = "", plays: list[Play] | None = None) -> None:
        """`plays`: the teams' existing plays (a one-player game gets a console too). A PIN
        is kept only as a salted hash in the game's room (and so in its saves)."""
        if not teams:
            raise ValueError("a wargame needs at least one team")
        self.game = game
        self.teams = list(teams)
        room = game.room
        if room is None and (len(self.teams) > 1 or pin):
            # Hot seat: the teams decide their own policy from the first turn on (a replay
            # sets the same room before its first turn). A one-player game with a PIN keeps
            # its events as they were: only the PIN is recorded.
            # (A game already under way without a room gets one without teams: its replay
            # must stay what it was.)
            room = Room(teams=self.teams if len(self.teams) > 1 and game.turn == 0 else [])
            game.set_room(room)
        if pin and game.room is not None:
            game.room = game.room.model_copy(update={"pin": hash_pin(pin)})
            game.sealer = seal_key(pin, game.room.pin)  # every save of this room is sealed
        given = {p.nation: p for p in plays or []}
        self.plays: dict[str, Play] = {t: given.get(t) or Play(game, t) for t in self.teams}
        self.done: set[str] = set()
        """Teams that ended this turn (their orders wait, secret, for the others)."""
        self.pending: dict[str, TurnReport] = {}
        """Each team's report of the last resolution, until the team has seen it."""
        self.now: Callable[[], float] = time.monotonic
        """The clock the turn timer reads (a fake one in tests)."""
        self.seated: str | None = None
        """The team at the keyboard (its map is open), whose time is running; None on the
        hand-over and briefing screens."""
        self.seat_started = 0.0
        self.extra_seconds = 0.0
        """Time the facilitator gave the seated team on top of the timer."""
        self._paused_at: float | None = None
        self.timeout_notice = ""
        """'Time is up: …' for the room, on the next hand-over screen (until a team sits down)."""
        self.ended = False
        self.guides: dict[str, Guidance | None] = {}
        self.inbox: dict[str, list[str]] = {t: [] for t in self.teams}
        """The facilitator's messages each team has not read yet (they arrive at once; the
        world delivers the same message at the next resolution, for the record)."""
        self.briefed: set[str] = set()
        """Teams that have read their briefing (hot seat starts with it)."""

    @property
    def pin(self) -> bool:
        """Whether a facilitator PIN guards the console and the room's doors."""
        return self.game.room is not None and self.game.room.pin is not None

    @property
    def room(self) -> Room:
        return self.game.room or Room()

    def _room(self, **changes: object) -> None:
        self.game.room = self.room.model_copy(update=changes)

    @property
    def log(self) -> list[str]:
        """What the facilitator did, in words, for the console (kept in the save)."""
        return list(self.room.log)

    def note(self, text: str) -> None:
        """One line in the facilitator's log, dated."""
        self._room(log=[*self.room.log, f"{self.date}: {text}"])

    @property
    def date(self) -> str:
        sc = self.game.world.scenario
        return sc.date_of(min(self.game.turn, sc.turns - 1))

    # ---------------------------------------------------------------- making one

    @classmethod
    def new(
        cls,
        content: Content,
        scenario: str,
        teams: list[str],
        level: str = "normal",
        seed: int = 0,
        pin: str = "",
        team_events: str = "news",
        turns: int | None = None,
        timer_minutes: float = 0,
    ) -> Wargame:
        specs = {t: ControllerSpec(kind=ControllerKind.HUMAN) for t in teams}
        game = Game(
            content, scenario, seed, controllers=dict.fromkeys(teams), level=Level(level), specs=specs
        )
        if len(teams) > 1:
            game.set_room(
                Room(teams=list(teams), team_events=team_events, turns=turns, timer_minutes=timer_minutes)
            )
        return cls(game, teams, pin)

    @classmethod
    def from_save(cls, content: Content, save: Save, pin: str = "") -> Wargame:
        """The game of a save, with its room (the PIN, as its hash, comes with it). A sealed
        save is opened with `pin` first (`read_save(path, pin)`); given here too, it keeps
        sealing the game's later saves."""
        game = Game.from_save(content, save)
        stored = game.room.pin if game.room is not None else None
        if pin and stored is not None and pin_matches(stored, pin):
            game.sealer = seal_key(pin, stored)
        if not game.humans:
            raise SaveError(
                "<save>", "it has no human player (an AI-only run)", "Open it as a replay instead."
            )
        session = cls(game, game.humans)
        session.briefed = set(session.teams)  # a loaded game is under way
        room = session.room
        if room.ended_turn == game.turn:
            session.done = {t for t in room.ended if t in session.teams}
        return session

    def mark_ended(self) -> None:
        """Record which teams have ended this turn (for a mid-turn save)."""
        self._room(ended=sorted(self.done), ended_turn=self.game.turn)

    @property
    def hotseat(self) -> bool:
        return len(self.teams) > 1

    # ---------------------------------------------------------------- seats

    def play(self, team: str) -> Play:
        return self.plays[team]

    @property
    def current(self) -> str:
        """The team whose turn it is to sit down (the first that has not ended this turn)."""
        return next((t for t in self.teams if t not in self.done), self.teams[0])

    def sit(self, team: str) -> None:
        """`team` is at the keyboard: its time (the turn timer's, per seat) starts running."""
        self.seated = team
        self.seat_started = self.now()
        self.extra_seconds = 0.0
        self.timeout_notice = ""
        if self._paused_at is not None:
            self._paused_at = self.seat_started

    def team_done(self, team: str) -> bool:
        """Mark a team's turn ended; True when every team has (time to resolve)."""
        if self.seated == team:
            self.seated = None
        self.done.add(team)
        return self.done >= set(self.teams)

    def resolve(self) -> dict[str, TurnReport]:
        """Resolve the turn once for every team (safe in a worker thread)."""
        before = {t: p.obs for t, p in self.plays.items()}
        self.game.play_turn()
        reports = {t: self.plays[t].after_turn(before[t]) for t in self.teams}
        self.pending = dict(reports)
        self.done.clear()
        self.seated = None
        return reports

    def guide(self, team: str) -> Guidance | None:
        """The team's tutorial guidance (kept across turns and hand-overs), if the scenario has one."""
        if team not in self.guides:
            self.guides[team] = Guidance.for_scenario(self.game.world.scenario.id)
        return self.guides[team]

    def take_report(self, team: str) -> TurnReport | None:
        return self.pending.pop(team, None)

    def can_end_turn(self) -> tuple[bool, str]:
        if self.paused:
            return False, "The facilitator has paused the game: wait before ending your turn."
        if self.ended:
            return False, "The facilitator has ended the game."
        return True, ""

    def pause(self, on: bool) -> None:
        self.paused = on
        self.note("paused the game" if on else "resumed the game")

    @property
    def paused(self) -> bool:
        """While paused no team can end its turn, and the seated team's time stands still."""
        return self._paused_at is not None

    @paused.setter
    def paused(self, on: bool) -> None:
        now = self.now()
        if on and self._paused_at is None:
            self._paused_at = now
        elif not on and self._paused_at is not None:
            self.seat_started += now - self._paused_at  # the pause is not the team's time
            self._paused_at = None

    def seconds_left(self) -> float | None:
        """The turn timer: seconds the seated team has left (negative once run out); the
        whole allowance while nobody sits (the hand-over); None without a timer. The timer
        runs per seat: in hot seat the teams play one after another, each with its own time."""
        minutes = self.room.timer_minutes
        if not minutes:
            return None
        allowance = minutes * 60 + self.extra_seconds
        if self.seated is None:
            return allowance
        until = self._paused_at if self._paused_at is not None else self.now()
        return allowance - (until - self.seat_started)

    def time_up(self) -> bool:
        """Whether the seated team's time has run out (and nothing holds the clock): its turn
        ends now, with whatever it has queued."""
        left = self.seconds_left()
        return (
            self.hotseat
            and left is not None
            and left <= 0
            and self.seated is not None
            and self.seated not in self.done
            and not self.paused
            and not self.ended
        )

    def expire(self) -> str:
        """The seated team ran out of time: the notice the room reads (the log keeps it).
        The caller ends the team's turn as End turn would (`team_done`, then the hand-over)."""
        team = self.seated or self.current
        play = self.plays[team]
        n = len(play.queued())
        self.timeout_notice = (
            f"Time is up: Team {play.name(team)}'s turn ended with its {n} queued order"
            + ("" if n == 1 else "s")
            + "."
        )
        self.note(f"time ran out for Team {play.name(team)} ({n} queued)")
        return self.timeout_notice

    def extend(self, minutes: str | float) -> tuple[bool, str]:
        """More time for the team at the keyboard (this seat only)."""
        try:
            m = float(str(minutes).strip().replace(",", "."))
        except ValueError:
            return False, f"Extend: '{minutes}' is not a number of minutes."
        if not self.room.timer_minutes:
            return False, "Extend: there is no turn timer (set one under Injects & rulings)."
        if not 0 < m <= 120:
            return False, "Extend: from 0 to 120 minutes more."
        if self.seated is None:
            return False, "Extend: no team is at the keyboard; each team's time starts when it sits down."
        self.extra_seconds += m * 60
        name = self.plays[self.seated].name(self.seated)
        self.note(f"gave Team {name} {m:g} more minute(s)")
        return True, f"Team {name} has {m:g} more minute(s)."

    def clock(self) -> str:
        """'2026 Q3 · turn 3 of 12 · 04:12 left' for every screen of the room."""
        left = self.seconds_left()
        text = f"{self.date} · turn {min(self.game.turn + 1, self.game.length)} of {self.game.length}"
        if left is not None:
            whole = math.ceil(max(left, 0))
            if self.seated is None:
                text += f" · {whole // 60:02d}:{whole % 60:02d} per team"
            else:
                text += f" · {whole // 60:02d}:{whole % 60:02d} left" if left > 0 else " · time is up"
        if self.paused:
            text += " · PAUSED"
        return text

    def presence(self, team: str) -> str:
        """Words after a team's state on the console (hosted: whether it is connected)."""
        return ""

    def queued_counts(self) -> dict[str, int]:
        return {t: len(self.plays[t].queued()) for t in self.teams}

    # ---------------------------------------------------------------- facilitator

    def closing_save(self) -> Save:
        """The save made when the window is closed mid-game, from whichever seat.

        Closing the window is not behind the PIN, so in a guarded room the file keeps the
        game as this quarter began: the quarter's queued orders, the teams' notes on them,
        the facilitator's rulings, injects and schedule changes are secrets, and stay out
        (after a load the teams queue their orders again). An unguarded room keeps no
        secrets from itself: its save is the facilitator's, queued orders included. A room
        whose key is known (its PIN was set or typed this session) keeps everything: the
        file is sealed under the PIN (`write_save(..., game.sealer)`)."""
        self.mark_ended()
        save = self.game.to_save()
        if not self.guarded or save.wargame is None or self.game.sealer is not None:
            return save
        t = save.turn
        today = f"{self.date}: "
        room = save.wargame.model_copy(
            update={
                "schedule": [e for e in save.wargame.schedule if e.turn < t],
                "rulings": [r for r in save.wargame.rulings if r.turn < t],
                "rationales": [r for r in save.wargame.rationales if r.turn < t],
                "log": [line for line in save.wargame.log if not line.startswith(today)],
                "ended": [],
                "ended_turn": None,
            }
        )
        return save.model_copy(
            update={
                "orders": [o for o in save.orders if o.turn < t],
                "facilitator": [a for a in save.facilitator if a.turn < t],
                "wargame": room,
            }
        )

    def check_pin(self, text: str) -> bool:
        """Whether `text` is the facilitator's PIN (any text, if there is none). The first
        right PIN of a room loaded from an old, unsealed save gives it its sealing key."""
        stored = self.room.pin
        if stored is None:
            return True
        if not pin_matches(stored, text):
            return False
        if self.game.sealer is None:
            self.game.sealer = seal_key(text, stored)
        return True

    @property
    def guarded(self) -> bool:
        """Whether the room's doors (console, save, load, quit, report) need the PIN: in a
        hot-seat game with a PIN, a team at the keyboard must not open them."""
        return self.pin and self.hotseat

    def inject_library(self, event_id: str) -> tuple[bool, str]:
        verdict = self.game.facilitate({"kind": "inject_event", "event": event_id})
        if verdict.accepted:
            name = self.game.world.content.events[event_id].name
            self.note(f"injected '{name}'")
            return True, f"'{name}' will happen at the start of next turn."
        return False, verdict.reason

    def inject_custom(
        self,
        effect: str,
        mineral: str,
        country: str,
        size: str,
        duration: str,
        headline: str,
        news: str,
        stage: str = "refined",
    ) -> tuple[bool, str]:
        """Compose an event from the console's fields: a supply shock (capacity of a
        country's firms falls to `size`) or a demand shock (demand multiplied by `size`).
        Every field is checked here first so the facilitator reads which one is wrong."""
        lo, hi = SUPPLY_RANGE if effect == "supply_shock" else DEMAND_RANGE
        what = "capacity factor" if effect == "supply_shock" else "demand factor"
        try:
            factor = float(size.strip().replace(",", "."))
        except ValueError:
            return False, f"Size: '{size}' is not a number (the {what}, {lo:g} to {hi:g})."
        if not lo <= factor <= hi:
            return False, f"Size: the {what} must be between {lo:g} and {hi:g}, not {factor:g}."
        try:
            turns = int(duration.strip())
        except ValueError:
            return False, f"Duration: '{duration}' is not a whole number of turns."
        if not DURATION_RANGE[0] <= turns <= DURATION_RANGE[1]:
            return False, f"Duration: between {DURATION_RANGE[0]} and {DURATION_RANGE[1]} turns, not {turns}."
        world = self.game.world
        if mineral not in world.mineral_ids:
            return False, f"Mineral: {mineral} is not in this scenario."
        if effect == "supply_shock" and country not in world.nation_ids:
            return False, "Country: a supply shock needs the country whose mines or refineries fail."
        headline = (
            headline.strip()
            or f"{mineral_name(mineral)} {'supply' if effect == 'supply_shock' else 'demand'} shock"
        )
        news = news.strip() or headline
        if effect == "supply_shock":
            body = {"type": "supply_shock", "mineral": mineral, "stage": stage, "country": country,
                    "capacity_factor": factor, "duration_turns": turns}  # fmt: skip
        else:
            body = {"type": "demand_shock", "mineral": mineral, "factor": factor, "duration_turns": turns}
            if country in world.nation_ids:
                body["country"] = country
        n = len(self.game.facilitator_log()) + 1
        event = {
            "id": f"facilitator_t{self.turn_index}_{n}",
            "name": headline[:120],
            "news": news[:1000],
            "source": "facilitator (exercise)",
            "effects": [body],
        }
        verdict = self.game.facilitate({"kind": "inject_event", "custom": event})
        if not verdict.accepted:
            return False, verdict.reason
        self.note(f"composed '{headline}'")
        return True, f"'{headline}' will happen at the start of next turn."

    def broadcast(self, text: str, to: list[str]) -> tuple[bool, str]:
        text = text.strip()
        if not text:
            return False, "Message: write something to send."
        verdict = self.game.facilitate({"kind": "broadcast", "to": to, "text": text[:1000]})
        if not verdict.accepted:
            return False, verdict.reason
        who = ", ".join(self.plays[self.teams[0]].name(t) for t in to) or "every team"
        for team in to or self.teams:
            if team in self.inbox:
                self.inbox[team].append(text[:1000])
        self.note(f"message to {who}: {text[:200]}")
        return True, f"Message to {who} delivered now."

    # ---------------------------------------------------------------- the inject schedule

    def upcoming(self) -> list[Inject]:
        """The scenario's scheduled injects still to come (with the facilitator's changes),
        soonest first."""
        world = self.game.world
        sc = world.scenario
        found = []
        for entry in world.events.scenario.schedule:
            turn = max(sc.turn_of(entry.date), 0)
            if turn < self.game.turn or turn >= self.game.length:
                continue
            event = world.content.events.get(entry.event)
            found.append(
                Inject(turn, sc.date_of(turn), entry.event, event.name if event else entry.event, entry.date)
            )
        return sorted(found, key=lambda i: (i.turn, i.event))

    def _turn_date(self, turn: int) -> dt.date:
        sc = self.game.world.scenario
        q = sc.start_quarter - 1 + turn
        return dt.date(sc.start_year + q // 4, (q % 4) * 3 + 1, 1)

    def _future_turn(self, text: str | int) -> int | str:
        """A turn number (1-based, as the console shows it) still to be played, or why not."""
        try:
            turn = int(str(text).strip()) - 1
        except ValueError:
            return f"Turn: '{text}' is not a whole number."
        if not self.game.turn <= turn < self.game.length:
            return f"Turn: from {self.game.turn + 1} (this quarter) to {self.game.length}, not {turn + 1}."
        return turn

    def _edit_schedule(self, edit: ScheduleEdit, words: str) -> tuple[bool, str]:
        self._room(schedule=[*self.room.schedule, edit])
        self.game.apply_schedule()
        self.note(words)
        return True, words[0].upper() + words[1:] + "."

    def disable_inject(self, inject: Inject) -> tuple[bool, str]:
        edit = ScheduleEdit(turn=self.game.turn, action="disable", event=inject.event, was=inject.scheduled)
        return self._edit_schedule(edit, f"disabled the inject '{inject.name}' ({inject.date})")

    def reschedule_inject(self, inject: Inject, to_turn: str | int) -> tuple[bool, str]:
        turn = self._future_turn(to_turn)
        if isinstance(turn, str):
            return False, turn
        edit = ScheduleEdit(
            turn=self.game.turn, action="reschedule", event=inject.event, was=inject.scheduled,
            date=self._turn_date(turn),
        )  # fmt: skip
        sc = self.game.world.scenario
        return self._edit_schedule(
            edit, f"moved the inject '{inject.name}' from {inject.date} to {sc.date_of(turn)}"
        )

    def add_inject(self, event_id: str, to_turn: str | int) -> tuple[bool, str]:
        world = self.game.world
        if event_id not in world.content.events:
            return False, f"Inject: there is no event {event_id!r} in the library."
        turn = self._future_turn(to_turn)
        if isinstance(turn, str):
            return False, turn
        edit = ScheduleEdit(turn=self.game.turn, action="add", event=event_id, date=self._turn_date(turn))
        name = world.content.events[event_id].name
        return self._edit_schedule(edit, f"scheduled the inject '{name}' for {world.scenario.date_of(turn)}")

    # ---------------------------------------------------------------- adjudication

    def queued_of(self, team: str) -> list:
        return self.game.world.desk.queued_by(team)

    def veto(self, team: str, index: int, note: str) -> tuple[bool, str]:
        """Take a team's queued order out, with the facilitator's ruling (a veto needs one)."""
        note = note.strip()
        if not note:
            return False, "Ruling: write the ruling note (the team and the report read it)."
        order = self.game.world.desk.withdraw(team, index)
        if order is None:
            return False, "Ruling: that order is no longer queued."
        ruling = Ruling(turn=self.game.turn, team=team, action="veto", original=order, note=note[:2000])
        self._room(rulings=[*self.room.rulings, ruling])
        self.plays[team].refresh()
        text = (
            f"vetoed Team {self.plays[team].name(team)}'s order ({self.plays[team].describe(order)}): {note}"
        )
        self.note(text)
        self.inbox[team].append(
            f"The facilitator vetoed your order ({self.plays[team].describe(order)}): {note}"
        )
        return True, text[0].upper() + text[1:]

    def amend(self, team: str, index: int, changes: dict, note: str) -> tuple[bool, str]:
        """Replace a team's queued order by the same order with `changes` (checked like any
        order; if the world refuses the amendment the original stays queued)."""
        note = note.strip()[:2000]
        if not note:
            return False, "Ruling: write the ruling note (the team and the report read it)."
        desk, world = self.game.world.desk, self.game.world
        queued = desk.queued_by(team)
        if not 0 <= index < len(queued):
            return False, "Ruling: that order is no longer queued."
        original = queued[index]
        raw = {**original.model_dump(mode="json"), **changes, "issuer": team, "kind": original.kind}
        amended = desk.parse(raw)
        if isinstance(amended, str):
            return False, f"Ruling: {amended}"
        desk.withdraw(team, index)
        verdict = world.submit(amended)
        if not verdict.accepted:
            desk.log.pop()  # the refused amendment never was: the original goes back
            desk.seq -= 1
            world.submit(original)
            return False, f"Ruling: the amended order is refused: {verdict.reason}"
        ruling = Ruling(
            turn=self.game.turn, team=team, action="amend", original=original, amended=amended, note=note
        )
        self._room(rulings=[*self.room.rulings, ruling])
        play = self.plays[team]
        play.refresh()
        text = f"amended Team {play.name(team)}'s order to: {play.describe(amended)} ({note})"
        self.note(text)
        self.inbox[team].append(f"The facilitator amended your order to: {play.describe(amended)}. {note}")
        return True, text[0].upper() + text[1:]

    def set_rationale(self, team: str, order, note: str) -> None:
        """A team's own reason for an order it queued (optional; the hot-wash reads it)."""
        note_rationale(self.game, team, order, note)

    def set_length(self, turns: str | int) -> tuple[bool, str]:
        """A shorter game: it ends (and is scored) after `turns` quarters."""
        try:
            n = int(str(turns).strip())
        except ValueError:
            return False, f"Length: '{turns}' is not a whole number of quarters."
        full = self.game.world.scenario.turns
        if not self.game.turn < n <= full:
            return False, f"Length: from {self.game.turn + 1} to {full} quarters, not {n}."
        self._room(turns=n)
        self.note(f"set the game's length to {n} quarters")
        return True, f"The game now ends after {n} quarters ({self.game.world.scenario.date_of(n - 1)})."

    def set_team_events(self, mode: str) -> tuple[bool, str]:
        """What an event that would set a team's controls becomes: "news" or "prompt" (to
        the team). Chosen before the first quarter: the replay plays it from the start."""
        if mode not in ("news", "prompt"):
            return False, f"Team events: 'news' or 'prompt', not {mode!r}."
        if self.game.turn > 0:
            return False, "Team events: choose before the first quarter resolves."
        self.game.set_room(self.room.model_copy(update={"team_events": mode}))
        self.note(
            f"events on the teams' controls become {'prompts to the team' if mode == 'prompt' else 'news'}"
        )
        return True, "Events that would set a team's controls now " + (
            "prompt the team." if mode == "prompt" else "become news."
        )

    def set_timer(self, minutes: str | float) -> tuple[bool, str]:
        try:
            m = float(str(minutes).strip().replace(",", "."))
        except ValueError:
            return False, f"Timer: '{minutes}' is not a number of minutes."
        if not 0 <= m <= 600:
            return False, "Timer: from 0 (off) to 600 minutes."
        self._room(timer_minutes=m)
        self.seat_started, self.extra_seconds = self.now(), 0.0  # the seated team starts afresh
        self.note(f"set the turn timer to {m:g} minutes" if m else "turned the turn timer off")
        return True, f"Turn timer: {m:g} minutes a quarter." if m else "Turn timer off."

    def take_messages(self, team: str) -> list[str]:
        """The facilitator's messages `team` has not read (and now has)."""
        unread, self.inbox[team] = self.inbox.get(team, []), []
        return unread

    def rewind(self, to_turn: int, reason: str) -> tuple[bool, str]:
        """Back to the start of `to_turn`, for a reason the log, the save, the replay and
        the report keep; the discarded branch stays in the save."""
        reason = reason.strip()
        if not reason:
            return False, "Rewind: give the reason (it goes into the log and the report)."
        if not 0 <= to_turn <= self.game.turn:
            return False, f"Rewind: to a turn already reached (1 to {self.game.turn + 1})."
        sc = self.game.world.scenario
        self.note(f"rewound to {sc.date_of(to_turn)} (turn {to_turn + 1}): {reason}")
        self._room(
            rewinds=[*self.room.rewinds, RewindNote(turn=self.game.turn, to_turn=to_turn, reason=reason)]
        )
        game = self.game.rewind(to_turn, reason)
        self.game = game
        for play in self.plays.values():
            play.game = game
            play.reports = [r for r in play.reports if r.turn < to_turn]
            play.refresh()
        self.done.clear()
        self.pending.clear()
        self.seated = None
        return (
            True,
            f"Rewound to the start of {sc.date_of(to_turn)}; the discarded branch is kept in the save.",
        )

    @property
    def turn_index(self) -> int:
        return self.game.turn


def room_lines(game: Game, turn: int) -> list[str]:
    """What the facilitator ruled, rescheduled or rewound during `turn` (for the replay)."""
    room = game.room
    if room is None:
        return []
    name, date = game.world.display, game.world.scenario.date_of
    lines = [f"{r.action} of Team {name(r.team)}'s order: {r.note}" for r in room.rulings if r.turn == turn]
    lines += [
        f"{e.action} inject {e.event}"
        + (f" for {date(game.world.scenario.turn_of(e.date))}" if e.date else "")
        for e in room.schedule
        if e.turn == turn
    ]
    lines += [
        f"the game was rewound to here from {date(min(r.turn, game.world.scenario.turns - 1))}: {r.reason}"
        for r in room.rewinds
        if r.to_turn == turn
    ]
    return lines


def note_rationale(game: Game, team: str, order, note: str) -> None:
    """Keep a team's note on an order it queued in the game's room (and so in the save)."""
    note = note.strip()
    if note and game.room is not None:
        entry = Rationale(turn=game.turn, team=team, order=order, note=note[:2000])
        game.room = game.room.model_copy(update={"rationales": [*game.room.rationales, entry]})


def parse_changes(text: str) -> dict | str:
    """'tonnes=250, price=3000' as a dict of field changes (numbers where they look like
    numbers), or what is wrong with it."""
    changes: dict = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.isidentifier():
            return f"Amendment: write field=value pairs (e.g. tonnes=250), not '{part}'."
        try:
            changes[key] = json.loads(value)
        except json.JSONDecodeError:
            changes[key] = value
    return changes or "Amendment: write the fields to change (e.g. tonnes=250)."
