"""What one nation may see at the start of a turn: the input of every controller.

Built by the world (`WorldModel.observe`), read by AI doctrines, scripts, RL agents and the
UI. Public facts (prices, trade statistics, policies in force, zones, who regards whom how)
are shown to all; a nation's own accounts (treasury, stockpiles, shortfall, inbox, score)
only to itself. Arrays are copies: a controller cannot change the world through them.

Axes: `M` minerals in `minerals` order, `N` nations in `nations` order, `S` sectors in
`game.rules.Sector` order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from game.rules import ExportControl, Sector, Tariff, Zone
from game.rules.diplomacy import Act, Deal, Proposal

F64 = NDArray[np.float64]
T = TypeVar("T")
SECTORS: tuple[Sector, ...] = tuple(Sector)


@dataclass(frozen=True)
class NewsItem:
    turn: int
    event: str
    headline: str
    text: str
    kind: str


class ProjectInProgress(NamedTuple):
    """A plant this nation has financed that is not producing yet (from its Invest orders
    and financed deals). Lets a controller see its own pipeline and not pay twice for the
    same gap. A named tuple (immutable, like the rest of an observation): a long game has a
    few hundred under way, all shown anew every turn, and a tuple is built in half the time
    of a frozen dataclass."""

    mineral: str
    kind: str
    """A `game.rules.FirmKind` value: mine, refinery or recycler."""
    country: str
    capacity_tpy: float
    turns_left: int


@dataclass(frozen=True)
class Observation:
    nation: str
    turn: int
    """The turn about to be played (0-based)."""
    turns_total: int
    date: str
    nations: tuple[str, ...]
    minerals: tuple[str, ...]
    alignment: tuple[str, ...]  # (N,) Alignment values
    doctrine: tuple[str, ...]  # (N,) Doctrine values
    gdp_usd_bn: F64  # (N,)

    # Markets (last turn).
    ref_price: F64  # (M,) reference refined price, USD/t
    refined_price: F64  # (M, N) what civil buyers in each country paid
    ore_price: F64  # (M, N)
    mine_share: F64  # (M, N) share of world ore output by country
    refine_share: F64  # (M, N) share of world refined output by country
    refined_flow: F64  # (M, N, N) origin -> destination tonnes, refined
    ore_flow: F64  # (M, N, N)
    fill: F64  # (M, N) consumption / need, every nation (public trade statistics)

    # This nation.
    treasury_usd_m: float
    need: F64  # (M, S) t per turn at the reference price
    shortfall: F64  # (M, S) last turn
    stockpile: F64  # (M,) t
    stock_target: F64  # (M,) t
    relations: F64  # (N,) how this nation regards each other (−100..100)
    regard: F64  # (N,) how each other nation regards this one
    score: float
    score_parts: dict[str, float]

    # Policies and diplomacy in force.
    controls: tuple[ExportControl, ...]
    tariffs: tuple[Tariff, ...]
    zones: tuple[Zone, ...]
    inbox: tuple[Proposal, ...]  # proposals addressed to this nation, awaiting an answer
    outbox: tuple[Proposal, ...]  # proposals this nation made, awaiting an answer
    deals: tuple[Deal, ...]  # deals in force that involve this nation
    acts: tuple[Act, ...]  # last turn's acts by or toward this nation
    replies: tuple[str, ...]  # answers to this nation's proposals and rejected orders, last turn
    news: tuple[NewsItem, ...] = field(default=())
    projects: tuple[ProjectInProgress, ...] = field(default=())
    """Plants this nation owns that are still under construction (its own accounts)."""
    offtake_ceiling: F64 = field(default_factory=lambda: np.zeros((0, 0)))
    """(M, N) the most refined tonnes a turn an offtake may ask of each seller now: the order
    desk's own limit (`game.world.mechanisms.deals.offtake_ceiling`), so that a doctrine never
    proposes what the desk refuses. Empty in an observation built by hand: no limit known."""
    licence_approvals: tuple[tuple[str, str, str, str, float], ...] = field(default=())
    """(issuer, mineral, stage, target, rate) of each licence in force: the share of the
    target's applications the issuer approved last turn (its policy's rate, moved by relations
    and its own needs). Plain tuples, so the observation travels as JSON."""
    shared: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
    """Figures derived from public fields alone, for every nation at once (see `public`).
    The world hands all the observations of a turn the same dict; an observation built by
    hand has its own."""

    # ---------------------------------------------------------------- conveniences

    # Set by __post_init__, not by the caller, and no part of ==, repr or replace: name ->
    # index maps, shared by every observation of the same nations and minerals, for the
    # hundreds of lookups a doctrine makes in a turn; and a memo of figures derived from this
    # observation alone (see agents.doctrines.assess.per_observation), which lives and dies
    # with it, so that nothing computed in one turn can be read in another.
    _nation_at: dict[str, int] = field(init=False, repr=False, compare=False)
    _mineral_at: dict[str, int] = field(init=False, repr=False, compare=False)
    _me: int | None = field(init=False, repr=False, compare=False)
    memo: dict[object, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_nation_at", _index(tuple(self.nations)))
        object.__setattr__(self, "_mineral_at", _index(tuple(self.minerals)))
        object.__setattr__(self, "_me", self._nation_at.get(self.nation))
        object.__setattr__(self, "memo", {})

    def approval(self, issuer: str, mineral: str, stage: str, target: str) -> float | None:
        """The share of `target`'s licence applications `issuer` approved (None: no licence)."""
        for i, m, st, t, rate in self.licence_approvals:
            if (i, m, st, t) == (issuer, mineral, stage, target):
                return rate
        return None

    @property
    def me(self) -> int:
        return self.nations.index(self.nation) if self._me is None else self._me

    def m(self, mineral: str) -> int:
        i = self._mineral_at.get(mineral)
        return self.minerals.index(mineral) if i is None else i  # not ours: tuple.index's error

    def n(self, nation: str) -> int:
        i = self._nation_at.get(nation)
        return self.nations.index(nation) if i is None else i  # not ours: tuple.index's error

    def find_nation(self, nation: str) -> int | None:
        """The index of `nation`, or None if it is not in this game."""
        return self._nation_at.get(nation)

    def find_mineral(self, mineral: str) -> int | None:
        """The index of `mineral`, or None if it is not in this game."""
        return self._mineral_at.get(mineral)

    def offtake_limit(self, m: int, seller: int) -> float:
        """`offtake_ceiling[m, seller]`, or no limit (inf) when the observation has none."""
        ceiling = self.offtake_ceiling
        return float(ceiling[m, seller]) if ceiling.size else float("inf")

    def public(self, key: Hashable, fields: tuple[str, ...], compute: Callable[[], T]) -> T:
        """`compute()`, a figure derived from the public `fields` of this observation alone,
        computed once for all the observations of a turn (they share `shared`).

        Remembered under `key` and the identity of those fields (held, so that no id is
        reused): an observation whose fields were replaced misses and computes its own,
        and a new turn brings new fields and a new dict. `compute` must read nothing else,
        and `key` must name the same `fields` whoever asks.
        """
        memo_key = (_PUBLIC, key)
        hit = self.memo.get(memo_key)
        if hit is None:  # the shared entry is looked up once per observation
            inputs = tuple(getattr(self, f) for f in fields)
            full_key = (key, *map(id, inputs))
            hit = self.shared.get(full_key)
            if hit is None:
                hit = self.shared[full_key] = (compute(), inputs)
            self.memo[memo_key] = hit
        return hit[0]  # type: ignore[index]

    def my_zones(self) -> tuple[Zone, ...]:
        return tuple(z for z in self.zones if self.nation in z.members)

    def import_dependence(self) -> F64:
        """(M, N) share of this nation's refined imports coming from each origin."""
        imports = self.refined_flow[:, :, self.me].copy()
        imports[:, self.me] = 0.0
        total = imports.sum(axis=1, keepdims=True)
        return np.divide(imports, total, out=np.zeros_like(imports), where=total > 0)

    def controls_by(self, issuer: str) -> tuple[ExportControl, ...]:
        by_issuer = self.public(_BY_ISSUER, ("controls",), self._controls_by_issuer)
        return by_issuer.get(issuer, ())

    def _controls_by_issuer(self) -> dict[str, tuple[ExportControl, ...]]:
        """`controls_by` of every issuer (a public figure, computed once per turn)."""
        return _by_issuer(self.controls)

    def controls_on(self, target: str) -> tuple[ExportControl, ...]:
        """Controls that reach `target` (aimed at it, or at everyone)."""
        reaching: dict[str, tuple[ExportControl, ...]] = self.public(_CONTROLS_ON, ("controls",), dict)
        found = reaching.get(target)
        if found is None:  # a public figure: filed for the turn's other observations
            found = reaching[target] = _reaching(self.controls, target)
        return found


_BY_ISSUER = "controls_by"
_CONTROLS_ON = "controls_on"
_PUBLIC = "public"
"""Keys of the memo entries kept by the observation's own methods."""


@lru_cache(maxsize=16)
def _index(names: tuple[str, ...]) -> dict[str, int]:
    """Position of each name (the first, as tuple.index gives). Callers only read it."""
    at: dict[str, int] = {}
    for i, name in enumerate(names):
        at.setdefault(name, i)
    return at


def _reaching(controls: tuple[ExportControl, ...], target: str) -> tuple[ExportControl, ...]:
    return tuple(c for c in controls if c.issuer != target and (not c.targets or target in c.targets))


def _by_issuer(controls: tuple[ExportControl, ...]) -> dict[str, tuple[ExportControl, ...]]:
    """The controls in force by issuer, each in the order of `controls`."""
    by: dict[str, list[ExportControl]] = {}
    for c in controls:
        by.setdefault(c.issuer, []).append(c)
    return {issuer: tuple(cs) for issuer, cs in by.items()}
