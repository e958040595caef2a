"""The host of a networked wargame: one game, one seat per team, asyncio streams.

Teams enter orders at the same time; the quarter resolves once, when every team has ended
its turn or the turn timer runs out. Each client is sent only its own team's observation
and its own queue, and hears of the others only who has ended (never what they queued).
Orders go through the same order desk as at the table, in the order they arrive, so the
save replays the game exactly.

A seat is taken by the first client that asks for it and gets a token; a client that
loses its connection rejoins with that token (or the facilitator's PIN) and finds its
queue as it left it: nothing lives in the connection. The world resolves in a worker
thread so the host keeps answering while it does.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from game.net import protocol as p
from game.net.codec import encode_observation
from game.net.room import room_feed
from game.saves import Rationale, Room, pin_matches
from game.session import Game

T = TypeVar("T")


@dataclass
class Seat:
    team: str
    token: str = ""
    writer: asyncio.StreamWriter | None = None


@dataclass
class Host:
    """A game with its teams, served on (host, port)."""

    game: Game
    teams: list[str]
    timer_seconds: float = 0.0
    seats: dict[str, Seat] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    paused: bool = False
    resolving: bool = False
    on_change: Callable[[str], None] | None = None
    """Told (in words) what happened: the console's log."""
    on_resolved: Callable[[], None] | None = None
    """Called (on the host's loop) after each quarter resolves and after a rewind: the autosave."""
    version: int = 0
    """Goes up whenever something a console shows has changed (a join, an end, a quarter)."""
    watchers: set[asyncio.StreamWriter] = field(default_factory=set)
    """Spectators (`lodestone room`): sent the room's public feed, nothing else."""
    _deadline: float | None = None
    _timer: asyncio.TimerHandle | None = None
    _server: asyncio.base_events.Server | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _resolving_task: asyncio.Future | None = None
    _connections: set[asyncio.StreamWriter] = field(default_factory=set)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        unknown = [t for t in self.teams if t not in self.game.world.nation_ids]
        if unknown:
            raise ValueError(f"{unknown[0]} is not a nation of this scenario")
        self.seats = {t: Seat(t) for t in self.teams}
        if self.game.room is None and self.game.turn == 0:
            self.game.set_room(Room(teams=list(self.teams)))

    # ---------------------------------------------------------------- serving

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen; returns the port (0 asks the system for a free one)."""
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._serve, host, port, limit=p.MAX_LINE)
        self._start_timer()
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for writer in list(self._connections):
            writer.close()
        for _ in range(50):  # let each connection's task see its end and return
            if not self._connections:
                break
            await asyncio.sleep(0.01)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seat: Seat | None = None
        self._connections.add(writer)
        try:
            while True:
                try:
                    line = await reader.readline()
                except (asyncio.LimitOverrunError, ValueError):
                    await self._send(writer, p.Error(text="line too long"))
                    break
                if not line:
                    break
                message = p.decode_to_host(line)
                if isinstance(message, str):
                    await self._send(writer, p.Error(text=message))
                    continue
                if isinstance(message, p.Watch):
                    await self._watch(message, writer)
                elif isinstance(message, p.Join):
                    seat = await self._join(message, writer)
                elif seat is None:
                    await self._send(writer, p.Error(text="join a seat first"))
                else:
                    await self._act(seat, message)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if seat is not None and seat.writer is writer:
                seat.writer = None
                self._tell(f"Team {self.game.world.display(seat.team)} lost its connection")
            self._connections.discard(writer)
            self.watchers.discard(writer)
            writer.close()

    async def _join(self, message: p.Join, writer: asyncio.StreamWriter) -> Seat | None:
        while self.resolving:  # the world is being stepped in a worker thread: wait for it
            await asyncio.sleep(0.02)
        seat = self.seats.get(message.team)
        room = self.game.room
        if message.protocol != p.PROTOCOL:
            await self._send(
                writer, p.Error(text=f"protocol {message.protocol}: this host speaks {p.PROTOCOL}")
            )
            return None
        if seat is None:
            await self._send(
                writer, p.Error(text=f"no seat for {message.team}: teams are {', '.join(self.teams)}")
            )
            return None
        by_pin = bool(
            message.pin and room is not None and room.pin is not None and pin_matches(room.pin, message.pin)
        )
        if (
            seat.token
            and not by_pin
            and not (message.token and secrets.compare_digest(message.token, seat.token))
        ):
            await self._send(writer, p.Error(text=f"the {message.team} seat is taken: rejoin with its token"))
            return None
        if not seat.token or by_pin:
            seat.token = secrets.token_urlsafe(24)
        if seat.writer is not None and seat.writer is not writer:
            seat.writer.close()  # the old connection of a rejoining team
        seat.writer = writer
        self._tell(f"Team {self.game.world.display(seat.team)} joined")
        await self._send(
            writer,
            p.Welcome(
                team=seat.team,
                token=seat.token,
                turn=self.game.turn,
                length=self.game.length,
                observation=encode_observation(self.game.observe(seat.team)),
                queued=self._queue(seat.team),
                ended=seat.team in self.done,
                scenario=self.game.world.scenario.id,
            ),
        )
        await self._status()
        return seat

    async def _act(self, seat: Seat, message: p.ToHost) -> None:
        self.version += 1  # a queue changes: the console shows counts
        team = seat.team
        writer = seat.writer
        if writer is None:
            return
        closed = self.resolving or self.game.over or team in self.done
        if isinstance(message, p.Submit | p.Withdraw | p.EndTurn) and closed:
            why = "the quarter is resolving" if self.resolving else "your turn has ended"
            await self._send(writer, p.Verdict(accepted=False, reason=why, queued=self._queue(team)))
            return
        if isinstance(message, p.Submit):
            order = {**message.order, "issuer": team}  # a team speaks only for itself
            verdict = self.game.submit(order)
            if verdict.accepted and message.note.strip():
                queued = self.game.world.desk.queued_by(team)[-1]
                entry = Rationale(turn=self.game.turn, team=team, order=queued, note=message.note.strip())
                self.game.room = self.game.room.model_copy(
                    update={"rationales": [*self.game.room.rationales, entry]}
                )
            await self._send(
                writer,
                p.Verdict(
                    accepted=verdict.accepted, reason=verdict.reason, cost_usd_m=verdict.cost_usd_m,
                    queued=self._queue(team),
                ),
            )  # fmt: skip
        elif isinstance(message, p.Withdraw):
            gone = self.game.world.desk.withdraw(team, message.index)
            reason = "" if gone else "no such queued order"
            await self._send(
                writer, p.Verdict(accepted=gone is not None, reason=reason, queued=self._queue(team))
            )
        elif isinstance(message, p.EndTurn):
            if self.paused:
                await self._send(
                    writer, p.Verdict(accepted=False, reason="the facilitator has paused the game")
                )
                return
            self.done.add(team)
            await self._send(writer, p.Verdict(accepted=True, queued=self._queue(team)))
            self._tell(f"Team {self.game.world.display(team)} ended its turn")
            await self._status()
            if self.done >= set(self.teams):
                await self.resolve()

    # ---------------------------------------------------------------- the quarter

    async def resolve(self) -> None:
        """Resolve the quarter once for everyone (in a worker thread), then send each team
        its own new observation."""
        if self.resolving or self.game.over:
            return
        self.resolving = True
        if self._timer is not None:
            self._timer.cancel()
        try:
            await asyncio.to_thread(self.game.play_turn)
        finally:
            self.resolving = False
        self.done.clear()
        self._tell(f"Resolved {self.game.world.scenario.date_of(self.game.turn - 1)}")
        world_hash = self.game.world_hashes[-1]
        for seat in self.seats.values():
            if seat.writer is not None:
                obs = encode_observation(self.game.observe(seat.team))
                await self._send(
                    seat.writer,
                    p.Resolved(
                        turn=self.game.turn, world_hash=world_hash, observation=obs, over=self.game.over
                    ),
                )
        self._start_timer()
        await self._status()
        if self.on_resolved is not None:
            self.on_resolved()

    def _start_timer(self) -> None:
        if not self.timer_seconds or self.game.over or self._loop is None:
            self._deadline = None
            return
        self._deadline = time.monotonic() + self.timer_seconds
        self._timer = self._loop.call_later(self.timer_seconds, self._time_up)

    def _time_up(self) -> None:
        if self.paused:  # a paused quarter waits for the facilitator
            self._timer = self._loop.call_later(1.0, self._time_up) if self._loop else None
            return
        self._tell("Time is up: the quarter resolves with the orders queued")
        self._resolving_task = asyncio.ensure_future(self.resolve())

    # ---------------------------------------------------------------- the facilitator

    async def pause(self, on: bool) -> None:
        self.paused = on
        await self._status()

    async def tell(self, team: str | None, text: str, queue: bool = False) -> None:
        """A notice from the facilitator to one team (or every team when None), at once;
        `queue`: with the team's queue, which the facilitator's ruling changed."""
        for t in [team] if team is not None else self.teams:
            writer = self.seats[t].writer
            if writer is not None:
                await self._send(writer, p.Notice(text=text, queued=self._queue(t) if queue else None))

    async def rebase(self, game: Game) -> None:
        """The facilitator rewound: `game` is the game now. Every team is sent its own
        observation of the turn it plays again, with an empty queue."""
        self.game = game
        self.done.clear()
        if self._timer is not None:
            self._timer.cancel()
        world_hash = game.world_hashes[-1] if game.world_hashes else ""
        for seat in self.seats.values():
            if seat.writer is not None:
                obs = encode_observation(game.observe(seat.team))
                await self._send(
                    seat.writer,
                    p.Resolved(
                        turn=game.turn, world_hash=world_hash, observation=obs, over=game.over, rewound=True
                    ),
                )
        self._start_timer()
        await self._status()
        if self.on_resolved is not None:
            self.on_resolved()

    async def set_timer(self, seconds: float) -> None:
        """A new turn timer, from now (0: none)."""
        self.timer_seconds = seconds
        if self._timer is not None:
            self._timer.cancel()
        self._start_timer()
        await self._status()

    async def idle(self) -> None:
        """Wait until no quarter is resolving (the world is the host's again)."""
        while self.resolving:
            await asyncio.sleep(0.02)

    # ---------------------------------------------------------------- a console on another thread

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve from an event loop of its own thread (a windowed console keeps the main
        thread); returns the port. `call` and `post` reach the loop from the console."""
        loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=loop.run_forever, name="lodestone-host", daemon=True)
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.start(host, port), loop).result(30)

    def stop_thread(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return
        with contextlib.suppress(Exception):  # closing connections that are already gone
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def call(self, work: Callable[[], T], timeout: float = 600.0) -> T:
        """Run `work` (which changes the game) on the host's loop, once no quarter is
        resolving, and return its result: the teams' messages and the console's actions
        then change the game one at a time. On the loop itself it runs at once."""
        if self._loop is None or self._on_loop():
            return work()

        async def run() -> Any:
            await self.idle()
            return work()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def post(self, coro: Any) -> None:
        """Send something (a coroutine of this host) from any thread, without waiting."""
        if self._loop is None:
            coro.close()
        elif self._on_loop():
            self._loop.create_task(coro)
        else:
            asyncio.run_coroutine_threadsafe(coro, self._loop)

    # ---------------------------------------------------------------- helpers

    def _queue(self, team: str) -> list[dict]:
        return [o.model_dump(mode="json") for o in self.game.world.desk.queued_by(team)]

    async def _status(self) -> None:
        self.version += 1
        left = self.seconds_left()
        left = None if left is None else max(0.0, left)
        status = p.Status(turn=self.game.turn, ended=sorted(self.done), paused=self.paused, seconds_left=left)
        for seat in self.seats.values():
            if seat.writer is not None:
                await self._send(seat.writer, status)
        if self.watchers and not self.resolving:
            feed = self.feed()
            for writer in list(self.watchers):
                await self._send(writer, feed)

    def seconds_left(self) -> float | None:
        """The turn timer's seconds left this quarter (negative once run out), or None."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    def clock(self) -> str:
        """'2026 Q3 · turn 3 of 12 · 04:12 left · PAUSED', as the room reads it."""
        game = self.game
        sc = game.world.scenario
        date = sc.date_of(min(game.turn, sc.turns - 1))
        text = f"{date} · turn {min(game.turn + 1, game.length)} of {game.length}"
        left = self.seconds_left()
        if left is not None:
            whole = int(max(left, 0) + 0.999)
            text += f" · {whole // 60:02d}:{whole % 60:02d} left" if left > 0 else " · time is up"
        if game.over:
            text += " · game over"
        if self.paused:
            text += " · PAUSED"
        return text

    def feed(self) -> p.RoomFeed:
        return room_feed(self.game, self.teams, self.done, self.paused, self.clock())

    async def _watch(self, message: p.Watch, writer: asyncio.StreamWriter) -> None:
        if message.protocol != p.PROTOCOL:
            await self._send(
                writer, p.Error(text=f"protocol {message.protocol}: this host speaks {p.PROTOCOL}")
            )
            return
        while self.resolving:
            await asyncio.sleep(0.02)
        self.watchers.add(writer)
        self._tell("A room view is watching")
        await self._send(writer, self.feed())

    def _tell(self, text: str) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change(text)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, message: p.Message) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.write(p.encode(message))
            await writer.drain()
