"""Every door from a team's seat in a hot-seat game with a facilitator PIN, headless.

Team Japan has queued a secret order; Team Australia sits at the keyboard. Each way out of
its screen that could show Japan's order, the facilitator's log or the whole world (save,
load, quit, the report, the console, reveal, rewind) asks for the PIN first; a wrong PIN
opens nothing. The PIN is masked as typed and is not in the save file.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_ui_wargame import press, screen_text
from tests.window import App, key, pygame

TEAMS = ["japan", "australia"]
PIN = "86421357"


def readable(path: Path) -> str:
    """A save's text without its random material (ciphertext, salts, nonces, the PIN's hash:
    long hex or base64 strings), where '777' may turn up by chance; what is left is all a
    reader could make sense of."""
    return re.sub(r'"[A-Za-z0-9+/=]{16,}"', '""', path.read_text())


def seat_australia(app: App):
    """A tutorial wargame where Japan queued a secret order and Australia now sits down."""
    from game.ui.screens.main import MainScreen
    from game.ui.screens.title import NewGameScreen
    from game.ui.screens.wargame import ConfirmDialog

    new = app.push(NewGameScreen(app))
    new.scenario = "tutorial"
    new.rebuild()
    new.set_hotseat(True, TEAMS)
    new.pin_entry.set_text(PIN)
    press(app, new.start)
    session = app.top.session
    key(app, pygame.K_SPACE)
    key(app, pygame.K_SPACE)  # Japan's briefing, then its map
    japan = app.top.play
    assert japan.submit(
        {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 777, "budget_usd_m": 20}
    )[0]
    secret = japan.describe(japan.queued()[0])
    key(app, pygame.K_RETURN)
    assert isinstance(app.top, ConfirmDialog)
    key(app, pygame.K_y)
    key(app, pygame.K_SPACE)
    key(app, pygame.K_SPACE)  # Australia's briefing, then its map
    main = app.top
    assert isinstance(main, MainScreen) and main.play.nation == "australia"
    assert secret not in screen_text(app)
    return session, main, secret


def wrong_pin_opens_nothing(app: App, below) -> None:
    from game.ui.screens.wargame import PinPrompt

    prompt = app.top
    assert isinstance(prompt, PinPrompt)
    assert prompt.entry.is_text_hidden  # masked as typed
    assert not prompt.submit("0000")
    assert app.top is prompt
    key(app, pygame.K_ESCAPE)
    assert app.top is below


def test_every_door_from_a_teams_seat_needs_the_pin(app: App, tmp_path: Path) -> None:
    from game.ui.screens.menus import EscMenu, LoadScreen
    from game.ui.screens.report import DebriefScreen
    from game.ui.screens.title import TitleScreen
    from game.ui.screens.wargame import ConfirmDialog, FacilitatorScreen, PinPrompt

    session, main, secret = seat_australia(app)
    saves = tmp_path / "saves"

    # Ctrl+S and the Save button: the facilitator's save, after the PIN
    key(app, pygame.K_s, pygame.KMOD_CTRL)
    wrong_pin_opens_nothing(app, main)
    press(app, main.top_buttons["save"])
    wrong_pin_opens_nothing(app, main)
    assert not list(saves.glob("*.json"))

    # the Esc menu: save, load, quit, the report
    key(app, pygame.K_ESCAPE)
    menu = app.top
    assert isinstance(menu, EscMenu)
    press(app, menu.buttons["save"])
    wrong_pin_opens_nothing(app, main)
    key(app, pygame.K_ESCAPE)
    menu = app.top
    press(app, menu.buttons["load"])
    wrong_pin_opens_nothing(app, menu)
    assert app.find(LoadScreen) is None
    press(app, menu.buttons["title"])
    wrong_pin_opens_nothing(app, menu)
    assert app.find(TitleScreen) is None
    press(app, menu.buttons["debrief"])
    debrief = app.top
    assert isinstance(debrief, DebriefScreen)
    assert secret not in screen_text(app) and "Team Japan" not in screen_text(app)
    key(app, pygame.K_r)
    wrong_pin_opens_nothing(app, debrief)
    assert not (tmp_path / "reports").exists()
    key(app, pygame.K_ESCAPE)
    assert app.top is main

    # the console: F9, PIN masked; a reveal does not outlive the console
    key(app, pygame.K_F9)
    wrong_pin_opens_nothing(app, main)
    key(app, pygame.K_F9)
    app.top.submit(PIN)
    console = app.top
    assert isinstance(console, FacilitatorScreen) and secret not in screen_text(app)
    press(app, console.reveal)
    assert secret in screen_text(app)
    press(app, console.close)
    assert app.top is main and secret not in screen_text(app)
    key(app, pygame.K_F9)
    app.top.submit(PIN)
    assert isinstance(app.top, FacilitatorScreen) and secret not in screen_text(app)
    assert any("revealed" in line for line in session.log)
    console = app.top

    # a message arrives at once for the team at the keyboard, at its next seat for the other
    console.message_entry.set_text("Five minutes left.")
    press(app, console.send)
    assert any(m == "Facilitator: Five minutes left." for m in app.messages)
    assert session.inbox["australia"] == [] and session.inbox["japan"] == ["Five minutes left."]

    # the facilitator's save: named for the facilitator, sealed under the PIN (neither the
    # PIN nor the queue in the clear), the queue there for whoever has the PIN
    press(app, console.save_button)
    (path,) = saves.glob("tutorial-facilitator-*.json")
    text = readable(path)
    assert PIN not in text and "777" not in text and "Five minutes left" not in text
    from game.saves import read_save

    assert [o.order.tonnes for o in read_save(path, PIN).orders] == [777]
    press(app, console.close)

    # quitting, with the PIN, still asks
    key(app, pygame.K_ESCAPE)
    press(app, app.top.buttons["title"])
    app.top.submit(PIN)
    assert isinstance(app.top, ConfirmDialog)
    key(app, pygame.K_y)
    assert isinstance(app.top, TitleScreen)

    # loading that save from the title: the PIN opens the file, before anything loads
    loader = app.push(LoadScreen(app))
    loader.load(path)
    assert isinstance(app.top, PinPrompt)
    assert not app.top.submit("1111")
    app.top.submit(PIN)
    app.wait(60)
    from game.ui.screens.wargame import HandOverScreen

    hand = app.top
    assert isinstance(hand, HandOverScreen) and hand.team == "australia"  # Japan had ended
    key(app, pygame.K_F9)
    wrong_pin_opens_nothing(app, hand)


def test_an_order_form_takes_the_teams_own_note(app: App) -> None:
    from game.ui.screens.orders import OrdersScreen

    session, main, _ = seat_australia(app)
    key(app, pygame.K_s)  # the stockpile panel
    form = app.top
    assert isinstance(form, OrdersScreen) and form.why is not None
    for mineral in main.play.obs.minerals:  # a purchase the form's scale check accepts
        form.values["mineral"] = mineral
        form.rebuild()
        if form.validate()[0]:
            break
    assert form.why is not None and form.why.get_text() == ""
    form.why.set_text("Cover the magnet makers through the winter")
    assert form.do_submit()
    (note,) = session.room.rationales
    assert note.team == "australia" and note.note == "Cover the magnet makers through the winter"
    assert note.order == main.play.queued()[-1]
    assert form.why is not None and form.why.get_text() == ""  # the next order starts blank


def test_closing_the_window_from_a_teams_seat_keeps_the_game_sealed(app: App, tmp_path: Path) -> None:
    """The window's close button is a door with no PIN: the save it makes (issue 18's
    save-on-close) keeps the whole game, Japan's queued order included, sealed under the
    PIN: the file shows neither the order nor the room, and it opens only with the PIN."""
    from game.saves import read_save
    from game.ui.screens.menus import LoadScreen
    from game.ui.screens.wargame import HandOverScreen, PinPrompt

    seat_australia(app)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step()
    assert not app.running
    (path,) = (tmp_path / "saves").glob("closed-*.json")
    text = readable(path)
    assert PIN not in text and "777" not in text and "stockpile" not in text
    save = read_save(path)  # a team's seat reads the header only
    assert save.turn == 0 and save.orders == [] and save.wargame is None and save.sealed is not None
    whole = read_save(path, PIN)
    assert [o.order.tonnes for o in whole.orders] == [777] and whole.wargame.teams == TEAMS

    app.running = True
    loader = app.push(LoadScreen(app))
    loader.load(path)
    prompt = app.top
    assert isinstance(prompt, PinPrompt) and prompt.entry.is_text_hidden  # before anything loads
    assert not prompt.submit("1111") and app.top is prompt
    prompt.submit(PIN)
    app.wait(60)
    hand = app.top
    assert isinstance(hand, HandOverScreen) and hand.team == "australia"  # Japan's order waits
    assert [o.tonnes for o in hand.session.play("japan").queued()] == [777]
    assert hand.session.game.sealer is not None
