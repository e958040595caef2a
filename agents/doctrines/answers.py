"""Judging proposals: the common sense every doctrine applies to deals, investments and zone
invitations, with the thresholds (a `Stance`) each doctrine sets for itself.

A verdict always carries a short reason the proposer's UI can show ("price below our
floor", "relations too poor"), and a score used to pick the best of competing offers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.doctrines.assess import (
    deal_price_ratio,
    mineral_need,
    output_tonnes,
    rivals,
)
from agents.doctrines.base import Verdict
from agents.observation import F64, Observation
from game.content import Content
from game.rules import Instrument, Stage, Zone
from game.rules.diplomacy import Proposal
from game.rules.orders import DealKind, Invest, InviteToZone, ProposeDeal


@dataclass(frozen=True)
class Stance:
    """A doctrine's thresholds for saying yes."""

    min_relations: float = -20.0
    """Below this regard for the proposer: 'relations too poor'."""
    seller_floor: float = 0.95
    """Selling below this share of our market price: 'price below our floor'."""
    buyer_ceiling: float = 1.10
    """Buying above this share of the market price (raised by supply stress): 'too dear'."""
    host_min_relations: float = -10.0
    """Consent to a foreign plant in our country needs at least this regard for the investor."""
    screen_rivals: bool = False
    """Refuse investment from the rival camp unless relations are warm (security screening)."""
    refinery_bonus: float = 0.0
    """Extra score for an offer that builds refining at home (a nationalist's priority)."""


def judge_common(
    stance: Stance, proposal: Proposal, observation: Observation, content: Content, stress: F64
) -> Verdict:
    """Judge a deal or an investment by the stance; invitations to zones are refused here
    (each doctrine judges zones by its own utility)."""
    order = proposal.order
    regard = float(observation.relations[observation.n(proposal.sender)])
    if isinstance(order, InviteToZone):
        return Verdict(False, "we stay out of trade blocs")
    if regard < stance.min_relations:
        return Verdict(False, "relations too poor", regard / 100)
    if isinstance(order, Invest):
        return judge_investment(stance, order, proposal.sender, observation, content, regard)
    return judge_deal(stance, order, observation, content, stress, regard)


def judge_deal(
    stance: Stance,
    deal: ProposeDeal,
    observation: Observation,
    content: Content,
    stress: F64,
    regard: float,
) -> Verdict:
    me = observation.nation
    m = observation.m(deal.mineral)
    if deal.deal == DealKind.MEMORANDUM:
        if regard < stance.min_relations + 10:
            return Verdict(False, "relations too poor for a memorandum", regard / 100)
        return Verdict(True, "a memorandum of good will", 0.5 + regard / 100)
    ratio = deal_price_ratio(deal, observation)
    finance = deal.financing_usd_m / 1000
    if deal.seller == me:
        produced = output_tonnes(observation, content, deal.mineral, deal.stage.value, observation.me)
        if produced <= 0 and deal.financing_usd_m <= 0:
            return Verdict(False, f"we produce no {deal.stage.value} {deal.mineral}")
        for c in observation.controls_by(me):
            closes = c.instrument == Instrument.BAN and (not c.targets or deal.buyer in c.targets)
            if closes and c.mineral == deal.mineral and c.stage == deal.stage:
                if not c.targets and deal.stage == Stage.ORE:
                    return Verdict(False, f"{deal.mineral} ore exports are banned: refine it here")
                return Verdict(False, f"our {deal.mineral} exports to you are banned")
        if ratio < stance.seller_floor:
            return Verdict(False, "price below our floor", ratio)
        score = ratio + finance * (1 + stance.refinery_bonus) + regard / 200
        return Verdict(True, "terms accepted", score)
    # we buy
    if deal.stage == Stage.REFINED and mineral_need(observation)[m] <= 0:
        return Verdict(False, f"we have no use for {deal.mineral}")
    if deal.stage == Stage.ORE and observation.refine_share[m, observation.me] <= 0:
        return Verdict(False, f"we cannot refine {deal.mineral} ore")
    ceiling = stance.buyer_ceiling + 0.5 * float(stress[m])
    if ratio > ceiling:
        return Verdict(False, "price above what we would pay", -ratio)
    return Verdict(True, "terms accepted", (ceiling - ratio) + float(stress[m]) + regard / 200)


