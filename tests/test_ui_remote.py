"""The team's game window on a hosted wargame, headless: it shows its own observation,
submits an order (a refused one says why), ends the turn after asking, and shows the next
quarter once every team has ended; the facilitator's message appears at once."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from game.net.host import Host
from game.net.remote import RemoteSeat
from tests.test_net import TEAMS, human_game
from tests.test_ui_wargame import press, screen_text
from tests.window import App, frames, key, pygame


def wait_for(app: App, condition, seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        frames(app, 1)
        time.sleep(0.01)


def test_a_team_plays_a_quarter_from_its_own_window(app: App, content) -> None:
    from game.net.client import Client
    from game.ui.screens.remote import RemoteTeamScreen

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    run = lambda coro: asyncio.run_coroutine_threadsafe(coro, loop).result(60)  # noqa: E731
    host = Host(human_game(content), TEAMS)
    port = run(host.start("127.0.0.1", 0))
    others = {t: Client(t) for t in TEAMS if t != "japan"}
    for client in others.values():
        run(client.connect("127.0.0.1", port))
    seat = RemoteSeat(f"127.0.0.1:{port}", "japan")
    try:
        seat.connect()
        screen = app.push(RemoteTeamScreen(app, seat))
        frames(app, 2)
        assert "Team Japan" in screen.header.text and "2026 Q1" in screen.header.text
        screen.order_entry.set_text(
            '{"kind": "stockpile", "action": "buy", "mineral": "gallium", "tonnes": -4}'
        )
        press(app, screen.submit_button)
        # the answer arrives on the network thread and shows at the next frame
        wait_for(app, lambda: "Refused" in screen.answer.text)
        buy = {
            "kind": "stockpile",
            "action": "buy",
            "mineral": "rare_earths",
            "tonnes": 321,
            "budget_usd_m": 9,
        }
        screen.order_entry.set_text(json.dumps(buy))
        screen.note_entry.set_text("Magnets for the winter")
        press(app, screen.submit_button)
        wait_for(app, lambda: len(seat.queued) == 1 and "321" in screen_text(app))
        run(host.broadcast("Five minutes left."))
        wait_for(app, lambda: any("Five minutes left." in m for m in app.messages))
        key(app, pygame.K_RETURN)
        assert not seat.ended  # Enter asks; Y confirms
        key(app, pygame.K_y)
        wait_for(app, lambda: seat.ended)
        assert host.game.turn == 0  # the others have not ended
        for client in others.values():
            run(client.end_turn())
        wait_for(app, lambda: "2026 Q2" in screen.header.text)  # the next quarter, shown
        assert seat.observation.turn == 1 and not seat.ended and seat.queued == []
        assert host.game.room.rationales[0].note == "Magnets for the winter"
    finally:
        seat.close()
        for client in others.values():
            run(client.close())
        run(host.close())
        loop.call_soon_threadsafe(loop.stop)
