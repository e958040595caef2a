"""Teams on their own machines, on loopback: a host and three headless clients play a few
quarters of *Ministerial 2026*. Each client is sent only its own team's observation and
queue (a secret phrase in every team's orders never reaches another client); a client
that drops rejoins its seat with its token and finds its queue; a quarter resolves when
every team has ended or when the timer runs out; the save replays bit-identically."""

from __future__ import annotations

import asyncio
import json

import pytest

from game.content import Content
from game.net.client import Client, Watcher
from game.net.host import Host
from game.saves import Room, hash_pin, read_save, write_save
from game.session import Game
from game.ui.hosted import HostedWargame, command

TEAMS = ["china", "united_states", "japan"]
SECRET = {t: f"secret-of-{t}-{k}" for k, t in enumerate(TEAMS)}


def orders(team: str, turn: int) -> list[dict]:
    """Every team sends a diplomatic message to an AI nation with its secret phrase, and
    one real lever."""
    say = {"kind": "message", "to": ["india"], "tone": "summit", "text": f"{SECRET[team]} turn {turn}"}
    lever = {
        "china": {"kind": "export_control", "mineral": "gallium", "stage": "refined", "instrument": "ban",
                  "targets": ["japan"]},
        "united_states": {"kind": "fund_rnd", "programme": "recycling", "mineral": "gallium",
                          "budget_usd_m": 20},
        "japan": {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 400 + turn,
                  "budget_usd_m": 20},
    }[team]  # fmt: skip
    return [say, lever] if turn == 0 or team != "china" else [say]


def human_game(content: Content) -> Game:
    from game.saves import ControllerKind, ControllerSpec

    specs = {t: ControllerSpec(kind=ControllerKind.HUMAN) for t in TEAMS}
    game = Game(content, "ministerial-2026", seed=11, controllers=dict.fromkeys(TEAMS), specs=specs)
    game.set_room(Room(teams=TEAMS, pin=hash_pin("5555")))
    return game


async def play(content: Content, tmp_path) -> tuple[Game, dict[str, Client], Watcher]:
    host = Host(human_game(content), TEAMS)
    port = await host.start("127.0.0.1", 0)
    session = HostedWargame(host)
    clients = {t: Client(t) for t in TEAMS}
    room = Watcher()  # the projector (`lodestone room`)
    save = tmp_path / "c.json"
    try:
        feed = await room.connect("127.0.0.1", port)
        assert feed.waiting == TEAMS and feed.clock.startswith("2026 Q1")
        for team, client in clients.items():
            welcome = await client.connect("127.0.0.1", port)
            assert welcome.team == team and client.observation.nation == team
        # a second client cannot take a seat that is taken
        thief = Client("japan")
        with pytest.raises(ConnectionRefusedError, match="taken"):
            await thief.connect("127.0.0.1", port)
        for turn in range(3):
            for team, client in clients.items():  # at the same time, in any order
                for order in orders(team, turn):
                    verdict = await client.submit(order, note=f"why {team} {turn}")
                    assert verdict.accepted, verdict.reason
                    assert all(o["issuer"] == team for o in verdict.queued)
            if turn == 0:  # the typed console: a team's queue, rulings, injects, the length
                assert "0: " in await command(session, "queued japan", save)
                amended = await command(session, "amend japan 1 tonnes=350 Half now, half next quarter", save)
                assert amended.startswith("Amended Team Japan's order"), amended
                await asyncio.sleep(0.05)
                assert clients["japan"].queued[1]["tonnes"] == 350  # told at once, with its queue
                refused = await command(session, "amend japan 1 tonnes=-5 Nonsense", save)
                assert refused.startswith("Ruling:"), refused
                vetoed = await command(session, "veto japan 1 No new stockpiles this round", save)
                assert vetoed.startswith("Vetoed Team Japan's order"), vetoed
                assert [o.kind for o in host.game.world.desk.queued_by("japan")] == ["message"]
                await asyncio.sleep(0.05)
                assert [o["kind"] for o in clients["japan"].queued] == ["message"]  # told at once
                assert "next turn" in await command(session, "inject tut_lithium_ev_surge", save)
                assert "no event" in await command(session, "inject no_such_event", save)
                upcoming = session.upcoming()
                assert upcoming and "0: " in await command(session, "injects", save)
                moved = await command(session, "reschedule 0 9", save)
                assert moved.startswith("Moved the inject"), moved
                assert session.room.schedule[-1].action == "reschedule"
                assert "Length" in await command(session, "length 99", save)  # refused: too long
                assert "ends after 9 quarters" in await command(session, "length 9", save)
                assert host.game.length == 9
            if turn == 1:
                # Japan's connection drops mid-turn; it rejoins with its token, queue intact
                japan = clients["japan"]
                token, queued = japan.token, len(host.game.world.desk.queued_by("japan"))
                await japan.close()
                await asyncio.sleep(0.05)
                again = Client("japan")
                welcome = await again.connect("127.0.0.1", port, token=token)
                assert len(welcome.queued) == queued and welcome.team == "japan"
                again.received = japan.received + again.received
                clients["japan"] = again
                assert "delivered" in await command(session, "say Five minutes left.", save)
            for team, client in clients.items():
                verdict = await client.end_turn()
                assert verdict.accepted
                if team != TEAMS[-1]:
                    assert host.game.turn == turn  # waits for every team
            results = [await c.resolved() for c in clients.values()]
            assert {r.world_hash for r in results} == {host.game.world_hashes[-1]}
            for team, client in clients.items():
                assert client.observation.nation == team and client.turn == turn + 1
        assert all("Five minutes left." in c.notices for c in clients.values())
        assert b"vetoed your order (Stockpile" in b"".join(clients["japan"].received)  # before it rejoined
        assert b"amended your order" in b"".join(clients["japan"].received)
        assert not any(b"vetoed" in b"".join(c.received) for t, c in clients.items() if t != "japan")
        # the timer: nobody ends the turn, the quarter resolves anyway
        host.timer_seconds = 0.3
        host._start_timer()
        await clients["japan"].submit(orders("japan", 3)[1])
        await asyncio.wait_for(clients["china"].resolved(), 30)
        assert host.game.turn == 4
        # the PIN gives a seat back to a team that lost its token
        lost = Client("china")
        await lost.connect("127.0.0.1", port, pin="5555")
        assert lost.token and lost.token != clients["china"].token
        await lost.close()
        assert room.feed.clock.startswith("2027 Q1") and len(room.feed.price) == len(room.feed.minerals)
        return host.game, clients, room
    finally:
        await room.close()
        for client in clients.values():
            await client.close()
        await host.close()


