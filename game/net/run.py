"""`lodestone host` and `lodestone join` without a window: the host's console on stdin and
a team's terminal client.

The host runs the game and the facilitator's commands (say, pause, resume, resolve, save,
status, quit) on the machine it is started on, autosaving the whole room after every
quarter. A terminal client shows its team's situation after each quarter and takes orders
as JSON (the same fields as `lodestone run --orders`).
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

from game.content import Content
from game.net.client import Client
from game.net.host import Host
from game.saves import ControllerKind, ControllerSpec, Room, hash_pin, seal_key, write_save
from game.session import Game, Level
from game.world.mechanisms.registry import describe

HOST_HELP = (
    "commands: say TEXT | say TEAM TEXT | pause | resume | resolve | status | queued TEAM | "
    "veto TEAM N NOTE | inject EVENT_ID | save | quit"
)
JOIN_HELP = 'commands: order {"kind": ...} [# note] | queue | withdraw N | end | show | quit'


def new_room_game(
    content: Content,
    scenario: str,
    teams: list[str],
    seed: int = 0,
    pin: str = "",
    turns: int | None = None,
    level: str = "normal",
    team_events: str = "news",
) -> Game:
    """A new game whose teams play over the network (and a room: the teams' policy is
    theirs, the PIN as its hash, a shorter length if asked)."""
    specs = {t: ControllerSpec(kind=ControllerKind.HUMAN) for t in teams}
    game = Game(content, scenario, seed, controllers=dict.fromkeys(teams), level=Level(level), specs=specs)
    pin_hash = hash_pin(pin) if pin else None
    game.set_room(Room(teams=list(teams), pin=pin_hash, turns=turns, team_events=team_events))
    game.sealer = seal_key(pin, pin_hash) if pin_hash else None  # its saves are sealed under the PIN
    return game


async def _lines(prompt: str = "") -> str | None:
    line = await asyncio.to_thread(sys.stdin.readline)
    return line if line else None


async def serve(
    game: Game,
    teams: list[str],
    bind: str,
    port: int,
    save: Path,
    timer_seconds: float = 0.0,
    echo: Callable[[str], None] = print,
) -> None:
    """Run the host until the game is over or the facilitator quits; the room is saved to
    `save` after every quarter and on the way out."""
    host = Host(game, teams, timer_seconds=timer_seconds, on_change=echo)
    actual = await host.start(bind, port)
    echo(f"hosting {game.world.scenario.name} on {bind}:{actual} for {', '.join(teams)}")
    echo(f"teams join with: lodestone join HOST:{actual} --team TEAM")
    echo(HOST_HELP)
    turn = game.turn

    async def autosave() -> None:
        nonlocal turn
        while not game.over:
            await asyncio.sleep(0.5)
            if game.turn != turn:
                turn = game.turn
                write_save(game.to_save(), save, game.sealer)
                echo(f"saved {save} at {game.world.scenario.date_of(min(turn, game.length - 1))}")

    saver = asyncio.create_task(autosave())
    try:
        while not game.over:
            line = await _lines()
            if line is None:
                await asyncio.sleep(3600)  # no console (stdin closed): serve on
                continue
            answer = await command(host, line, save)
            if answer is None:
                break
            if answer:
                echo(answer)
    finally:
        saver.cancel()
        write_save(game.to_save(), save, game.sealer)
        echo(f"saved {save}")
        await host.close()


async def command(host: Host, line: str, save: Path) -> str | None:
    """One line of the facilitator's console: the answer to print, or None to stop."""
    game, teams = host.game, host.teams
    words = line.strip().split(" ", 3)
    cmd = words[0].lower() if words and words[0] else ""
    if cmd == "say" and len(words) > 1:
        to = [words[1]] if words[1] in teams and len(words) > 2 else []
        text = " ".join(words[2:]) if to else " ".join(words[1:])
        return "sent" if await host.broadcast(text, to) else "not sent"
    if cmd in ("pause", "resume"):
        await host.pause(cmd == "pause")
        return "paused" if host.paused else "resumed"
    if cmd == "resolve":
        await host.resolve()
        return f"resolved; now {game.world.scenario.date_of(min(game.turn, game.length - 1))}"
    if cmd == "status":
        seated = [t for t, s in host.seats.items() if s.writer is not None]
        return (
            f"turn {game.turn + 1}/{game.length}; connected: {', '.join(seated) or 'none'}; "
            f"ended: {', '.join(sorted(host.done)) or 'none'}"
        )
    if cmd == "queued" and len(words) > 1 and words[1] in teams:
        queued = game.world.desk.queued_by(words[1])
        return "\n".join(f"{k}: {describe(o)}" for k, o in enumerate(queued)) or "nothing queued"
    if cmd == "veto" and len(words) > 3 and words[2].isdigit():
        return await host.veto(words[1], int(words[2]), words[3]) or "vetoed"
    if cmd == "inject" and len(words) > 1:
        return await host.inject(words[1]) or "injected: it happens at the start of next quarter"
    if cmd == "save":
        return f"saved {write_save(game.to_save(), save, game.sealer)}"
    if cmd == "quit":
        return None
    return HOST_HELP if cmd else ""


