"""Offtake deals and memoranda: their orders, the answers to every kind of proposal, and the
tonnes and prices deals in force fix on the markets each turn.

What may be proposed or answered is decided by `deal_refusal` and `respond_refusal`; the
largest offtake a seller can be asked for is `offtake_ceiling` of its capacity. The desk's
checks, the lab's masks and (through the observation) the AI doctrines read the same ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage
from game.rules.diplomacy import Deal, Proposal
from game.rules.orders import DealKind, Invest, InviteToZone, ProposeDeal, RespondToProposal
from game.world.economy.firms import capacity_of
from game.world.mechanisms import investment, zones
from game.world.mechanisms.base import Label, Lever, refuse, same
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing, Routes
    from game.world.state import WorldState

F64 = NDArray[np.float64]

MAX_DEAL_SHARE = 0.5
"""An offtake may take at most this share of the seller's capacity in that stage."""


def _deal_verb(o: ProposeDeal, n: Label = same) -> str:
    other = n(o.counterparty)
    return f"propose {'an offtake deal' if o.deal == DealKind.OFFTAKE else 'a memorandum'} to {other}"


def offtake_ceiling(capacity: F64 | float) -> F64 | float:
    """The most tonnes a turn an offtake may take from a seller with `capacity` tonnes a turn
    (`capacity_of`, or `capacity_grid` for every seller at once: the same floats)."""
    return MAX_DEAL_SHARE * capacity


def deal_refusal(
    s: WorldState,
    seller: str,
    buyer: str,
    mineral: str,
    stage: Stage,
    tonnes: float | None,
    capacity: float,
    financing: float,
    buyer_treasury: float,
    pending: bool = False,
) -> str | None:
    """Why a deal cannot be proposed: an offtake of `tonnes` a turn (None: a memorandum) from
    `seller`, whose `capacity` is `capacity_of` it, with `financing` USD m the buyer, holding
    `buyer_treasury`, pays, while the same proposal is `pending` or not. None if it can."""
    if tonnes is not None:
        if capacity <= 0:
            return f"{s.display(seller)} has no {stage.value} {s.label(mineral)} to sell"
        if tonnes > offtake_ceiling(capacity):
            return (
                f"{tonnes:,.0f} t a turn is more than half of what "
                f"{s.display(seller)} can produce ({capacity:,.0f} t)"
            )
    if financing > buyer_treasury:
        return f"{s.display(buyer)} cannot pay the financing"
    if pending:
        return "the same proposal is already waiting for an answer"
    return None


def _check_deal(world: WorldState, o: ProposeDeal) -> str | None:
    offtake = o.deal == DealKind.OFFTAKE
    capacity = capacity_of(world, o.seller, o.mineral, o.stage) if offtake else 0.0
    why = deal_refusal(
        world,
        o.seller,
        o.buyer,
        o.mineral,
        o.stage,
        o.tonnes_per_turn if offtake else None,
        capacity,
        o.financing_usd_m,
        float(world.treasury[world.nation_index[o.buyer]]),
        any(p.order == o for p in world.diplomacy.pending(sender=o.issuer)),
    )
    return None if why is None else refuse(world, o, _deal_verb(o, world.label), why)


def _apply_deal(world: WorldState, o: ProposeDeal) -> None:
    world.diplomacy.propose(world.turn, o.issuer, o.counterparty, o)


def respond_refusal(s: WorldState, p: Proposal | None, issuer: str, accept: bool) -> str | None:
    """Why `issuer` cannot answer proposal `p` (None: no longer waiting) so; None if it can."""
    if p is None or p.to != issuer:
        return "no such proposal is waiting for it"
    if accept and isinstance(p.order, InviteToZone) and p.order.zone not in s.policies.zones:
        return "the zone no longer exists"
    return None


def _check_respond(world: WorldState, o: RespondToProposal) -> str | None:
    p = world.diplomacy.proposals.get(o.proposal)
    why = respond_refusal(world, p, o.issuer, o.accept)
    if why is None:
        return None
    if p is not None and p.to == o.issuer and isinstance(p.order, InviteToZone):
        return refuse(world, o, f"join zone {p.order.zone}", why)  # a zone gone: no name left
    return refuse(world, o, f"answer proposal #{o.proposal}", why)