def judge_investment(
    stance: Stance, invest: Invest, sender: str, observation: Observation, content: Content, regard: float
) -> Verdict:
    if invest.country != observation.nation:
        return Verdict(False, "that plant would not be in our country")
    if regard < stance.host_min_relations:
        return Verdict(False, "relations too poor", regard / 100)
    mine, theirs = observation.alignment[observation.me], observation.alignment[observation.n(sender)]
    if stance.screen_rivals and rivals(mine, theirs) and regard < 20:
        return Verdict(False, "investment screening: a strategic rival", regard / 100)
    template = content.projects[invest.template]
    capital = template.capex_usd_per_tpy * template.capacity_tpy * invest.share_pct / 100 / 1e9
    bonus = stance.refinery_bonus if template.kind.value == "refinery" else 0.0
    return Verdict(True, "welcome: it builds our industry", 1.0 + capital + bonus + regard / 100)


# ---------------------------------------------------------------------------- zones


def zone_named(observation: Observation, zone_id: str) -> Zone | None:
    return next((z for z in observation.zones if z.id == zone_id), None)


def zone_minerals(zone: Zone) -> list[str]:
    return sorted({*zone.external_tariff_pct, *zone.price_floor_usd_per_t})


def export_dependence(observation: Observation) -> F64:
    """(N,) share of our exports (ore and refined, averaged over the minerals we export)
    that goes to each nation."""
    me = observation.me
    exports = observation.refined_flow[:, me, :] + observation.ore_flow[:, me, :]
    exports[:, me] = 0.0
    total = exports.sum(axis=1, keepdims=True)
    shares = np.divide(exports, total, out=np.zeros_like(exports), where=total > 0)
    exporting = (total[:, 0] > 0).sum()
    return shares.sum(axis=0) / max(int(exporting), 1)


def zone_payoff(observation: Observation, zone: Zone, stress: F64) -> tuple[float, float, str]:
    """(gain, cost, who) of joining `zone`.

    Gain: the supply stress of the minerals it covers (members secure supply among
    themselves), floor prices above today's price on what we mine, and our regard for the
    founder. Cost: how much of those minerals we buy from the nations it shuts out
    (`who` names the largest), worse the more they would resent it.
    """
    me = observation.me
    minerals = [m for m in zone_minerals(zone) if m in observation.minerals]
    founder = observation.n(zone.founder) if zone.founder in observation.nations else me
    gain = 0.2 + float(observation.relations[founder]) / 100
    for mineral in minerals:
        m = observation.m(mineral)
        gain += float(stress[m])
        floor = zone.price_floor_usd_per_t.get(mineral, 0.0)
        price = float(observation.refined_price[m, me])
        if floor > price > 0:
            gain += 5 * float(observation.mine_share[m, me]) * (floor / price - 1)
    outsiders = [i for i, n in enumerate(observation.nations) if n not in zone.members and i != me]
    dependence = observation.import_dependence()
    customers = export_dependence(observation)
    rows = [observation.m(x) for x in minerals]
    # Each outsider's mean dependence over the zone's minerals, all at once: row i of the
    # transposed copy holds the same numbers in the same order as `dependence[rows, i]`,
    # and numpy reduces each row as it would that vector (the same sum, bit for bit).
    supplied = np.ascontiguousarray(dependence[rows].T).mean(axis=1).tolist() if rows else None
    sales, relations = customers.tolist(), observation.relations.tolist()
    cost, who = 0.0, ""
    for i in outsiders:
        # What an outsider could make us pay: the supply we get from it, or the sales we
        # make to it (a producer whose buyer is shut out risks its market).
        dep = max(supplied[i] if supplied is not None else 0.0, sales[i])
        c = dep * (1.5 + max(relations[i], 0.0) / 50)
        if c > cost:
            cost, who = c, observation.nations[i]
    return gain, cost, who


__all__ = [
    "Stance",
    "judge_common",
    "judge_deal",
    "judge_investment",
    "zone_minerals",
    "zone_named",
    "zone_payoff",
]
