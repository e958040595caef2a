"""What every AI doctrine shares: its temper by difficulty level, its seeded randomness, a
budget that never spends money the nation does not have, and the loop of a turn (answer
every proposal in the inbox, then, if the nation is paying attention, take a handful of
initiatives in order of priority).

A doctrine is a pure function of (seed, nation, level, observation): the random generator
of a turn is a child of `SeedSequence([seed, crc32(nation)])` keyed by the turn, so a game
reloaded from a save takes the same decisions as one that never stopped, and nothing
depends on Python's salted `hash()` or on global random state.
"""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from agents.controller import Level
from agents.doctrines.assess import output_tonnes
from agents.observation import Observation
from game.content import Content
from game.rules import Doctrine, ExportControl
from game.rules.diplomacy import Proposal
from game.rules.orders import (
    FundRnD,
    ImposeExportControl,
    Invest,
    InviteToZone,
    JoinZone,
    Order,
    ProposeDeal,
    RespondToProposal,
    Stockpile,
    StockpileAction,
    Subsidise,
)
from game.rules.policies import control_terms


@dataclass(frozen=True)
class Temper:
    """How attentive, how bold and how sharp a doctrine plays at one difficulty level."""

    attention: float
    """Chance per turn that the nation reviews its policies at all (answers come regardless):
    an easy AI often lets a turn pass, so it reacts late."""
    threshold: float
    """Multiplies the provocation or supply stress it takes to act: above 1 is slow to anger."""
    scale: float
    """Multiplies purchase sizes, deal tonnes and investment shares."""
    max_orders: int
    """Initiatives per turn (answers to proposals come on top): a handful, never a flood."""
    spend_share: float
    """Share of the treasury the nation commits in one turn; the rest is kept in reserve."""
    cadence: int
    """Turns between repeated programmes (investment, R&D, offers) in the same mineral."""
    targeted: bool
    """Aims controls and offers at the counterpart's weakest sector and best timing."""


TEMPERS: dict[Level, Temper] = {
    Level.EASY: Temper(
        attention=0.4, threshold=1.5, scale=0.5, max_orders=2, spend_share=0.08, cadence=12, targeted=False
    ),
    Level.NORMAL: Temper(
        attention=0.85, threshold=1.0, scale=1.0, max_orders=4, spend_share=0.15, cadence=8, targeted=False
    ),
    Level.HARD: Temper(
        attention=1.0, threshold=0.9, scale=1.25, max_orders=5, spend_share=0.25, cadence=4, targeted=True
    ),
}


def nation_seed(seed: int, nation: str) -> np.random.SeedSequence:
    """The root of a nation's randomness: stable across runs, machines and scenarios."""
    return np.random.SeedSequence([seed, zlib.crc32(nation.encode())])


def turn_rng(root: np.random.SeedSequence, turn: int) -> np.random.Generator:
    """The generator of one turn: the `turn`-th child of the nation's seed sequence.
    (`default_rng` of a seed sequence is this Generator over PCG64, after type checks that
    cost a tenth of it; every nation builds one every turn.)"""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(root.entropy, spawn_key=(turn,))))


def on_cadence(turn: int, nation: str, key: str, period: int) -> bool:
    """True once every `period` turns, at a phase fixed per nation and key, so that the
    programmes of one nation (and of different nations) do not all fall on the same turn."""
    period = max(period, 1)
    return (turn + _phase(nation, key)) % period == 0


@functools.lru_cache(maxsize=4096)
def _phase(nation: str, key: str) -> int:
    """The fixed offset of a nation's programme: a pure function of two names, remembered as
    the same few hundred are asked about every turn."""
    return zlib.crc32(f"{nation}:{key}".encode())


def clip(x: float, lo: float, hi: float) -> float:
    """`float(np.clip(x, lo, hi))` for one number (the same value, NaN included, for bounds
    that are not zero), without building a numpy scalar."""
    return min(max(x, lo), hi)


