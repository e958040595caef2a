"""The mechanisms' facts, gathered once per world state for the action masks.

A mask answers "would `WorldModel.check` accept this template's order now?" for hundreds of
templates per nation, and for every nation in a PettingZoo game. Building each order as a
pydantic model and running it through the desk costs ~20 us a template; most of that is
rereading the same few facts (a nation's capacity, the controls and tariffs in force, who
was invited where). Each mechanism module of `game.world.mechanisms` owns its facts (functions
of the state) and its refusal rules (`*_refusal`, functions of those facts); its order check
calls both. `WorldFacts` calls the same fact functions once per turn, and the templates
(`game.lab.actions`) call the same refusal rules, so a mask equals the desk by construction.
The facts are shared by every seat of a game: they depend on the world only, not on the
nation asking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage
from game.rules.diplomacy import Proposal
from game.rules.orders import Order
from game.rules.policies import ControlTerms, Zone
from game.world.economy.firms import capacity_grid
from game.world.market.routes import ActiveControl
from game.world.mechanisms import controls, investment, programmes, stockpiles, tariffs, zones
from game.world.mechanisms.programmes import SubsidyKey
from game.world.mechanisms.tariffs import TariffKey

if TYPE_CHECKING:
    from game.world.model import WorldModel
    from game.world.state import WorldState


@dataclass
class WorldFacts:
    """One world at one turn, as the mechanisms' refusal rules read it."""

    world: WorldModel
    state: WorldState = field(init=False)
    turn: int = field(init=False)
    treasury: NDArray[np.float64] = field(init=False)
    held: NDArray[np.float64] = field(init=False)
    """`stockpiles.releasable`: stockpile a nation may still release this turn (N, M)."""
    control_terms: set[ControlTerms] = field(init=False)
    """`controls.terms_in_force`."""
    controlled: dict[tuple[str, str, Stage], list[ActiveControl]] = field(init=False)
    """`controls.controlled`: what a lift of (issuer, mineral, stage) acts on."""
    tariff_rates: dict[TariffKey, list[float]] = field(init=False)
    """`tariffs.tariff_rates`."""
    zones: dict[str, Zone] = field(init=False)
    invitations: set[tuple[str, str]] = field(init=False)
    """`zones.invitations`: (invited nation, zone) of every invitation waiting for an answer."""
    proposals: dict[int, Proposal] = field(init=False)
    proposed: dict[str, list[Order]] = field(init=False)
    """The orders of every pending proposal by sender: where the desk's "the same proposal is
    already waiting" check could refuse (templates that may match one ask the desk)."""
    memoranda: set[frozenset[str]] = field(init=False)
    """`investment.memoranda`."""
    subsidies: dict[SubsidyKey, int] = field(init=False)
    """`programmes.running`."""
    memo: dict[tuple[object, ...], object] = field(init=False, default_factory=dict)
    """Derived values the templates compute once per turn (investment costs)."""
    _capacity: dict[Stage, NDArray[np.float64]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        s = self.state = self.world.state
        self.turn = s.turn
        self.treasury = s.treasury.copy()
        self.held = stockpiles.releasable(s)
        self.control_terms = controls.terms_in_force(s)
        self.controlled = controls.controlled(s)
        self.tariff_rates = tariffs.tariff_rates(s)
        self.zones = dict(s.policies.zones)
        self.invitations = zones.invitations(s)
        self.proposals = dict(s.diplomacy.proposals)
        self.proposed = {}
        for p in self.proposals.values():
            self.proposed.setdefault(p.sender, []).append(p.order)
        self.memoranda = investment.memoranda(s)
        self.subsidies = programmes.running(s)

    def capacity(self, nation: str, mineral: str, stage: Stage) -> float:
        """`capacity_of(nation, mineral, stage)`, read off this turn's `capacity_grid`."""
        grid = self._capacity.get(stage)
        if grid is None:
            grid = self._capacity[stage] = capacity_grid(self.state, stage)
        s = self.state
        return float(grid[s.mineral_index_of[mineral], s.nation_index[nation]])

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
