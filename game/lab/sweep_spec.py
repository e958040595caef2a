"""The sweep spec: which games a sweep plays, read from TOML and checked before anything runs.

    root_seed = 2026
    seeds = 20                      # replications per point
    scenarios = ["tutorial"]
    turns = 8                       # optional; default: each scenario's length

    [parameters.grid]               # every combination of the listed values
    "minerals.rare_earths.market.demand_elasticity" = [0.2, 0.4]

    [parameters.sample]             # a Latin-hypercube sample, crossed with the grid
    n = 10
    ranges = { "nations.japan.treasury_usd_m" = [100, 800] }

    [controllers]                   # optional: how nations are played
    level = "normal"                # the AI's difficulty
    doctrines = { japan = "passive" }
    script = "orders.toml"          # nations in the script follow it (agents.scripted)

    [[variants]]                    # optional: alternative controllers, crossed with the points
    name = "floor"
    script = "floor.toml"

    [outputs]
    per_turn = false                # the per-turn table (price index, shortfall, scores)

Every replication of every point uses the same seeds (common random numbers: differences
between points are the parameters, not luck), drawn from `root_seed` with
`numpy.random.SeedSequence(root_seed).spawn(seeds)`. A bad spec raises `SpecError` whose
problems read `spec.toml: field: problem`; the parameter paths are checked by applying every
grid value (and both ends of every range) to the content and validating it again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agents.controller import Level
from agents.scripted import ScheduledOrder, ScriptError, check_script, load_order_script, parse_orders
from game.content import Content, TomlFileError, read_toml
from game.lab.params import ParamError, apply_params, is_integer_field
from game.rules import Doctrine


class SpecError(Exception):
    """Every problem of a spec, one `file: field: problem` per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sample(_Strict):
    """A Latin-hypercube sample of `n` points over the ranges (one stratum per point and axis)."""

    n: Annotated[int, Field(ge=1, le=1_000_000)]
    ranges: dict[str, tuple[float, float]] = Field(min_length=1)


class Parameters(_Strict):
    grid: dict[str, list[float]] = {}
    sample: Sample | None = None

    @model_validator(mode="after")
    def _disjoint(self) -> Parameters:
        both = set(self.grid) & set(self.sample.ranges if self.sample else {})
        if both:
            raise ValueError(f"{sorted(both)[0]}: is both in the grid and in the sample")
        return self


class Controllers(_Strict):
    """How the nations are played: AI doctrines at `level`, some replaced by another doctrine,
    the nations of a script (a file, or orders written inline) by that script; `extra_orders`
    are added to the AI's own."""

    name: str = "default"
    level: Level = Level.NORMAL
    doctrines: dict[str, Doctrine] = {}
    script: str | None = None
    orders: list[dict[str, Any]] = []
    extra_orders: list[dict[str, Any]] = []
    """Orders submitted on their turn on top of what the nations' controllers decide (the
    nation keeps its AI): a policy added to an AI world rather than an AI replaced."""


class Outputs(_Strict):
    per_turn: bool = False


class SweepSpec(_Strict):
    root_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    seeds: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    scenarios: list[str] = Field(min_length=1)
    turns: Annotated[int, Field(ge=1, le=400)] | None = None
    parameters: Parameters = Parameters()
    controllers: Controllers = Controllers()
    variants: list[Controllers] = []
    outputs: Outputs = Outputs()

    @model_validator(mode="after")
    def _variant_names(self) -> SweepSpec:
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("two variants have the same name")
        return self


@dataclass(frozen=True)
class Variant:
    """A resolved controller setting: scripts read, ready to hand to a worker."""

    name: str
    level: Level
    doctrines: tuple[tuple[str, str], ...]
    script: tuple[ScheduledOrder, ...]
    extra: tuple[ScheduledOrder, ...] = ()


@dataclass(frozen=True)
class Point:
    index: int
    scenario: str
    variant: Variant
    params: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class RunTask:
    """One game of the sweep: everything a worker needs, small enough to ship."""

    run_id: str
    point: int
    replicate: int
    seed: int
    scenario: str
    variant: Variant
    params: tuple[tuple[str, float], ...]
    turns: int | None
    per_turn: bool