# ---------------------------------------------------------------------------- amounts


TONNES_PLACES = 3
"""Offers are rounded to the kilogram."""


def offer_tonnes(tonnes: float, ceiling: float) -> float:
    """`tonnes` a turn as an offtake offers them: rounded to the kilogram, and never above
    `ceiling` (`Observation.offtake_limit`, the desk's limit), even after rounding."""
    offered = round(min(tonnes, ceiling), TONNES_PLACES)
    if offered > ceiling:
        scale = 10**TONNES_PLACES
        offered = math.floor(ceiling * scale) / scale
        if offered > ceiling:  # the product rounded up to the next whole kilogram
            offered = (math.floor(ceiling * scale) - 1) / scale
    return offered


# ---------------------------------------------------------------------------- money


def order_cost(order: Order, observation: Observation, content: Content) -> float:
    """USD m that `order` commits from the issuer's treasury if it is carried out.

    Conservative: a subsidy counts all its turns, a deal proposal its financing, an accepted
    proposal the financing the issuer would pay as buyer.
    """
    match order:
        case Stockpile(action=StockpileAction.BUY):
            return order.budget_usd_m
        case Invest():
            template = content.projects[order.template]
            return template.capex_usd_m(order.share_pct)
        case Subsidise():
            return order.usd_m_per_turn * order.turns
        case FundRnD():
            return order.budget_usd_m
        case ProposeDeal():
            return order.financing_usd_m if order.buyer == order.issuer else 0.0
        case RespondToProposal(accept=True):
            for p in observation.inbox:
                if p.id == order.proposal and isinstance(p.order, ProposeDeal) and p.order.buyer == p.to:
                    return p.order.financing_usd_m
            return 0.0
        case _:
            return 0.0


@dataclass
class Plan:
    """The orders of one turn, within a budget and a count.

    `budget_usd_m` is what the nation is willing to commit this turn (a share of its treasury,
    never more than the treasury); `limit` caps the initiatives.
    """

    budget_usd_m: float
    limit: int
    orders: list[Order] = field(default_factory=list)
    spent_usd_m: float = 0.0

    @property
    def full(self) -> bool:
        return len(self.orders) >= self.limit

    @property
    def left_usd_m(self) -> float:
        return max(self.budget_usd_m - self.spent_usd_m, 0.0)

    def can_afford(self, usd_m: float) -> bool:
        return usd_m <= self.left_usd_m + 1e-9

    def add(self, order: Order, cost_usd_m: float = 0.0) -> bool:
        """Add `order` if there is room and money for it; returns whether it was added."""
        if self.full or not self.can_afford(cost_usd_m):
            return False
        self.orders.append(order)
        self.spent_usd_m += cost_usd_m
        return True


# ---------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Verdict:
    """A doctrine's judgement of one proposal: its utility, and the reason it gives."""

    accept: bool
    reason: str
    score: float = 0.0
    """Higher is better; decides which of competing offers wins (the best bidder)."""


def control_in_force(observation: Observation, control: ExportControl) -> bool:
    """An identical control (same instrument, targets and parameters) is already in force."""
    terms = control_terms(control)
    return any(control_terms(c) == terms for c in observation.controls)


def impose(observation: Observation, **fields: object) -> ImposeExportControl | None:
    """An ImposeExportControl by the observing nation, or None when it is already in force."""
    order = ImposeExportControl(issuer=observation.nation, **fields)  # type: ignore[arg-type]
    return None if control_in_force(observation, order.control()) else order


