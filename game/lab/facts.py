"""What the order desk's checks read, gathered once per world state for the action masks.

A mask answers "would `WorldModel.check` accept this template's order now?" for hundreds of
templates per nation, and for every nation in a PettingZoo game. Building each order as a
pydantic model and running it through the desk costs ~20 us a template; most of that is
rereading the same few facts (a nation's capacity, the controls and tariffs in force, who
was invited where). `WorldFacts` reads them once per turn, in the forms the templates'
validity rules (`game.lab.actions`) look up in O(1). The facts are shared by every seat of
a game: they depend on the world only, not on the nation asking.

Everything here mirrors a check in `game.world.mechanisms`; `tests/test_masks.py` proves that
the masks computed from these facts equal the masks of the desk itself over many states.
If a check there changes, that test is what says this file must follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage
from game.rules.diplomacy import Proposal
from game.rules.orders import DealKind, InviteToZone, Order
from game.rules.policies import ControlTerms, Zone, control_terms

if TYPE_CHECKING:
    from game.world.model import WorldModel


@dataclass
class WorldFacts:
    """One world at one turn, as the validity rules of the templates read it."""

    world: WorldModel
    turn: int = field(init=False)
    treasury: NDArray[np.float64] = field(init=False)
    held: NDArray[np.float64] = field(init=False)
    """Stockpile a nation may still release this turn: stockpile - forced release (N, M)."""
    control_terms: set[ControlTerms] = field(init=False)
    controlled: set[tuple[str, str, Stage]] = field(init=False)
    """(issuer, mineral, stage) of every control in force: what a lift can act on."""
    tariff_rates: dict[tuple[str, str, Stage, tuple[str, ...]], list[float]] = field(init=False)
    zones: dict[str, Zone] = field(init=False)
    invitations: set[tuple[str, str]] = field(init=False)
    """(invited nation, zone) of every zone invitation waiting for an answer."""
    proposals: dict[int, Proposal] = field(init=False)
    proposed: dict[str, list[Order]] = field(init=False)
    """The orders of every pending proposal by sender: where the desk's "the same proposal is
    already waiting" check could refuse (templates that may match one ask the desk)."""
    memoranda: set[frozenset[str]] = field(init=False)
    subsidies: set[tuple[int, object, int, int | None]] = field(init=False)
    memo: dict[tuple[object, ...], object] = field(init=False, default_factory=dict)
    """Derived values the templates compute once per turn (investment costs)."""
    _capacity: dict[tuple[str, str, Stage], float] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        w = self.world
        self.turn = w.turn
        self.treasury = w.treasury.copy()
        self.held = w.stockpile - w.forced_release
        controls = w.policies.controls
        self.control_terms = {control_terms(a.spec) for a in controls}
        self.controlled = {(a.spec.issuer, a.spec.mineral, a.spec.stage) for a in controls}
        self.tariff_rates = {}
        for t in w.policies.tariffs:
            key = (t.issuer, t.mineral, t.stage, tuple(sorted(t.origins)))
            self.tariff_rates.setdefault(key, []).append(t.rate_pct)
        self.zones = dict(w.policies.zones)
        d = w.diplomacy
        self.proposals = dict(d.proposals)
        self.invitations = {
            (p.to, p.order.zone) for p in self.proposals.values() if isinstance(p.order, InviteToZone)
        }
        self.proposed = {}
        for p in self.proposals.values():
            self.proposed.setdefault(p.sender, []).append(p.order)
        self.memoranda = {
            frozenset((x.terms.buyer, x.terms.seller))
            for x in d.deals_in_force(w.turn)
            if x.terms.deal == DealKind.MEMORANDUM
        }
        self.subsidies = {(s.issuer, s.programme, s.mineral, s.sector) for s in w.subsidies}

    def capacity(self, nation: str, mineral: str, stage: Stage) -> float:
        """`WorldModel.capacity_of(nation, mineral, stage)`, asked once per turn."""
        hit = self._capacity.get((nation, mineral, stage))
        if hit is None:
            hit = self._capacity[nation, mineral, stage] = self.world.capacity_of(nation, mineral, stage)
        return hit

    def pending_like(self, sender: str, kind: type, **terms: object) -> bool:
        """Does `sender` have a pending proposal of this kind with these terms? (If so, it may
        be the very order a template would propose, which the desk refuses.)"""
        return any(
            isinstance(o, kind) and all(getattr(o, k) == v for k, v in terms.items())
            for o in self.proposed.get(sender, ())
        )

    def current(self) -> bool:
        """Still the world's state? (A turn played since makes these facts stale.)"""
        return self.world.turn == self.turn


def facts_of(world: WorldModel, cache: dict[int, WorldFacts] | None = None) -> WorldFacts:
    """The facts of `world` now, reused from `cache` (keyed by the world's identity) while
    they are current: the seats of one PettingZoo game share one gathering per turn."""
    if cache is None:
        return WorldFacts(world)
    hit = cache.get(id(world))
    if hit is None or hit.world is not world or not hit.current():
        cache.clear()
        hit = cache[id(world)] = WorldFacts(world)
    return hit
