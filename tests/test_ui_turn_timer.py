"""The hot-seat turn timer ends turns, headless with a fake clock: each team's time runs
from when it sits down; when it runs out the team's turn ends with what it queued (a form
left open is closed unsent), the next hand-over says why, and after the last team the
quarter resolves. Pause stops the clock; the facilitator can give more time; the console
holds the clock while open."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.content import Content
from tests.test_ui_wargame import press, screen_text
from tests.window import App, frames, key, pygame

TEAMS = ["japan", "australia"]
BUY = {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 600, "budget_usd_m": 20}


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def timed_room(content: Content, minutes: float = 5):
    from game.ui.wargame import Wargame

    session = Wargame.new(content, "tutorial", TEAMS, seed=2, timer_minutes=minutes)
    clock = FakeClock()
    session.now = clock
    session.briefed = set(TEAMS)
    return session, clock


def test_each_seat_has_its_own_time_which_pause_stops_and_the_facilitator_extends(content: Content):
    session, clock = timed_room(content)
    assert session.seconds_left() == 300 and "05:00 per team" in session.clock()  # nobody seated
    clock.t += 1000  # the hand-over does not count
    session.sit("japan")
    clock.t += 100
    assert session.seconds_left() == 200 and "03:20 left" in session.clock()
    session.pause(True)
    clock.t += 500
    assert session.seconds_left() == 200 and not session.time_up()
    session.pause(False)
    clock.t += 200
    assert session.seconds_left() == 0 and session.time_up() and "time is up" in session.clock()
    ok, text = session.extend(2)
    assert ok and "2 more minute" in text and session.seconds_left() == 120 and not session.time_up()
    assert not session.extend("soon")[0] and not session.extend(0)[0]
    clock.t += 121
    assert session.time_up()
    assert session.play("japan").submit(BUY)[0]
    notice = session.expire()
    assert notice == "Time is up: Team Japan's turn ended with its 1 queued order."
    assert any("time ran out for Team Japan" in line for line in session.log)
    session.team_done("japan")
    assert session.seated is None and not session.time_up()
    session.sit("australia")  # a fresh allowance, without Japan's extra time
    assert session.seconds_left() == 300 and session.timeout_notice == ""
    no_timer, _ = timed_room(content, minutes=0)
    no_timer.sit("japan")
    assert no_timer.seconds_left() is None and not no_timer.time_up() and not no_timer.extend(2)[0]


@pytest.fixture
def timed_window(app: App, content: Content):
    from game.ui.screens.wargame import HandOverScreen

    session, clock = timed_room(app.content)
    app.reset(HandOverScreen(app, session))
    frames(app, 1)
    return app, session, clock


def test_time_running_out_ends_the_turn_and_hands_the_seat_over(timed_window) -> None:
    from game.ui.screens.main import MainScreen
    from game.ui.screens.wargame import HandOverScreen

    app, session, clock = timed_window
    key(app, pygame.K_SPACE)  # Japan sits down: its five minutes start
    main = app.top
    assert isinstance(main, MainScreen) and session.seated == "japan"
    assert main.play.submit(BUY)[0]
    main.open_panel("stockpile")  # a form left open when the time runs out
    assert app.top is not main
    clock.t += 299
    frames(app, 2)
    assert app.find("main") is main and session.seated == "japan"  # one second left
    clock.t += 1
    frames(app, 2)
    hand = app.top
    assert isinstance(hand, HandOverScreen) and hand.team == "australia"
    assert "japan" in session.done and [o.tonnes for o in session.play("japan").queued()] == [600]
    text = screen_text(app)
    assert "Time is up: Team Japan's turn ended with its 1 queued order." in text
    assert "05:00 per team" in text  # Australia's time has not started
    if path := _shots():
        pygame.image.save(app.window, str(path / "timer-expired-handover.png"))

    # the hand-over waits as long as it takes; Australia's own time runs when it sits down
    clock.t += 3600
    frames(app, 2)
    assert app.top is hand
    key(app, pygame.K_SPACE)
    assert session.seated == "australia" and session.seconds_left() == 300
    assert "Time is up" not in screen_text(app)
    clock.t += 301
    frames(app, 2)
    app.wait(60)  # the last team's time ran out: the quarter resolves for both
    assert session.game.turn == 1
    assert isinstance(app.top, HandOverScreen) and app.top.team == "japan"
    assert "Team Australia's turn ended with its 0 queued orders" in screen_text(app)
    assert any(o.tonnes == 600 for o in _resolved_orders(session, "japan"))


def test_pause_and_the_open_console_hold_the_clock(timed_window) -> None:
    from game.ui.screens.main import MainScreen
    from game.ui.screens.wargame import FacilitatorScreen

    app, session, clock = timed_window
    key(app, pygame.K_SPACE)
    main = app.top
    key(app, pygame.K_F9)  # no PIN in this room: the console opens
    console = app.top
    assert isinstance(console, FacilitatorScreen)
    clock.t += 400
    frames(app, 2)
    assert app.top is console and session.seated == "japan"  # the facilitator is at the keyboard
    press(app, console.pause)
    press(app, console.more_time)
    assert session.seconds_left() == 20 and any("2 more minute" in m for m in app.messages)
    if path := _shots():
        frames(app, 1)
        pygame.image.save(app.window, str(path / "console-more-time.png"))
    press(app, console.close)
    clock.t += 1000  # paused: the clock stands still
    frames(app, 2)
    assert app.top is main and isinstance(main, MainScreen)
    assert "PAUSED" in session.clock() and session.seconds_left() == 20
    session.pause(False)
    clock.t += 21
    frames(app, 2)
    assert app.top.name == "hand_over" and "japan" in session.done


def _resolved_orders(session, team: str) -> list:
    return [r.order for r in session.game.world.desk.log if r.order.issuer == team and r.stage != "event"]


def _shots() -> Path | None:
    """Where screenshots go when LODESTONE_SHOTS names a folder (to look at them)."""
    import os

    folder = os.environ.get("LODESTONE_SHOTS")
    return Path(folder) if folder else None
