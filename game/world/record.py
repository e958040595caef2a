"""What a turn leaves behind: its record (the tables are read from these) and the quantity
shifts gathered while it resolves, from which `game.world.explain` says why prices moved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from game.world.market.stored import RouteRows

F64 = NDArray[np.float64]
Index = NDArray[np.intp]

CAUSES = (
    "export_controls",
    "tariffs_and_zones",
    "supply_events",
    "capacity_change",
    "demand_growth",
    "demand_events",
    "stockpiles",
    "inventories",
    "licence_approvals",
    "market_dynamics",
)


class ExplanationRow(NamedTuple):
    """One cause's share of one price move, for readers who want a turn's rows one by one."""

    mineral: int
    stage: int  # 0 ore, 1 refined
    country: int
    cause: str  # one of CAUSES
    share: float  # of the cell's log price change; a cell's shares add up to 1
    change: float  # the cell's relative price change, the same on each of its rows


@dataclass(frozen=True, eq=False)
class Explanations:
    """One turn's explanations as parallel columns, rows in the order `explain` finds them
    (ore before refined, then cell by cell in (mineral, country) order, then in CAUSES order).

    Columns and not a list of rows: every turn of every game keeps some 700 of them, and
    headless runs never read them; as tuples they would pay for building them and for the
    garbage collector scanning them for the rest of the game. No `==` (eq=False): arrays
    have no one truth value; compare `rows()`."""

    mineral: Index
    stage: Index
    country: Index
    cause: Index  # into CAUSES
    share: F64
    change: F64

    @classmethod
    def empty(cls) -> Explanations:
        return cls(*(np.zeros(0, dtype=np.intp) for _ in range(4)), np.zeros(0), np.zeros(0))

    @classmethod
    def concatenate(cls, parts: Sequence[Explanations]) -> Explanations:
        """The rows of `parts` one after the other (the lab joins the turns of a game)."""
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def __len__(self) -> int:
        return len(self.share)

    def rows(self, where: NDArray[np.bool_] | None = None) -> list[ExplanationRow]:
        """Every row (or those `where` is true), built only now that someone reads them."""
        pick = slice(None) if where is None else where
        return [
            ExplanationRow(m, s, n, CAUSES[k], share, change)
            for m, s, n, k, share, change in zip(
                self.mineral[pick].tolist(),
                self.stage[pick].tolist(),
                self.country[pick].tolist(),
                self.cause[pick].tolist(),
                self.share[pick].tolist(),
                self.change[pick].tolist(),
                strict=True,
            )
        ]

    def cell(self, mineral: int, stage: int, country: int) -> list[ExplanationRow]:
        """The causes of one price's move, in CAUSES order; none if it moved too little to
        be explained."""
        return self.rows((self.mineral == mineral) & (self.stage == stage) & (self.country == country))


@dataclass
class Happened:
    """A line of news: an event, an expiry, a firm closing, a project finishing."""

    turn: int
    event: str
    name: str
    news: str
    kind: str  # scheduled | conditional | random | expiry | project | firm | ...


@dataclass
class Causes:
    """Quantity shifts gathered during a turn, (mineral, country) tonnes per turn."""

    supply_event: F64
    capacity: F64
    demand_growth: F64
    demand_event: F64
    stockpile: F64
    inventory: F64  # manufacturers' net buying for stock, change since last turn
    lost_access: F64  # (M, N) share of a buyer's supply that policy cut off (+) or reopened (-)
    cost_wedge: F64  # (M, N) change of the buyer's average import cost, log
    lost_access_ore: F64
    cost_wedge_ore: F64
    licence_approvals: F64  # (M, N) share of a buyer's supply licences approved fewer (+) or more (-) of

    @classmethod
    def zeros(cls, n_min: int, n_nat: int) -> Causes:
        z = np.zeros((n_min, n_nat))
        return cls(*(z.copy() for _ in fields(cls)))


@dataclass(frozen=True)
class TurnRecord:
    """What one turn produced, kept for the tables (copies, never views). Bilateral flows
    are kept by rows (the origins that shipped; a large world's game would otherwise keep
    three dense (M, N, N) arrays a turn) and read as dense arrays, built at the first read."""

    turn: int
    ore_price: F64  # (M, N) origin price
    refined_price: F64  # (M, N) origin price
    ore_paid: F64  # (M, N)
    refined_paid: F64  # (M, 2N) civil then defence
    ore_routes: RouteRows  # (M, N, N) by rows: `ore_flow`
    refined_routes: RouteRows  # (M, N, N) by rows (civil + defence): `refined_flow`
    defence_routes: RouteRows  # (M, N, N) by rows: `refined_flow_defence`
    ore_production: F64  # (M, N)
    ore_intake: F64  # (M, N) ore refiners bought (into plants and ore stocks)
    refined_production: F64  # (M, N) refiners + recyclers
    refined_stock_change: F64  # (M, N) refiner inventory + public stockpile
    inventory: F64  # (M, N) manufacturers' commercial stocks at the end of the turn
    inventory_change: F64  # (M, N) their change this turn (restocking +, destocking -)
    ore_inventory: F64  # (M, N) refiners' ore stocks at the end of the turn
    ore_inventory_change: F64  # (M, N) their change (ore_intake less it went into plants)
    need: F64  # (M, N, S)
    consumption: F64  # (M, N, S)
    shortfall: F64  # (M, N, S)
    ore_shortfall: F64  # (M, N)
    firm_capacity: F64
    firm_output: F64
    firm_unit_cost: F64
    firm_profit: F64
    explanations: Explanations  # why prices moved, see game.world.explain
    world_hash: str
    unsettled: list[tuple[str, str]] = field(default_factory=list)
    """(stage, mineral) markets whose clearing gave up short of equilibrium this turn (rare;
    mass balance and every control still hold, prices are off by more than the tolerance)."""
    score: F64 = field(default_factory=lambda: np.zeros(0))  # (N,) 0..100, see game.world.scoring
    score_parts: F64 = field(default_factory=lambda: np.zeros((0, 0)))  # (N, P) in PART_NAMES order
    relations: F64 = field(default_factory=lambda: np.zeros((0, 0)))  # (N, N) at the end of the turn

    @cached_property
    def ore_flow(self) -> F64:
        """(M, N, N) ore tonnes, origin to destination."""
        return self.ore_routes.dense()

    @cached_property
    def refined_flow(self) -> F64:
        """(M, N, N) refined tonnes, origin to destination (civil + defence)."""
        return self.refined_routes.dense()

    @cached_property
    def refined_flow_defence(self) -> F64:
        """(M, N, N) the part of `refined_flow` bought by defence manufacturers."""
        return self.defence_routes.dense()
