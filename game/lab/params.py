"""Vary content by dotted path: `minerals.lithium.market.demand_elasticity = 0.5`.

A sweep, an experiment script or a notebook changes numbers in the loaded content, never
in the files, so every run still starts from the one validated content (its hash is
recorded next to the parameters). A path names one number:

    minerals.<id>.<field>...          nations.<id>.<field>...       firms.<id>.<field>...
    projects.<id>.<field>...          events.<id>.<field>...        scenarios.<id>.<field>...
    scenario.<field>...               (the scenario being run, whichever it is)

Inside, `.name` is a model field or a mapping key, `[3]` a list item and
`[nation=japan,mineral=gallium]` the one list item whose fields have those values (safer
than a position when the list is edited). Only numbers can be set (not booleans, ids or
dates), and the changed object is validated again by its own pydantic model, so a value out
of the schema's range (`demand_elasticity = 5`) or one that breaks a model rule is refused
with the schema's own message, exactly as a content file with that value would be.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from game.content import Content

COLLECTIONS = ("minerals", "nations", "firms", "projects", "events", "scenarios")
"""Roots that are followed by an id; `scenario` (the run's own) is followed by a field."""
ROOTS = (*COLLECTIONS, "scenario")

_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]|(\.)")


class ParamError(ValueError):
    """A parameter that cannot be applied; `path` is the dotted path, `problem` says why."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


Step = str | int | tuple[tuple[str, str], ...]
"""A field or key name, a list index, or a list selector ((field, value), ...)."""


def parse_path(path: str) -> list[Step]:
    """Steps of a path: 'scenario.stockpiles[nation=japan].tonnes' gives
    ['scenario', 'stockpiles', (('nation', 'japan'),), 'tonnes']."""
    steps: list[Step] = []
    pos = 0
    expect_name = True
    for match in _TOKEN.finditer(path):
        if match.start() != pos:
            raise ParamError(path, f"cannot read the path at {path[pos:]!r}")
        pos = match.end()
        name, bracket, dot = match.groups()
        if dot:
            if expect_name:
                raise ParamError(path, "empty name between dots")
            expect_name = True
        elif name is not None:
            if not expect_name:
                raise ParamError(path, f"a '.' is missing before {name!r}")
            steps.append(name.strip())
            expect_name = False
        else:
            if not steps:
                raise ParamError(path, "a path starts with a name, not [...]")
            steps.append(_selector(path, bracket or ""))
            expect_name = False
    if pos != len(path) or not steps:
        raise ParamError(path, "not a dotted path (e.g. minerals.lithium.market.demand_elasticity)")
    if expect_name:
        raise ParamError(path, "ends with a '.'")
    return steps


def _selector(path: str, text: str) -> int | tuple[tuple[str, str], ...]:
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    pairs = []
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise ParamError(path, f"[{text}]: a list item is chosen by [index] or [field=value,...]")
        pairs.append((key.strip(), value.strip().strip("'\"")))
    return tuple(pairs)


def _show(step: Step) -> str:
    if isinstance(step, int):
        return f"[{step}]"
    if isinstance(step, tuple):
        return "[" + ",".join(f"{k}={v}" for k, v in step) + "]"
    return step


def _field_value(item: Any, key: str) -> Any:
    value = getattr(item, key, None) if isinstance(item, BaseModel) else None
    return getattr(value, "value", value)  # enums compare by their spelling


def _descend(path: str, node: Any, step: Step, where: str) -> Any:
    """The child of `node` that `step` names, with an error that says what exists instead."""
    if isinstance(step, str):
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            if step not in fields:
                known = ", ".join(fields)
                raise ParamError(
                    path, f"{where}: no field {step!r} in {type(node).__name__} (fields: {known})"
                )
            return getattr(node, step)
        if isinstance(node, Mapping):
            for key in node:
                if str(getattr(key, "value", key)) == step:
                    return node[key]
            known = ", ".join(str(getattr(k, "value", k)) for k in node) or "none"
            raise ParamError(path, f"{where}: no key {step!r} (keys: {known})")
        raise ParamError(path, f"{where}: {type(node).__name__} has no field {step!r}")
    if not isinstance(node, list | tuple):
        raise ParamError(path, f"{where}: {_show(step)} selects a list item, but this is not a list")
    if isinstance(step, int):
        if not -len(node) <= step < len(node):
            raise ParamError(path, f"{where}: index {step} out of range (the list has {len(node)} items)")
        return node[step]
    hits = [x for x in node if all(str(_field_value(x, k)) == v for k, v in step)]
    if len(hits) != 1:
        found = "no item" if not hits else f"{len(hits)} items"
        raise ParamError(path, f"{where}: {found} match {_show(step)}; it must select exactly one")
    return hits[0]


def _index_in(node: list | tuple, step: Step) -> int:
    if isinstance(step, int):
        return step % len(node)
    return next(i for i, x in enumerate(node) if all(str(_field_value(x, k)) == v for k, v in step))


def _root(path: str, content: Content, scenario: str, steps: list[Step]) -> tuple[tuple[str, str], Any, int]:
    """((collection, id), the top-level model, steps used) for a path's first steps."""
    head = steps[0]
    if head == "scenario":
        return ("scenarios", scenario), content.scenarios[scenario], 1
    if head not in COLLECTIONS:
        raise ParamError(path, f"unknown root {head!r}; a path starts with one of {', '.join(ROOTS)}")
    if len(steps) < 3 or not isinstance(steps[1], str):
        raise ParamError(path, f"{head} is followed by an id and a field, e.g. {head}.<id>.<field>")
    item_id = steps[1]
    table = {f.id: f for f in content.firms} if head == "firms" else getattr(content, head)
    if item_id not in table:
        kind = head.removesuffix("s")
        raise ParamError(path, f"unknown {kind} {item_id!r}")
    return (head, item_id), table[item_id], 2


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _set(data: Any, model: Any, steps: list[Step], value: float) -> Any:
    """A copy of the dumped `data` (mirroring `model`) with `value` at `steps`."""
    step, rest = steps[0], steps[1:]
    if isinstance(model, BaseModel) or isinstance(data, dict):
        key = step
        if isinstance(data, dict) and not isinstance(model, BaseModel):
            key = next(k for k in data if str(getattr(k, "value", k)) == step)
        child_model = _descend("", model, step, "")
        new = dict(data)
        new[key] = value if not rest else _set(data[key], child_model, rest, value)
        return new
    index = _index_in(model, step)
    new_list = list(data)
    new_list[index] = value if not rest else _set(data[index], model[index], rest, value)
    return new_list