@dataclass(frozen=True)
class Sweep:
    """A checked spec and what follows from it: the points, the seeds, the spec hash."""

    spec: SweepSpec
    path: Path
    points: tuple[Point, ...]
    seeds: tuple[int, ...]
    spec_hash: str

    @property
    def n_runs(self) -> int:
        return len(self.points) * len(self.seeds)

    def tasks(self) -> Iterator[RunTask]:
        """Every run, lazily, in a fixed order; `run_id` depends on the point and replicate only."""
        for point in self.points:
            for rep, seed in enumerate(self.seeds):
                yield RunTask(
                    run_id=run_id(point.index, rep),
                    point=point.index,
                    replicate=rep,
                    seed=seed,
                    scenario=point.scenario,
                    variant=point.variant,
                    params=point.params,
                    turns=self.spec.turns,
                    per_turn=self.spec.outputs.per_turn,
                )

    @property
    def param_paths(self) -> list[str]:
        grid = list(self.spec.parameters.grid)
        sample = list(self.spec.parameters.sample.ranges) if self.spec.parameters.sample else []
        return grid + sample


def run_id(point: int, replicate: int) -> str:
    return f"p{point:05d}-r{replicate:04d}"


def spawn_seeds(root_seed: int, n: int) -> tuple[int, ...]:
    """`n` independent 63-bit seeds from one root (SeedSequence.spawn), as the world takes ints."""
    children = np.random.SeedSequence(root_seed).spawn(n)
    return tuple(int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children)


def latin_hypercube(ranges: dict[str, tuple[float, float]], n: int, root_seed: int) -> list[dict[str, float]]:
    """`n` points, each axis cut into `n` strata with one point per stratum, strata paired at
    random. Its generator is a child of the root seed apart from the runs' seeds."""
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(2**31 - 1,)))
    columns = {}
    for path, (low, high) in ranges.items():
        u = (rng.permutation(n) + rng.random(n)) / n
        columns[path] = low + u * (high - low)
    return [{p: float(columns[p][i]) for p in ranges} for i in range(n)]


def _format(spec_name: str, exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(x) for x in err["loc"]) or "(spec)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (not in the spec's schema)"
        problems.append(f"{spec_name}: {loc}: {msg[0].lower()}{msg[1:]}")
    return problems


def _variant(spec_path: Path, name: str, where: str, c: Controllers, problems: list[str]) -> Variant:
    script: list[ScheduledOrder] = []
    if c.script is not None:
        file = spec_path.parent / c.script
        try:
            script += load_order_script(file)
        except ScriptError as exc:
            problems.append(f"{spec_path.name}: {where}.script: {exc}")
    inline: dict[str, list[ScheduledOrder]] = {"orders": [], "extra_orders": []}
    for field, entries in (("orders", c.orders), ("extra_orders", c.extra_orders)):
        try:
            inline[field] = parse_orders(entries, f"{spec_path.name}: {where}")
        except ScriptError as exc:  # 'spec.toml: variants[1].extra_orders[0] (kind): field: problem'
            problems.append(str(exc).replace(f"{where}: orders[", f"{where}.{field}["))
    script += inline["orders"]
    extra = inline["extra_orders"]
    doctrines = tuple(sorted((n, d.value) for n, d in c.doctrines.items()))
    return Variant(name=name, level=c.level, doctrines=doctrines, script=tuple(script), extra=tuple(extra))


def load_spec(path: Path | str, content: Content, overrides: dict[str, Any] | None = None) -> Sweep:
    """Read, validate and expand a spec; SpecError with every problem found, nothing run.
    `overrides` replaces top-level keys (a script's `--seeds 10` for a quick run)."""
    path = Path(path)
    name = path.name
    try:
        raw = read_toml(path)
    except TomlFileError as exc:
        raise SpecError([f"{name}: {exc.field}: {exc.problem}"]) from None
    raw.update(overrides or {})
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(_format(name, exc)) from None
    return expand(spec, path, content)


