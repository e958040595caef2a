"""Wargame and classroom through the window, headless (SDL dummy drivers).

A hot-seat tutorial with three teams behind a PIN-protected facilitator: each team's
screen shows nothing of another team's queue; the facilitator injects a library event, a
composed one (after a refused out-of-range size) and a message, and rewinds once; the save
replays bit-identically, and the replay viewer shows each turn's orders. The tutorial's
guidance advances when the player does what it asks. Bad input (a size out of range, a
corrupt save in the replay list) is a message and the game goes on.
"""

from __future__ import annotations

from pathlib import Path

from game.saves import read_save
from game.session import Game
from tests.window import App, frames, key, pygame

TEAMS = ["japan", "australia", "united_states"]  # seat order: the scenario's order


def press(app: App, button) -> None:
    """A button press as pygame-gui reports it (clicking through overlapping panels is
    what test_ui.py checks; here the flow matters)."""
    pygame.event.post(pygame.event.Event(pygame_gui().UI_BUTTON_PRESSED, ui_element=button, ui_object_id=""))
    frames(app, 2)


def pygame_gui():
    import pygame_gui as gui

    return gui


def screen_text(app: App) -> str:
    """Every text the window shows now: labels, buttons, text boxes, list items."""
    out: list[str] = []
    for sprite in app.manager.get_sprite_group().sprites():
        if not getattr(sprite, "visible", True):
            continue
        for attr in ("text", "html_text"):
            value = getattr(sprite, attr, None)
            if isinstance(value, str):
                out.append(value)
        for item in getattr(sprite, "item_list", []) or []:
            out.append(str(item.get("text", "")))
    return "\n".join(out)


def stockpile(turn: int) -> dict:
    return {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 100 + 10 * turn,
            "budget_usd_m": 20}  # fmt: skip


def play_round(app: App, secret: str | None = None) -> None:
    """Each team sits down, reads its report, queues its orders, ends its turn."""
    from game.ui.screens.main import MainScreen
    from game.ui.screens.orders import OrdersScreen
    from game.ui.screens.report import TurnReportScreen
    from game.ui.screens.wargame import ConfirmDialog, HandOverScreen, TeamBriefingScreen

    for team in TEAMS:
        hand = app.top
        assert isinstance(hand, HandOverScreen) and hand.team == team
        assert f"Team {app.content.nations[team].name}" in screen_text(app)
        key(app, pygame.K_RETURN)  # Enter is End turn's key, not the hand-over's
        assert app.top is hand
        key(app, pygame.K_SPACE)
        if isinstance(app.top, TeamBriefingScreen):  # the first time: the team's briefing
            assert app.top.team == team and "Your score weighs" in screen_text(app)
            key(app, pygame.K_SPACE)
        if isinstance(app.top, TurnReportScreen):
            assert app.top.play.nation == team
            key(app, pygame.K_RETURN)
        main = app.top
        assert isinstance(main, MainScreen) and main.play.nation == team
        if secret is not None and team != "japan":
            # team B (and C) cannot see team A's queued orders anywhere on its screen
            assert secret not in screen_text(app)
            assert not main.play.queued() and "No orders queued" in main.end_button.tool_tip_text
            key(app, pygame.K_t)
            assert isinstance(app.top, OrdersScreen)
            assert secret not in screen_text(app)
            key(app, pygame.K_ESCAPE)
        turn = main.play.turn
        if team == "japan":
            assert main.play.submit(stockpile(turn))[0]
        elif team == "united_states":
            assert main.play.submit(
                {"kind": "message", "to": ["china"], "tone": "pressure", "text": "Lift it."}
            )[0]
        main.resumed()
        key(app, pygame.K_RETURN)
        assert isinstance(app.top, ConfirmDialog)  # End turn asks first
        key(app, pygame.K_RETURN)  # a second Enter does not confirm (nor show the next map)
        assert isinstance(app.top, ConfirmDialog)
        key(app, pygame.K_y)
    app.wait(60)


