"""The facilitator's side of a hosted wargame (`lodestone host`): the game's own console
bound to the teams' connections.

`HostedWargame` is the hot-seat `Wargame` whose teams sit at other machines: every
facilitator action (injects and the schedule, rulings, messages, pause, rewind, length,
timer) is the same method as at the table, run on the host's event loop so it never
interleaves with a team's order, and whatever a team must know (a message, a ruling on
its order, a rewind, a new length) is sent to that team at once. The windowed console
(`FacilitatorScreen`) and the typed console (`command`, for a host with no display) both
drive this one object, so the two cannot drift apart.

Nothing here draws: the window is opened by `launch_host_console`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from game.net.host import Host
from game.saves import write_save
from game.ui.wargame import Wargame, parse_changes
from game.world.mechanisms.registry import describe

HOST_HELP = (
    "commands: say TEXT | say TEAM TEXT | pause | resume | resolve | status | queued TEAM | "
    "veto TEAM N NOTE | amend TEAM N FIELD=VALUE[,FIELD=VALUE] NOTE | injects | disable K | "
    "reschedule K TURN | schedule EVENT_ID TURN | inject EVENT_ID | length QUARTERS | timer MINUTES | "
    "rewind TURN REASON | log | save | quit"
)


class HostedWargame(Wargame):
    """The teams of a `Host`, for the facilitator's console on the host's machine."""

    hosted = True

    def __init__(self, host: Host) -> None:
        self.host = host
        done, paused = set(host.done), host.paused
        super().__init__(host.game, host.teams)  # (it starts a table's turn: nobody ended, no pause)
        self.done, self.paused = done, paused  # a console opened mid-quarter finds the host's
        self.briefed = set(self.teams)  # each team reads its briefing on its own machine

    # ---------------------------------------------------------------- state the host keeps

    @property  # type: ignore[override]
    def done(self) -> set[str]:
        return self.host.done

    @done.setter
    def done(self, teams: set[str]) -> None:
        if teams is not self.host.done:
            self.host.done.clear()
            self.host.done.update(teams)

    @property  # type: ignore[override]
    def paused(self) -> bool:
        return self.host.paused

    @paused.setter
    def paused(self, on: bool) -> None:
        self.host.paused = on

    @property  # type: ignore[override]
    def ended(self) -> bool:
        return getattr(self, "_ended", False)

    @ended.setter
    def ended(self, on: bool) -> None:
        """The facilitator ends the game (the console's End the game): the teams are told."""
        if on and not self.ended:
            self.host.post(self.host.tell(None, "The facilitator has ended the game."))
        self._ended = on

    @property
    def hotseat(self) -> bool:
        """Not hot seat: no team sits at this machine (no hand-over, no guarded doors)."""
        return False

    @property
    def version(self) -> int:  # type: ignore[override]
        return self.host.version

    @property
    def busy(self) -> bool:  # type: ignore[override]
        """A quarter is resolving in the host's worker thread: the world is not to be read."""
        return self.host.resolving

    def presence(self, team: str) -> str:
        return "" if self.host.seats[team].writer is not None else ", <b>not connected</b>"

    def seconds_left(self) -> float | None:
        return self.host.seconds_left()

    def clock(self) -> str:
        return self.host.clock()

    # ---------------------------------------------------------------- the facilitator's actions

    def _on_host(self, work: Callable[[], tuple[bool, str]]) -> tuple[bool, str]:
        return self.host.call(work)

    def _deliver(self, teams: list[str], queue: bool = False) -> None:
        """Send the teams the facilitator's words the table would show them (on the loop)."""
        for team in teams:
            for text in self.take_messages(team):
                self.host.post(self.host.tell(team, text, queue))

    def pause(self, on: bool) -> None:
        def work() -> tuple[bool, str]:
            Wargame.pause(self, on)
            self.host.post(self.host.pause(on))
            return True, ""

        self._on_host(work)

    def broadcast(self, text: str, to: list[str]) -> tuple[bool, str]:
        def work() -> tuple[bool, str]:
            ok, said = Wargame.broadcast(self, text, to)
            if ok:
                self._deliver(to or self.teams)
            return ok, said

        return self._on_host(work)

    def veto(self, team: str, index: int, note: str) -> tuple[bool, str]:
        if team not in self.plays:
            return False, f"Ruling: {team} is not a team of this game ({', '.join(self.teams)})."

        def work() -> tuple[bool, str]:
            ok, said = Wargame.veto(self, team, index, note)
            if ok:
                self._deliver([team], queue=True)
            return ok, said

        return self._on_host(work)

    def amend(self, team: str, index: int, changes: dict, note: str) -> tuple[bool, str]:
        if team not in self.plays:
            return False, f"Ruling: {team} is not a team of this game ({', '.join(self.teams)})."

        def work() -> tuple[bool, str]:
            ok, said = Wargame.amend(self, team, index, changes, note)
            if ok:
                self._deliver([team], queue=True)
            return ok, said

        return self._on_host(work)

    def inject_library(self, event_id: str) -> tuple[bool, str]:
        return self._on_host(lambda: Wargame.inject_library(self, event_id))

    def inject_custom(self, *args: str) -> tuple[bool, str]:
        return self._on_host(lambda: Wargame.inject_custom(self, *args))

    def disable_inject(self, inject) -> tuple[bool, str]:
        return self._on_host(lambda: Wargame.disable_inject(self, inject))

    def reschedule_inject(self, inject, to_turn: str | int) -> tuple[bool, str]:
        return self._on_host(lambda: Wargame.reschedule_inject(self, inject, to_turn))

    def add_inject(self, event_id: str, to_turn: str | int) -> tuple[bool, str]:
        return self._on_host(lambda: Wargame.add_inject(self, event_id, to_turn))

    def set_length(self, turns: str | int) -> tuple[bool, str]:
        def work() -> tuple[bool, str]:
            ok, said = Wargame.set_length(self, turns)
            if ok:
                self.host.post(self.host.tell(None, f"The facilitator: {said}"))
                self.host.post(self.host.pause(self.host.paused))  # the clock shows the new length
            return ok, said

        return self._on_host(work)

    def set_timer(self, minutes: str | float) -> tuple[bool, str]:
        def work() -> tuple[bool, str]:
            ok, said = Wargame.set_timer(self, minutes)
            if ok:
                self.host.post(self.host.set_timer(self.room.timer_minutes * 60))
            return ok, said

        return self._on_host(work)

    def rewind(self, to_turn: int, reason: str) -> tuple[bool, str]:
        def work() -> tuple[bool, str]:
            ok, said = Wargame.rewind(self, to_turn, reason)
            if ok:
                self.host.game = self.game  # at once: the next order goes to the new game
                self.host.post(self.host.rebase(self.game))
                self.host.post(self.host.tell(None, f"The facilitator rewound the game: {reason.strip()}"))
            return ok, said

        return self._on_host(work)


# -------------------------------------------------------------------- the typed console


async def command(session: HostedWargame, line: str, save: Path) -> str | None:
    """One line of the typed console (a host with no display): the answer to print, or
    None to stop. Each command is the windowed console's action of the same name."""
    host, teams = session.host, session.teams
    await host.idle()
    cmd, _, rest = line.strip().partition(" ")
    cmd, rest = cmd.lower(), rest.strip()
    words = rest.split()
    game = session.game
    if cmd == "say" and rest:
        first, _, tail = rest.partition(" ")
        to = [first] if first in teams and tail.strip() else []
        return session.broadcast(tail if to else rest, to)[1]
    if cmd in ("pause", "resume"):
        session.pause(cmd == "pause")
        return "paused" if host.paused else "resumed"
    if cmd == "resolve":
        await host.resolve()
        return f"resolved; now {session.date}"
    if cmd == "status":
        seated = [t for t, s in host.seats.items() if s.writer is not None]
        return (
            f"{host.clock()}; connected: {', '.join(seated) or 'none'}; "
            f"ended: {', '.join(sorted(host.done)) or 'none'}; room views: {len(host.watchers)}"
        )
    if cmd == "queued" and words and words[0] in teams:
        queued = session.queued_of(words[0])
        return "\n".join(f"{k}: {describe(o)}" for k, o in enumerate(queued)) or "nothing queued"
    if cmd == "veto" and len(words) > 2 and words[1].isdigit():
        team, index, note = words[0], int(words[1]), rest.split(None, 2)[2]
        return session.veto(team, index, note)[1]
    if cmd == "amend" and len(words) > 3 and words[1].isdigit():
        team, index, changes, note = rest.split(None, 3)
        parsed = parse_changes(changes)
        if isinstance(parsed, str):
            return parsed
        return session.amend(team, int(index), parsed, note)[1]
    if cmd == "injects":
        upcoming = session.upcoming()
        return (
            "\n".join(
                f"{k}: {i.date} (turn {i.turn + 1}) {i.name} [{i.event}]" for k, i in enumerate(upcoming)
            )
            or "no inject to come"
        )
    if cmd in ("disable", "reschedule") and words and words[0].isdigit():
        upcoming = session.upcoming()
        k = int(words[0])
        if k >= len(upcoming):
            return f"{cmd}: no inject {k} (see `injects`)"
        if cmd == "disable":
            return session.disable_inject(upcoming[k])[1]
        if len(words) < 2:
            return "reschedule K TURN: the inject's number (from `injects`) and the turn (1-based)"
        return session.reschedule_inject(upcoming[k], words[1])[1]
    if cmd == "schedule" and len(words) == 2:
        return session.add_inject(words[0], words[1])[1]
    if cmd == "inject" and words:
        return session.inject_library(words[0])[1]
    if cmd == "length" and words:
        return session.set_length(words[0])[1]
    if cmd == "timer" and words:
        return session.set_timer(words[0])[1]
    if cmd == "rewind" and len(words) > 1:
        try:
            to_turn = int(words[0]) - 1
        except ValueError:
            return f"rewind: '{words[0]}' is not a turn number"
        return session.rewind(to_turn, rest.split(None, 1)[1])[1]
    if cmd == "log":
        return "\n".join(session.log[-20:]) or "nothing done yet"
    if cmd == "save":
        session.mark_ended()
        return f"saved {write_save(game.to_save(), save, game.sealer)}"
    if cmd == "quit":
        return None
    return HOST_HELP if cmd else ""


# -------------------------------------------------------------------- the windowed console


def launch_host_console(host: Host, bind: str, port: int, save: Path) -> None:
    """`lodestone host` with a display: serve from a thread of its own and open the
    game's facilitator console on this machine; the room is saved after every quarter
    and when the window closes."""
    from game.ui.app import create_app
    from game.ui.settings import Settings

    def autosave() -> None:
        write_save(host.game.to_save(), save, host.game.sealer)

    host.on_resolved = autosave
    actual = host.start_in_thread(bind, port)
    print(f"hosting {host.game.world.scenario.name} on {bind}:{actual} for {', '.join(host.teams)}")
    print(f"teams join with: lodestone join HOST:{actual} --team TEAM")
    session = HostedWargame(host)
    settings, _ = Settings.load()
    settings.clamp()
    app = create_app(settings)
    app.notify(
        f"Hosting on port {actual}: teams join with `lodestone join HOST:{actual} --team TEAM`", seconds=30
    )
    try:
        app.run(app.make("facilitator", session))
    finally:
        session.mark_ended()
        write_save(host.game.to_save(), save, host.game.sealer)
        print(f"saved {save}")
        host.stop_thread()
