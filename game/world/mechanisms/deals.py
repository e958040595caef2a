"""Offtake deals and memoranda: their orders, the answers to every kind of proposal, and the
tonnes and prices deals in force fix on the markets each turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage
from game.rules.diplomacy import Deal
from game.rules.orders import DealKind, Invest, InviteToZone, ProposeDeal, RespondToProposal
from game.world.economy.firms import capacity_of
from game.world.mechanisms import investment, zones
from game.world.mechanisms.base import Lever, refuse
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing, Routes
    from game.world.state import WorldState

F64 = NDArray[np.float64]

MAX_DEAL_SHARE = 0.5
"""An offtake may take at most this share of the seller's capacity in that stage."""


def _deal_verb(o: ProposeDeal) -> str:
    other = o.counterparty
    return f"propose {'an offtake deal' if o.deal == DealKind.OFFTAKE else 'a memorandum'} to {other}"


def _check_deal(world: WorldState, o: ProposeDeal) -> str | None:
    verb = _deal_verb(o)
    if o.deal == DealKind.OFFTAKE:
        capacity = capacity_of(world, o.seller, o.mineral, o.stage)
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


def _apply_deal(world: WorldState, o: ProposeDeal) -> None:
    world.diplomacy.propose(world.turn, o.issuer, o.counterparty, o)


def _check_respond(world: WorldState, o: RespondToProposal) -> str | None:
    p = world.diplomacy.proposals.get(o.proposal)
    if p is None or p.to != o.issuer:
        return refuse(world, o, f"answer proposal #{o.proposal}", "no such proposal is waiting for it")
    if o.accept and isinstance(p.order, InviteToZone) and p.order.zone not in world.policies.zones:
        return refuse(world, o, f"join zone {p.order.zone}", "the zone no longer exists")
    return None


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
            buyer = world.nation_ids.index(terms.buyer)
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
    RespondToProposal: Lever(4, lambda o: f"answer proposal #{o.proposal}", _check_respond, _apply_respond),
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
        cap = MAX_DEAL_SHARE * capacity_of(s, terms.seller, terms.mineral, stage)
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