def test_hot_seat_wargame_with_facilitator_saves_replays_and_reviews(
    app: App, content, tmp_path: Path
) -> None:
    from game.ui.screens.menus import LoadScreen
    from game.ui.screens.replay import ReplayScreen
    from game.ui.screens.title import NewGameScreen
    from game.ui.screens.wargame import ConfirmDialog, FacilitatorScreen, HandOverScreen, PinPrompt

    new = app.push(NewGameScreen(app))
    new.scenario = "tutorial"
    new.rebuild()
    new.set_hotseat(True, TEAMS)
    new.seed_entry.set_text("8")
    new.pin_entry.set_text("1234")
    press(app, new.start)
    assert isinstance(app.top, HandOverScreen)
    session = app.top.session
    assert session.teams == TEAMS and session.check_pin("1234") and session.guarded

    # turn 1: Japan queues a stockpile order; the others must not see it
    key(app, pygame.K_SPACE)
    key(app, pygame.K_SPACE)  # past the briefing
    japan = app.top.play
    secret = japan.describe(japan.parse(stockpile(0)))
    key(app, pygame.K_ESCAPE)  # the Esc menu, then back
    key(app, pygame.K_ESCAPE)
    app.reset(HandOverScreen(app, session))
    play_round(app, secret=secret)
    assert session.game.turn == 1

    # the facilitator, behind the PIN
    key(app, pygame.K_F9)
    assert isinstance(app.top, PinPrompt)
    app.top.submit("0000")
    assert any("Wrong PIN" in m for m in app.messages)
    app.top.submit("1234")
    console = app.top
    assert isinstance(console, FacilitatorScreen)
    assert secret not in screen_text(app)  # counts, not contents, unless revealed
    console.search_entry.set_text("EV sales")
    console.search = "EV sales"
    console.event_list.set_item_list(console._event_items())
    for item in console.event_list.item_list:
        item["selected"] = item["object_id"] == "tut_lithium_ev_surge"
    console.inject_selected()
    console.values.update(effect="supply_shock", mineral="lithium", country="australia", stage="ore")
    console.size_entry.set_text("5")
    console.headline_entry.set_text("Port strike in Queensland")
    console.news_entry.set_text("Dockers strike at Gladstone.")
    console.inject_composed()
    assert any("between 0 and 1" in m for m in app.messages)
    assert len(session.game.world.facilitator_queue) == 1  # the bad one was not queued
    console.size_entry.set_text("0.5")
    console.inject_composed()
    console.message_entry.set_text("Ministers meet next quarter.")
    press(app, console.send)
    assert len(session.game.world.facilitator_queue) == 3
    press(app, console.pause)
    assert session.paused
    press(app, console.close)
    assert "PAUSED" in screen_text(app)  # on the waiting hand-over screen too
    key(app, pygame.K_SPACE)  # Japan sits down, reads its report and the message at once
    assert any("Ministers meet next quarter" in m for m in app.messages)
    key(app, pygame.K_RETURN)
    key(app, pygame.K_RETURN)  # and tries to end its turn while paused
    assert any("paused" in m for m in app.messages) and session.game.turn == 1
    session.paused = False
    app.reset(HandOverScreen(app, session))
    play_round(app)
    play_round(app)
    assert session.game.turn == 3
    assert any(h.name == "Port strike in Queensland" for h in session.game.world.news)
    replies = session.game.observe("australia").replies
    assert any("Ministers meet" in r for r in replies) or any(
        "Ministers meet" in text for _, _, text in session.game.world.diplomacy.replies
    )

    # rewind to the start of turn 2, confirmed
    key(app, pygame.K_F9)
    app.top.submit("1234")
    console = app.top
    console.values["rewind"] = "1"
    press(app, console.rewind)
    assert any("give the reason" in m for m in app.messages)  # a rewind needs its reason
    console.reason_entry.set_text("Replay turn 2 with the strike")
    press(app, console.rewind)
    assert isinstance(app.top, ConfirmDialog)
    press(app, app.top.yes)
    assert isinstance(app.top, HandOverScreen)
    assert session.game.turn == 1 and len(session.game.branches) == 1
    play_round(app)
    play_round(app)
    assert session.game.turn == 3

    # save (the facilitator's, behind the PIN): the save replays bit-identically
    key(app, pygame.K_SPACE)
    if app.top.name == "turn_report":
        key(app, pygame.K_RETURN)
    assert app.top.save() is None and isinstance(app.top, PinPrompt)
    app.top.submit("1234")
    (path,) = sorted((tmp_path / "saves").glob("tutorial-facilitator-*.json"))
    assert read_save(path).sealed is not None  # sealed under the PIN
    saved = read_save(path, "1234")
    assert saved.branches and saved.branches[0].from_turn == 1
    assert saved.wargame.rewinds[0].reason == "Replay turn 2 with the strike"
    assert Game.from_save(content, saved).world_hashes == session.game.world_hashes

    # the replay viewer: turn k's orders
    loader = app.push(LoadScreen(app, replay=True))
    loader.load(path)
    assert isinstance(app.top, PinPrompt)  # a sealed save replays with the PIN
    app.top.submit("1234")
    app.wait(60)
    viewer = app.top
    assert isinstance(viewer, ReplayScreen) and viewer.turn == 2
    key(app, pygame.K_LEFT)
    assert viewer.turn == 1
    assert japan.describe(japan.parse(stockpile(1))) in viewer.side.html_text
    assert (
        "rewound to here" in viewer.side.html_text
        and "Replay turn 2 with the strike" in viewer.side.html_text
    )
    assert "Team" in viewer.side.html_text or "(team)" in viewer.side.html_text
    press(app, viewer.report)
    assert viewer.written and viewer.written[0].exists()

    # a corrupt save in the replay list: a message, and the list stays
    bad = tmp_path / "saves" / "broken.json"
    bad.write_text("{ not a save")
    key(app, pygame.K_ESCAPE)
    loader = app.push(LoadScreen(app, replay=True))
    loader.load(bad)
    app.wait(30)
    assert any("Could not replay broken.json" in m for m in app.messages)
    assert app.top is loader


