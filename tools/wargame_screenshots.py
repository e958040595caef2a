"""Save the wargame's screens and printouts for review by eye: the team briefing and its
one-page pack, the hand-over, the facilitator console, injects & rulings, the room view
(in the main window and in its own), the hand-over after a team's time ran out, the
hot-wash report's pages, and a hosted game (the host's console, a team's window and order
panel, the room client).

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy python tools/wargame_screenshots.py [--out DIR]

Plays *Ministerial 2026* with three teams (United States, China, Japan) and a PIN for a
few quarters: an inject moved, one disabled, a ruling, a message, a rewind with a reason.
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

TEAMS = ["china", "united_states", "japan"]


def shoot(out: Path, size: tuple[int, int] = (1280, 720)) -> list[Path]:
    import pygame
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from game.report.hotwash import _page, build_hotwash, pdf_pages
    from game.report.teampack import render, team_pack
    from game.ui.app import create_app
    from game.ui.screens.room import InjectsScreen, RoomScreen
    from game.ui.screens.wargame import FacilitatorScreen, HandOverScreen, TeamBriefingScreen
    from game.ui.settings import Settings
    from game.ui.wargame import Wargame

    home = Path(tempfile.mkdtemp(prefix="lodestone-wargame-shots-"))
    app = create_app(Settings(width=size[0], height=size[1], sound=False), home=home, headless=True)
    saved: list[Path] = []

    def shot(name: str) -> None:
        app.toasts.clear()
        for _ in range(3):
            app.step()
        path = out / f"wargame-{len(saved):02d}-{name}.png"
        pygame.image.save(app.window, path)
        saved.append(path)

    def figure(name: str, fig) -> None:
        FigureCanvasAgg(fig)
        path = out / f"wargame-{len(saved):02d}-{name}.png"
        fig.savefig(path, dpi=80)
        saved.append(path)

    session = Wargame.new(app.content, "ministerial-2026", TEAMS, seed=7, pin="2468", timer_minutes=20)
    app.reset(HandOverScreen(app, session))
    shot("hand-over")
    app.reset(TeamBriefingScreen(app, session, "japan"))
    shot("team-briefing")
    figure("team-pack-japan", render(team_pack(session.game, "japan")))

    game = session.game
    upcoming = session.upcoming()
    session.reschedule_inject(next(i for i in upcoming if i.event == "cn_oct_package_returns_2026"), 3)
    session.disable_inject(next(i for i in upcoming if i.event == "cn_us_ban_returns_2026"))
    session.set_length(12)
    for turn in range(3):
        japan = session.play("japan")
        buy = {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "budget_usd_m": 40}
        japan.submit({**buy, "tonnes": 800 + 100 * turn})
        session.set_rationale("japan", japan.queued()[-1], "Six months of magnet demand in reserve")
        china = session.play("china")
        ban = {"kind": "export_control", "mineral": "gallium", "stage": "refined", "instrument": "ban"}
        talk = {"kind": "message", "to": ["japan"], "tone": "summit", "text": "Talks?"}
        china.submit({**ban, "targets": ["japan"]} if turn == 1 else talk)
        if turn == 1:
            session.amend("japan", 0, {"tonnes": 500}, "The Diet approved only 500 t this quarter")
            session.broadcast("Ten minutes left in this round.", [])
            session.inject_library("tut_lithium_ev_surge")
        game.play_turn()
    session.rewind(2, "Replay 2026 Q3: the US team had misread the ban")
    for _ in range(2):
        game = session.game
        session.play("united_states").submit(
            {"kind": "fund_rnd", "programme": "recycling", "mineral": "gallium", "budget_usd_m": 30}
        )
        game.play_turn()
    session.play("china").submit(
        {
            "kind": "export_control",
            "mineral": "germanium",
            "stage": "refined",
            "instrument": "ban",
            "targets": ["japan"],
        }
    )
    session.done = {"china"}
    session.pause(True)
    app.reset(HandOverScreen(app, session))
    shot("hand-over-paused")
    session.pause(False)
    # a team's own seat: its map with the room's clock, its report, an order form with "Why?"
    japan = session.play("japan")
    japan.refresh()
    app.reset(app.make("main", japan, session))
    shot("team-map")
    app.open("orders", japan, "stockpile", "rare_earths")
    shot("order-form-why")
    app.reset(HandOverScreen(app, session))
    console = app.push(FacilitatorScreen(app, session))
    shot("console")
    console.revealed = True
    console.refresh()
    shot("console-revealed")
    console.revealed = False
    injects = app.push(InjectsScreen(app, session))
    injects.team = "china"
    injects.rebuild()
    shot("injects-and-rulings")
    app.pop()
    room = app.push(RoomScreen(app, session))
    room.mineral = "gallium"
    room.show()
    shot("room-view")
    app.pop()
    # the room view in its own window (the projector's), beside the seats
    from game.ui.roomwindow import open_room_window

    window = open_room_window(app, session)
    if window is not None:
        window.screen.mineral = "gallium"
        window.screen.show()
        for _ in range(3):
            app.step()
        path = out / f"wargame-{len(saved):02d}-room-window.png"
        pygame.image.save(window.render(pygame.Surface(window.size)), path)
        saved.append(path)
        window.close()
    # the turn timer ran out on Japan's seat: the next hand-over says so
    session.sit("japan")
    session.expire()
    session.team_done("japan")
    app.reset(HandOverScreen(app, session))
    shot("hand-over-time-up")
    session.done.discard("japan")
    session.timeout_notice = ""

    saved += remote_client(app, out, len(saved))
    report = build_hotwash(session.game)
    for k, (title, lines) in enumerate(pdf_pages(report)):
        figure(f"hotwash-page-{k + 1}", _page(title, lines))
    for name, fig in report.figures.items():
        figure(f"hotwash-{name.lower().replace(' ', '-')}", fig)

    # last (it plays a quarter): Japan's seat after the room resolves, with its turn report
    session.resolve()
    session.briefed.add("japan")
    HandOverScreen(app, session).sit_down_as("japan")
    shot("team-turn-report")
    return saved


def remote_client(app, out: Path, start: int) -> list[Path]:
    """A hosted game on loopback: the host's console window, a team's window (`lodestone
    join`) and its order panel, and the room's projector (`lodestone room`)."""
    import pygame

    from game.net.host import Host
    from game.net.remote import RemoteRoom, RemoteSeat
    from game.net.run import new_room_game
    from game.ui.hosted import HostedWargame
    from game.ui.screens.remote import RemoteTeamScreen
    from game.ui.screens.spectator import RoomClientScreen

    saved: list[Path] = []

    def shot(name: str) -> None:
        app.toasts.clear()
        for _ in range(3):
            app.step()
        path = out / f"wargame-{start + len(saved):02d}-{name}.png"
        pygame.image.save(app.window, path)
        saved.append(path)

    game = new_room_game(app.content, "ministerial-2026", TEAMS, seed=7, timer_minutes=15)
    host = Host(game, TEAMS, timer_seconds=900)
    port = host.start_in_thread("127.0.0.1", 0)
    seats = {t: RemoteSeat(f"127.0.0.1:{port}", t) for t in TEAMS}
    room = RemoteRoom(f"127.0.0.1:{port}")
    try:
        for seat in seats.values():
            seat.connect()
        seats["china"].end_turn().result(30)
        session = HostedWargame(host)
        session.broadcast("Ministers meet in ten minutes.", [])
        screen = app.reset(RemoteTeamScreen(app, seats["japan"]))
        panel = app.open("orders", screen.play, "stockpile", "rare_earths")
        panel.set_field("tonnes", "600")
        panel.set_field("budget", "30")
        panel.why.set_text("Magnets for the winter")
        panel.do_submit()
        panel.set_field("tonnes", "250")
        shot("remote-order-panel")
        app.pop()
        shot("remote-team-window")
        app.reset(app.make("facilitator", session))
        shot("host-console")
        room.connect()
        app.reset(RoomClientScreen(app, room))
        shot("room-client")
    finally:
        for seat in seats.values():
            seat.close()
        room.close()
        host.stop_thread()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in shoot(args.out):
        print(path)


if __name__ == "__main__":
    main()
