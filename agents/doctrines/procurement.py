"""How a buying nation secures supply of one mineral: release or buy stockpile, sign an
offtake, build a plant, fund research. Shared by the consumer ally and the hedging swing
state, which differ in how much they spend and whom they will buy from.

Each function adds at most one order to the plan and returns whether it did, so callers
can go down a list of minerals, most stressed first, until the turn's handful is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from agents.doctrines.assess import (
    CAMPS,
    dealing_on,
    output_tonnes,
    per_observation,
    price_ratio_t,
    reading,
    rivals,
)
from agents.doctrines.base import DoctrineController, Plan, clip, offer_tonnes, on_cadence, order_cost
from agents.observation import SECTORS, Observation
from game.rules import Doctrine, Stage
from game.rules.orders import (
    MONEY_MAX,
    FundRnD,
    Invest,
    Pricing,
    Programme,
    ProposeDeal,
    Stockpile,
    StockpileAction,
    Subsidise,
)


@dataclass(frozen=True)
class Appetite:
    """How much a buyer is willing to do for its supply."""

    cover_turns: float
    """Stockpile target in turns of need."""
    max_buy_price: float
    """No stockpile purchases when the price is above this multiple of normal."""
    release_gap: float
    """Release stockpile when the shortfall exceeds this share of need."""
    offtake_share: float
    """Share of our need we try to lock in with one offtake deal."""
    premium_pct: float
    """Price premium offered in an offtake (a negative discount) to win the seller."""
    min_seller_relations: float
    camp_only: bool
    """Buy only from nations outside the rival camp."""
    invests: bool = True


MIN_RELEASE_T = 1.0
"""Smaller releases are not worth an order (the world's own release drains the rest)."""


def release(ctrl: DoctrineController, obs: Observation, plan: Plan, mineral: str, ap: Appetite) -> bool:
    """Release stockpile into a shortage: what stockpiles are for."""
    m = obs.m(mineral)
    own = reading(obs)
    short = own.shortfall_t[m]
    if own.ratio_t[m] < ap.release_gap or short <= 0:
        return False
    tonnes = math.floor(min(float(obs.stockpile[m]), short) * 1000) / 1000  # never above what is held
    if tonnes < MIN_RELEASE_T or plan.full:
        return False
    order = Stockpile(
        issuer=ctrl.nation,
        action=StockpileAction.RELEASE,
        mineral=mineral,
        tonnes=tonnes,
        note="released into a shortage",
    )
    return plan.add(order)


def buy_stock(ctrl: DoctrineController, obs: Observation, plan: Plan, mineral: str, ap: Appetite) -> bool:
    """Raise the stockpile target to `cover_turns` of need while prices are sane and there
    is no shortage (buying into a shortage deepens it); never re-asks for a target in force."""
    m = obs.m(mineral)
    own = reading(obs)
    need = own.need_t[m]
    desired = ap.cover_turns * need * ctrl.temper.scale
    if desired <= 0 or obs.stock_target[m] >= 0.9 * desired:
        return False
    if price_ratio_t(obs, ctrl.content)[m] > ap.max_buy_price or own.ratio_t[m] >= ap.release_gap:
        return False
    price = float(max(obs.refined_price[m, obs.me], obs.ref_price[m])) * 1.1 / 1e6  # USD m per t
    tonnes = desired - float(obs.stock_target[m])
    if tonnes * price > 0.5 * plan.left_usd_m:
        tonnes = 0.5 * plan.left_usd_m / price
    if tonnes < 0.1 * desired or tonnes <= 0 or plan.full:
        return False
    budget = min(tonnes * price, MONEY_MAX)
    order = Stockpile(
        issuer=ctrl.nation,
        action=StockpileAction.BUY,
        mineral=mineral,
        tonnes=round(tonnes, 3),
        budget_usd_m=round(budget, 3),
        note="strategic reserve",
    )
    return plan.add(order, order.budget_usd_m)


def offtake(ctrl: DoctrineController, obs: Observation, plan: Plan, mineral: str, ap: Appetite) -> bool:
    """Lock in part of our need with the most reliable refiner that will sell to us; if none,
    offer a friendly miner the financing of a refinery in exchange for its output. Once per
    half cadence per mineral, so a refusal is not answered with the same offer next turn."""
    if plan.full:
        return False
    if not on_cadence(obs.turn, ctrl.nation, f"offtake:{mineral}", max(ctrl.temper.cadence // 2, 1)):
        return False
    m = obs.m(mineral)
    need = reading(obs).need_t[m]
    if need <= 0:
        return False
    restricting = {c.issuer for c in obs.controls_on(ctrl.nation) if c.mineral == mineral}
    dealt = dealing_on(obs, mineral)
    candidates = [i for i, seller in sellers(obs, ap) if seller not in restricting and seller not in dealt]
    refining, relations = obs.refine_share[m].tolist(), obs.relations.tolist()
    refiners = [i for i in candidates if refining[i] >= 0.02]
    want = need * ap.offtake_share * ctrl.temper.scale
    if refiners:
        best = max(refiners, key=lambda i: (refining[i] * (1 + relations[i] / 100), -i))
        seller = obs.nations[best]
        tonnes = min(want, 0.3 * output_tonnes(obs, ctrl.content, mineral, Stage.REFINED.value, best))
        financing = 0.0
    else:
        mining = obs.mine_share[m].tolist()
        miners = [i for i in candidates if mining[i] >= 0.05 and relations[i] >= 0]
        template = ctrl.content.projects.get(f"{mineral}_refinery")
        if not miners or template is None:
            return False
        best = max(miners, key=lambda i: (mining[i], -i))
        seller = obs.nations[best]
        tonnes = min(want, template.capacity_tpy / 4)
        financing = template.capex_usd_per_tpy * template.capacity_tpy / 1e6 * 0.5 * ctrl.temper.scale
        if not plan.can_afford(financing):
            return False
    tonnes = offer_tonnes(float(tonnes), obs.offtake_limit(m, best))  # a miner may refine nothing
    if tonnes <= 0:
        return False
    order = ProposeDeal(
        issuer=ctrl.nation,
        buyer=ctrl.nation,
        seller=seller,
        mineral=mineral,
        stage=Stage.REFINED,
        tonnes_per_turn=tonnes,
        pricing=Pricing.INDEXED,
        discount_pct=-ap.premium_pct,
        duration_turns=12,
        financing_usd_m=round(financing, 3),
        note="secure supply from a reliable partner",
    )
    return plan.add(order, order_cost(order, obs, ctrl.content))


@per_observation
def sellers(obs: Observation, ap: Appetite) -> tuple[tuple[int, str], ...]:
    """(index, nation) of everyone we would buy from at all, whatever the mineral: the same
    for every mineral an offtake is sought for in a turn."""
    me = obs.me
    mine = obs.alignment[me]
    relations, doctrine, alignment = obs.relations.tolist(), obs.doctrine, obs.alignment
    screened = ap.camp_only and mine in CAMPS  # `rivals(mine, a)`, inlined: a != mine, both camps
    out = []
    for i, seller in enumerate(obs.nations):
        if i == me or relations[i] < ap.min_seller_relations:
            continue
        if doctrine[i] == Doctrine.PASSIVE:
            continue  # nobody there answers proposals
        if screened and alignment[i] != mine and alignment[i] in CAMPS:
            continue
        out.append((i, seller))
    return tuple(out)


def invest(ctrl: DoctrineController, obs: Observation, plan: Plan, mineral: str, ap: Appetite) -> bool:
    """Build refining outside the rival's hands, at home if we mine the ore, else in the
    friendly producer that mines most of it; a recycler at home when neither is possible
    or affordable. Once per cadence per mineral, and not while a plant for it is building."""
    if not ap.invests or plan.full:
        return False
    if not on_cadence(obs.turn, ctrl.nation, f"invest:{mineral}", ctrl.temper.cadence):
        return False
    m, me = obs.m(mineral), obs.me
    if reading(obs).rival_concentration[m] < 0.5 or any(p.mineral == mineral for p in obs.projects):
        return False
    if any(isinstance(p.order, Invest) and p.order.template.startswith(mineral) for p in obs.outbox):
        return False
    options: list[tuple[str, str, float]] = []  # (template, country, share)
    if obs.mine_share[m, me] >= 0.02:
        options.append((f"{mineral}_refinery", ctrl.nation, 100.0))
    friends = [
        i
        for i in range(len(obs.nations))
        if i != me
        and obs.mine_share[m, i] >= 0.05
        and obs.relations[i] >= 20
        and not rivals(obs.alignment[me], obs.alignment[i])
    ]
    if friends:
        host = max(friends, key=lambda i: (obs.mine_share[m, i], -i))
        share = min(51.0 * ctrl.temper.scale, 100.0)
        options.append((f"{mineral}_refinery", obs.nations[host], share))
    options.append((f"{mineral}_recycler", ctrl.nation, 100.0))
    for template, country, share in options:
        if template not in ctrl.content.projects:
            continue
        order = Invest(issuer=ctrl.nation, template=template, country=country, share_pct=share)
        cost = order_cost(order, obs, ctrl.content)
        if cost > plan.left_usd_m and share > 20:
            share = max(20.0, min(share, 0.9 * plan.left_usd_m / (cost / share)))
            order = Invest(issuer=ctrl.nation, template=template, country=country, share_pct=round(share, 1))
            cost = order_cost(order, obs, ctrl.content)
        if plan.add(order, cost):
            return True
    return False


def research(ctrl: DoctrineController, obs: Observation, plan: Plan, mineral: str) -> bool:
    """Fund recycling research where much more could be recovered, substitution otherwise;
    every other cadence per mineral (a programme runs for years)."""
    if plan.full or not on_cadence(obs.turn, ctrl.nation, f"rnd:{mineral}", 2 * ctrl.temper.cadence):
        return False
    spec = ctrl.content.minerals[mineral].recycling
    programme = Programme.RECYCLING if spec.max_rate_pct - spec.eol_rate_pct >= 20 else Programme.SUBSTITUTION
    budget = clip(0.01 * max(obs.treasury_usd_m, 0.0) * ctrl.temper.scale, 5.0, 500.0)
    order = FundRnD(issuer=ctrl.nation, programme=programme, mineral=mineral, budget_usd_m=round(budget, 3))
    return plan.add(order, order.budget_usd_m)


def subsidise(ctrl: DoctrineController, obs: Observation, plan: Plan, mineral: str) -> bool:
    """In a real shortage, pay the worst-hit sector to use less, for a year (and only start
    a new year once the last one has run out)."""
    m = obs.m(mineral)
    if reading(obs).ratio_t[m] < 0.15 or plan.full:
        return False
    if not on_cadence(obs.turn, ctrl.nation, f"sub:{mineral}", 4):
        return False
    sector = SECTORS[int(np.argmax(obs.shortfall[m]))]
    per_turn = clip(0.002 * max(obs.treasury_usd_m, 0.0), 1.0, 100.0)
    order = Subsidise(
        issuer=ctrl.nation,
        programme=Programme.SUBSTITUTION,
        mineral=mineral,
        sector=sector,
        usd_m_per_turn=round(per_turn, 3),
        turns=4,
    )
    return plan.add(order, order_cost(order, obs, ctrl.content))