def expand(spec: SweepSpec, path: Path, content: Content) -> Sweep:
    """Check a parsed spec against the content and list its points."""
    name = path.name
    problems: list[str] = []
    for i, scenario in enumerate(spec.scenarios):
        if scenario not in content.scenarios:
            known = ", ".join(content.scenarios)
            problems.append(f"{name}: scenarios[{i}]: unknown scenario {scenario!r}; known: {known}")
    scenarios = [s for s in spec.scenarios if s in content.scenarios]
    grid = spec.parameters.grid
    sample = spec.parameters.sample
    integer: set[str] = set()
    for field, path_values in [("grid", grid), ("sample.ranges", sample.ranges if sample else {})]:
        for param, values in path_values.items():
            where = f"{name}: parameters.{field}.{param}"
            if not values:
                problems.append(f"{where}: empty grid (give at least one value)")
                continue
            if field == "sample.ranges" and values[0] > values[1]:
                problems.append(f"{where}: the low end {values[0]:g} is above the high end {values[1]:g}")
                continue
            for scenario in scenarios:
                try:
                    if is_integer_field(content, scenario, param):
                        integer.add(param)
                    for value in dict.fromkeys(values):
                        apply_params(content, scenario, {param: value})
                except ParamError as exc:
                    problems.append(
                        f"{where}: {exc.problem}" + (f" (scenario {scenario})" if len(scenarios) > 1 else "")
                    )
                    break
    settings = spec.variants or [spec.controllers]
    variants = []
    for i, c in enumerate(settings):
        where = f"variants[{i}]" if spec.variants else "controllers"
        if spec.variants:  # a variant says what differs from [controllers]
            c = spec.controllers.model_copy(update={k: getattr(c, k) for k in c.model_fields_set})
        variant = _variant(path, c.name, where, c, problems)
        for scenario in scenarios:
            nations = set(content.scenarios[scenario].nations)
            named = [n for n, _ in variant.doctrines] + [
                s.order.issuer for s in variant.script + variant.extra
            ]
            for nation in dict.fromkeys(named):
                if nation not in nations:
                    problems.append(f"{name}: {where}: {nation!r} is not a nation of scenario {scenario!r}")
            last = min(spec.turns or content.scenarios[scenario].turns, content.scenarios[scenario].turns) - 1
            for field, scheduled in (("orders", variant.script), ("extra_orders", variant.extra)):
                found = check_script(scheduled, content, scenario, f"{name}: {where}", last_turn=last)
                problems += [p.replace(f"{where}: orders[", f"{where}.{field}[", 1) for p in found]
        variants.append(variant)
    if not problems:
        size = _size_problem(name, spec, len(scenarios), len(variants))
        problems += [size] if size else []
    if problems:
        raise SpecError(problems)
    combos = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    samples = latin_hypercube(sample.ranges, sample.n, spec.root_seed) if sample else [{}]
    for s in samples:
        for param in integer & set(s):
            s[param] = float(round(s[param]))
    points = []
    for scenario in scenarios:
        for variant in variants:
            for combo in combos:
                for s in samples:
                    params = tuple({**combo, **s}.items())
                    points.append(Point(len(points), scenario, variant, params))
    return Sweep(
        spec, path, tuple(points), spawn_seeds(spec.root_seed, spec.seeds), spec_hash(spec, variants)
    )


MAX_POINTS = 100_000
MAX_RUNS = 10_000_000


def _size_problem(name: str, spec: SweepSpec, n_scenarios: int, n_variants: int) -> str | None:
    """A spec whose points or runs are too many to list is refused with the size it would
    make, before anything is built (a sample of a million crossed with a grid would try)."""
    grid = math.prod(len(v) for v in spec.parameters.grid.values())
    sample = spec.parameters.sample.n if spec.parameters.sample else 1
    points = n_scenarios * n_variants * grid * sample
    runs = points * spec.seeds
    if points > MAX_POINTS:
        return (
            f"{name}: parameters: the sweep would have {points:,} points ({n_scenarios} scenario(s) x "
            f"{n_variants} variant(s) x {grid:,} grid combination(s) x {sample:,} sample(s)); "
            f"at most {MAX_POINTS:,}"
        )
    if runs > MAX_RUNS:
        return (
            f"{name}: seeds: the sweep would have {runs:,} runs ({points:,} points x "
            f"{spec.seeds:,} seeds); at most {MAX_RUNS:,}"
        )
    return None


def spec_hash(spec: SweepSpec, variants: list[Variant]) -> str:
    """blake2b of the spec as validated plus the scripts it reads: a changed script file is
    another sweep, even though the spec's text did not change."""
    body = {
        "spec": spec.model_dump(mode="json"),
        "scripts": [[s.model_dump(mode="json") for s in v.script + v.extra] for v in variants],
    }
    return hashlib.blake2b(json.dumps(body, sort_keys=True).encode(), digest_size=16).hexdigest()
