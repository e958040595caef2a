"""A team's seat at a remote host, for a front-end that is not asyncio (the pygame client).

The client's event loop runs in a thread of its own; the window calls plain methods that
return at once (the answer arrives in `last_verdict`, the next quarter in `observation`)
and reads `version`, which goes up whenever anything the window shows has changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from concurrent.futures import Future
from typing import Any

from game.net import protocol as p
from game.net.client import Client, Watcher


class RemoteSeat:
    def __init__(self, address: str, team: str, token: str | None = None, pin: str | None = None) -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.client = Client(team)
        self.team = team
        self.last_verdict: p.Verdict | None = None
        self.ended = False
        self.error = ""
        self.scenario = ""
        """The scenario's id (from the host's welcome)."""
        self.version = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lodestone-seat", daemon=True)
        self._thread.start()
        self._token, self._pin = token, pin

    # ---------------------------------------------------------------- calls from the window

    def connect(self, timeout: float = 30.0) -> p.Welcome:
        welcome = self._run(
            self.client.connect(self.host, self.port, token=self._token, pin=self._pin)
        ).result(timeout)
        self.ended = welcome.ended
        self.scenario = welcome.scenario
        self._bump()
        if self.ended:
            self._wait_resolution()
        return welcome

    def submit(self, order: dict[str, Any], note: str = "") -> Future:
        return self._call(self.client.submit(order, note))

    def withdraw(self, index: int) -> Future:
        return self._call(self.client.withdraw(index))

    def end_turn(self) -> Future:
        future = self._call(self.client.end_turn())
        future.add_done_callback(lambda f: self._after_end(f))
        return future

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection: nothing to do
            self._run(self.client.close()).result(5)
        _stop(self._loop, self._thread)

    @property
    def observation(self):
        return self.client.observation

    @property
    def queued(self) -> list[dict[str, Any]]:
        return self.client.queued

    @property
    def notices(self) -> list[str]:
        return self.client.notices

    @property
    def status(self) -> p.Status | None:
        return self.client.status

    # ---------------------------------------------------------------- plumbing

    def _run(self, coro) -> Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _call(self, coro) -> Future:
        future = self._run(coro)
        future.add_done_callback(self._answered)
        return future

    def _answered(self, future: Future) -> None:
        try:
            verdict = future.result()
        except Exception as exc:  # the host went away: say so in the window
            self.error = f"Lost the host: {type(exc).__name__}: {exc}"
        else:
            self.last_verdict = verdict
        self._bump()

    def _after_end(self, future: Future) -> None:
        try:
            verdict = future.result()
        except Exception:
            return
        if verdict.accepted:
            self.ended = True
            self._wait_resolution()

    def _wait_resolution(self) -> None:
        def resolved(future: Future) -> None:
            try:
                future.result()
            except Exception as exc:
                self.error = f"Lost the host: {type(exc).__name__}: {exc}"
            else:
                self.ended = False
                self.client.queued = []
            self._bump()

        self._run(self.client.resolved(timeout=24 * 3600)).add_done_callback(resolved)

    def _bump(self) -> None:
        self.version += 1


class RemoteRoom:
    """The room's projector at a remote host (`lodestone room HOST:PORT`): a spectator on
    a thread of its own; the window reads `feed` and `version`."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.watcher = Watcher()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lodestone-room", daemon=True)
        self._thread.start()

    def connect(self, timeout: float = 30.0) -> p.RoomFeed:
        coro = self.watcher.connect(self.host, self.port, timeout)
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout + 5)

    @property
    def feed(self) -> p.RoomFeed | None:
        return self.watcher.feed

    @property
    def version(self) -> int:
        return self.watcher.version

    @property
    def error(self) -> str:
        return self.watcher.error

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection: nothing to do
            asyncio.run_coroutine_threadsafe(self.watcher.close(), self._loop).result(5)
        _stop(self._loop, self._thread)


async def _cancel_the_rest() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _stop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    """End a connection's loop cleanly: a wait still pending (a team waiting for the
    quarter) is cancelled on its own loop, not left to be collected after the loop is gone."""
    if not loop.is_running():
        return
    with contextlib.suppress(Exception):
        asyncio.run_coroutine_threadsafe(_cancel_the_rest(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
