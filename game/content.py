"""Load and validate `content/` into one immutable `Content`.

Every problem is reported as `file: field: problem`, all at once, so a content author
fixes a whole batch per run; nothing here raises a raw pydantic or TOML traceback.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import lodestone_content
from pydantic import BaseModel, ValidationError

from game.rules import (
    Event,
    EventFile,
    ExportControl,
    Firm,
    FirmFile,
    Mineral,
    Nation,
    ProjectFile,
    ProjectTemplate,
    Scenario,
    Tariff,
    Zone,
)
from game.rules import events as ev
from game.rules.calibration import MineralCalibration, placed_country
from game.rules.orders import ORDER_KINDS, Order

DEFAULT_ROOT = Path(lodestone_content.__file__).resolve().parent
SUBDIRS = ("minerals", "nations", "firms", "events", "scenarios")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


def _natural(text: str) -> list[object]:
    """Sort key that puts schedule[2] before schedule[10]."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


class ContentError(Exception):
    """Raised with every problem found; `str()` is one `file: field: problem` per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, _natural(p.field), p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Content:
    """Validated content. Mappings are read-only and ordered by id for determinism."""

    root: Path
    minerals: Mapping[str, Mineral]
    nations: Mapping[str, Nation]
    firms: tuple[Firm, ...]
    projects: Mapping[str, ProjectTemplate]
    events: Mapping[str, Event]
    scenarios: Mapping[str, Scenario]
    content_hash: str = field(default="")

    def scenario(self, scenario_id: str) -> Scenario:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(self.scenarios)
            raise KeyError(f"unknown scenario {scenario_id!r}; known: {known}") from None


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return str(path)


MAX_TOML_BYTES = 8 * 2**20
"""Every content file, script and spec is a few KB; a bigger file is not one of them."""
MAX_TOML_DEPTH = 32
"""No schema nests deeper than a handful of levels; deeper is junk, refused before it recurses."""


class TomlFileError(Exception):
    """A TOML file that cannot be read or parsed: `field` is `(file)` or `(toml)`."""

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


def nesting_depth(value: Any, limit: int) -> int:
    """Depth of nested lists and dicts, counted without recursion and stopping past `limit`."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return deepest


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict, or TomlFileError saying why not: missing, a folder, unreadable,
    too big, not UTF-8, not TOML, or nested deeper than any schema (tomllib recurses, so deep
    arrays would otherwise end in RecursionError)."""
    try:
        if path.is_dir():
            raise TomlFileError("(file)", "is a folder, not a file")
        size = path.stat().st_size
        if size > MAX_TOML_BYTES:
            raise TomlFileError(
                "(file)", f"is {size / 2**20:.0f} MB, too big (at most {MAX_TOML_BYTES >> 20} MB)"
            )
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise TomlFileError("(file)", "no such file") from None
    except UnicodeDecodeError:
        raise TomlFileError("(file)", "is not UTF-8 text") from None
    except (OSError, RuntimeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TomlFileError("(file)", f"cannot be read ({reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError("(toml)", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise TomlFileError("(toml)", f"nested more than {MAX_TOML_DEPTH} levels deep") from None
    if nesting_depth(data, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        raise TomlFileError("(toml)", f"nested more than {MAX_TOML_DEPTH} levels deep")
    return data


# ---------------------------------------------------------------------------- errors


def _loc(loc: tuple[Any, ...], data: Any) -> str:
    """'firm[3] (cn_li).capacity_tpy' from a pydantic location, naming list items by id."""
    parts: list[str] = []
    node = data
    for i, item in enumerate(loc):
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f" ({node['id']})"
            else:
                node = None
            parts.append(label)
        else:
            name = str(item)
            # pydantic puts the union's tag right after the effect's index: skip it once.
            tag = i >= 2 and isinstance(loc[i - 1], int) and loc[i - 2] == "effects"
            if name in ev.EFFECT_TAGS and tag:
                continue  # discriminator tag: the list index already says which effect
            if name == "[key]":
                continue  # a bad mapping key: the path already ends in the key itself
            if name in ORDER_KINDS and i >= 1 and loc[i - 1] == "order":
                continue  # the order's own `kind` tag, likewise
            parts.append(("." if parts else "") + name)
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(file)"


def _message(err: Mapping[str, Any]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    shown = repr(value) if isinstance(value, str) else value
    bounds = {
        "greater_than_equal": ">=",
        "greater_than": ">",
        "less_than_equal": "<=",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(int(v) if isinstance(v, float) and v.is_integer() else v for v in ctx.values())
        return f"must be {bounds[kind]} {limit}, got {shown}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not in the schema)"
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}, got {shown}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind in {"too_short", "too_long"}:
        return f"{err['msg'].lower()}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}, got {shown}"
    msg = str(err["msg"])
    return f"{msg[0].lower()}{msg[1:]}, got {shown}" if value is not None else msg


def _validation_problems(file: str, exc: ValidationError, data: Any) -> list[Problem]:
    return [Problem(file, _loc(tuple(e["loc"]), data), _message(e)) for e in exc.errors(include_url=False)]


M = TypeVar("M", bound=BaseModel)


def _parse(path: Path, model: type[M], problems: list[Problem], broken: set[str]) -> M | None:
    """Parse and validate one file. The ids a file declares are added to `broken` when it
    fails, so references to them are not reported again as dangling."""
    file = display_path(path)
    try:
        data = read_toml(path)
    except TomlFileError as exc:
        problems.append(Problem(file, exc.field, exc.problem))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(file, exc, data))
        items = [data, *(x for v in data.values() if isinstance(v, list) for x in v)]
        broken.update(x["id"] for x in items if isinstance(x, dict) and isinstance(x.get("id"), str))
        return None


# ---------------------------------------------------------------------------- loading


def content_hash(root: Path) -> str:
    """blake2b over every content file's relative path and bytes: stable across machines."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(root.rglob("*.toml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _files(root: Path, sub: str) -> list[Path]:
    folder = root / sub
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def load_content(root: Path | str | None = None) -> Content:
    """Load every file under `root`, validate schemas and cross-references.

    Raises ContentError listing every problem; never a TOML or pydantic traceback.
    """
    root = Path(root) if root is not None else DEFAULT_ROOT
    if not root.is_dir():
        raise ContentError([Problem(display_path(root), "(folder)", "content folder not found")])
    if not any((root / sub).is_dir() for sub in SUBDIRS):
        expected = ", ".join(f"{sub}/" for sub in SUBDIRS)
        raise ContentError([Problem(display_path(root), "(folder)", f"not a content folder (no {expected})")])
    problems: list[Problem] = []
    origin: dict[int, str] = {}  # id(model) -> file, for cross-reference messages
    broken: set[str] = set()  # ids declared by files that failed: not reported as dangling

    def by_id(paths: list[Path], model: type[M], check_stem: bool) -> dict[str, M]:
        out: dict[str, M] = {}
        for path in paths:
            item = _parse(path, model, problems, broken)
            if item is None:
                continue
            file = display_path(path)
            item_id = item.id
            if check_stem and path.stem != item_id:
                problems.append(
                    Problem(file, "id", f"must match the file name {path.stem!r}, got {item_id!r}")
                )
            if item_id in out:
                problems.append(Problem(file, "id", f"duplicate id {item_id!r}"))
                continue
            out[item_id] = item
            origin[id(item)] = file
        return out

    minerals = by_id(_files(root, "minerals"), Mineral, True)
    nations = by_id(_files(root, "nations"), Nation, True)
    scenarios = by_id(_files(root, "scenarios"), Scenario, True)

    def gather(paths: list[Path], model: type[M], attr: str) -> list[tuple[str, int, Any]]:
        items: list[tuple[str, int, Any]] = []
        for path in paths:
            parsed = _parse(path, model, problems, broken)
            if parsed is not None:
                items.extend((display_path(path), i, x) for i, x in enumerate(getattr(parsed, attr)))
        return items

    firm_items = gather(_files(root, "firms"), FirmFile, "firm")
    event_items = gather(_files(root, "events"), EventFile, "event")
    project_path = root / "projects.toml"
    there = project_path.exists() or project_path.is_symlink()  # a broken link is reported, not skipped
    project_items = gather([project_path] if there else [], ProjectFile, "template")

    def unique(items: list[tuple[str, int, Any]], kind: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for file, i, item in items:
            if item.id in out:
                problems.append(Problem(file, f"{kind}[{i}] ({item.id}).id", f"duplicate id {item.id!r}"))
            else:
                out[item.id] = item
                origin[id(item)] = f"{file}\0{kind}[{i}] ({item.id})"
        return out

    firms = unique(firm_items, "firm")
    events = unique(event_items, "event")
    projects = unique(project_items, "template")

    check = _CrossChecker(problems, minerals, nations, events, projects, broken, tuple(firms.values()))
    for m in minerals.values():
        file = origin[id(m)]
        for stage, shares in (("mine", m.reference_shares.mine), ("refining", m.reference_shares.refining)):
            for country in shares:
                check.nation(file, f"reference_shares.{stage}.{country}", country)
    for n in nations.values():
        file = origin[id(n)]
        for sector, per_mineral in n.demand.items():
            for mineral in per_mineral:
                check.mineral(file, f"demand.{sector.value}.{mineral}", mineral)
        if n.stockpile:
            for mineral in n.stockpile.tonnes:
                check.mineral(file, f"stockpile.tonnes.{mineral}", mineral)
    for f in firms.values():
        file, where = origin[id(f)].split("\0")
        check.mineral(file, f"{where}.mineral", f.mineral)
        check.nation(file, f"{where}.country", f.country)
        check.nation(file, f"{where}.owner", f.owner)
    for p in projects.values():
        file, where = origin[id(p)].split("\0")
        check.mineral(file, f"{where}.mineral", p.mineral)
    for e in events.values():
        file, where = origin[id(e)].split("\0")
        for i, effect in enumerate(e.effects):
            check.effect(file, f"{where}.effects[{i}]", effect)
    for s in scenarios.values():
        check.scenario(origin[id(s)], s)

    if problems:
        raise ContentError(problems)
    return Content(
        root=root,
        minerals=MappingProxyType(dict(sorted(minerals.items()))),
        nations=MappingProxyType(dict(sorted(nations.items()))),
        firms=tuple(sorted(firms.values(), key=lambda f: f.id)),
        projects=MappingProxyType(dict(sorted(projects.items()))),
        events=MappingProxyType(dict(sorted(events.items()))),
        scenarios=MappingProxyType(dict(sorted(scenarios.items()))),
        content_hash=content_hash(root),
    )


MAX_EVENT_TONNES = 1e8
"""A composed event moving more than 100 Mt of a mineral (world output is at most a few Mt
a year) is a typo, and numbers that large overflow the market's arithmetic."""
MAX_EVENT_BUDGET_USD_M = 1e7


def event_problems(event: Event, content: Content, scenario: str) -> list[tuple[str, str]]:
    """(field, problem) for every way an event composed during play (a facilitator's) names
    something not in `scenario`, or moves an implausible amount: library events are checked
    with the content, but a composed one arrives with the game running, so it is checked here
    before it is queued, and again when a save holding it is loaded."""
    s = content.scenarios[scenario]
    problems: list[Problem] = []
    check = _CrossChecker(
        problems,
        {m: content.minerals[m] for m in s.minerals if m in content.minerals},
        {n: content.nations[n] for n in s.nations if n in content.nations},
        content.events,
        content.projects,
        set(),
        content.firms,
    )
    for i, effect in enumerate(event.effects):
        where = f"effects[{i}]"
        check.effect("", where, effect)
        if isinstance(effect, ev.StockpileChange):
            for name, value, limit in (
                ("target_tonnes", effect.target_tonnes, MAX_EVENT_TONNES),
                ("budget_usd_m", effect.budget_usd_m, MAX_EVENT_BUDGET_USD_M),
            ):
                if not value <= limit:  # also refuses inf and nan
                    problems.append(Problem("", f"{where}.{name}", f"must be <= {limit:g}, got {value:g}"))
    return [
        (
            p.field,
            p.message.replace("unknown nation", "not a nation of this scenario:").replace(
                "unknown mineral", "not a mineral of this scenario:"
            ),
        )
        for p in problems
    ]


@dataclass
class _CrossChecker:
    """Checks that every id a file mentions names something that exists."""

    problems: list[Problem]
    minerals: Mapping[str, Mineral]
    nations: Mapping[str, Nation]
    events: Mapping[str, Event]
    projects: Mapping[str, ProjectTemplate]
    broken: set[str]
    firms: tuple[Firm, ...] = ()

    def add(self, file: str, where: str, message: str) -> None:
        self.problems.append(Problem(file, where, message))

    def _ref(self, table: Mapping[str, Any], kind: str) -> Callable[[str, str, str], None]:
        def check(file: str, where: str, ref: str) -> None:
            if ref not in table and ref not in self.broken:
                self.add(file, where, f"unknown {kind} {ref!r}")

        return check

    def mineral(self, file: str, where: str, ref: str) -> None:
        self._ref(self.minerals, "mineral")(file, where, ref)

    def nation(self, file: str, where: str, ref: str) -> None:
        self._ref(self.nations, "nation")(file, where, ref)

    def control(self, file: str, where: str, c: ExportControl) -> None:
        self.nation(file, f"{where}.issuer", c.issuer)
        self.mineral(file, f"{where}.mineral", c.mineral)
        for j, t in enumerate(c.targets):
            self.nation(file, f"{where}.targets[{j}]", t)

    def tariff(self, file: str, where: str, t: Tariff) -> None:
        self.nation(file, f"{where}.issuer", t.issuer)
        self.mineral(file, f"{where}.mineral", t.mineral)
        for j, o in enumerate(t.origins):
            self.nation(file, f"{where}.origins[{j}]", o)

    def zone(self, file: str, where: str, z: Zone) -> None:
        for j, m in enumerate(z.members):
            self.nation(file, f"{where}.members[{j}]", m)
        for mineral in (*z.external_tariff_pct, *z.price_floor_usd_per_t):
            self.mineral(file, f"{where}.{mineral}", mineral)

    def effect(self, file: str, where: str, effect: Any) -> None:
        match effect:
            case ev.SupplyShock():
                self.mineral(file, f"{where}.mineral", effect.mineral)
                self.nation(file, f"{where}.country", effect.country)
            case ev.DemandShock():
                self.mineral(file, f"{where}.mineral", effect.mineral)
                if effect.country is not None:
                    self.nation(file, f"{where}.country", effect.country)
            case ev.ImposeControl():
                self.control(file, f"{where}.control", effect.control)
            case ev.LiftControl():
                self.nation(file, f"{where}.issuer", effect.issuer)
                self.mineral(file, f"{where}.mineral", effect.mineral)
            case ev.ImposeTariff():
                self.tariff(file, f"{where}.tariff", effect.tariff)
            case ev.FormZone():
                self.zone(file, f"{where}.zone", effect.zone)
            case ev.StockpileChange():
                self.nation(file, f"{where}.nation", effect.nation)
                self.mineral(file, f"{where}.mineral", effect.mineral)
            case ev.NewCapacity():
                self.template(file, f"{where}.template", effect.template)
                self.nation(file, f"{where}.country", effect.country)
                self.nation(file, f"{where}.owner", effect.owner)
            case ev.Technology():
                self.mineral(file, f"{where}.mineral", effect.mineral)
            case ev.TreasuryChange():
                self.nation(file, f"{where}.nation", effect.nation)
            case ev.OrderEffect():
                self.order(file, f"{where}.order", effect.order)

    def template(self, file: str, where: str, ref: str) -> None:
        if ref not in self.projects and ref not in self.broken:
            self.add(file, where, f"unknown project template {ref!r}")

    def order(self, file: str, where: str, order: Order) -> None:
        """Every id an order names that content defines (zones and proposals are made in play,
        so only the world can check those)."""
        for name, value in order:
            match name:
                case "issuer" | "buyer" | "seller" | "country" | "nation":
                    self.nation(file, f"{where}.{name}", value)
                case "targets" | "origins" | "invite" | "to":
                    for j, n in enumerate(value):
                        self.nation(file, f"{where}.{name}[{j}]", n)
                case "mineral":
                    self.mineral(file, f"{where}.{name}", value)
                case "external_tariff_pct" | "price_floor_usd_per_t":
                    for mineral in value:
                        self.mineral(file, f"{where}.{name}.{mineral}", mineral)
                case "template":
                    self.template(file, f"{where}.{name}", value)

    def in_scenario(
        self, file: str, where: str, s: Scenario, mineral: str | None, country: str | None
    ) -> None:
        """A reference to a mineral or nation that exists but is not in this scenario's cast."""
        if mineral is not None:
            self.mineral(file, f"{where}.mineral", mineral)
            if mineral in self.minerals and mineral not in s.minerals:
                self.add(file, f"{where}.mineral", f"{mineral!r} is not in this scenario's minerals")
        if country is not None:
            self.nation(file, f"{where}.country", country)
            if country in self.nations and country not in s.nations:
                self.add(file, f"{where}.country", f"{country!r} is not in this scenario's nations")

    def not_a_playable_policy(self, file: str, where: str, s: Scenario, event_id: str, how: str) -> None:
        """Chance and triggers decide the world, not a nation's policy: a human may be playing it."""
        event = self.events.get(event_id)
        if event is None:
            return
        playable = set(s.playable)
        for effect in event.effects:
            actors = [n for n in ev.policy_actors(effect) if n in playable]
            if actors:
                self.add(
                    file,
                    f"{where}.event",
                    f"{how} event {event_id!r} decides the policy of playable nation {actors[0]!r} "
                    f"({effect.type}): leave that to the nation's controller",
                )
                return

    def scenario(self, file: str, s: Scenario) -> None:
        for i, n in enumerate(s.nations):
            self.nation(file, f"nations[{i}]", n)
        for i, m in enumerate(s.minerals):
            self.mineral(file, f"minerals[{i}]", m)
        in_play = set(s.nations)
        for i, c in enumerate(s.export_controls):
            self.control(file, f"export_controls[{i}]", c)
            for who in [c.issuer, *c.targets]:
                if who in self.nations and who not in in_play:
                    self.add(file, f"export_controls[{i}]", f"{who!r} is not in this scenario's nations")
                    break
        for i, t in enumerate(s.tariffs):
            self.tariff(file, f"tariffs[{i}]", t)
        for i, z in enumerate(s.zones):
            self.zone(file, f"zones[{i}]", z)
        for i, st in enumerate(s.stockpiles):
            self.nation(file, f"stockpiles[{i}].nation", st.nation)
            self.mineral(file, f"stockpiles[{i}].mineral", st.mineral)
        for i, se in enumerate(s.schedule):
            if se.event not in self.events and se.event not in self.broken:
                self.add(file, f"schedule[{i}].event", f"unknown event {se.event!r}")
            if s.turn_of(se.date) >= s.turns:
                self.add(file, f"schedule[{i}].date", f"{se.date} is after the last turn")
        drawn = {e.event for e in s.random_events} | {e.event for e in s.conditional_events}
        for i, re_ in enumerate(s.random_events):
            where = f"random_events[{i}]"
            if re_.event not in self.events and re_.event not in self.broken:
                self.add(file, f"{where}.event", f"unknown event {re_.event!r}")
            self.not_a_playable_policy(file, where, s, re_.event, "random")
            if re_.not_before is not None and s.turn_of(re_.not_before) >= s.turns:
                self.add(file, f"{where}.not_before", f"{re_.not_before} is after the last turn")
            for j, other in enumerate(re_.excludes):
                if other not in drawn:
                    self.add(
                        file,
                        f"{where}.excludes[{j}]",
                        f"{other!r} is not one of this scenario's random or conditional events",
                    )
        for i, ce in enumerate(s.conditional_events):
            where = f"conditional_events[{i}]"
            if ce.event not in self.events and ce.event not in self.broken:
                self.add(file, f"{where}.event", f"unknown event {ce.event!r}")
            self.not_a_playable_policy(file, where, s, ce.event, "conditional")
            for j, trigger in enumerate(ce.when):
                self.in_scenario(file, f"{where}.when[{j}]", s, trigger.mineral, trigger.country)
        for nation in s.briefings:
            if nation not in in_play:
                self.add(file, f"briefings.{nation}", "not one of this scenario's nations")
        for nation in s.objectives:
            self.nation(file, f"objectives.{nation}", nation)
            if nation in self.nations and nation not in in_play:
                self.add(file, f"objectives.{nation}", "not one of this scenario's nations")
        for nation in s.playable:
            if nation not in s.briefings:
                self.add(file, f"briefings.{nation}", "a playable nation needs a briefing")
        for mineral, cal in s.calibration.items():
            self.mineral(file, f"calibration.{mineral}", mineral)
            if mineral in self.minerals and mineral not in s.minerals:
                self.add(file, f"calibration.{mineral}", f"{mineral!r} is not in this scenario's minerals")
            self.calibration(file, f"calibration.{mineral}", s, mineral, cal)
        for i, price in enumerate(s.epilogue.prices if s.epilogue else []):
            self.in_scenario(file, f"epilogue.prices[{i}]", s, price.mineral, None)

    def calibration(self, file: str, where: str, s: Scenario, mineral: str, cal: MineralCalibration) -> None:
        """Countries and nations a calibration names must be in the scenario; a country given a
        capacity must have firms of that stage to scale (else the figure would silently vanish)."""
        in_play = set(s.nations)
        for stage in ("mine", "refinery", "recycler"):
            capacity = getattr(cal, stage)
            if capacity is None:
                continue
            for country, tpy in capacity.tpy.items():
                at = f"{where}.{stage}.tpy.{country}"
                self.nation(file, at, country)
                if country in self.nations and country not in in_play:
                    self.add(file, at, f"{country!r} is not in this scenario's nations")
                elif tpy > 0 and not any(
                    f.mineral == mineral
                    and f.kind.value == stage
                    and placed_country(f.country, in_play) == country
                    for f in self.firms
                ):
                    self.add(file, at, f"no {stage} firm of {mineral} in {country!r} to scale")
        if cal.demand is not None:
            for nation in cal.demand.nation_shares_pct:
                at = f"{where}.demand.nation_shares_pct.{nation}"
                self.nation(file, at, nation)
                if nation in self.nations and nation not in in_play:
                    self.add(file, at, f"{nation!r} is not in this scenario's nations")
