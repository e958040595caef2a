"""`lodestone host` and `lodestone join` without a window: the host's console on stdin and
a team's terminal client.

The host runs the game and the facilitator's typed console (game.ui.hosted.command: the
windowed console's actions as commands) on the machine it is started on, autosaving the
whole room after every quarter. A terminal client shows its team's situation after each
quarter and takes orders as JSON (the same fields as `lodestone run --orders`).
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from game.content import Content
from game.net.client import Client
from game.net.host import Host
from game.saves import ControllerKind, ControllerSpec, Room, hash_pin, seal_key, write_save
from game.session import Game, Level

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
    timer_minutes: float = 0.0,
) -> Game:
    """A new game whose teams play over the network (and a room: the teams' policy is
    theirs, the PIN as its hash, a shorter length if asked)."""
    specs = {t: ControllerSpec(kind=ControllerKind.HUMAN) for t in teams}
    game = Game(content, scenario, seed, controllers=dict.fromkeys(teams), level=Level(level), specs=specs)
    pin_hash = hash_pin(pin) if pin else None
    room = Room(
        teams=list(teams), pin=pin_hash, turns=turns, team_events=team_events, timer_minutes=timer_minutes
    )
    game.set_room(room)
    game.sealer = seal_key(pin, pin_hash) if pin_hash else None  # its saves are sealed under the PIN
    return game


async def _lines(prompt: str = "") -> str | None:
    line = await asyncio.to_thread(sys.stdin.readline)
    return line if line else None


async def serve(
    host: Host,
    bind: str,
    port: int,
    save: Path,
    console: Callable[[str], Awaitable[str | None]],
    echo: Callable[[str], None] = print,
    help_text: str = "",
) -> None:
    """Run the host with a typed console until the game is over or the facilitator quits;
    the room is saved to `save` after every quarter (and rewind) and on the way out.
    `console` answers one typed line (None: stop); it is the facilitator's console."""
    host.on_change = echo

    def autosave() -> None:
        game = host.game
        write_save(game.to_save(), save, game.sealer)
        echo(f"saved {save} at {game.world.scenario.date_of(min(game.turn, game.length - 1))}")

    host.on_resolved = autosave
    actual = await host.start(bind, port)
    echo(f"hosting {host.game.world.scenario.name} on {bind}:{actual} for {', '.join(host.teams)}")
    echo(f"teams join with: lodestone join HOST:{actual} --team TEAM; the room: lodestone room HOST:{actual}")
    if help_text:
        echo(help_text)
    try:
        while not host.game.over:
            line = await _lines()
            if line is None:
                await asyncio.sleep(3600)  # no console (stdin closed): serve on
                continue
            answer = await console(line)
            if answer is None:
                break
            if answer:
                echo(answer)
    finally:
        write_save(host.game.to_save(), save, host.game.sealer)
        echo(f"saved {save}")
        await host.close()


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