def describe_observation(client: Client) -> str:
    """What the team reads after each quarter (its own observation only)."""
    obs = client.observation
    if obs is None:
        return ""
    score = "—" if math.isnan(obs.score) else f"{obs.score:.1f}"
    money = f"${obs.treasury_usd_m:,.0f}m"
    lines = [f"{obs.date} (turn {obs.turn + 1}/{obs.turns_total}) · score {score} · treasury {money}"]
    short = obs.shortfall.sum(axis=1)
    need = obs.need.sum(axis=1)
    for m, mineral in enumerate(obs.minerals):
        fill = 100 * (1 - short[m] / need[m]) if need[m] > 0 else 100.0
        lines.append(f"  {mineral}: ${obs.refined_price[m, obs.me]:,.0f}/t, supplied {fill:.0f} %")
    lines += [f"  news: {n.headline}" for n in obs.news[-6:]]
    lines += [f"  reply: {r}" for r in obs.replies[-6:]]
    return "\n".join(lines)


async def join_terminal(address: str, team: str, token: str | None, pin: str | None, echo=print) -> None:
    host, _, port = address.rpartition(":")
    client = Client(team)
    welcome = await client.connect(host or "127.0.0.1", int(port), token=token, pin=pin)
    echo(f"Team {team} seated. Your token (to rejoin after a lost connection): {welcome.token}")
    echo(describe_observation(client))
    echo(JOIN_HELP)
    waiting: asyncio.Task | None = None
    try:
        while not client.over:
            if waiting is not None and waiting.done():
                waiting = None
                echo(describe_observation(client))
            for text in client.notices:
                echo(f"FACILITATOR: {text}")
            client.notices.clear()
            line = await _lines()
            if line is None:
                break
            cmd, _, rest = line.strip().partition(" ")
            if cmd == "order":
                body, _, note = rest.partition("#")
                try:
                    order = json.loads(body)
                except json.JSONDecodeError as err:
                    echo(f"order: not JSON ({err})")
                    continue
                v = await client.submit(order, note=note.strip())
                echo("queued" if v.accepted else f"refused: {v.reason}")
            elif cmd == "queue":
                v = await client.withdraw(10_000)
                echo("\n".join(json.dumps(o) for o in v.queued) or "nothing queued")
            elif cmd == "withdraw" and rest.strip().isdigit():
                v = await client.withdraw(int(rest))
                echo("withdrawn" if v.accepted else v.reason)
            elif cmd == "end":
                v = await client.end_turn()
                echo("turn ended: waiting for the other teams" if v.accepted else v.reason)
                if v.accepted:
                    waiting = asyncio.create_task(client.resolved(timeout=24 * 3600))
                    await waiting
            elif cmd == "show":
                echo(describe_observation(client))
            elif cmd == "quit":
                break
            elif cmd:
                echo(JOIN_HELP)
    finally:
        await client.close()
