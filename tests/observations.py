"""Observations for controller tests, without a world: a small synthetic one whose numbers a
test sets by hand, and a scenario-sized one filled from content (reference shares, demand,
the scenario's controls and tariffs), plus a toy application of control orders so a test
can play a doctrine over several turns."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import numpy as np

from agents.observation import Observation
from game.content import Content
from game.rules import ExportControl, Sector
from game.rules.orders import ImposeExportControl, LiftExportControl, Order

SECTORS = tuple(Sector)

NATIONS = ("china", "united_states", "japan", "indonesia", "india")
ALIGNMENT = {
    "china": "china_aligned",
    "united_states": "us_aligned",
    "japan": "us_aligned",
    "indonesia": "hedging",
    "india": "hedging",
}
DOCTRINE = {
    "china": "dominant_refiner",
    "united_states": "consumer_ally",
    "japan": "consumer_ally",
    "indonesia": "resource_nationalist",
    "india": "hedging_swing",
}
GDP = {"china": 18_700.0, "united_states": 29_000.0, "japan": 4_100.0, "indonesia": 1_400.0, "india": 3_900.0}
MINERALS = ("gallium", "nickel", "rare_earths")
PRICE = {"gallium": 700_000.0, "nickel": 18_800.0, "rare_earths": 110_000.0}
MINE_SHARE = {  # by mineral, by nation
    "gallium": {"china": 0.98, "japan": 0.02},
    "nickel": {"indonesia": 0.6, "china": 0.05, "united_states": 0.05, "india": 0.1, "japan": 0.2},
    "rare_earths": {"china": 0.7, "united_states": 0.2, "india": 0.1},
}
REFINE_SHARE = {
    "gallium": {"china": 0.9, "japan": 0.1},
    "nickel": {"indonesia": 0.05, "china": 0.6, "japan": 0.2, "united_states": 0.05, "india": 0.1},
    "rare_earths": {"china": 0.9, "united_states": 0.05, "japan": 0.05},
}
NEED = {  # t per turn, by mineral, by nation (spread over sectors below)
    "gallium": {"china": 80.0, "united_states": 20.0, "japan": 40.0, "india": 10.0, "indonesia": 0.0},
    "nickel": {"china": 500_000.0, "united_states": 60_000.0, "japan": 80_000.0, "india": 40_000.0},
    "rare_earths": {"china": 60_000.0, "united_states": 8_000.0, "japan": 6_000.0, "india": 2_000.0},
}
SECTOR_SPLIT = np.array([0.3, 0.1, 0.3, 0.1, 0.1, 0.1])
TREASURY = {
    "china": 40_000.0,
    "united_states": 20_000.0,
    "japan": 8_000.0,
    "indonesia": 2_000.0,
    "india": 4_000.0,
}


def _table(spec: Mapping[str, Mapping[str, float]], minerals: tuple[str, ...], nations: tuple[str, ...]):
    return np.array([[spec.get(m, {}).get(n, 0.0) for n in nations] for m in minerals])


def flows(share: np.ndarray, need: np.ndarray) -> np.ndarray:
    """(M, N, N) origin -> destination: each buyer takes its need from origins by their share."""
    return share[:, :, None] * need[:, None, :]


def default_relations(alignment: tuple[str, ...], me: int) -> np.ndarray:
    """30 inside a camp, -30 across the two camps, 0 otherwise."""
    camps = {"us_aligned", "china_aligned"}
    out = np.zeros(len(alignment))
    for i, a in enumerate(alignment):
        if i == me:
            continue
        if a == alignment[me] and a in camps:
            out[i] = 30.0
        elif a in camps and alignment[me] in camps:
            out[i] = -30.0
    return out


def synthetic(nation: str, **overrides: object) -> Observation:
    """Five nations, three minerals, a calm world at normal prices; override any field."""
    nations, minerals = NATIONS, MINERALS
    me = nations.index(nation)
    alignment = tuple(ALIGNMENT[n] for n in nations)
    need_by_nation = _table(NEED, minerals, nations)  # (M, N)
    refine = _table(REFINE_SHARE, minerals, nations)
    mine = _table(MINE_SHARE, minerals, nations)
    price = np.array([PRICE[m] for m in minerals])
    obs = Observation(
        nation=nation,
        turn=0,
        turns_total=60,
        date="2026 Q1",
        nations=nations,
        minerals=minerals,
        alignment=alignment,
        doctrine=tuple(DOCTRINE[n] for n in nations),
        gdp_usd_bn=np.array([GDP[n] for n in nations]),
        ref_price=price.copy(),
        refined_price=np.repeat(price[:, None], len(nations), axis=1),
        ore_price=np.repeat(price[:, None] * 0.3, len(nations), axis=1),
        mine_share=mine,
        refine_share=refine,
        refined_flow=flows(refine, need_by_nation),
        ore_flow=flows(mine, need_by_nation),
        fill=np.ones((len(minerals), len(nations))),
        treasury_usd_m=TREASURY[nation],
        need=need_by_nation[:, me][:, None] * SECTOR_SPLIT[None, :],
        shortfall=np.zeros((len(minerals), len(SECTORS))),
        stockpile=np.zeros(len(minerals)),
        stock_target=np.zeros(len(minerals)),
        relations=default_relations(alignment, me),
        regard=default_relations(alignment, me),
        score=0.0,
        score_parts={},
        controls=(),
        tariffs=(),
        zones=(),
        inbox=(),
        outbox=(),
        deals=(),
        acts=(),
        replies=(),
    )
    return dataclasses.replace(obs, **overrides)  # type: ignore[arg-type]


def from_content(content: Content, scenario_id: str, nation: str, turn: int = 0) -> Observation:
    """A scenario-sized observation at the start of `scenario_id`, from content alone."""
    sc = content.scenario(scenario_id)
    nations, minerals = tuple(sc.nations), tuple(sc.minerals)
    me = nations.index(nation)
    specs = [content.nations[n] for n in nations]
    alignment = tuple(s.alignment.value for s in specs)
    need_t = np.array(
        [[sum(s.demand.get(sec, {}).get(m, 0.0) for sec in SECTORS) / 4 for s in specs] for m in minerals]
    )
    mine = np.array(
        [[content.minerals[m].reference_shares.mine.get(n, 0.0) / 100 for n in nations] for m in minerals]
    )
    refine = np.array(
        [[content.minerals[m].reference_shares.refining.get(n, 0.0) / 100 for n in nations] for m in minerals]
    )
    price = np.array([content.minerals[m].prices.refined_usd_per_t for m in minerals])
    own = specs[me]
    need = np.array([[own.demand.get(sec, {}).get(m, 0.0) / 4 for sec in SECTORS] for m in minerals])
    stock = np.zeros(len(minerals))
    target = np.zeros(len(minerals))
    for st in sc.stockpiles:
        if st.nation == nation:
            stock[minerals.index(st.mineral)] = st.tonnes
            target[minerals.index(st.mineral)] = st.target_tonnes
    relations = default_relations(alignment, me)
    return Observation(
        nation=nation,
        turn=turn,
        turns_total=sc.turns,
        date=sc.date_of(turn),
        nations=nations,
        minerals=minerals,
        alignment=alignment,
        doctrine=tuple(s.doctrine.value for s in specs),
        gdp_usd_bn=np.array([s.gdp.usd_bn for s in specs]),
        ref_price=price.copy(),
        refined_price=np.repeat(price[:, None], len(nations), axis=1),
        ore_price=np.repeat((price * 0.3)[:, None], len(nations), axis=1),
        mine_share=mine,
        refine_share=refine,
        refined_flow=flows(refine, need_t),
        ore_flow=flows(mine, need_t),
        fill=np.ones((len(minerals), len(nations))),
        treasury_usd_m=own.treasury_usd_m,
        need=need,
        shortfall=np.zeros_like(need),
        stockpile=stock,
        stock_target=target,
        relations=relations,
        regard=relations.copy(),
        score=0.0,
        score_parts={},
        controls=tuple(sc.export_controls),
        tariffs=tuple(sc.tariffs),
        zones=tuple(sc.zones),
        inbox=(),
        outbox=(),
        deals=(),
        acts=(),
        replies=(),
    )


def apply_controls(obs: Observation, orders: Iterable[Order]) -> Observation:
    """The effect of a nation's control orders on the controls in force, as the world
    applies them: an imposed control replaces one of the same issuer, mineral, stage,
    instrument and targets; a lift removes every matching control of the issuer."""
    orders = list(orders)
    controls = list(obs.controls)

    def key(c: ExportControl) -> tuple[object, ...]:
        return (c.issuer, c.mineral, c.stage, c.instrument, tuple(c.targets))

    for order in orders:
        if isinstance(order, LiftExportControl):
            controls = [
                c
                for c in controls
                if not (
                    c.issuer == order.issuer
                    and c.mineral == order.mineral
                    and (order.stage is None or c.stage == order.stage)
                    and (order.instrument is None or c.instrument == order.instrument)
                )
            ]
    for order in orders:
        if isinstance(order, ImposeExportControl):
            new = order.control()
            controls = [c for c in controls if key(c) != key(new)]
            controls.append(new)
    return dataclasses.replace(obs, controls=tuple(controls))