class DoctrineController:
    """The turn loop shared by every doctrine; subclasses say what they judge and what they do.

    Subclasses implement `judge` (a verdict on one proposal) and `initiatives` (orders added
    to a Plan in order of priority).
    """

    doctrine: ClassVar[Doctrine]
    thrift: ClassVar[float] = 1.0
    """Multiplies the temper's spend share: a swing state spends less than an ally."""

    def __init__(self, nation: str, level: Level, seed: int, content: Content) -> None:
        self.nation = nation
        self.level = Level(level)
        self.seed = seed
        self.content = content
        self.temper = TEMPERS[self.level]
        self.seed_sequence = nation_seed(seed, nation)
        self.base_price = {m.id: m.prices.refined_usd_per_t for m in content.minerals.values()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nation!r}, {self.level.value})"

    # ---------------------------------------------------------------- the turn

    def decide(self, observation: Observation) -> list[Order]:
        if observation.nation != self.nation:
            raise ValueError(f"{self!r} was given {observation.nation}'s observation")
        rng = turn_rng(self.seed_sequence, observation.turn)
        treasury = max(observation.treasury_usd_m, 0.0)
        budget = treasury * min(self.temper.spend_share * self.thrift, 1.0)
        plan = Plan(budget_usd_m=budget, limit=self.temper.max_orders)
        answers = self.answer_inbox(observation, plan)
        if rng.random() < self.temper.attention:
            self.initiatives(observation, rng, plan)
        return [*answers, *plan.orders]

    def initiatives(self, observation: Observation, rng: np.random.Generator, plan: Plan) -> None:
        raise NotImplementedError

    def judge(self, proposal: Proposal, observation: Observation) -> Verdict:
        raise NotImplementedError

    # ---------------------------------------------------------------- answers

    def answer_inbox(self, observation: Observation, plan: Plan) -> list[Order]:
        """Answer every proposal addressed to us, best offers first.

        Competing offers are weighed against each other: once we joined a zone this turn we
        decline other invitations, and once the tonnes we can spare of a mineral are sold the
        weaker offers are refused (a financed deal brings its own plant). Financing we would
        pay as buyer comes out of the plan's budget (answers do not count toward the
        initiative limit).
        """
        mine = [p for p in observation.inbox if p.to == self.nation]
        verdicts = {p.id: self.judge(p, observation) for p in mine}
        ranked = sorted(mine, key=lambda p: (-verdicts[p.id].score, p.id))
        sold: dict[tuple[str, str], float] = {}
        joined: str | None = None
        answers: dict[int, Order] = {}
        for p in ranked:
            verdict = verdicts[p.id]
            accept, reason = verdict.accept, verdict.reason
            order = p.order
            if accept and isinstance(order, InviteToZone):
                if joined is not None:
                    accept, reason = False, f"we joined {joined} instead"
                else:
                    joined = order.zone
                    answers[p.id] = JoinZone(issuer=self.nation, zone=order.zone, note=reason)
                    continue
            financed = isinstance(order, ProposeDeal) and order.financing_usd_m > 0
            if accept and isinstance(order, ProposeDeal) and order.seller == self.nation and not financed:
                key = (order.mineral, order.stage.value)
                spare = self.spare_tonnes(observation, order.mineral, order.stage.value)
                if sold.get(key, 0.0) + order.tonnes_per_turn > spare:
                    accept, reason = False, "a better offer took the tonnes we can spare"
                else:
                    sold[key] = sold.get(key, 0.0) + order.tonnes_per_turn
            if accept and isinstance(order, ProposeDeal) and order.buyer == self.nation:
                if not plan.can_afford(order.financing_usd_m):
                    accept, reason = False, "we cannot afford the financing"
                else:
                    plan.spent_usd_m += order.financing_usd_m
            answers[p.id] = RespondToProposal(
                issuer=self.nation, proposal=p.id, accept=accept, reason=reason[:200]
            )
        return [answers[p.id] for p in sorted(mine, key=lambda p: p.id)]

    def spare_tonnes(self, observation: Observation, mineral: str, stage: str) -> float:
        """Tonnes per turn we could commit to offtakes: half of what we produce."""
        return 0.5 * output_tonnes(observation, self.content, mineral, stage, observation.me)
