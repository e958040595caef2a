"""A client of a networked wargame: one team's connection to the host.

Used headless (tests, scripts, an external agent) and by the pygame client. Every line
the host sends is kept in `received` as it came (so a test can prove what a team was
never sent) and parsed into a message; replies and news wait in queues by kind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

from agents.observation import Observation
from game.net import protocol as p
from game.net.codec import decode_observation


class _Connection:
    """One line-based stream to the host and the task that listens to it (a team's seat or
    the room's projector): what both kinds of client open and close alike."""

    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _task: asyncio.Task | None = None

    async def _open(self, host: str, port: int) -> None:
        self._reader, self._writer = await asyncio.open_connection(host, port, limit=p.MAX_LINE)
        self._task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()


class Client(_Connection):
    def __init__(self, team: str) -> None:
        self.team = team
        self.token: str | None = None
        self.received: list[bytes] = []
        self.observation: Observation | None = None
        self.turn = 0
        self.over = False
        self.notices: list[str] = []
        self.queued: list[dict[str, Any]] = []
        """This team's queue as the host last said it (welcome, verdicts, rulings)."""
        self.status: p.Status | None = None
        self.rewinds = 0
        """Rewinds the facilitator made while connected (the observation is then the new one)."""
        self._awaiting_resolution = False
        self._queues: dict[str, asyncio.Queue] = defaultdict(asyncio.Queue)

    async def connect(
        self, host: str, port: int, token: str | None = None, pin: str | None = None
    ) -> p.Welcome:
        """Take (or, with a token or the PIN, retake) the team's seat."""
        self._queues.clear()
        await self._open(host, port)
        await self._send(p.Join(team=self.team, token=token or self.token, pin=pin))
        reply = await self._next("welcome", "error")
        if isinstance(reply, p.Error):
            raise ConnectionRefusedError(reply.text)
        self.token = reply.token
        self.turn = reply.turn
        self.observation = decode_observation(reply.observation)
        return reply

    async def submit(self, order: dict[str, Any], note: str = "") -> p.Verdict:
        await self._send(p.Submit(order=order, note=note))
        return await self._next("verdict")

    async def withdraw(self, index: int) -> p.Verdict:
        await self._send(p.Withdraw(index=index))
        return await self._next("verdict")

    async def end_turn(self) -> p.Verdict:
        await self._send(p.EndTurn())
        return await self._next("verdict")

    async def resolved(self, timeout: float = 120.0) -> p.Resolved:
        """Wait for the quarter to resolve; the new observation is then `observation`."""
        self._awaiting_resolution = True
        try:
            message = await asyncio.wait_for(self._next("resolved"), timeout)
        finally:
            self._awaiting_resolution = False
        self._take(message)
        return message

    def _take(self, message: p.Resolved) -> None:
        self.observation = decode_observation(message.observation)
        self.turn = message.turn
        self.over = message.over

    async def _listen(self) -> None:
        assert self._reader is not None
        while True:
            line = await self._reader.readline()
            if not line:
                break
            self.received.append(line)
            message = p.decode_to_client(line)
            if isinstance(message, p.Welcome | p.Verdict) or (
                isinstance(message, p.Notice) and message.queued is not None
            ):
                self.queued = list(message.queued or [])
            if isinstance(message, p.Notice):
                self.notices.append(message.text)
            elif isinstance(message, p.Status):
                self.status = message
            elif isinstance(message, p.Resolved) and message.rewound:
                # not the quarter a team waits for, unless it had ended: it plays this turn again
                self._take(message)
                self.queued = []
                self.rewinds += 1
                if self._awaiting_resolution:
                    self._queues[message.kind].put_nowait(message)
            else:
                self._queues[message.kind].put_nowait(message)

    async def _next(self, *kinds: str):
        """The next message of one of `kinds` (the first to arrive)."""
        waits = {asyncio.ensure_future(self._queues[k].get()): k for k in kinds}
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return next(iter(done)).result()

    async def _send(self, message: p.Message) -> None:
        assert self._writer is not None
        self._writer.write(p.encode(message))
        await self._writer.drain()


class Watcher(_Connection):
    """A spectator of a hosted game (the room's projector): it takes no seat and is sent
    only the room's public feed. Every line is kept in `received`, as for a team."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.feed: p.RoomFeed | None = None
        self.error = ""
        self.version = 0
        self._first: asyncio.Event = asyncio.Event()

    async def connect(self, host: str, port: int, timeout: float = 30.0) -> p.RoomFeed:
        await self._open(host, port)
        self._writer.write(p.encode(p.Watch()))
        await self._writer.drain()
        await asyncio.wait_for(self._first.wait(), timeout)
        if self.feed is None:
            raise ConnectionRefusedError(self.error or "the host closed the connection")
        return self.feed

    async def _listen(self) -> None:
        assert self._reader is not None
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                self.received.append(line)
                message = p.decode_to_client(line)
                if isinstance(message, p.RoomFeed):
                    self.feed = message
                elif isinstance(message, p.Error):
                    self.error = message.text
                self.version += 1
                self._first.set()
        finally:
            if not self.error and self.feed is not None:
                self.error = "the host closed the connection"
            self.version += 1
            self._first.set()