def test_tutorial_guidance_advances_with_the_player(app: App) -> None:
    from game.ui.play import Play
    from game.ui.screens.main import MainScreen
    from game.ui.screens.orders import OrdersScreen

    main = app.reset(MainScreen(app, Play.new(app.content, "tutorial", "japan", seed=2)))
    frames(app)
    guide = main.guidance
    assert guide is not None and guide.index == 0
    assert "Rare earths" in main.guide_box.html_text
    key(app, pygame.K_2)  # not what it asks: nothing moves
    assert guide.index == 0
    key(app, pygame.K_1)
    assert guide.index == 1 and "dependence" in main.guide_box.html_text.lower()
    while main.lens != "dependence":
        key(app, pygame.K_l)
    assert guide.index == 2
    key(app, pygame.K_s)
    panel = app.top
    assert isinstance(panel, OrdersScreen) and panel.tab == "stockpile"
    panel.set_field("mineral", "rare_earths")
    panel.set_field("tonnes", "300")
    assert panel.status[0], panel.status
    panel.do_submit()
    key(app, pygame.K_ESCAPE)
    assert guide.index == 3 and "End turn" in main.guide_box.html_text
    key(app, pygame.K_RETURN)
    app.wait(60)
    assert guide.index == 4


def test_projector_mode_shows_one_lens_and_no_news_column(app: App) -> None:
    from game.ui.play import Play
    from game.ui.screens.main import MainScreen

    main = app.reset(MainScreen(app, Play.new(app.content, "tutorial", "japan", seed=2)))
    frames(app)
    key(app, pygame.K_p)
    assert app.settings.projector and app.scale > app.settings.font_scale
    main = app.top
    assert list(main.lens_buttons) == ["cycle"] and main.news_box is None
    key(app, pygame.K_l)
    assert main.lens == "mining" and "Mining share" in main.lens_buttons["cycle"].text
