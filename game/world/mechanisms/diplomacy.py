"""Relations between nations, proposals awaiting answers, deals in force, and the acts that
moved relations.

Relations are a (N, N) array, row regards column, in −100..100. They start from the
nations' alignments, move with acts (an act against a nation hurts its regard for the
actor much more than the actor's for it) and drift back a little every turn, so an old
grievance fades unless it is renewed. The sizes of the moves are model assumptions,
chosen so that a ban moves relations about as much as a summit and a deal together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from game.rules import Alignment
from game.rules.diplomacy import PROPOSAL_TURNS, Act, Deal, Proposal
from game.rules.orders import DealKind, Invest, InviteToZone, ProposeDeal
from game.world.digest import SequenceDigest, json_bytes

F64 = NDArray[np.float64]

DRIFT = 0.05
"""Share of the gap to the baseline that relations recover each turn."""
ACTOR_SHARE = 0.25
"""An actor's own regard for its target moves by this share of the target's."""

ACT_CHANGE: dict[str, float] = {
    "ban": -20.0,
    "quota": -10.0,
    "licensing": -6.0,
    "export_tax": -6.0,
    "end_use": -8.0,
    "lift_control": 6.0,
    "tariff": -8.0,
    "remove_tariff": 4.0,
    "external_tariff": -3.0,
    "zone_invitation": 5.0,
    "zone_joined": 6.0,
    "zone_left": -10.0,
    "deal_signed": 8.0,
    "deal_refused": -2.0,
    "deal_broken": -15.0,
    "investment": 5.0,
    "stockpile_shared": 10.0,
    "summit": 6.0,
    "promise": 4.0,
    "reassure": 3.0,
    "pressure": -6.0,
    "protest": -4.0,
}
"""How much the target's regard for the actor moves (model assumptions)."""


def baseline_relations(alignments: list[Alignment]) -> F64:
    """Start relations from alignment: camps like themselves and distrust the other camp;
    hedgers and the non-aligned are mildly warm to everyone."""
    a = np.array([x.value for x in alignments])
    us, cn = a == Alignment.US_ALIGNED.value, a == Alignment.CHINA_ALIGNED.value
    rel = np.full((len(a), len(a)), 10.0)
    rel[np.ix_(us, us)] = 40.0
    rel[np.ix_(cn, cn)] = 40.0
    rel[np.ix_(us, cn)] = -30.0
    rel[np.ix_(cn, us)] = -30.0
    np.fill_diagonal(rel, 100.0)
    return rel


@dataclass
class Diplomacy:
    nations: tuple[str, ...]
    baseline: F64
    relations: F64 = field(init=False)
    proposals: dict[int, Proposal] = field(default_factory=dict)
    deals: list[Deal] = field(default_factory=list)
    acts: list[Act] = field(default_factory=list)
    replies: list[tuple[int, str, str]] = field(default_factory=list)
    """(turn, nation, text): answers to a nation's proposals and orders refused at resolution."""
    next_id: int = 0
    _deals_digest: SequenceDigest[Deal] = field(
        default_factory=lambda: SequenceDigest(json_bytes), repr=False, compare=False
    )
    """The deals' part of the world hash: the list keeps every deal ever signed, and deals
    are frozen, so a turn hashes only the deals signed since the last (see SequenceDigest)."""
    _proposals_digest: SequenceDigest[Proposal] = field(
        default_factory=lambda: SequenceDigest(json_bytes), repr=False, compare=False
    )
    """The proposals' part: they come and go within two turns, and each is encoded once."""
    _acts_digest: SequenceDigest[Act] = field(
        default_factory=lambda: SequenceDigest(json_bytes), repr=False, compare=False
    )
    """The acts' part: every act ever noticed, read back by observations (recent acts)."""

    _in_force: tuple[tuple[int, int, int], list[Deal]] | None = field(default=None, repr=False, compare=False)
    _ended: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.relations = self.baseline.copy()

    def act(self, turn: int, actor: str, target: str, kind: str, scale: float = 1.0) -> None:
        if actor == target or actor not in self.nations or target not in self.nations:
            return
        change = ACT_CHANGE[kind] * scale
        a, t = self.nations.index(actor), self.nations.index(target)
        self.relations[t, a] = np.clip(self.relations[t, a] + change, -100.0, 100.0)
        self.relations[a, t] = np.clip(self.relations[a, t] + ACTOR_SHARE * change, -100.0, 100.0)
        self.acts.append(Act(turn=turn, actor=actor, target=target, kind=kind, change=round(change, 6)))

    def drift(self) -> None:
        self.relations += DRIFT * (self.baseline - self.relations)

    def propose(
        self, turn: int, sender: str, to: str, order: ProposeDeal | Invest | InviteToZone
    ) -> Proposal:
        proposal = Proposal(
            id=self.next_id, turn=turn, sender=sender, to=to, order=order, expires_turn=turn + PROPOSAL_TURNS
        )
        self.proposals[proposal.id] = proposal
        self.next_id += 1
        return proposal

    def pending(self, to: str | None = None, sender: str | None = None) -> list[Proposal]:
        return [
            p
            for p in self.proposals.values()
            if (to is None or p.to == to) and (sender is None or p.sender == sender)
        ]

    def invited(self, nation: str, zone: str) -> Proposal | None:
        for p in self.proposals.values():
            if p.to == nation and isinstance(p.order, InviteToZone) and p.order.zone == zone:
                return p
        return None

    def expire(self, turn: int) -> list[Proposal]:
        lapsed = [p for p in self.proposals.values() if p.expires_turn <= turn]
        for p in lapsed:
            del self.proposals[p.id]
            self.replies.append((turn, p.sender, f"{p.to} did not answer proposal #{p.id}; it lapsed."))
        return lapsed

    def sign(self, turn: int, terms: ProposeDeal) -> Deal:
        deal = Deal(id=self.next_id, terms=terms, start_turn=turn, end_turn=turn + terms.duration_turns)
        self.next_id += 1
        self.deals.append(deal)
        return deal

    def deals_in_force(self, turn: int) -> list[Deal]:
        """The deals running at `turn`. Every nation's observation and the markets ask this
        several times a turn, and the list keeps every deal ever signed, so the answer is
        kept until the turn or the list changes."""
        key = (turn, len(self.deals), self._ended)
        if self._in_force is None or self._in_force[0] != key:
            self._in_force = (key, [d for d in self.deals if d.start_turn <= turn < d.end_turn])
        return list(self._in_force[1])

    def end(self, deal: Deal) -> None:
        """End a deal before its term (its seller broke it)."""
        self.deals.remove(deal)
        self._ended += 1

    def memorandum_between(self, a: str, b: str, turn: int) -> bool:
        return any(
            d.terms.deal == DealKind.MEMORANDUM and {d.terms.buyer, d.terms.seller} == {a, b}
            for d in self.deals_in_force(turn)
        )

    def digest(self) -> bytes:
        """The relations, the proposals, the deals, the acts and the next id, for the world hash."""
        return (
            self.relations.tobytes()
            + self._proposals_digest.digest(self.proposals.values())
            + self._deals_digest.digest(self.deals)
            + self._acts_digest.digest(self.acts)
            + str(self.next_id).encode()
        )
