"""Scripted policies: orders fixed in advance by turn, from a TOML file or from Python.

A researcher states a policy without writing a controller:

    [[orders]]
    turn = 4
    kind = "stockpile"
    issuer = "japan"
    action = "buy"
    mineral = "rare_earths"
    tonnes = 2000
    budget_usd_m = 300

Each `[[orders]]` table is an order (the same models as everyone's) plus the turn it is
submitted for. The file is validated whole before the game starts: an error names the
file, the order's position and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from agents.observation import Observation
from game.rules.ids import Frozen
from game.rules.orders import ORDER_ADAPTER, Order


class ScriptError(Exception):
    pass


class ScheduledOrder(Frozen):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    order: Order


class ScriptedOrders:
    """Submits the orders scheduled for this nation and turn, nothing else."""

    def __init__(self, nation: str, orders: Iterable[ScheduledOrder]) -> None:
        self.nation = nation
        self.by_turn: dict[int, list[Order]] = {}
        for s in orders:
            if s.order.issuer == nation:
                self.by_turn.setdefault(s.turn, []).append(s.order)

    def decide(self, observation: Observation) -> list[Order]:
        return list(self.by_turn.get(observation.turn, []))


def load_order_script(path: Path | str) -> list[ScheduledOrder]:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScriptError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScriptError(f"{path}: not valid TOML: {err}") from None
    unknown = set(raw) - {"orders"}
    if unknown:
        raise ScriptError(f"{path}: unknown section {sorted(unknown)[0]!r}; a script has only [[orders]]")
    return parse_orders(raw.get("orders", []), str(path))


def parse_orders(entries: object, where: str) -> list[ScheduledOrder]:
    """Scheduled orders from `[[orders]]` tables already read (a script file, or orders
    written inline in another file such as a sweep spec); errors start with `where`."""
    if not isinstance(entries, list):
        raise ScriptError(f"{where}: orders: must be an array of tables ([[orders]])")
    scheduled = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "turn" not in entry:
            raise ScriptError(f"{where}: orders[{i}]: turn: every order needs the turn it is for")
        body = {k: v for k, v in entry.items() if k != "turn"}
        try:
            scheduled.append(ScheduledOrder(turn=entry["turn"], order=ORDER_ADAPTER.validate_python(body)))
        except ValidationError as err:
            first = err.errors()[0]
            loc = [str(p) for p in first["loc"]]
            field = ".".join(loc[1:] if loc and loc[0] in {"order", body.get("kind")} else loc) or "order"
            raise ScriptError(
                f"{where}: orders[{i}] ({body.get('kind', '?')}): {field}: {first['msg']}"
            ) from None
    return scheduled
