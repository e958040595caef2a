"""Turn the 2025/26 content into the world of a scenario's start year.

`calibrate(content, scenario)` returns a `Content` with the same ids and hash in which the
scenario's `[calibration.<mineral>]` tables (game.rules.calibration) are applied: firms'
capacities scaled per stage and country and their costs per mineral, project templates'
costs scaled alike, nations' demand reshaped, minerals' reference prices and demand growth
replaced; and its `doctrines` table replaces nations' AI doctrines. The world builds itself
from that view exactly as from any content, so the model needs no historical branch, and
the AI doctrines, given the same view, judge prices against the start year's reference
rather than 2025's.

A scenario without calibration or doctrines gets the content itself back (the same object).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from types import MappingProxyType

import numpy as np

from game.content import Content
from game.rules import Firm, Mineral, Nation, Scenario, Sector
from game.rules.calibration import CapacityCalibration, MineralCalibration, placed_country
from game.rules.minerals import DemandGrowth, Prices


def calibrate(content: Content, scenario: Scenario) -> Content:
    """The content as the scenario's start year saw it (see the module docstring)."""
    if not scenario.calibration and not scenario.doctrines:
        return content
    cal = scenario.calibration
    cost_scale = {m: cost_scale_of(content.minerals[m], c) for m, c in cal.items()}
    firms = _firms(content.firms, scenario, cost_scale)
    projects = {
        k: t.model_copy(update={"unit_cost_usd_per_t": t.unit_cost_usd_per_t * cost_scale[t.mineral]})
        if t.mineral in cost_scale
        else t
        for k, t in content.projects.items()
    }
    minerals = {k: _mineral(m, cal[k]) if k in cal else m for k, m in content.minerals.items()}
    nations = _nations(content.nations, scenario)
    return dataclasses.replace(
        content,
        firms=firms,
        projects=MappingProxyType(projects),
        minerals=MappingProxyType(minerals),
        nations=MappingProxyType(nations),
    )


def cost_scale_of(mineral: Mineral, cal: MineralCalibration) -> float:
    """Unit costs move with the start price unless the scenario gives its own factor."""
    if cal.cost_scale is not None:
        return cal.cost_scale
    if cal.price is None:
        return 1.0
    return cal.price.refined_usd_per_t / mineral.prices.refined_usd_per_t


def _firms(firms: tuple[Firm, ...], scenario: Scenario, cost_scale: dict[str, float]) -> tuple[Firm, ...]:
    """Scale capacities per (mineral, stage, country) to the calibrated totals; drop the
    firms a total of 0 (or `others = 0`) removes."""
    nations = set(scenario.nations)
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for f in firms:
        totals[(f.mineral, f.kind.value, placed_country(f.country, nations))] += f.capacity_tpy
    out: list[Firm] = []
    for f in firms:
        cal = scenario.calibration.get(f.mineral)
        if cal is None:
            out.append(f)
            continue
        stage: CapacityCalibration | None = getattr(cal, f.kind.value)
        country = placed_country(f.country, nations)
        factor = 1.0
        if stage is not None:
            if country in stage.tpy:
                factor = stage.tpy[country] / totals[(f.mineral, f.kind.value, country)]
            else:
                factor = stage.others
        if factor <= 0:
            continue
        out.append(
            f.model_copy(
                update={
                    "capacity_tpy": f.capacity_tpy * factor,
                    "unit_cost_usd_per_t": f.unit_cost_usd_per_t * cost_scale[f.mineral],
                }
            )
        )
    return tuple(out)


def _mineral(mineral: Mineral, cal: MineralCalibration) -> Mineral:
    update: dict[str, object] = {}
    if cal.price is not None:
        update["prices"] = Prices(
            refined_usd_per_t=cal.price.refined_usd_per_t,
            ore_value_share=cal.price.ore_value_share or mineral.prices.ore_value_share,
            date=cal.price.date,
            source=cal.price.source,
            note=cal.price.note,
        )
    if cal.production is not None:
        update["production"] = cal.production
    if cal.demand is not None and cal.demand.growth_pct_per_year:
        growth = {**mineral.demand_growth.pct_per_year, **cal.demand.growth_pct_per_year}
        update["demand_growth"] = DemandGrowth(pct_per_year=growth, source=cal.demand.source)
    return mineral.model_copy(update=update)


def _nations(nations: dict[str, Nation] | object, scenario: Scenario) -> dict[str, Nation]:
    """Reshape demand: sector multipliers first, then the scenario nations' shares of world
    demand per mineral. The world total is kept (the model rescales it anyway)."""
    table: dict[str, Nation] = dict(nations)  # type: ignore[call-overload]
    demand = {k: {s: dict(per) for s, per in n.demand.items()} for k, n in table.items()}
    for mineral, cal in scenario.calibration.items():
        if cal.demand is None:
            continue
        for per_sector in demand.values():
            for sector, per_mineral in per_sector.items():
                if mineral in per_mineral:
                    per_mineral[mineral] *= cal.demand.sectors.get(Sector(sector), 1.0)
        shares = cal.demand.nation_shares_pct
        if not shares:
            continue
        in_play = [n for n in scenario.nations if n in demand]
        total_of = {n: sum(per.get(mineral, 0.0) for per in demand[n].values()) for n in in_play}
        world = sum(total_of.values())
        listed = [n for n in in_play if n in shares]
        rest = [n for n in in_play if n not in shares]
        rest_total = sum(total_of[n] for n in rest)
        rest_share = max(100.0 - sum(shares[n] for n in listed), 0.0)
        for n in in_play:
            if n in shares:
                target = world * shares[n] / 100
            else:
                target = world * rest_share / 100 * total_of[n] / rest_total if rest_total > 0 else 0.0
            have = total_of[n]
            if have > 0:
                factor = target / have
                for per_mineral in demand[n].values():
                    if mineral in per_mineral:
                        per_mineral[mineral] *= factor
            elif target > 0:  # a listed nation with no demand in 2025 content: put it in `other`
                demand[n].setdefault(Sector.OTHER, {})[mineral] = target
    out: dict[str, Nation] = {}
    for k, n in table.items():
        update: dict[str, object] = {}
        if demand[k] != n.demand:
            update["demand"] = demand[k]
        if k in scenario.doctrines:
            update["doctrine"] = scenario.doctrines[k]
        out[k] = n.model_copy(update=update) if update else n
    return out


def pipeline_growth(scenario: Scenario, minerals: tuple[str, ...], default: np.ndarray) -> np.ndarray:
    """Per-turn capacity growth of the projects under construction at the start: the
    scenario's figure where it gives one, else the model's default."""
    out = default.copy()
    for i, m in enumerate(minerals):
        cal = scenario.calibration.get(m)
        if cal is not None and cal.pipeline_growth_pct_per_year is not None:
            out[i] = (1 + cal.pipeline_growth_pct_per_year / 100) ** 0.25
    return out
