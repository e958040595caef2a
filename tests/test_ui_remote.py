"""The team's game window on a hosted wargame, headless: it shows its own observation,
enters orders through the game's own order panels (the host's refusal says why; an
accepted order is queued at the host, with the team's note), ends the turn after asking,
and shows the next quarter once every team has ended; the facilitator's message appears
at once."""

from __future__ import annotations

import asyncio
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
    from game.ui.context import OrderContext
    from game.ui.forms import TABS
    from game.ui.hosted import HostedWargame
    from game.ui.play import Play
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
        # the Stockpile panel, over the seat: the form is the game's own
        press(app, screen.panel_buttons["stockpile"])
        panel = app.top
        assert panel.name == "orders" and panel.play is screen.play and panel.why is not None
        # the panels' one interface: the remote seat's and the local world's
        assert isinstance(screen.play, OrderContext) and isinstance(Play(host.game, "china"), OrderContext)
        assert not panel.preview_button.is_enabled  # no world here to fork
        for tab, _ in TABS:  # every form of every panel is built from the seat's own view
            panel.switch(tab)
            for action in panel.actions(tab):
                panel.choose_action(action.id)
                assert panel.status_box.html_text, action.id
        panel.switch("stockpile")
        panel.choose_action("buy")
        panel.set_field("mineral", "rare_earths")
        panel.set_field("tonnes", "-4")  # the form refuses it before the host hears of it
        assert "Tonnes" in panel.status_box.html_text and not panel.status[0]
        panel.set_field("tonnes", "321")
        panel.set_field("budget", "900000")  # the schema allows it; the host's treasury does not
        assert panel.status[0] and "the host checks it" in panel.status_box.html_text
        assert not panel.do_submit()
        assert any("Refused" in m and "available" in m for m in app.messages)  # the host's reason
        assert host.game.world.desk.queued_by("japan") == []
        panel.set_field("budget", "9")
        panel.why.set_text("Magnets for the winter")
        press(app, panel.submit)
        assert [o.tonnes for o in host.game.world.desk.queued_by("japan")] == [321]
        assert "Stockpile 321 t rare earths" in screen_text(app)  # the panel's queue, from the host
        key(app, pygame.K_ESCAPE)
        assert app.top is screen
        wait_for(app, lambda: "Stockpile 321 t" in screen.right.html_text)
        HostedWargame(host).broadcast("Five minutes left.", [])  # from the console's thread
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
