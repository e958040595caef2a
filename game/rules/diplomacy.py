"""The diplomatic record: proposals waiting for an answer, deals in force, and the acts
that move relations. Plain data, shared by the world (which keeps them), observations
(which show each nation its part) and saves.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from game.rules.ids import Frozen, Slug
from game.rules.orders import Invest, InviteToZone, ProposeDeal

PROPOSAL_TURNS = 2
"""A proposal not answered within this many turns lapses."""


class Proposal(Frozen):
    """Something one nation asked of another: a deal, consent to an investment, or an
    invitation into a zone. Answered by the addressee's RespondToProposal (or JoinZone)."""

    id: Annotated[int, Field(ge=0)]
    turn: int
    sender: Slug
    to: Slug
    order: ProposeDeal | Invest | InviteToZone
    expires_turn: int

    def summary(self) -> str:
        o = self.order
        match o:
            case ProposeDeal():
                what = (
                    f"{o.deal.value} on {o.mineral}: {o.tonnes_per_turn:,.0f} t/turn "
                    f"for {o.duration_turns} turns"
                )
            case Invest():
                what = f"invest in {o.template} in {o.country}"
            case InviteToZone():
                what = f"join zone {o.zone}"
        return f"#{self.id} {self.sender} → {self.to}: {what}"


class Deal(Frozen):
    """A deal in force from `start_turn` to `end_turn` (exclusive)."""

    id: Annotated[int, Field(ge=0)]
    terms: ProposeDeal
    start_turn: int
    end_turn: int


class Act(Frozen):
    """Something a nation did that another noticed: the source of a relations change."""

    turn: int
    actor: Slug
    target: Slug
    kind: str
    change: float
    """How much the target's regard for the actor moved."""