def test_three_teams_on_loopback_see_only_their_own_and_replay(content: Content, tmp_path) -> None:
    game, clients, room = asyncio.run(play(content, tmp_path))
    # the room view is sent the room's public feed and nothing else: no team's orders,
    # observation, queue, score or message
    raw = b"".join(room.received)
    assert all(json.loads(line)["kind"] == "room" for line in room.received) and len(room.received) > 10
    assert not any(SECRET[t].encode() in raw for t in TEAMS)
    for private in (b"observation", b"queued", b"score", b"treasury", b"Five minutes", b"vetoed", b"token"):
        assert private not in raw, private
    for team, client in clients.items():
        raw = b"".join(client.received)
        assert SECRET[team].encode() in raw  # its own queue came back to it
        for other in TEAMS:
            if other != team:
                assert SECRET[other].encode() not in raw, f"{team} was sent {other}'s orders"
        sent = [json.loads(line) for line in client.received]
        observations = [m["observation"] for m in sent if "observation" in m]
        assert len(observations) >= 4  # a welcome and a resolution a quarter
        assert all(o["nation"] == team for o in observations)  # every one its own
        statuses = [m for m in sent if m["kind"] == "status"]
        assert statuses and all(set(m["ended"]) <= set(TEAMS) for m in statuses)  # who ended, not what
    saved = read_save(write_save(game.to_save(), tmp_path / "net.json"))
    assert len(saved.wargame.rationales) >= 9
    assert [(r.action, r.team) for r in saved.wargame.rulings] == [("amend", "japan"), ("veto", "japan")]
    assert saved.wargame.rulings[0].amended.tonnes == 350
    assert [e.action for e in saved.wargame.schedule] == ["reschedule"] and saved.wargame.turns == 9
    assert any(a.action.kind == "inject_event" for a in saved.facilitator)
    assert Game.from_save(content, saved).world_hashes == game.world_hashes
    assert len(game.world_hashes) == 4