def _check_target(path: str, top: Any, steps: list[Step]) -> Any:
    node = top
    walked: list[str] = []
    for step in steps:
        where = ".".join(walked) or "(top)"
        node = _descend(path, node, step, where)
        walked.append(_show(step))
    if not (_is_number(node) or node is None):
        raise ParamError(path, f"is not a number (it is {type(node).__name__} {node!r}); only numbers vary")
    return node


def _problem(exc: ValidationError) -> str:
    """The schema's first message, in content's words ('must be <= 2, got 5')."""
    err = exc.errors(include_url=False)[0]
    kind, ctx = err["type"], err.get("ctx") or {}
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return f"must be {bounds[kind]} {limit:g}, got {err.get('input')!r}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return msg[0].lower() + msg[1:]


def check_path(content: Content, scenario: str, path: str) -> Any:
    """The current value at `path` (a number or None); ParamError if it names no number."""
    steps = parse_path(path)
    _, top, used = _root(path, content, scenario, steps)
    return _check_target(path, top, steps[used:])


def is_integer_field(content: Content, scenario: str, path: str) -> bool:
    """Whether the number at `path` is an int today (samples there are rounded)."""
    value = check_path(content, scenario, path)
    return isinstance(value, int) and not isinstance(value, bool)


def apply_params(content: Content, scenario: str, params: Mapping[str, float] | None) -> Content:
    """A copy of `content` with each path set to its value, each changed object validated
    again by its model. The content hash is kept: the parameters are recorded beside it."""
    if not params:
        return content
    if scenario not in content.scenarios:
        raise ParamError("scenario", f"unknown scenario {scenario!r}")
    grouped: dict[tuple[str, str], list[tuple[str, list[Step], float]]] = {}
    tops: dict[tuple[str, str], Any] = {}
    for path, value in params.items():
        if not _is_number(value):
            raise ParamError(path, f"the value must be a number, got {value!r}")
        steps = parse_path(path)
        key, top, used = _root(path, content, scenario, steps)
        _check_target(path, top, steps[used:])
        grouped.setdefault(key, []).append((path, steps[used:], float(value)))
        tops[key] = top
    changed: dict[tuple[str, str], Any] = {}
    for key, changes in grouped.items():
        top = tops[key]
        data = top.model_dump(mode="python", round_trip=True)
        for _path, steps, value in changes:
            current = _check_target(_path, top, steps)
            if isinstance(current, int) and not isinstance(current, bool) and float(value).is_integer():
                value = int(value)
            data = _set(data, top, steps, value)
        try:
            changed[key] = type(top).model_validate(data)
        except ValidationError as exc:
            raise ParamError(
                changes[0][0] if len(changes) == 1 else _blame(exc, changes), _problem(exc)
            ) from None
    return _rebuild(content, changed)


def _blame(exc: ValidationError, changes: list[tuple[str, list[Step], float]]) -> str:
    """The path whose field the first validation error is about (else all of them)."""
    loc = [str(x) for x in exc.errors(include_url=False)[0]["loc"]]
    for path, steps, _ in changes:
        names = [s for s in steps if isinstance(s, str)]
        if names and all(n in loc for n in names):
            return path
    return " + ".join(p for p, _, _ in changes)


def _rebuild(content: Content, changed: Mapping[tuple[str, str], Any]) -> Content:
    updates: dict[str, Any] = {}
    for collection in COLLECTIONS:
        mine = {item_id: model for (c, item_id), model in changed.items() if c == collection}
        if not mine:
            continue
        if collection == "firms":
            updates["firms"] = tuple(mine.get(f.id, f) for f in content.firms)
        else:
            table = dict(getattr(content, collection))
            table.update(mine)
            updates[collection] = MappingProxyType(table)
    return dataclasses.replace(content, **updates)
