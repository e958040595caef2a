"""Deal levers: offtake deals and memoranda, and the answers to every kind of proposal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules.orders import DealKind, Invest, InviteToZone, ProposeDeal, RespondToProposal
from game.world.mechanisms import industry, zones
from game.world.mechanisms.base import Lever, refuse

if TYPE_CHECKING:
    from game.world.model import WorldModel

MAX_DEAL_SHARE = 0.5
"""An offtake may take at most this share of the seller's capacity in that stage."""


def _deal_verb(o: ProposeDeal) -> str:
    other = o.counterparty
    return f"propose {'an offtake deal' if o.deal == DealKind.OFFTAKE else 'a memorandum'} to {other}"


def _check_deal(world: WorldModel, o: ProposeDeal) -> str | None:
    verb = _deal_verb(o)
    if o.deal == DealKind.OFFTAKE:
        capacity = world.capacity_of(o.seller, o.mineral, o.stage)
        if capacity <= 0:
            return refuse(
                world, o, verb, f"{world.display(o.seller)} has no {o.stage.value} {o.mineral} to sell"
            )
        if o.tonnes_per_turn > MAX_DEAL_SHARE * capacity:
            return refuse(
                world,
                o,
                verb,
                f"{o.tonnes_per_turn:,.0f} t a turn is more than half of what "
                f"{world.display(o.seller)} can produce ({capacity:,.0f} t)",
            )
    buyer = world.nation_ids.index(o.buyer)
    if o.financing_usd_m > world.treasury[buyer]:
        return refuse(world, o, verb, f"{world.display(o.buyer)} cannot pay the financing")
    if any(p.order == o for p in world.diplomacy.pending(sender=o.issuer)):
        return refuse(world, o, verb, "the same proposal is already waiting for an answer")
    return None


def _apply_deal(world: WorldModel, o: ProposeDeal) -> None:
    world.diplomacy.propose(world.turn, o.issuer, o.counterparty, o)


def _check_respond(world: WorldModel, o: RespondToProposal) -> str | None:
    p = world.diplomacy.proposals.get(o.proposal)
    if p is None or p.to != o.issuer:
        return refuse(world, o, f"answer proposal #{o.proposal}", "no such proposal is waiting for it")
    if o.accept and isinstance(p.order, InviteToZone) and p.order.zone not in world.policies.zones:
        return refuse(world, o, f"join zone {p.order.zone}", "the zone no longer exists")
    return None


def _apply_respond(world: WorldModel, o: RespondToProposal) -> str | None:
    p = world.diplomacy.proposals[o.proposal]
    d = world.diplomacy
    me = world.display(o.issuer)
    if not o.accept:
        del d.proposals[p.id]
        d.replies.append(
            (world.turn, p.sender, f"{me} refused proposal #{p.id}: {o.reason or 'no reason given'}")
        )
        d.act(world.turn, o.issuer, p.sender, "deal_refused")
        return None
    match p.order:
        case InviteToZone():
            zones.join(world, o.issuer, p.order.zone)
        case ProposeDeal():
            terms = p.order
            buyer = world.nation_ids.index(terms.buyer)
            if terms.financing_usd_m > world.treasury[buyer]:
                return refuse(
                    world, o, f"accept proposal #{p.id}", f"{world.display(terms.buyer)} can no longer pay"
                )
            del d.proposals[p.id]
            if terms.financing_usd_m > 0:
                world.treasury[buyer] -= terms.financing_usd_m
                industry.finance_capacity(world, terms)
            d.sign(world.turn, terms)
            d.act(world.turn, o.issuer, p.sender, "deal_signed")
            d.act(world.turn, p.sender, o.issuer, "deal_signed")
            d.replies.append((world.turn, p.sender, f"{me} accepted proposal #{p.id}."))
        case Invest():
            reason = industry.check_funds(world, p.order)
            if reason:
                return reason
            del d.proposals[p.id]
            industry.start_investment(world, p.order)
            d.replies.append((world.turn, p.sender, f"{me} welcomed the investment (proposal #{p.id})."))
    return None


LEVERS = {
    RespondToProposal: Lever(4, lambda o: f"answer proposal #{o.proposal}", _check_respond, _apply_respond),
    ProposeDeal: Lever(9, _deal_verb, _check_deal, _apply_deal),
}
