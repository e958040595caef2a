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

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from agents.observation import Observation
from game.content import Content, TomlFileError, read_toml
from game.rules.ids import Frozen
from game.rules.orders import ORDER_ADAPTER, ORDER_KINDS, Order


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
        raw = read_toml(path)
    except TomlFileError as err:
        raise ScriptError(f"{path}: {err.field}: {err.problem}") from None
    unknown = set(raw) - {"orders"}
    if unknown:
        raise ScriptError(
            f"{path}: {sorted(unknown)[0]}: unknown section; a script has only [[orders]] tables"
        )
    return parse_orders(raw.get("orders", []), str(path))


def parse_orders(entries: object, where: str) -> list[ScheduledOrder]:
    """Scheduled orders from `[[orders]]` tables already read (a script file, or orders
    written inline in another file such as a sweep spec); errors start with `where`."""
    if not isinstance(entries, list):
        raise ScriptError(f"{where}: orders: must be an array of tables ([[orders]])")
    scheduled = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ScriptError(f"{where}: orders[{i}]: must be a table of the order's fields")
        if "turn" not in entry:
            raise ScriptError(f"{where}: orders[{i}]: turn: every order needs the turn it is for")
        body = {k: v for k, v in entry.items() if k != "turn"}
        if isinstance(entry["turn"], bool):  # pydantic would read `true` as turn 1
            raise ScriptError(f"{where}: orders[{i}] ({body.get('kind', '?')}): turn: must be an integer")
        try:
            scheduled.append(ScheduledOrder(turn=entry["turn"], order=ORDER_ADAPTER.validate_python(body)))
        except ValidationError as err:
            first = err.errors()[0]
            loc = [str(p) for p in first["loc"]]
            if first["loc"][:1] == ("turn",):
                loc = ["turn"]
            field = ".".join(loc[1:] if loc and loc[0] in {"order", body.get("kind")} else loc)
            if not field:  # the order's own validator (fields that contradict each other), or no kind
                field = "(order)" if body.get("kind") in ORDER_KINDS else "kind"
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ScriptError(f"{where}: orders[{i}] ({body.get('kind', '?')}): {field}: {message}") from None
    return scheduled


NATION_FIELDS = ("issuer", "buyer", "seller", "country", "nation")
NATION_LISTS = ("targets", "origins", "invite", "to")
ZONE_USERS = ("invite_to_zone", "join_zone", "leave_zone", "share_stockpile")


def check_script(
    scheduled: Sequence[ScheduledOrder],
    content: Content,
    scenario: str,
    where: str,
    last_turn: int | None = None,
) -> list[str]:
    """Problems that make a script's orders refused whatever happens in the game, one
    `where: orders[i] (kind): field: problem` each: a nation, mineral, project template or
    zone that is not in `scenario`, an order aimed at its own issuer, a turn the game never
    reaches (`last_turn`, default the scenario's last). Found before the game starts, so a
    typo costs a second, not a whole run whose orders were quietly refused."""
    s = content.scenarios[scenario]
    nations, minerals = set(s.nations), set(s.minerals)
    last = s.turns - 1 if last_turn is None else last_turn
    zones = {z.id for z in s.zones}
    founded = {
        getattr(so.order, "zone", None): so.turn for so in scheduled if so.order.kind == "propose_zone"
    }
    problems: list[str] = []
    for i, so in enumerate(scheduled):
        order = so.order
        found: list[tuple[str, str]] = []  # (field, problem)
        if so.turn > last:
            found.append(("turn", f"turn {so.turn} is never played (the game's last turn is {last})"))
        for name, value in order:
            if name in NATION_FIELDS and value not in nations:
                found.append((name, f"{value!r} is not a nation of scenario {scenario!r}"))
            elif name in NATION_LISTS:
                for j, n in enumerate(value):
                    if n not in nations:
                        found.append((f"{name}[{j}]", f"{n!r} is not a nation of scenario {scenario!r}"))
                    elif n == order.issuer and name != "origins":
                        found.append((f"{name}[{j}]", f"{n!r} is the issuer itself"))
            elif name == "mineral" and value not in minerals:
                found.append((name, f"{value!r} is not a mineral of scenario {scenario!r}"))
            elif name in ("external_tariff_pct", "price_floor_usd_per_t"):
                found += [
                    (f"{name}.{m}", f"{m!r} is not a mineral of scenario {scenario!r}")
                    for m in value
                    if m not in minerals
                ]
            elif name == "template" and value not in content.projects:
                found.append((name, f"{value!r} is not a project template"))
        zone = getattr(order, "zone", None)
        if order.kind == "propose_zone" and zone in zones:
            found.append(("zone", f"zone {zone!r} already exists in scenario {scenario!r}"))
        elif order.kind in ZONE_USERS and zone not in zones and founded.get(zone, last + 1) > so.turn:
            found.append(("zone", f"no zone {zone!r}: not in scenario {scenario!r} nor proposed by then"))
        problems += [f"{where}: orders[{i}] ({order.kind}): {field}: {problem}" for field, problem in found]
    return problems
