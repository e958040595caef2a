"""The host's window is the game's facilitator console, bound to teams at their own
machines (headless, on loopback): a message and a pause reach every team at once, a ruling
made on the Injects & rulings screen reaches the team with its queue, the length reaches
the teams, and a rewind with its reason sends each team the turn it plays again."""

from __future__ import annotations

from game.net.host import Host
from game.net.remote import RemoteSeat
from tests.test_net import TEAMS, human_game
from tests.test_ui_remote import wait_for
from tests.test_ui_wargame import press, screen_text
from tests.window import App, frames, key, pygame

BUY = {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 420, "budget_usd_m": 20}


def choose(app: App, menu, option: tuple[str, str]) -> None:
    """A choice in a drop-down menu, as pygame-gui reports it."""
    import pygame_gui

    menu.selected_option = option
    pygame.event.post(
        pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, ui_element=menu, text=option[0])
    )
    frames(app, 2)


def test_the_hosts_console_window_runs_a_networked_game(app: App, content, tmp_path) -> None:
    from game.ui.hosted import HostedWargame

    host = Host(human_game(content), TEAMS)
    port = host.start_in_thread("127.0.0.1", 0)
    seats = {t: RemoteSeat(f"127.0.0.1:{port}", t) for t in TEAMS}
    try:
        for seat in seats.values():
            seat.connect()
        session = HostedWargame(host)
        console = app.push(app.make("facilitator", session))
        frames(app, 2)
        assert not console.close.alive()  # the host's window is the console: nothing to close to
        # before the first quarter nothing is measured: said so, not "no need" for every nation
        text = console.world_box.html_text
        assert "no quarter yet" in text and "no need" not in text
        # a message to every team, at once
        console.message_entry.set_text("Ministers meet in ten minutes.")
        press(app, console.send)
        wait_for(app, lambda: all("Ministers meet in ten minutes." in s.notices for s in seats.values()))
        # pause shows on every team's machine, and a paused team cannot end its turn
        press(app, console.pause)
        wait_for(app, lambda: all(s.status is not None and s.status.paused for s in seats.values()))
        assert not seats["china"].end_turn().result(10).accepted
        press(app, console.pause)
        wait_for(app, lambda: all(not s.status.paused for s in seats.values()))
        # Japan queues an order; the console's rulings screen sees it arrive and amends it
        assert seats["japan"].submit(BUY, "Magnets").result(10).accepted
        wait_for(app, lambda: "1 queued, playing" in console.world_box.html_text)
        press(app, console.plan)
        rulings = app.top
        choose(app, rulings.team_menu, ("Team Japan", "japan"))
        wait_for(app, lambda: "Stockpile 420 t" in screen_text(app))
        rulings.order_list.item_list[0]["selected"] = True
        rulings.note_entry.set_text("Half of it: the budget committee says so")
        rulings.changes_entry.set_text("tonnes=210")
        press(app, rulings.amend)
        wait_for(app, lambda: seats["japan"].queued and seats["japan"].queued[0]["tonnes"] == 210)
        assert any("amended your order" in n for n in seats["japan"].notices)
        assert not any("amended" in n for t, s in seats.items() if t != "japan" for n in s.notices)
        rulings.length_entry.set_text("8")
        press(app, rulings.set_length)
        assert host.game.length == 8
        wait_for(app, lambda: any("8 quarters" in n for n in seats["china"].notices))
        key(app, pygame.K_ESCAPE)
        assert app.top is console
        key(app, pygame.K_ESCAPE)
        assert app.top is console and not console.close.alive()
        # every team ends: the quarter resolves on the host, and the console follows
        for seat in seats.values():
            assert seat.end_turn().result(10).accepted
        wait_for(app, lambda: host.game.turn == 1 and "2026 Q2" in console.header.text, 120)
        app.window.fill((0, 0, 0))
        frames(app, 2)
        pygame.image.save(app.window, str(tmp_path / "host-console.png"))
        # rewind to the first quarter, with a reason: each team plays it again
        console.reason_entry.set_text("Japan's delegation arrived late")
        console.values["rewind"] = "0"
        press(app, console.rewind)
        key(app, pygame.K_y)  # the confirm dialog
        wait_for(app, lambda: all(s.observation.turn == 0 for s in seats.values()), 120)
        assert host.game is session.game and host.game.turn == 0 and not host.done
        assert all(s.client.rewinds == 1 and s.queued == [] for s in seats.values())
        assert any("delegation arrived late" in n for n in seats["united_states"].notices)
        assert session.room.rewinds[-1].reason == "Japan's delegation arrived late"
        assert app.top.name == "facilitator"
        # and the teams play on in the rewound game
        assert seats["japan"].submit(BUY).result(10).accepted
        assert [o.kind for o in host.game.world.desk.queued_by("japan")] == ["stockpile"]
        # the end of the game, from the console, is told to every team
        press(app, app.top.end_game)  # the console after the rewind
        key(app, pygame.K_y)
        wait_for(app, lambda: all("The facilitator has ended the game." in s.notices for s in seats.values()))
    finally:
        for seat in seats.values():
            seat.close()
        host.stop_thread()
