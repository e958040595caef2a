"""Headless runs: play a scenario with every nation on its default behaviour, write Parquet."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from agents.controller import Controller, Level
from agents.scripted import ScheduledOrder, ScriptedOrders
from game import __version__
from game.content import Content
from game.lab import tables
from game.saves import ControllerKind, ControllerSpec, write_save
from game.session import Game
from game.world.model import WorldModel

TABLES: dict[str, Callable[[WorldModel], pd.DataFrame]] = {
    "prices": tables.prices,
    "flows": tables.flows,
    "balances": tables.balances,
    "firms": tables.firms,
    "explanations": tables.explanations,
    "events": tables.events,
    "orders": tables.orders,
    "scores": tables.scores,
}


@dataclass(frozen=True)
class RunResult:
    world: WorldModel
    meta: dict[str, object]
    game: Game | None = None


def play(
    content: Content,
    scenario: str,
    seed: int,
    turns: int | None = None,
    on_turn: Callable[[WorldModel], None] | None = None,
    controllers: Mapping[str, Controller | None] | None = None,
    level: Level = Level.NORMAL,
    script: list[ScheduledOrder] | None = None,
    script_name: str | None = None,
) -> RunResult:
    """Play a scenario headless: every nation on its doctrine unless `controllers` says
    otherwise; nations that appear in `script` follow it instead of their doctrine."""
    specs: dict[str, ControllerSpec] = {}
    chosen = dict(controllers or {})
    for nation in sorted({s.order.issuer for s in script or []}):
        chosen[nation] = ScriptedOrders(nation, script or [])
        specs[nation] = ControllerSpec(kind=ControllerKind.SCRIPT, script=script_name)
    game = Game(content, scenario, seed, controllers=chosen, level=level, specs=specs or None)
    world = game.world
    n = world.scenario.turns if turns is None else turns
    for _ in range(n):
        game.play_turn()
        if on_turn:
            on_turn(world)
    meta = {
        "scenario": world.scenario.id,
        "content_hash": content.content_hash,
        "seed": seed,
        "turns": n,
        "package_version": __version__,
        "world_hash": [r.world_hash for r in world.records],
    }
    return RunResult(world, meta, game)


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for sharing
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_tables(result: RunResult, out: Path) -> list[Path]:
    """Write the tables and meta.json; byte-identical for the same scenario, seed and code."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TABLES.items():
        path = out / f"{name}.parquet"
        frame = build(result.world)
        _atomic_write(path, lambda p, f=frame: f.to_parquet(p, index=False, compression="zstd"))
        written.append(path)
    if result.game is not None:
        write_save(result.game.to_save(), out / "game.json")
        written.append(out / "game.json")
    meta_path = out / "meta.json"
    _atomic_write(meta_path, lambda p: p.write_text(json.dumps(result.meta, indent=1) + "\n"))
    written.append(meta_path)
    return written