def _apply_respond(world: WorldState, o: RespondToProposal) -> str | None:
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
            buyer = world.nation_index[terms.buyer]
            if terms.financing_usd_m > world.treasury[buyer]:
                return refuse(
                    world, o, f"accept proposal #{p.id}", f"{world.display(terms.buyer)} can no longer pay"
                )
            del d.proposals[p.id]
            if terms.financing_usd_m > 0:
                world.treasury[buyer] -= terms.financing_usd_m
                investment.finance_capacity(world, terms)
            d.sign(world.turn, terms)
            d.act(world.turn, o.issuer, p.sender, "deal_signed")
            d.act(world.turn, p.sender, o.issuer, "deal_signed")
            d.replies.append((world.turn, p.sender, f"{me} accepted proposal #{p.id}."))
        case Invest():
            reason = investment.check_funds(world, p.order)
            if reason:
                return reason
            del d.proposals[p.id]
            investment.start_investment(world, p.order)
            d.replies.append((world.turn, p.sender, f"{me} welcomed the investment (proposal #{p.id})."))
    return None


LEVERS = {
    RespondToProposal: Lever(
        4, lambda o, n=same: f"answer proposal #{o.proposal}", _check_respond, _apply_respond
    ),
    ProposeDeal: Lever(9, _deal_verb, _check_deal, _apply_deal),
}


def offtakes(s: WorldState, stage: Stage) -> list[Deal]:
    """Offtake deals in force this turn for a mineral of this scenario at this stage."""
    return [
        d
        for d in s.diplomacy.deals_in_force(s.turn)
        if d.terms.stage == stage and d.terms.deal == DealKind.OFFTAKE and d.terms.mineral in s.mineral_ids
    ]


def fixed_flows(s: WorldState, stage: Stage, routes: Routes) -> F64 | None:
    """(M, O, B) tonnes offtake deals fix in advance on their routes this turn.

    A seller that closes its own route to the buyer breaks the deal: it ends, and the
    buyer remembers. A deal never takes more than MAX_DEAL_SHARE of the seller's capacity."""
    deals = offtakes(s, stage)
    if not deals:
        return None
    fixed = np.zeros(routes.open.shape)
    for d in deals:
        terms = d.terms
        m, o, b = s.mineral_index(terms.mineral), s.nation_index[terms.seller], s.nation_index[terms.buyer]
        if not routes.open[m, o, b]:
            s.diplomacy.end(d)
            s.diplomacy.act(s.turn, terms.seller, terms.buyer, "deal_broken")
            s.news.append(
                Happened(
                    s.turn,
                    f"deal_{d.id}",
                    "Deal broken",
                    f"{s.display(terms.seller)}'s export controls break its {terms.mineral} deal "
                    f"with {s.display(terms.buyer)}.",
                    "deal",
                )
            )
            continue
        cap = offtake_ceiling(capacity_of(s, terms.seller, terms.mineral, stage))
        fixed[m, o, b] += min(terms.tonnes_per_turn, max(cap - fixed[m, o].sum(), 0.0))
    return fixed


def price_topup(s: WorldState, stage: Stage, clearing: Clearing) -> F64:
    """(M, O) USD the sellers get above (or below) the market for deal tonnes at deal prices."""
    topup = np.zeros(clearing.price.shape)
    for d in offtakes(s, stage):
        terms = d.terms
        m, o, b = s.mineral_index(terms.mineral), s.nation_index[terms.seller], s.nation_index[terms.buyer]
        spot = clearing.price[m, o]
        price = (
            terms.price_usd_per_t
            if terms.price_usd_per_t is not None
            else spot * (1 - terms.discount_pct / 100)
        )
        topup[m, o] += min(terms.tonnes_per_turn, clearing.flow[m, o, b]) * (price - spot)
    return topup
