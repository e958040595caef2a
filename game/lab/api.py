"""The lab's Python API: play one game from a notebook or a script and get pandas frames.

    from game.lab.api import run_game
    r = run_game("tutorial", seed=3, params={"minerals.rare_earths.market.demand_elasticity": 0.5})
    r.prices, r.scores, r.summary          # pandas frames (README: tables of a run)

`controllers` says who plays whom, nation by nation: a doctrine name ("passive",
"consumer_ally", ...) or a `Level` keeps the AI with that doctrine or difficulty, an object
with `decide(observation) -> list[Order]` plays the nation itself (an RL policy, a custom
strategy), None leaves the nation to orders submitted from outside; `script` (scheduled
orders, or a TOML script file) makes the nations it names follow it, while `extra_orders`
are submitted on their turn on top of what the controllers decide. The sweep runner plays
every game through this same function, so a notebook reproduces any run of a sweep from
its summary row (scenario, seed, parameters, variant).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from agents.controller import Controller, Level
from agents.scripted import ScheduledOrder, ScriptedOrders, load_order_script
from game import __version__
from game.content import Content, load_content
from game.lab.params import apply_params
from game.lab.run import DEFAULT_VARIANT, RunResult
from game.lab.sweep_spec import run_id as sweep_run_id
from game.rules import Doctrine
from game.saves import ControllerKind, ControllerSpec
from game.session import Game
from game.world.model import WorldModel

ControllerChoice = Controller | Doctrine | Level | str | None


@lru_cache(maxsize=1)
def default_content() -> Content:
    """The installed content, loaded once per process (a sweep worker plays many games)."""
    return load_content()


_VARIED: dict[tuple[int, str, tuple[tuple[str, float], ...]], tuple[Content, Content]] = {}


def _varied(content: Content, scenario: str, params: tuple[tuple[str, float], ...]) -> Content:
    """The content with `params` applied, kept for the next games: a sweep worker plays
    one point's seeds in a row, and validating the changed models each time is waste."""
    if not params:
        return content
    key = (id(content), scenario, params)
    hit = _VARIED.get(key)
    if hit is not None and hit[0] is content:
        return hit[1]
    varied = apply_params(content, scenario, dict(params))
    if len(_VARIED) >= 8:
        _VARIED.pop(next(iter(_VARIED)))
    _VARIED[key] = (content, varied)
    return varied


def _specs_and_controllers(
    content: Content,
    nations: Iterable[str],
    controllers: Mapping[str, ControllerChoice],
    level: Level,
) -> tuple[dict[str, ControllerSpec], dict[str, Controller | None]]:
    specs: dict[str, ControllerSpec] = {}
    objects: dict[str, Controller | None] = {}
    known = set(nations)
    for nation, choice in controllers.items():
        if nation not in known:
            raise ValueError(f"controllers: {nation!r} is not a nation of this scenario")
        if isinstance(choice, str) and choice in {lv.value for lv in Level}:
            choice = Level(choice)
        if isinstance(choice, Level):
            specs[nation] = ControllerSpec(
                kind=ControllerKind.AI, doctrine=content.nations[nation].doctrine, level=choice.value
            )
        elif isinstance(choice, str):
            try:
                doctrine = Doctrine(choice)
            except ValueError:
                known_doctrines = ", ".join(d.value for d in Doctrine)
                raise ValueError(
                    f"controllers: {nation}: unknown doctrine {choice!r} ({known_doctrines})"
                ) from None
            specs[nation] = ControllerSpec(kind=ControllerKind.AI, doctrine=doctrine, level=level.value)
        else:
            objects[nation] = choice
    return specs, objects


def run_game(
    scenario: str = "ministerial-2026",
    seed: int = 0,
    controllers: Mapping[str, ControllerChoice] | None = None,
    params: Mapping[str, float] | None = None,
    turns: int | None = None,
    *,
    level: Level | str = Level.NORMAL,
    script: Iterable[ScheduledOrder] | Path | str | None = None,
    extra_orders: Iterable[ScheduledOrder] = (),
    content: Content | None = None,
    on_turn: Callable[[WorldModel], None] | None = None,
    run_id: str | None = None,
    point: int = 0,
    replicate: int = 0,
    variant: str = DEFAULT_VARIANT,
) -> RunResult:
    """Play one game headless and return it with its tables as pandas frames.

    `params` maps dotted content paths to numbers (game.lab.params); `turns` defaults to
    the scenario's length. `run_id`, `point`, `replicate` and `variant` only label the
    result's summary row (a sweep passes its own; `run_id` defaults to the sweep's form
    for `point` and `replicate`). Raises ParamError for a parameter that names no number or
    breaks the schema, ValueError for a controller that names no nation of the scenario.
    """
    base = content if content is not None else default_content()
    base.scenario(scenario)  # KeyError naming the known scenarios
    varied = _varied(base, scenario, tuple(sorted((params or {}).items())))
    level = Level(level)
    nations = varied.scenarios[scenario].nations
    specs, objects = _specs_and_controllers(varied, nations, controllers or {}, level)
    scheduled = list(load_order_script(script) if isinstance(script, str | Path) else script or [])
    for nation in sorted({s.order.issuer for s in scheduled}):
        if nation not in nations:
            raise ValueError(f"script: {nation!r} is not a nation of {scenario}")
        objects[nation] = ScriptedOrders(nation, scheduled)
        specs[nation] = ControllerSpec(
            kind=ControllerKind.SCRIPT, script=str(script) if isinstance(script, str | Path) else "inline"
        )
    game = Game(varied, scenario, seed, controllers=objects, level=level, specs=specs or None)
    for extra in extra_orders:
        if extra.order.issuer not in nations:
            raise ValueError(f"extra_orders: {extra.order.issuer!r} is not a nation of {scenario}")
        game.scripted.setdefault(extra.turn, []).append(extra.order)
    n = game.world.scenario.turns if turns is None else turns
    if n < 1:
        raise ValueError("turns must be at least 1")
    for _ in range(n):
        game.play_turn()
        if on_turn is not None:
            on_turn(game.world)
    meta: dict[str, object] = {
        "run_id": run_id or sweep_run_id(point, replicate),
        "point": point,
        "replicate": replicate,
        "scenario": scenario,
        "variant": variant,
        "content_hash": base.content_hash,
        "seed": seed,
        "turns": n,
        "package_version": __version__,
        "params": dict(params or {}),
        "level": level.value,
        "world_hash": [r.world_hash for r in game.world.records],
        # markets that did not reach equilibrium (turn, stage, mineral): filter on it if it matters
        "unsettled_markets": [
            [r.turn, stage, mineral] for r in game.world.records for stage, mineral in r.unsettled
        ],
    }
    return RunResult(game.world, meta, game)
