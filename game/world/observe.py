"""Build a nation's Observation from the world: public statistics for all, private accounts
for itself only. Arrays are copies, so a controller cannot reach into the world."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.observation import NewsItem, Observation, ProjectInProgress
from game.rules import Stage

if TYPE_CHECKING:
    from game.world.model import WorldModel


def _shares(production: np.ndarray) -> np.ndarray:
    total = production.sum(axis=1, keepdims=True)
    return np.divide(production, total, out=np.zeros_like(production), where=total > 0)


def _recent(items: list, since: int, turn=lambda item: item.turn) -> list:
    """The tail of an append-only, turn-ordered list from turn `since` on: scanned from the
    end, so an observation costs the same in the last turn of a game as in the first."""
    start = len(items)
    while start > 0 and turn(items[start - 1]) >= since:
        start -= 1
    return items[start:]


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _public(world: WorldModel) -> dict:
    """What every nation sees alike this turn, computed once per turn and shared by all the
    turn's observations (read-only arrays, so that no controller can change another's view)."""
    key = (world.turn, len(world.records))
    cached = world._public_view
    if cached is not None and cached[0] == key:
        return cached[1]
    n_nat = len(world.nation_ids)
    last = world.records[-1] if world.records else None
    if last is not None:
        mine_share, refine_share = _shares(last.ore_production), _shares(last.refined_production)
        refined_flow, ore_flow = last.refined_flow.copy(), last.ore_flow.copy()
    else:  # before the first turn: shares of capacity, no trade yet
        t = world.firms
        size = len(world.mineral_ids) * n_nat
        cell = t.mineral * n_nat + t.country
        by_kind = [
            np.bincount(cell, weights=np.where(np.isin(t.kind, kinds), t.available(), 0.0), minlength=size)
            for kinds in ((0,), (1, 2))
        ]
        mine_share, refine_share = (_shares(k.reshape(-1, n_nat)) for k in by_kind)
        start = world.start_flow  # the trade of the spun-up start
        refined_flow = start[Stage.REFINED].copy()
        ore_flow = start[Stage.ORE].copy()
    specs = [world.content.nations[n] for n in world.nation_ids]
    public = {
        "alignment": tuple(s.alignment.value for s in specs),
        "doctrine": tuple(s.doctrine.value for s in specs),
        "gdp_usd_bn": _frozen(np.array([s.gdp.usd_bn for s in specs])),
        "ref_price": _frozen(world.ref_price.copy()),
        "refined_price": _frozen(world.refined_paid[:, :n_nat].copy()),
        "ore_price": _frozen(world.ore_paid.copy()),
        "mine_share": _frozen(mine_share),
        "refine_share": _frozen(refine_share),
        "refined_flow": _frozen(refined_flow),
        "ore_flow": _frozen(ore_flow),
        "fill": _frozen(world.consumption_fill.T.copy()),
        "need": world.need_now(),
    }
    world._public_view = (key, public)
    return public


def observe(world: WorldModel, nation: str) -> Observation:
    i = world.nation_ids.index(nation)
    public = _public(world)
    shortfall = (world.records[-1].shortfall if world.records else world.shortfall)[:, i].copy()
    rel = world.diplomacy.relations
    d = world.diplomacy
    turn = world.turn
    return Observation(
        nation=nation,
        turn=turn,
        turns_total=world.scenario.turns,
        date=world.scenario.date_of(turn),
        nations=world.nation_ids,
        minerals=world.mineral_ids,
        alignment=public["alignment"],
        doctrine=public["doctrine"],
        gdp_usd_bn=public["gdp_usd_bn"],
        ref_price=public["ref_price"],
        refined_price=public["refined_price"],
        ore_price=public["ore_price"],
        mine_share=public["mine_share"],
        refine_share=public["refine_share"],
        refined_flow=public["refined_flow"],
        ore_flow=public["ore_flow"],
        fill=public["fill"],
        treasury_usd_m=float(world.treasury[i]),
        need=public["need"][:, i].copy(),
        shortfall=shortfall,
        stockpile=world.stockpile[i].copy(),
        stock_target=world.stock_target[i].copy(),
        relations=rel[i].copy(),
        regard=rel[:, i].copy(),
        score=float(world.score[i]),
        score_parts={n: float(world.score_parts[i, k]) for k, n in enumerate(world.score_part_names)},
        controls=tuple(a.spec for a in world.policies.controls),
        tariffs=tuple(world.policies.tariffs),
        zones=tuple(world.policies.zones[z] for z in sorted(world.policies.zones)),
        inbox=tuple(d.pending(to=nation)),
        outbox=tuple(d.pending(sender=nation)),
        deals=tuple(x for x in d.deals_in_force(turn) if nation in (x.terms.buyer, x.terms.seller)),
        acts=tuple(a for a in _recent(d.acts, turn - 1) if nation in (a.actor, a.target)),
        replies=tuple(text for _, who, text in _recent(d.replies, turn - 1, lambda r: r[0]) if who == nation),
        news=tuple(NewsItem(h.turn, h.event, h.name, h.news, h.kind) for h in _recent(world.news, turn - 1)),
        projects=tuple(
            ProjectInProgress(
                mineral=world.mineral_ids[p.mineral],
                kind=p.kind.value,
                country=world.nation_ids[p.country],
                capacity_tpy=p.capacity * 4,
                turns_left=p.turns_left,
            )
            for p in world.pipeline.projects
            if p.owner == i and p.firm_row < 0
        ),
    )
