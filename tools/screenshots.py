"""Save every screen of the game as PNG at 1280×720 and 1920×1080 (and any size asked).

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy python tools/screenshots.py [--out DIR] [--size 1600x900]

Drives a real game headless (dummy drivers): title, settings, new game, briefing, the
main map under each lens with a hover tooltip, every order panel, the Esc menu, help,
a turn report, charts, load list and the debrief. For reviewing layout by eye: clipped,
overlapping or unreadable text.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def shoot(size: tuple[int, int], out: Path, font_scale: float = 1.0) -> list[Path]:
    import pygame

    from game.ui.app import create_app
    from game.ui.screens.main import MainScreen
    from game.ui.screens.menus import EscMenu, HelpOverlay, LoadScreen, SettingsScreen
    from game.ui.screens.orders import OrdersScreen
    from game.ui.screens.report import ChartsScreen, DebriefScreen
    from game.ui.screens.title import NewGameScreen
    from game.ui.settings import Settings

    home = Path(tempfile.mkdtemp(prefix="lodestone-shots-"))
    app = create_app(
        Settings(width=size[0], height=size[1], font_scale=font_scale, sound=False), home=home, headless=True
    )
    saved: list[Path] = []
    tag = f"{size[0]}x{size[1]}" + (f"-fs{font_scale}" if font_scale != 1.0 else "")

    def shot(name: str, frames: int = 3, keep_messages: bool = False) -> None:
        if not keep_messages:
            app.toasts.clear()  # transient messages would hide what is being reviewed
        for _ in range(frames):
            app.step()
        path = out / f"{tag}-{len(saved):02d}-{name}.png"
        pygame.image.save(app.window, path)
        saved.append(path)

    shot("title")
    app.push(SettingsScreen(app))
    shot("settings")
    app.pop()
    new = app.push(NewGameScreen(app))
    shot("new-game")
    new.seed_entry.set_text("3")
    new.start_game()
    shot("briefing")
    play = app.top.play
    main = app.reset(MainScreen(app, play))
    shot("main-turn1")
    # a first turn with a few orders, so the later screens have something to show
    play.submit({"kind": "export_control", "mineral": "gallium", "stage": "refined", "instrument": "ban",
                 "targets": ["china"]})  # fmt: skip
    play.submit({"kind": "invest", "template": "gallium_refinery", "country": play.nation})
    play.submit(
        {
            "kind": "propose_zone",
            "zone": "club",
            "name": "Critical Minerals Club",
            "invite": ["united_states"],
        }
    )
    main.end_turn()
    app.wait(60)
    shot("turn-report")
    app.open("ledger", play, "gallium")
    shot("ledger")
    app.pop()
    app.pop()
    for _ in range(2):
        main.end_turn()
        app.wait(60)
        app.pop()
    report = app.open("turn_report", play, play.reports[-1])
    report.step(-2)  # the history: the first quarter's report, reopened
    shot("turn-report-history")
    app.pop()
    main.refresh()
    china = play.obs.nations.index("china")
    x, y = main.view.to_screen(main.view.anchor[china]) + main.view.rect.topleft
    pygame.mouse.set_pos((int(x), int(y)))
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=(int(x), int(y)), rel=(0, 0), buttons=(0, 0, 0))
    )
    shot("main-hover-china")
    for lens in ("mining", "dependence", "relations", "zones"):
        main.lens = lens
        main.refresh()
        shot(f"main-lens-{lens}")
    main.lens = "refining"
    main.view.zoom_by(2.5, (main.view.rect.w // 2 + 200, main.view.rect.h // 2 - 60))
    main.refresh()
    shot("main-zoomed", frames=40)
    main.view.reset_view()
    for _ in range(40):
        app.step()
    for tab in ("trade", "diplomacy", "industry", "stockpile"):
        panel = app.push(OrdersScreen(app, play, tab, "gallium"))
        shot(f"orders-{tab}")
        app.pop()
        app.step()
    panel = app.push(OrdersScreen(app, play, "stockpile", "gallium"))
    panel.set_field("tonnes", "-5")
    panel.do_submit()
    shot("orders-bad-input", keep_messages=True)
    app.pop()
    app.step()
    panel = app.push(OrdersScreen(app, play, "stockpile", "gallium"))
    panel.set_field("tonnes", "200")
    panel.set_field("budget", "600")
    panel.do_preview()
    app.wait(120)
    shot("orders-preview")
    app.pop()
    app.step()
    app.push(EscMenu(app, main))
    shot("esc-menu")
    app.pop()
    app.step()
    app.push(HelpOverlay(app))
    shot("help")
    app.pop()
    app.step()
    app.push(ChartsScreen(app, play))
    shot("charts")
    app.pop()
    app.step()
    main.save()
    app.push(LoadScreen(app))
    shot("load")
    app.pop()
    app.push(DebriefScreen(app, play))
    shot("debrief")
    saved += shoot_wargame(app, out, tag, len(saved))
    return saved


def shoot_wargame(app, out: Path, tag: str, start: int) -> list[Path]:
    """Issue 9's screens: new game with hot-seat teams, the hand-over, a team's map, the
    facilitator console (and its PIN and confirm dialogs), the replay viewer, the tutorial's
    guidance, projector mode and the class debrief."""
    import pygame

    from game.ui.play import Play
    from game.ui.screens.main import MainScreen
    from game.ui.screens.replay import ReplayScreen
    from game.ui.screens.report import DebriefScreen
    from game.ui.screens.title import NewGameScreen, TitleScreen
    from game.ui.screens.wargame import FacilitatorScreen, HandOverScreen, PinPrompt
    from game.ui.wargame import Wargame

    saved: list[Path] = []

    def shot(name: str, frames: int = 3, keep_messages: bool = False) -> None:
        if not keep_messages:
            app.toasts.clear()
        for _ in range(frames):
            app.step()
        path = out / f"{tag}-{start + len(saved):02d}-{name}.png"
        pygame.image.save(app.window, path)
        saved.append(path)

    teams = ["japan", "australia", "united_states"]
    app.reset(TitleScreen(app))
    new = app.push(NewGameScreen(app))
    new.scenario = "tutorial"
    new.set_hotseat(True, teams)
    shot("new-game-hotseat")
    session = Wargame.new(app.content, "tutorial", teams, seed=4, pin="1234")
    session.briefed.update(teams)  # the team briefings have their own shots (wargame_screenshots.py)
    for turn in range(2):  # two rounds, so the console and the replay have a history
        for team in teams:
            play = session.play(team)
            if team == "japan":
                play.submit({"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 200,
                             "budget_usd_m": 30})  # fmt: skip
            session.team_done(team)
        if turn == 0:
            session.game.facilitate({"kind": "broadcast", "text": "Ministers meet next quarter."})
        session.resolve()
    session.play("japan").submit(
        {
            "kind": "export_control",
            "mineral": "rare_earths",
            "stage": "refined",
            "instrument": "ban",
            "targets": ["china"],
        }
    )
    session.team_done("japan")
    app.reset(HandOverScreen(app, session))
    shot("hand-over")
    hand = app.top
    hand.sit_down()
    app.pop()  # the team's report
    shot("hotseat-team-map")
    app.push(PinPrompt(app, session))
    shot("facilitator-pin")
    app.pop()
    console = app.push(FacilitatorScreen(app, session))
    console.size_entry.set_text("7")
    console.inject_composed()
    shot("facilitator-console-bad-size", keep_messages=True)
    console.revealed = True
    session.paused = True
    console.refresh()
    shot("facilitator-console-revealed")
    console.values["rewind"] = "1"
    console.reason_entry.set_text("The room asked to replay the ban")
    console.ask_rewind()
    shot("facilitator-rewind-confirm")
    app.pop()
    session.paused = False
    # replay viewer of the hot-seat game
    path = session.play("japan").save(app.home / "saves" / "wargame.json")
    game = __import__("game.session", fromlist=["Game"]).Game.from_save(
        app.content, __import__("game.saves", fromlist=["read_save"]).read_save(path, "1234")
    )
    viewer = app.reset(ReplayScreen(app, path, game))
    viewer.scrub(1)
    shot("replay-viewer")
    # the tutorial with its guidance, then in projector mode
    play = Play.new(app.content, "tutorial", "japan", seed=2)
    main = app.reset(MainScreen(app, play))
    shot("tutorial-guidance")
    main.select_mineral("rare_earths")
    main.set_lens("dependence")
    shot("tutorial-guidance-step3")
    settings = app.settings
    settings.projector = True
    app.apply_settings(settings)
    shot("projector-mode")
    settings.projector = False
    app.apply_settings(settings)
    # the class debrief of a historical scenario
    hist = Play.new(app.content, "rare-earth-2010", "japan", seed=1)
    for _ in range(6):
        hist.end_turn()
    app.reset(DebriefScreen(app, hist))
    shot("class-debrief-epilogue")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--size", action="append", help="WxH (default: 1280x720 and 1920x1080)")
    parser.add_argument("--font-scale", type=float, default=1.0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [tuple(int(v) for v in s.split("x")) for s in (args.size or ["1280x720", "1920x1080"])]
    for size in sizes:
        for path in shoot(size, args.out, args.font_scale):
            print(path)


if __name__ == "__main__":
    main()