def test_the_host_refuses_junk_without_falling_over(content: Content) -> None:
    async def run() -> list[bytes]:
        host = Host(human_game(content), TEAMS)
        port = await host.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        replies = []
        for line in (b"not json\n", b'{"kind": "end_turn"}\n', b'{"kind": "join", "team": "atlantis"}\n',
                     b'{"kind": "submit", "order": {}}\n'):  # fmt: skip
            writer.write(line)
            await writer.drain()
            replies.append(await reader.readline())
        client = Client("japan")
        await client.connect("127.0.0.1", port)
        buy = {
            "kind": "stockpile",
            "action": "buy",
            "mineral": "rare_earths",
            "tonnes": 10,
            "budget_usd_m": 1,
        }
        verdict = await client.submit({**buy, "issuer": "china"})
        assert all(o["issuer"] == "japan" for o in verdict.queued)  # a team speaks only for itself
        bad = await client.submit({"kind": "no_such_order"})
        assert not bad.accepted and "not a valid order" in bad.reason
        await client.close()
        writer.close()
        await host.close()
        return replies

    replies = asyncio.run(run())
    assert all(b'"kind":"error"' in r for r in replies)
    assert b"join a seat first" in replies[1] and b"no seat for atlantis" in replies[2]


def test_host_and_join_commands_refuse_bad_input(cli) -> None:
    bad = cli("host", "--teams", "china,atlantis")
    assert bad.exit_code == 2 and "atlantis" in bad.stderr and "not nations of ministerial-2026" in bad.stderr
    assert cli("join", "localhost", "--team", "japan").exit_code == 2
    assert cli("room", "localhost").exit_code == 2  # no port
    nobody = cli("room", "127.0.0.1:1")  # nothing listens there (or no display): a message, exit 2
    assert nobody.exit_code == 2 and "127.0.0.1:1" in nobody.stderr


def test_lodestone_host_and_join_on_loopback(tmp_path) -> None:
    """The two commands as a director runs them: a host process and a terminal client."""
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    save = tmp_path / "room.json"
    env = {**os.environ, "COLUMNS": "200"}
    run = [sys.executable, "-m", "game.cli"]
    host = subprocess.Popen(
        [*run, "host", "--terminal", "--scenario", "tutorial", "--teams", "japan,australia", "--port",
         str(port), "--save", str(save), "--turns", "3"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        order = json.dumps({"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 300,
                            "budget_usd_m": 10})  # fmt: skip
        joined = subprocess.run(
            [*run, "join", f"127.0.0.1:{port}", "--team", "japan", "--terminal"],
            input=f"order {order} # keep magnets flowing\nquit\n", capture_output=True, text=True, env=env,
            timeout=120,
        )  # fmt: skip
        assert joined.returncode == 0, joined.stderr
        assert "Team japan seated" in joined.stdout and "queued" in joined.stdout
        out, _ = host.communicate("save\nquit\n", timeout=60)
    finally:
        if host.poll() is None:
            host.kill()
    assert "hosting Tutorial" in out and "Team Japan joined" in out
    saved = read_save(save)
    assert saved.wargame.teams == ["japan", "australia"] and saved.orders[0].order.tonnes == 300
    assert saved.wargame.rationales[0].note == "keep magnets flowing"


def test_the_typed_console_rewinds_with_a_reason_and_the_teams_play_again(content: Content, tmp_path) -> None:
    async def run() -> None:
        host = Host(human_game(content), TEAMS)
        port = await host.start("127.0.0.1", 0)
        session = HostedWargame(host)
        japan = Client("japan")
        try:
            await japan.connect("127.0.0.1", port)
            save = tmp_path / "room.json"
            assert "now 2026 Q2" in await command(session, "resolve", save)
            await japan.resolved()
            assert "Rewind:" in await command(session, "rewind 9 Too far", save)  # not reached yet
            said = await command(session, "rewind 1 The inject fired a quarter early", save)
            assert said.startswith("Rewound to the start of 2026 Q1"), said
            assert host.game is session.game and host.game.turn == 0
            for _ in range(100):  # the team is sent the turn it plays again, at once
                if japan.rewinds:
                    break
                await asyncio.sleep(0.02)
            assert japan.observation.turn == 0 and japan.queued == []
            assert any("inject fired a quarter early" in n for n in japan.notices)
            verdict = await japan.submit(orders("japan", 0)[1])
            assert verdict.accepted and host.game.world.desk.queued_by("japan")
            assert "rewound to 2026 Q1" in await command(session, "log", save)
            saved = read_save(write_save(host.game.to_save(), tmp_path / "r.json"))
            assert saved.wargame.rewinds[-1].reason == "The inject fired a quarter early"
            assert saved.branches and saved.turn == 0
        finally:
            await japan.close()
            await host.close()

    asyncio.run(run())
