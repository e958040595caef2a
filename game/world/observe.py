"""Build a nation's Observation from the world: public statistics for all, private accounts
for itself only. Arrays are copies, so a controller cannot reach into the world."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from agents.observation import NewsItem, Observation, ProjectInProgress
from game.rules import ExportControl, FirmKind, Stage, Tariff, Zone
from game.rules.diplomacy import Act, Deal, Proposal
from game.world.economy.demand import need_now
from game.world.economy.firms import capacity_grid
from game.world.mechanisms.deals import offtake_ceiling
from game.world.scoring import PART_NAMES

if TYPE_CHECKING:
    from game.world.state import WorldState

T = TypeVar("T")


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


def _public(world: WorldState) -> dict:
    """What every nation sees alike this turn, computed once per turn and shared by all the
    turn's observations (read-only arrays, so that no controller can change another's view)."""
    key = (world.turn, len(world.records))
    cached = world.public_view
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
        "need": need_now(world),
        "offtake_ceiling": _frozen(offtake_ceiling(capacity_grid(world, Stage.REFINED))),
        "readings": {},  # Observation.shared: what controllers derive from the above, once
    }
    world.public_view = (key, public)
    return public


# ---------------------------------------------------------------------------- policies, diplomacy


def _grouped(items: Iterable[T], keys: Callable[[T], Iterable[Hashable]]) -> dict[Hashable, tuple[T, ...]]:
    """`items` filed under each of their keys, in their original order: one pass over a list
    that every nation would otherwise scan in full for its own few entries."""
    groups: defaultdict[Hashable, list[T]] = defaultdict(list)
    for item in items:
        for key in keys(item):
            groups[key].append(item)
    return {key: tuple(group) for key, group in groups.items()}


def _parties(a: str, b: str) -> tuple[str, ...]:
    """The nations an act or a deal involves, each once (an entry concerns a nation once)."""
    return (a,) if a == b else (a, b)


_KIND_VALUE = {kind: kind.value for kind in FirmKind}
"""`kind.value` without the enum's descriptor: a few hundred projects are shown every turn."""


def _projects_by_owner(world: WorldState) -> dict[int, tuple[ProjectInProgress, ...]]:
    """Plants under construction for new firms, filed by the nation that owns them."""
    minerals, nations, kinds = world.mineral_ids, world.nation_ids, _KIND_VALUE
    by_owner: defaultdict[int, list[ProjectInProgress]] = defaultdict(list)
    for p in world.pipeline.projects:
        if p.firm_row < 0:  # what ProjectInProgress(...) does, without its Python-level __new__
            shown = _new_tuple(
                ProjectInProgress,
                (minerals[p.mineral], kinds[p.kind], nations[p.country], p.capacity * 4, p.turns_left),
            )
            by_owner[p.owner].append(shown)
    return {owner: tuple(shown) for owner, shown in by_owner.items()}


_new_tuple = tuple.__new__


@dataclass(frozen=True)
class _Shared:
    """This turn's policies, diplomacy, news and pipeline, filed by nation once for all the
    turn's observations (tuples of the world's own records, as each observation had before)."""

    key: tuple[int, ...]
    controls: tuple[ExportControl, ...]
    tariffs: tuple[Tariff, ...]
    zones: tuple[Zone, ...]
    news: tuple[NewsItem, ...]
    inbox: dict[Hashable, tuple[Proposal, ...]]
    outbox: dict[Hashable, tuple[Proposal, ...]]
    deals: dict[Hashable, tuple[Deal, ...]]
    acts: dict[Hashable, tuple[Act, ...]]
    replies: dict[Hashable, tuple[str, ...]]
    projects: dict[Hashable, tuple[ProjectInProgress, ...]]
    licence_approvals: tuple[tuple[str, str, str, str, float], ...]


def _shared_key(world: WorldState) -> tuple[int, ...]:
    """Changes whenever anything `_Shared` holds may have: every turn, and any change to the
    policies, proposals, deals, acts, replies, news or pipeline made between two turns."""
    d = world.diplomacy
    return (
        world.turn,
        len(world.records),
        world.policies.version,
        d.next_id,
        len(d.proposals),
        len(d.deals),
        len(d.acts),
        len(d.replies),
        len(world.news),
        len(world.pipeline.projects),
    )


def _shared(world: WorldState, public: dict) -> _Shared:
    """The turn's `_Shared`, kept beside the public view it belongs to."""
    key = _shared_key(world)
    cached = public.get("shared")
    if cached is not None and cached.key == key:
        return cached
    d, turn = world.diplomacy, world.turn
    pending = list(d.proposals.values())
    replies = _grouped(_recent(d.replies, turn - 1, lambda r: r[0]), lambda r: (r[1],))
    shared = _Shared(
        key=key,
        controls=tuple(a.spec for a in world.policies.controls),
        tariffs=tuple(world.policies.tariffs),
        zones=tuple(world.policies.zones[z] for z in sorted(world.policies.zones)),
        news=tuple(NewsItem(h.turn, h.event, h.name, h.news, h.kind) for h in _recent(world.news, turn - 1)),
        inbox=_grouped(pending, lambda p: (p.to,)),
        outbox=_grouped(pending, lambda p: (p.sender,)),
        deals=_grouped(d.deals_in_force(turn), lambda x: _parties(x.terms.buyer, x.terms.seller)),
        acts=_grouped(_recent(d.acts, turn - 1), lambda a: _parties(a.actor, a.target)),
        replies={who: tuple(text for _, _, text in group) for who, group in replies.items()},
        projects=_projects_by_owner(world),
        licence_approvals=tuple(
            (a.spec.issuer, a.spec.mineral, a.spec.stage.value, target, rate)
            for a in world.policies.controls
            for target, rate in a.approval.items()
        ),
    )
    public["shared"] = shared
    return shared


def observe(world: WorldState, nation: str) -> Observation:
    i = world.nation_index[nation]
    public = _public(world)
    shared = _shared(world, public)
    shortfall = (world.records[-1].shortfall if world.records else world.shortfall)[:, i].copy()
    rel = world.diplomacy.relations
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
        score_parts=dict(zip(PART_NAMES, world.score_parts[i].tolist(), strict=True)),
        controls=shared.controls,
        tariffs=shared.tariffs,
        zones=shared.zones,
        inbox=shared.inbox.get(nation, ()),
        outbox=shared.outbox.get(nation, ()),
        deals=shared.deals.get(nation, ()),
        acts=shared.acts.get(nation, ()),
        replies=shared.replies.get(nation, ()),
        news=shared.news,
        projects=shared.projects.get(i, ()),
        offtake_ceiling=public["offtake_ceiling"],
        licence_approvals=shared.licence_approvals,
        shared=public["readings"],
    )
