"""Firms: mines, refineries and recyclers.

Every firm is a Mesa agent, but its numbers live in one columnar `FirmTable` owned by the
world, so that a turn's arithmetic over thousands of firms is a handful of numpy
operations. An agent is a named view on its row (`Miner.capacity` reads the table); the
vectorised behaviour (how much to run, when to expand, when to close) is written here,
once, as functions of the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

from agents._mesa import mesa
from game.rules import FirmKind

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

KIND_CODE = {FirmKind.MINE: 0, FirmKind.REFINERY: 1, FirmKind.RECYCLER: 2}
KIND_OF_CODE = {code: kind for kind, code in KIND_CODE.items()}
MINE, REFINERY, RECYCLER = (KIND_CODE[k] for k in (FirmKind.MINE, FirmKind.REFINERY, FirmKind.RECYCLER))

CLOSE_AFTER_LOSS_TURNS = 8
"""Two years of losses before a firm shuts what it still runs (mothballed: see close_and_restart)."""
RESTART_MARGIN = 0.25
"""Expected margin at which a shut firm starts to restart (after RESTART_LAG turns of it)."""
COST_SPREAD = 0.3
"""An aggregated national firm is many plants: their full unit costs spread uniformly over
+-COST_SPREAD of the firm's mean (model assumption; industry cost curves span about that
within a country), so a falling price first idles the dearest plants, not the whole firm."""
IDLE_AFTER_LOSS_TURNS = 2
"""Losses must last this many turns before a firm idles plants (a quarter's loss is noise)."""
IDLE_STEP = 0.1
"""At most this share of a firm's capacity is idled, or brought back, in a turn (care and
maintenance, rehiring and recommissioning take time)."""
RESTART_LAG = 4
"""Idled capacity returns only after margins have covered it for this many turns in a row: a
year, so a big firm never goes from running to shut and back within a year."""
RESTART_COST_SHARE = 0.25
"""Restarting a tonne a turn of idled capacity costs this share of the firm's unit cost, once."""
EXPAND_MARGIN = 0.4
"""Expected margin (share of unit cost) above which a firm may announce an expansion."""
EXPAND_CHANCE = 0.08
EXPAND_SHARE = 0.25
"""A brownfield expansion adds this share of the firm's capacity."""
MARGIN_MEMORY = 0.25
"""Weight of this turn in the firms' moving average of margins (adaptive expectations)."""
INVENTORY_TURNS = 1.0
"""Refiners hold up to this many turns of output before cutting throughput."""
MIN_RUN_RATE = 0.3
"""Refineries rarely stop: below cost they still run at this share of capacity."""

INVEST_HURDLE = 0.25
"""Expected margin over a new plant's unit cost (share of it) below which nobody commits money
to new capacity: the cost of capital and the risk premium of a new project (model assumption)."""
INVEST_FULL_MARGIN = 0.75
"""Expected margin at which investors commit at the full rate (model assumption): between the
hurdle and this, the rate rises linearly, so the pipeline swells with prices, as the IEA and
USGS project counts did in 2011 (rare earths) and 2021-22 (lithium)."""
INVEST_COMMIT_SHARE = 0.25
"""Share of the capacity gap committed per turn at full appetite: final investment decisions
follow a price signal over one to two years, not in one quarter (model assumption)."""
TARGET_UTILISATION = 0.9
"""New capacity is planned so that the forecast need would run the world's plants at this
utilisation (model assumption; USGS mine capacity is about 1/0.9 of output)."""


@dataclass
class FirmTable:
    """Columnar state of every firm (one row per firm, ordered by content id)."""

    kind: I64
    mineral: I64
    country: I64
    owner: I64
    capacity: F64  # t per turn, installed
    unit_cost: F64  # USD/t (mine: cash cost; refinery/recycler: conversion cost)
    active: NDArray[np.bool_]
    shock: F64  # capacity factor from events (1 = normal)
    output: F64 = field(default_factory=lambda: np.zeros(0))
    sold: F64 = field(default_factory=lambda: np.zeros(0))
    inventory: F64 = field(default_factory=lambda: np.zeros(0))
    revenue: F64 = field(default_factory=lambda: np.zeros(0))
    profit: F64 = field(default_factory=lambda: np.zeros(0))
    margin_avg: F64 = field(default_factory=lambda: np.zeros(0))
    loss_turns: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    idle: F64 = field(default_factory=lambda: np.zeros(0))  # share of capacity idled, 0..1
    restart_wait: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    restart_cost: F64 = field(default_factory=lambda: np.zeros(0))  # USD this turn
    expanding: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        n = len(self.kind)
        for f in fields(self):
            value = getattr(self, f.name)
            if len(value) != n:
                dtype = value.dtype if len(value) else (bool if f.name == "expanding" else float)
                if f.name in ("loss_turns", "restart_wait"):
                    dtype = np.int64
                setattr(self, f.name, np.zeros(n, dtype=dtype))

    def __len__(self) -> int:
        return len(self.kind)

    def append(self, **row: float | int | bool) -> int:
        """Add one firm (a finished project); returns its row."""
        return self.extend([row])[0]

    def extend(self, rows: list[dict[str, float | int | bool]]) -> range:
        """Add firms (the projects finished this turn), all at once: every column is copied
        on each call, and a long game finishes a score of projects a turn. Returns their rows."""
        start = len(self)
        for f in fields(self):
            current = getattr(self, f.name)
            default = 1.0 if f.name == "shock" else 0
            added = np.asarray([row.get(f.name, default) for row in rows], dtype=current.dtype)
            setattr(self, f.name, np.concatenate([current, added]))
        return range(start, start + len(rows))

    def available(self) -> F64:
        """Capacity that can run this turn."""
        return np.where(self.active, self.capacity * self.shock * (1.0 - self.idle), 0.0)

    def state_arrays(self) -> list[np.ndarray]:
        return [getattr(self, f.name) for f in fields(self)]

    def digest(self) -> bytes:
        """Every column, for the world hash."""
        return b"".join(np.ascontiguousarray(a).tobytes() for a in self.state_arrays())


def refinery_throughput(table: FirmTable, spread: F64) -> F64:
    """Ore each refinery plans to buy this turn.

    `spread` is the refined-minus-ore price each firm expects (adaptive expectations). A
    refiner runs fully when the spread covers its conversion cost and winds down to a
    minimum run rate as the spread falls to half of it; it buys less while it holds more
    than INVENTORY_TURNS of unsold output, and it moves only half-way to its new plan each
    turn (contracts, ramp-ups), which keeps the refined market from a cobweb cycle.
    """
    cover = spread / table.unit_cost
    utilisation = np.clip(MIN_RUN_RATE + (1 - MIN_RUN_RATE) * (cover - 0.5) / 0.5, MIN_RUN_RATE, 1.0)
    overstock = np.maximum(table.inventory - table.capacity * INVENTORY_TURNS, 0.0)
    target = np.maximum(table.available() * utilisation - overstock, 0.0)
    plan = np.where(table.output > 0, 0.5 * table.output + 0.5 * target, target)
    plan = np.minimum(plan, table.available())
    return np.where(table.kind == KIND_CODE[FirmKind.REFINERY], plan, 0.0)


def update_margins(table: FirmTable, unit_revenue: F64, full_cost: F64) -> None:
    """Adaptive expectation of each firm's margin (share of its full unit cost)."""
    margin = (unit_revenue - full_cost) / full_cost
    table.margin_avg = (1 - MARGIN_MEMORY) * table.margin_avg + MARGIN_MEMORY * margin


def idle_target(table: FirmTable) -> F64:
    """Share of each firm's capacity whose plants lose at the margin it expects: its plants'
    full costs spread over +-COST_SPREAD of its mean, the dearest lose first."""
    return np.clip((COST_SPREAD - table.margin_avg) / (2 * COST_SPREAD), 0.0, 1.0)


def close_and_restart(table: FirmTable) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Idle plants along the firm's cost curve after sustained losses, and bring them back
    after a year of margins that cover them, at a cost. A firm shuts (inactive) only when
    every plant is idle; it restarts only after RESTART_LAG turns of RESTART_MARGIN.
    Returns the firms that shut and those that restart this turn (for the news)."""
    losing = table.active & (table.profit < 0)
    table.loss_turns = np.where(losing, table.loss_turns + 1, 0)
    target = idle_target(table)
    sustained = table.loss_turns >= IDLE_AFTER_LOSS_TURNS
    idle_more = table.active & sustained & (target > table.idle)
    stepped = np.minimum(table.idle + IDLE_STEP, 1.0)  # at most one step a turn, whatever the cause
    idled = np.where(idle_more, np.minimum(target, stepped), table.idle)
    # The last plants shut after two years of losses, even where the cost curve says they pay.
    long_losing = table.active & (table.loss_turns >= CLOSE_AFTER_LOSS_TURNS)
    table.idle = np.where(long_losing, stepped, idled)
    closing = table.active & (table.idle >= 1.0 - 1e-12)
    # Bringing plants back: margins must cover them for RESTART_LAG turns in a row.
    covered = np.where(table.active, target < table.idle, table.margin_avg > RESTART_MARGIN)
    table.restart_wait = np.where(covered & (table.capacity > 0) & ~closing, table.restart_wait + 1, 0)
    ready = table.restart_wait >= RESTART_LAG
    restarting = ~table.active & ready
    back = np.where(
        ready,
        np.minimum(table.idle - np.where(table.active, target, 1.0 - IDLE_STEP), IDLE_STEP),
        0.0,
    )
    back = np.maximum(back, 0.0)
    table.restart_cost = RESTART_COST_SHARE * table.unit_cost * table.capacity * back
    table.idle = np.where(closing, 1.0, table.idle - back)
    table.active = (table.active & ~closing) | restarting
    table.loss_turns[closing | restarting] = 0
    return closing, restarting


def expansion_candidates(table: FirmTable, draws: F64) -> NDArray[np.bool_]:
    """Firms that announce an expansion this turn: high expected margins and a seeded draw."""
    wants = table.active & ~table.expanding & (table.margin_avg > EXPAND_MARGIN) & (draws < EXPAND_CHANCE)
    return wants


def investment_appetite(expected_price: F64, new_unit_cost: F64) -> F64:
    """0..1: how keenly investors build new capacity that would earn `expected_price` per tonne
    at `new_unit_cost` (full cost of a new plant: the template's, in the upper half of the cost
    curve). Zero under INVEST_HURDLE, one from INVEST_FULL_MARGIN up."""
    margin = (expected_price - new_unit_cost) / np.maximum(new_unit_cost, 1e-12)
    return np.clip((margin - INVEST_HURDLE) / (INVEST_FULL_MARGIN - INVEST_HURDLE), 0.0, 1.0)


def capacity_gap(need_ahead: F64, planned: F64, missing_now: F64) -> F64:
    """Tonnes per turn of capacity the market lacks: the need forecast at the projects' lead
    time (run at TARGET_UTILISATION) over what is built and building, or, if larger, what buyers
    miss now (capacity stranded behind export controls is no capacity to them)."""
    return np.maximum(np.maximum(need_ahead / TARGET_UTILISATION - planned, 0.0), missing_now)


class Firm(mesa.Agent):
    """A firm is a view on one row of the world's FirmTable."""

    kind: FirmKind

    def __init__(self, model: mesa.Model, row: int, firm_id: str, name: str) -> None:
        super().__init__(model)
        self.row = row
        self.firm_id = firm_id
        self.name = name

    @property
    def _table(self) -> FirmTable:
        return self.model.firms  # type: ignore[attr-defined]

    @property
    def capacity(self) -> float:
        """Installed capacity, t per turn."""
        return float(self._table.capacity[self.row])

    @property
    def output(self) -> float:
        return float(self._table.output[self.row])

    @property
    def profit(self) -> float:
        return float(self._table.profit[self.row])

    @property
    def active(self) -> bool:
        return bool(self._table.active[self.row])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.firm_id})"


# The three kinds are classes, not a field, so that Mesa groups them: `world.agents_by_type[Refiner]`
# is the AgentSet of the refineries (select, groupby, agg), which is how a reader of the world
# asks for one kind of firm. Their behaviour is the table's, vectorised above.


class Miner(Firm):
    kind = FirmKind.MINE


class Refiner(Firm):
    kind = FirmKind.REFINERY


class Recycler(Firm):
    kind = FirmKind.RECYCLER


AGENT_CLASS: dict[FirmKind, type[Firm]] = {
    FirmKind.MINE: Miner,
    FirmKind.REFINERY: Refiner,
    FirmKind.RECYCLER: Recycler,
}
