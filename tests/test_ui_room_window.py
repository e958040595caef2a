"""The room view in its own window (pygame-ce's multi-window `pygame.Window`, under SDL's
dummy driver here): opened from the console, it shows the public view (map, prices, news,
clock) and nothing private while the teams' seats change hands in the main window; its
events are its own; it closes with its button, Esc or when the room quits to the title."""

from __future__ import annotations

import os
from pathlib import Path

from tests.test_ui_wargame import press, screen_text
from tests.window import App, frames, key, pygame

TEAMS = ["japan", "australia"]
PIN = "2468"


def window_text(room) -> str:
    out: list[str] = []
    for sprite in room.host.manager.get_sprite_group().sprites():
        for attr in ("text", "html_text"):
            value = getattr(sprite, attr, None)
            if isinstance(value, str):
                out.append(value)
    return "\n".join(out)


def test_the_room_window_shows_the_public_view_beside_the_seats(app: App) -> None:
    from game.ui.roomwindow import RoomWindow
    from game.ui.screens.main import MainScreen
    from game.ui.screens.wargame import FacilitatorScreen, HandOverScreen
    from game.ui.wargame import Wargame

    session = Wargame.new(app.content, "tutorial", TEAMS, seed=6, pin=PIN, timer_minutes=8)
    session.briefed = set(TEAMS)
    app.reset(HandOverScreen(app, session))
    key(app, pygame.K_SPACE)  # Japan sits down and queues a secret
    japan = app.top
    assert isinstance(japan, MainScreen)
    assert japan.play.submit(
        {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 913, "budget_usd_m": 20}
    )[0]
    secret = japan.play.describe(japan.play.queued()[0])
    key(app, pygame.K_F9)
    app.top.submit(PIN)
    console = app.top
    assert isinstance(console, FacilitatorScreen)
    console.message_entry.set_text("Japan: your envoy lands at noon")
    press(app, console.send)
    press(app, console.room_view)
    (room,) = app.windows
    assert isinstance(room, RoomWindow) and app.top is console  # the console stays in this window
    assert room.size == (1280, 720) and room.window.title == "Lodestone · room view"
    press(app, console.room_view)
    assert app.windows == [room]  # a second press raises the one window
    press(app, console.close)
    frames(app, 3)

    text = window_text(room)
    assert "Tutorial" in text and "turn 1 of 12" in text and "Waiting for: Japan, Australia" in text
    assert "Rare earths" in text and "News" in text
    # the tonnage as an order shows it ("913 t"), not digits a price may hold by chance
    for private in (secret, "913 t", "envoy lands", "queued", "score", "vetoed", "Facilitator"):
        assert private not in text, private
    assert secret not in screen_text(app)  # nor does the room window leak into the seat's

    # the window draws (a headless test renders it to a surface of its own)
    surface = room.render(pygame.Surface(room.size))
    colours = {tuple(surface.get_at((x, y))) for x in range(0, 1280, 64) for y in range(60, 720, 60)}
    assert len(colours) > 5  # the map, not an empty window
    if folder := os.environ.get("LODESTONE_SHOTS"):
        pygame.image.save(surface, str(Path(folder) / "room-window.png"))
        pygame.image.save(app.window, str(Path(folder) / "room-window-beside-seat.png"))

    # its keys are its own: 2 shows the second mineral there, and nothing in the seat
    seat_mineral = japan.mineral
    two = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_2, mod=0, unicode="2", window=room.window)
    pygame.event.post(two)
    frames(app, 2)
    assert room.screen.mineral == session.game.world.mineral_ids[1] and not room.screen.auto
    assert app.top is japan and japan.mineral == seat_mineral

    # the seat changes hands in the main window; the room window shows the hand-over state
    key(app, pygame.K_RETURN)
    key(app, pygame.K_y)
    assert isinstance(app.top, HandOverScreen) and app.top.team == "australia"
    frames(app, 2)
    assert "Waiting for: Australia" in window_text(room) and secret not in window_text(room)
    assert "08:00 per team" in window_text(room)

    # Esc in the room window closes it (the seat stays)
    escape = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", window=room.window)
    pygame.event.post(escape)
    frames(app, 2)
    assert app.windows == [] and room.closed and isinstance(app.top, HandOverScreen)


def test_the_room_window_closes_with_its_button_and_when_the_room_quits(app: App) -> None:
    from game.ui.roomwindow import open_room_window
    from game.ui.screens.title import TitleScreen
    from game.ui.screens.wargame import HandOverScreen
    from game.ui.wargame import Wargame

    session = Wargame.new(app.content, "tutorial", TEAMS, seed=6)
    app.reset(HandOverScreen(app, session))
    room = open_room_window(app, session)
    frames(app, 2)
    press(app, room.screen.close)  # its own button: the event goes to its window only
    assert room.closed and app.windows == [] and isinstance(app.top, HandOverScreen)
    room = open_room_window(app, session)
    key(app, pygame.K_ESCAPE)  # the main window's Esc is the main window's
    assert not room.closed
    app.act("quit_room", session)
    key(app, pygame.K_y)
    assert isinstance(app.top, TitleScreen) and room.closed and app.windows == []
