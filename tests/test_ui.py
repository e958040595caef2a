"""The game window, driven headless (SDL dummy drivers) through synthetic events.

A short game: title → new game → briefing → map; an export control, a zone and an
investment through the order panels; turns ended with Enter; save with Ctrl+S; load;
debrief. The world the UI built must equal a headless `Game` fed the same orders (same
world hash every turn). Bad input (numbers out of range, a corrupt save) shows a message
in the window and the game goes on.
"""

from __future__ import annotations

from pathlib import Path

from game.session import Game
from tests.window import App, Settings, frames, key, pygame

TURNS = 3
SEED = 7


def click(app: App, element) -> None:
    """Press and release the left button over a widget, as a player would."""
    pos = element.get_abs_rect().center
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    app.step()
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    app.step()
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    frames(app)


def test_a_short_game_through_the_window_matches_a_headless_game(app: App, tmp_path: Path, content) -> None:
    from game.ui.screens.main import MainScreen
    from game.ui.screens.menus import EscMenu, LoadScreen
    from game.ui.screens.orders import OrdersScreen
    from game.ui.screens.report import DebriefScreen, TurnReportScreen
    from game.ui.screens.title import BriefingScreen, NewGameScreen, TitleScreen

    assert isinstance(app.top, TitleScreen)
    click(app, app.top.buttons["#new"])
    new = app.top
    assert isinstance(new, NewGameScreen)
    assert new.nation == "japan"  # the scenario's default player
    new.seed_entry.set_text(str(SEED))
    click(app, new.start)
    assert isinstance(app.top, BriefingScreen)
    key(app, pygame.K_RETURN)
    main = app.top
    assert isinstance(main, MainScreen)
    play = main.play
    assert play.nation == "japan" and play.game.seed == SEED

    # an export control (Trade panel, opened with T)
    key(app, pygame.K_t)
    panel = app.top
    assert isinstance(panel, OrdersScreen) and panel.tab == "trade"
    panel.set_field("mineral", "gallium")
    panel.set_field("target", "china")
    assert panel.status[0], panel.status
    click(app, panel.submit)
    assert len(play.queued()) == 1

    # a zone (Diplomacy tab)
    click(app, panel.tab_buttons["diplomacy"])
    panel.choose_action("propose_zone")
    panel.set_field("partner", "united_states")
    panel.set_field("mineral", "gallium")
    assert panel.status[0], panel.status
    click(app, panel.submit)
    assert len(play.queued()) == 2

    # an investment (Industry tab): the panel shows its cost before submitting
    click(app, panel.tab_buttons["industry"])
    panel.set_field("template", "gallium_refinery")
    ok, _, cost = panel.status
    assert ok and cost > 0
    click(app, panel.submit)
    assert len(play.queued()) == 3

    # bad input: out of range and not a number, then a withdrawal
    click(app, panel.tab_buttons["stockpile"])
    panel.set_field("tonnes", "-5")
    assert not panel.status[0] and "between" in panel.status[1]
    click(app, panel.submit)
    assert any("between" in m for m in app.messages)
    panel.set_field("tonnes", "lots")
    click(app, panel.submit)
    assert any("not a number" in m for m in app.messages)
    panel.set_field("tonnes", "100")
    click(app, panel.submit)
    assert len(play.queued()) == 4
    click(app, panel.withdraw_buttons[-1])
    assert len(play.queued()) == 3
    key(app, pygame.K_ESCAPE)
    assert app.top is main

    ui_orders = [order.model_dump() for order in play.queued()]
    for _ in range(TURNS):
        key(app, pygame.K_RETURN)
        app.wait()
        assert isinstance(app.top, TurnReportScreen)
        key(app, pygame.K_RETURN)
        assert app.top is main
    assert play.turn == TURNS

    # the same orders fed to a headless game give the same world
    headless = Game(content, "ministerial-2026", SEED, controllers={"japan": None})
    for turn in range(TURNS):
        if turn == 0:
            for raw in ui_orders:
                assert headless.submit(raw).accepted
        headless.play_turn()
    assert headless.world_hashes == play.game.world_hashes

    # Ctrl+S saves; loading rebuilds the same world
    key(app, pygame.K_s, pygame.KMOD_CTRL)
    saves = sorted((tmp_path / "saves").glob("*.json"))
    assert len(saves) == 1
    autosaves = list((tmp_path / "autosave").rglob("*.json"))
    assert autosaves and {p.parent for p in autosaves} == {play.game.autosave[0]}  # this game's own folder
    loader = app.push(LoadScreen(app))
    loader.load(saves[0])
    app.wait()
    loaded = app.top
    assert isinstance(loaded, MainScreen) and loaded is not main
    assert loaded.play.game.world_hashes == headless.world_hashes

    # a corrupt save: a message, and the game goes on where it was
    bad = tmp_path / "saves" / "broken.json"
    bad.write_text("{ this is not a save")
    app.push(LoadScreen(app)).load(bad)
    app.wait()
    assert any("Could not load broken.json" in m for m in app.messages)
    app.pop()
    assert app.top is loaded

    # Esc menu → debrief
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, EscMenu)
    click(app, app.top.buttons["debrief"])
    debrief = app.top
    assert isinstance(debrief, DebriefScreen)
    assert "Key decisions (3)" in debrief.body.html_text
    key(app, pygame.K_e)
    assert list((tmp_path / "exports").glob("*.png"))


def test_screens_survive_resize_and_settings(app: App, tmp_path: Path) -> None:
    from game.ui.screens.menus import SettingsScreen

    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1080, size=(1920, 1080)))
    frames(app)
    assert app.size == (1920, 1080)
    screen = app.push(SettingsScreen(app))
    screen.draft.font_scale = 1.3
    screen.draft.colour_blind = True
    click(app, screen.apply)
    assert app.settings.font_scale == 1.3
    assert Settings.load(tmp_path)[0].colour_blind


def test_map_hover_and_click_select_a_nation(app: App) -> None:
    from game.ui.play import Play
    from game.ui.screens.main import MainScreen

    main = app.reset(MainScreen(app, Play.new(app.content, "ministerial-2026", "japan")))
    frames(app)
    view = main.view
    china = main.play.obs.nations.index("china")
    x, y = view.to_screen(view.anchor[china]) + view.rect.topleft
    pos = (int(x), int(y))
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    frames(app)
    assert view.hover == china
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    frames(app)
    assert view.selected == china
    assert "China" in main.nation_box.html_text
    redraws = view.redraws
    frames(app, 5)
    assert view.redraws == redraws  # idle frames blit the cached map


def test_play_without_a_display_runs_the_default_game_headless(monkeypatch) -> None:
    from typer.testing import CliRunner

    import game.cli

    ran: list[bool] = []
    monkeypatch.setattr(game.cli, "run", lambda *a, **k: ran.append(True))
    for var in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    result = CliRunner().invoke(game.cli.app, ["play"])
    assert result.exit_code == 0, result.output
    assert ran == [True]
    assert "No display found" in result.output
