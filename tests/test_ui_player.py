"""The player's window: what survives a closed window, what a key pressed while the world
resolves does, the ledger and the report history, 'Rest of world' on the map."""

from __future__ import annotations

from pathlib import Path

from game.ui.play import Play
from tests.window import App, frames, key, pygame


def start(app: App, scenario: str = "tutorial") -> object:
    play = Play.new(app.content, scenario, app.content.scenarios[scenario].default_player, seed=2)
    main = app.reset(app.make("main", play))
    frames(app)
    return main


def test_enter_pressed_while_the_turn_resolves_does_not_close_the_report(app: App) -> None:
    main = start(app)
    main.end_turn()
    assert app.busy
    app._task[0].join(60)  # the world has resolved; the window has not drawn the report yet
    # the player, waiting, pressed Enter: it sits in the queue for the frame that shows the report
    for kind in (pygame.KEYDOWN, pygame.KEYUP):
        pygame.event.post(pygame.event.Event(kind, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=0))
    frames(app)
    assert app.top.name == "turn_report"
    key(app, pygame.K_RETURN)  # pressed after the report is up: it closes
    assert app.top is main


def test_closing_the_window_mid_game_saves_it(app: App, tmp_path: Path) -> None:
    main = start(app)
    main.play.submit({"kind": "stockpile", "action": "release", "mineral": "rare_earths", "tonnes": 100})
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step()
    assert not app.running
    saves = list((tmp_path / "saves").glob("closed-*.json"))
    assert len(saves) == 1
    from game.saves import read_save

    save = read_save(saves[0])
    assert save.orders and save.orders[-1].order.kind == "stockpile"  # the queued order is kept


def test_past_reports_reopen_and_the_ledger_opens_from_the_map(app: App) -> None:
    main = start(app)
    for _ in range(2):
        main.end_turn()
        app.wait(60)
        key(app, pygame.K_RETURN)
    key(app, pygame.K_r)
    report = app.top
    assert report.name == "turn_report" and report.report is main.play.reports[-1]
    key(app, pygame.K_LEFT)
    assert report.report is main.play.reports[0]
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_n)
    assert app.top.name == "ledger"
    key(app, pygame.K_ESCAPE)
    assert app.top is main


def test_rest_of_world_is_drawn_as_neutral_land(app: App) -> None:
    from game.ui import palette as pal
    from game.ui.panels.lens import lens_view

    main = start(app, "ministerial-2026")
    play = main.play
    row = play.obs.nations.index("rest_of_world")
    for lens in ("refining", "mining", "dependence"):
        for mineral in play.obs.minerals:
            view = lens_view(play, lens, mineral, app.palette)
            assert view.fills[row] == pal.LAND_NEUTRAL, (lens, mineral)
    # while it does refine: the lens would have shaded it
    m = play.obs.m("rare_earths")
    assert play.obs.refine_share[m, row] > 0.001


def test_the_window_scales_layout_and_fonts_with_its_size(app: App) -> None:
    main = start(app)
    small, text, bar = app.scale, app.font(14).get_height(), main.top_h
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1080, size=(1920, 1080)))
    frames(app)
    assert app.scale == small * 1.5
    assert app.font(14).get_height() >= 1.4 * text  # body text no longer 14 px on a big screen
    assert main.top_h >= 1.4 * bar  # and the layout grows with it


def test_the_first_report_states_the_score_without_a_missing_before(app: App) -> None:
    main = start(app)
    main.end_turn()
    app.wait(60)
    shown = "\n".join(str(getattr(sprite, "text", "")) for sprite in app.manager.get_sprite_group().sprites())
    score = next(line for line in shown.splitlines() if "What mattered for you" in line)
    assert "—" not in score and "Score" in score
