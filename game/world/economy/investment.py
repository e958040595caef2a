"""New mines, refineries and recyclers the market commissions on its own (investment that
nations order goes through the Invest lever, `game.world.mechanisms.investment`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from agents.firms import (
    INVEST_COMMIT_SHARE,
    MINE,
    RECYCLER,
    REFINERY,
    capacity_gap,
    investment_appetite,
)
from game.rules import FirmKind, ProjectTemplate
from game.world.economy.projects import Project, cancel_hazard, construction_lead
from game.world.economy.supply import recycling_feed
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]


PIPELINE_TURNS = 16
"""Projects already under construction at the start: for this many turns every firm's
capacity grows with its mineral's demand, as the announced pipeline of 2026 would deliver."""
REFINE_NEAR_ORE = 0.25
"""Where the market builds new refineries: existing refining capacity plus this share of the
country's mine capacity (ore producers attract converters, as Indonesia's nickel and DR Congo's
cobalt hydroxide plants did; model assumption)."""
RECYCLE_NEAR_USE = 0.05
"""Where the market builds new recyclers: existing recycling capacity plus this share of the
country's use of the mineral (scrap arises where products are used; model assumption)."""


def step_investment(s: WorldState) -> None:
    """For each kind and mineral: the capacity gap (firms.capacity_gap: the need forecast at the
    projects' lead time over capacity built and building, or what buyers miss now) is
    committed at INVEST_COMMIT_SHARE a turn, scaled by investors' appetite (firms.
    investment_appetite: expected margin of a new plant at the template's cost). Each country
    gets a share by appetite there times presence (its capacity of that kind; for
    refineries also REFINE_NEAR_ORE of its mines, for recyclers RECYCLE_NEAR_USE of its use),
    so a ban that strands ore makes refining at the mine pay. A country's commitments launch
    as one project once they reach a template's size; one seeded draw per project sets its
    lead time (projects.construction_lead)."""
    t = s.firms
    n_nat, n_min = len(s.nation_ids), len(s.mineral_ids)
    need_ms = s.need.sum(axis=1)  # (M, S)
    need = need_ms.sum(axis=1)
    growth = np.divide((need_ms * s.growth_per_turn).sum(axis=1), need, out=np.ones(n_min), where=need > 0)
    missing = s.shortfall.sum(axis=(1, 2))
    cell = t.mineral * n_nat + t.country
    recycled = np.bincount(t.mineral, weights=np.where(t.kind == RECYCLER, t.output, 0.0), minlength=n_min)
    feed = recycling_feed(s).sum(1)
    pipeline = s.pipeline.capacity_by_kind(n_min)
    start_pipeline_left = max(PIPELINE_TURNS - s.turn - 1, 0)

    def by_cell(kind: int) -> F64:
        return np.bincount(
            cell, weights=np.where(t.kind == kind, t.capacity, 0.0), minlength=n_min * n_nat
        ).reshape(n_min, n_nat)

    mine_cap = by_cell(MINE)
    use = s.use_history[(s.turn - 1) % s.use_history.shape[0]]  # (M, N) last turn
    for plan in s.market_templates:
        kind, fkind, templates, new_cost, size, horizon = plan
        cap = by_cell(kind)
        if kind == MINE:
            price, presence = s.expected_ore, cap
            ahead = np.maximum(need * growth**horizon - recycled, 0.0)
        elif kind == REFINERY:
            price = s.expected_refined - s.expected_ore
            presence = cap + REFINE_NEAR_ORE * mine_cap
            ahead = np.maximum(need * growth**horizon - recycled, 0.0)
        else:
            price, presence = s.expected_refined, cap + RECYCLE_NEAR_USE * use
            # Recyclers grow with their scrap, never beyond it: where the content's plants
            # process less than the feed, the share they process is kept.
            ahead = np.minimum(feed, cap.sum(axis=1)) * growth**horizon
        planned = cap.sum(axis=1) * s.pipeline_growth ** np.minimum(start_pipeline_left, horizon)
        planned = planned + pipeline[kind]
        gap = capacity_gap(ahead, planned, missing if kind != RECYCLER else 0.0)
        keen = investment_appetite(price, new_cost[:, None])
        weight = keen * presence
        # Investors read the margin where building pays (the appetite-weighted mean): under
        # a licence the home market may be glutted while importers bid up the price.
        appetite = np.divide(
            (weight * keen).sum(axis=1), weight.sum(axis=1), out=np.zeros(n_min), where=weight.sum(axis=1) > 0
        )
        commit = appetite * gap * INVEST_COMMIT_SHARE * s.market_invests
        share = np.divide(
            weight, weight.sum(axis=1, keepdims=True), out=np.zeros_like(weight), where=weight > 0
        )
        backlog = np.where(weight > 0, s.invest_backlog[kind] + commit[:, None] * share, 0.0)
        launch = backlog >= size[:, None]
        s.invest_backlog[kind] = np.where(launch, 0.0, backlog)
        cells = np.argwhere(launch)
        if not len(cells):
            continue
        draws = s.rng.random(len(cells))
        for (m, c), draw in zip(cells, draws, strict=True):
            tp = templates[m]
            lead = construction_lead(tp, float(draw))
            country = s.nation_ids[c]
            s.pipeline.add(
                Project(
                    name=f"new {s.mineral_ids[m]} {fkind.value} in {s.display(country)}",
                    kind=fkind,
                    mineral=int(m),
                    country=int(c),
                    owner=int(c),
                    capacity=float(backlog[m, c]),
                    unit_cost=float(new_cost[m]),
                    turns_left=lead,
                    delay_probability=tp.delay_probability,
                    cancel_hazard=cancel_hazard(tp),
                    started=s.turn,
                )
            )
            s.news.append(
                Happened(
                    s.turn,
                    "investment",
                    "Investment",
                    f"Investors commit to {4 * backlog[m, c]:,.0f} t/yr of new {s.mineral_ids[m]} "
                    f"{fkind.value} capacity in {s.display(country)}, due in about "
                    f"{lead / 4:.0f} years.",
                    "project",
                )
            )


class MarketTemplates(NamedTuple):
    """What the market builds of one kind, per mineral: the content's templates and the
    numbers investment reads from them every turn."""

    kind: int
    fkind: FirmKind
    templates: list[ProjectTemplate]
    new_cost: F64  # (M,) unit cost of a new plant
    size: F64  # (M,) t per turn of a new plant
    horizon: F64  # (M,) turns from decision to output, at the middle draw


def market_templates(
    projects: Mapping[str, ProjectTemplate], mineral_ids: tuple[str, ...]
) -> list[MarketTemplates]:
    """The kinds the market builds on its own: those with a template for every mineral."""
    plans = []
    for kind, fkind in ((MINE, FirmKind.MINE), (REFINERY, FirmKind.REFINERY), (RECYCLER, FirmKind.RECYCLER)):
        found = [projects.get(f"{m}_{fkind.value}") for m in mineral_ids]
        templates = [tp for tp in found if tp is not None]
        if len(templates) < len(found):
            continue
        plans.append(
            MarketTemplates(
                kind,
                fkind,
                templates,
                np.array([tp.unit_cost_usd_per_t for tp in templates]),
                np.array([tp.capacity_tpy / 4 for tp in templates]),
                np.array([construction_lead(tp, 0.5) for tp in templates]),
            )
        )
    return plans
