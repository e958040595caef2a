"""Headless runs: play a scenario with every nation on its default behaviour, write Parquet."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from agents.controller import Controller, Level
from agents.scripted import ScheduledOrder, ScriptedOrders
from game import __version__
from game.content import Content
from game.lab import tables
from game.lab.summary import as_frame, identity_row, per_turn_frame, summary_row
from game.lab.sweep_spec import run_id
from game.saves import ControllerKind, ControllerSpec, write_save
from game.session import Game
from game.world.model import WorldModel

DEFAULT_VARIANT = "default"
"""The variant name of a game played outside a sweep's variants (the spec's own default)."""


def tables_doc(name: str) -> str:
    return f"The {name} table (README, 'Tables of a run'), as a pandas frame."


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
    """A played game. Its tables are pandas frames built on first use (`result.prices`,
    `result.table("scores")`) so a notebook pays only for what it looks at."""

    world: WorldModel
    meta: dict[str, object]
    game: Game | None = None
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """One of TABLES by name (built once, then cached on the result)."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables: {', '.join(TABLES)}")
        if name not in self._frames:
            self._frames[name] = TABLES[name](self.world)
        return self._frames[name]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, built now."""
        return {name: self.table(name) for name in TABLES}

    prices = property(lambda self: self.table("prices"), doc=tables_doc("prices"))
    flows = property(lambda self: self.table("flows"), doc=tables_doc("flows"))
    balances = property(lambda self: self.table("balances"), doc=tables_doc("balances"))
    firms = property(lambda self: self.table("firms"), doc=tables_doc("firms"))
    explanations = property(lambda self: self.table("explanations"), doc=tables_doc("explanations"))
    events = property(lambda self: self.table("events"), doc=tables_doc("events"))
    orders = property(lambda self: self.table("orders"), doc=tables_doc("orders"))
    scores = property(lambda self: self.table("scores"), doc=tables_doc("scores"))

    def summary_record(self) -> dict[str, object]:
        """The summary row as a dict: the run's identity and parameters from `meta` (a sweep's
        run id, point, replicate and variant when `run_game` was told them), then the
        measures (game.lab.summary). A sweep's workers write exactly this."""
        meta: dict[str, Any] = self.meta
        point, replicate = int(meta.get("point", 0)), int(meta.get("replicate", 0))
        identity = identity_row(
            str(meta.get("run_id") or run_id(point, replicate)),
            point,
            replicate,
            str(meta["scenario"]),
            str(meta.get("variant", DEFAULT_VARIANT)),
            int(meta["seed"]),
            dict(meta.get("params") or {}).items(),
        )
        return {**identity, **summary_row(self.world, len(self.game.controller_errors) if self.game else 0)}

    @property
    def summary(self) -> pd.DataFrame:
        """The one-row summary a sweep keeps of this game: the same columns and values as the
        sweep's row for the same scenario, seed, parameters and controllers."""
        return as_frame([self.summary_record()])

    @property
    def per_turn(self) -> pd.DataFrame:
        """The per-turn series a sweep keeps when asked (game.lab.summary)."""
        return per_turn_frame(self.world, str(self.meta.get("run_id", "")))


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
        # markets that did not reach equilibrium (turn, stage, mineral): filter on it if it matters
        "unsettled_markets": [
            [r.turn, stage, mineral] for r in world.records for stage, mineral in r.unsettled
        ],
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
