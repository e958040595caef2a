"""`lodestone room HOST:PORT`, headless: the projector's window of a hosted game shows the
room's public feed (the clock, prices, who has not ended, the map of one mineral) and
follows the host: a team ending its turn and the facilitator's pause show at once."""

from __future__ import annotations

from game.net.host import Host
from game.net.remote import RemoteRoom, RemoteSeat
from tests.test_net import TEAMS, human_game
from tests.test_ui_remote import wait_for
from tests.window import App, frames, key, pygame


def test_the_room_client_shows_the_public_feed_and_follows_the_host(app: App, content, tmp_path) -> None:
    from game.ui.hosted import HostedWargame
    from game.ui.screens.spectator import RoomClientScreen

    host = Host(human_game(content), TEAMS)
    port = host.start_in_thread("127.0.0.1", 0)
    room = RemoteRoom(f"127.0.0.1:{port}")
    japan = RemoteSeat(f"127.0.0.1:{port}", "japan")
    try:
        room.connect()
        screen = app.push(RoomClientScreen(app, room))
        frames(app, 2)
        assert "Ministerial 2026 · 2026 Q1 · turn 1 of" in screen.clock.text
        assert "Waiting for: China, USA, Japan" in screen.prices.html_text
        assert "Gallium" in screen.prices.html_text
        first = screen.mineral
        key(app, pygame.K_2)
        assert screen.mineral != first and "(on the map)" in screen.prices.html_text
        japan.connect()
        assert japan.end_turn().result(10).accepted
        wait_for(app, lambda: "Waiting for: China, USA<" in screen.prices.html_text + "<")
        HostedWargame(host).pause(True)
        wait_for(app, lambda: "PAUSED" in screen.prices.html_text and "PAUSED" in screen.clock.text)
        assert "Waiting for: China, USA<" in screen.prices.html_text  # Japan's end still counts
        app.window.fill((0, 0, 0))
        frames(app, 2)
        pygame.image.save(app.window, str(tmp_path / "room-client.png"))
    finally:
        japan.close()
        room.close()
        host.stop_thread()
