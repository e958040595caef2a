"""Scores: each part responds to what it measures, weights combine them as documented, the
doctrine defaults fill in for nations the scenario is silent about, and bad objectives are
reported clearly."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.content import Content, ContentError, load_content
from game.rules import DOCTRINE_OBJECTIVES, PARTS, ExportControl, Objectives, Part, Zone
from game.world import scoring
from game.world.model import TurnRecord, WorldModel
from game.world.scoring import Scorer

SS, COST, REV, LEV, COH, TRE = (PARTS.index(p) for p in PARTS)


def normalised(o: Objectives) -> np.ndarray:
    w = np.array(o.weights())
    return w / w.sum()


@pytest.fixture(scope="module")
def tutorial(content: Content) -> WorldModel:
    """The tutorial after three turns (its records carry real need, shortfall and prices)."""
    world = WorldModel(content, "tutorial", seed=3)
    for _ in range(3):
        world.step()
    return world


def record_of(world: WorldModel) -> TurnRecord:
    return world.records[-1]


# ---------------------------------------------------------------------------- supply security


def test_an_export_ban_raises_the_targets_shortfall_and_its_supply_security_falls(content: Content) -> None:
    def japan_after(ban: bool) -> tuple[float, np.ndarray]:
        world = WorldModel(content, "tutorial", seed=3)
        if ban:
            world.impose_control(
                ExportControl(
                    issuer="china",
                    mineral="rare_earths",
                    stage="refined",
                    instrument="ban",
                    targets=["japan"],
                )
            )
        for _ in range(3):
            world.step()
        j = world.nation_ids.index("japan")
        return float(world.shortfall[:, j].sum()), world.score_parts[j]

    shortfall_free, parts_free = japan_after(ban=False)
    shortfall_ban, parts_ban = japan_after(ban=True)
    assert shortfall_ban > shortfall_free  # the premise: the ban did cut Japan's supply
    assert parts_ban[SS] < parts_free[SS]


@settings(max_examples=60, deadline=None)
@given(pick=st.integers(0, 10_000), extra=st.floats(0.05, 1.0), ignore_sector=st.booleans())
def test_more_shortfall_never_raises_supply_security_and_lowers_it_where_it_bites(
    tutorial: WorldModel, pick: int, extra: float, ignore_sector: bool
) -> None:
    rec = record_of(tutorial)
    cells = np.argwhere((rec.need > 0) & (rec.shortfall < rec.need))
    m, n, s = cells[pick % len(cells)].tolist()
    weights = tutorial.scorer.sector_weights.copy()
    if ignore_sector:
        weights[n, s] = 0.0
    before = scoring.supply_security(rec.need, rec.shortfall, weights)
    shortfall = rec.shortfall.copy()
    shortfall[m, n, s] = min(rec.need[m, n, s], shortfall[m, n, s] + extra * rec.need[m, n, s])
    after = scoring.supply_security(rec.need, shortfall, weights)
    others = np.arange(len(before)) != n
    assert np.array_equal(after[others], before[others])  # only that nation's part moves
    if ignore_sector:
        assert after[n] == pytest.approx(before[n], abs=1e-12)  # a sector it does not weigh
    else:
        assert after[n] < before[n]


def test_supply_security_is_100_without_shortfall_and_0_when_nothing_arrives(tutorial: WorldModel) -> None:
    rec = record_of(tutorial)
    w = tutorial.scorer.sector_weights
    assert np.allclose(scoring.supply_security(rec.need, np.zeros_like(rec.need), w), 100.0)
    assert np.allclose(scoring.supply_security(rec.need, rec.need, w), 0.0)


def test_sector_weights_decide_which_shortfall_counts(tutorial: WorldModel) -> None:
    rec = record_of(tutorial)
    n_nat, n_sec = rec.need.shape[1:]
    defence = scoring.DEFENCE
    only_defence = np.zeros((n_nat, n_sec))
    only_defence[:, defence] = 1.0
    shortfall = np.zeros_like(rec.need)
    shortfall[:, :, defence] = rec.need[:, :, defence]  # every defence need unmet, the rest met
    needs_defence = rec.need[:, :, defence].sum(axis=0) > 0
    assert needs_defence.any()
    part = scoring.supply_security(rec.need, shortfall, only_defence)
    assert np.allclose(part[needs_defence], 0.0)
    no_defence = 1.0 - only_defence
    assert np.allclose(scoring.supply_security(rec.need, shortfall, no_defence), 100.0)


# ---------------------------------------------------------------------------- other parts


def test_economic_cost_halves_when_every_price_doubles(tutorial: WorldModel) -> None:
    rec = record_of(tutorial)
    at_ref = np.repeat(tutorial.ref_price[:, None], rec.refined_paid.shape[1], axis=1)
    assert np.allclose(scoring.economic_cost(rec.need, at_ref, tutorial.ref_price), 100.0)
    assert np.allclose(scoring.economic_cost(rec.need, 2 * at_ref, tutorial.ref_price), 50.0)
    assert np.allclose(scoring.economic_cost(rec.need, 0.5 * at_ref, tutorial.ref_price), 100.0)


def test_relative_parts_are_50_at_the_start_and_move_with_the_amount() -> None:
    start = np.array([100.0, 0.0, 40.0])
    assert np.allclose(scoring.relative(start, start, 1.0), 50.0)
    more, less = scoring.relative(2 * start, start, 1.0), scoring.relative(0.5 * start, start, 1.0)
    assert (more[[0, 2]] > 50).all() and (less[[0, 2]] < 50).all()
    assert 0 <= scoring.relative(np.zeros(1), np.array([1e9]), 1.0)[0] < 1


def test_leverage_is_the_share_of_others_supply_a_nation_exports() -> None:
    flow = np.zeros((2, 3, 3))  # 2 minerals, 3 nations, origin -> dest
    flow[0, 0, 1] = 90.0  # nation 0 supplies 90 of nation 1's 100 t of mineral 0
    flow[0, 2, 1] = 10.0
    flow[0, 0, 0] = 500.0  # what nation 0 uses at home is nobody else's supply
    lever = scoring.withholdable(flow)
    assert lever[0, 0] == pytest.approx(0.9) and lever[0, 1] == 0
    # nation 2's customers are everyone but itself: nation 1, and nation 0 at home
    assert lever[0, 2] == pytest.approx(10 / 600)
    part = scoring.leverage(np.zeros_like(flow), flow)
    assert part[0] == pytest.approx(100 * (0.5 * 0.9 + 0.5 * 0.45))


def test_cohesion_falls_when_partners_fall_out(content: Content) -> None:
    world = WorldModel(content, "tutorial", seed=3)
    world.step()
    j, us = world.nation_ids.index("japan"), world.nation_ids.index("united_states")
    before = world.score_parts[[j, us], COH].copy()
    world.diplomacy.relations[j, us] = world.diplomacy.relations[us, j] = -100.0  # the alliance collapses
    world.step()
    assert (world.score_parts[[j, us], COH] < before).all()


def test_partners_are_zone_mates_or_else_the_alignment_camp(content: Content) -> None:
    world = WorldModel(content, "ministerial-2026", seed=0)
    ids = world.nation_ids
    alignments = [content.nations[n].alignment for n in ids]
    camp = scoring.partners(ids, alignments, [])
    i, j, cn = ids.index("japan"), ids.index("united_states"), ids.index("china")
    assert camp[i, j] and not camp[i, cn] and not camp[i, i]
    z = Zone(id="z", name="z", founder="japan", members=["japan", "china"])
    mates = scoring.partners(ids, alignments, [z])
    assert mates[i, cn] and mates[cn, i] and not mates[i, j]
    assert mates[j].sum() == camp[j].sum()  # a nation outside every zone keeps its camp


# ---------------------------------------------------------------------------- weights


def test_contributions_add_up_to_the_score_with_the_stated_weights(tutorial: WorldModel) -> None:
    score, contributions = scoring.weighted(tutorial.score_parts, tutorial.scorer.weights)
    assert np.allclose(contributions.sum(axis=1), tutorial.score)
    assert np.allclose(score, tutorial.score)
    assert np.allclose(tutorial.scorer.weights.sum(axis=1), 1.0)
    for i, nation in enumerate(tutorial.nation_ids):
        spec = tutorial.content.nations[nation]
        stated = normalised(tutorial.scenario.objectives_for(nation, spec.doctrine))
        assert np.allclose(tutorial.scorer.weights[i], stated)
        assert tutorial.score[i] == pytest.approx(float(stated @ tutorial.score_parts[i]))


def test_changing_the_weights_changes_the_score_as_stated(tutorial: WorldModel) -> None:
    ids = tutorial.nation_ids
    alignments = [tutorial.content.nations[n].alignment for n in ids]
    rec = record_of(tutorial)

    def scored(objectives: Objectives) -> tuple[np.ndarray, np.ndarray]:
        scorer = Scorer(ids, alignments, [objectives] * len(ids), tutorial.treasury)
        return scorer.update(tutorial, rec)

    only_supply, parts = scored(Objectives(supply_security=1, source="test weights"))
    assert np.allclose(only_supply, parts[:, SS])
    mixed, parts = scored(Objectives(treasury=1, leverage=3, source="test weights"))
    assert np.allclose(mixed, (parts[:, TRE] + 3 * parts[:, LEV]) / 4)
    scaled, _ = scored(Objectives(treasury=10, leverage=30, source="test weights"))
    assert np.allclose(scaled, mixed)  # weights are relative


def test_scenario_weights_reach_the_worlds_score(content_copy: Path) -> None:
    scenario = content_copy / "scenarios" / "tutorial.toml"
    text = scenario.read_text(encoding="utf-8")
    old = "[objectives.japan]\nsupply_security = 50\neconomic_cost = 30\nbloc_cohesion = 10\ntreasury = 10\n"
    assert text.count(old) == 1
    scenario.write_text(text.replace(old, "[objectives.japan]\ntreasury = 1\n"), encoding="utf-8")
    world = WorldModel(load_content(content_copy), "tutorial", seed=3)
    world.step()
    j = world.nation_ids.index("japan")
    assert world.scorer.weights[j, TRE] == 1.0
    assert world.score[j] == pytest.approx(world.score_parts[j, TRE])


# ---------------------------------------------------------------------------- defaults by doctrine


def test_nations_the_scenario_is_silent_about_play_by_their_doctrine(content: Content) -> None:
    world = WorldModel(content, "ministerial-2026", seed=0)
    silent = [n for n in world.nation_ids if n not in world.scenario.objectives]
    assert silent, "every nation has objectives: the default path is untested"
    for n in world.nation_ids:
        i = world.nation_ids.index(n)
        doctrine = content.nations[n].doctrine
        expected = DOCTRINE_OBJECTIVES[doctrine] if n in silent else world.scenario.objectives[n]
        assert np.allclose(world.scorer.weights[i], normalised(expected)), n
        assert world.scorer.objectives[i] == expected


def test_removing_a_nations_objectives_falls_back_to_its_doctrine(content_copy: Path) -> None:
    scenario = content_copy / "scenarios" / "tutorial.toml"
    text = scenario.read_text(encoding="utf-8")
    start = text.index("[objectives.china]")
    end = text.index("[objectives.australia]")
    scenario.write_text(text[:start] + text[end:], encoding="utf-8")
    content = load_content(content_copy)
    assert "china" not in content.scenario("tutorial").objectives
    world = WorldModel(content, "tutorial", seed=3)
    c = world.nation_ids.index("china")
    default = DOCTRINE_OBJECTIVES[content.nations["china"].doctrine]
    assert np.allclose(world.scorer.weights[c], normalised(default))


def test_doctrine_defaults_weight_what_the_doctrine_plays_for() -> None:
    weights = {d: dict(zip(PARTS, normalised(o), strict=True)) for d, o in DOCTRINE_OBJECTIVES.items()}
    refiner, ally = weights["dominant_refiner"], weights["consumer_ally"]
    nationalist, swing, passive = (
        weights["resource_nationalist"],
        weights["hedging_swing"],
        weights["passive"],
    )
    assert (
        max(refiner, key=refiner.get) == Part.LEVERAGE
        and refiner[Part.REVENUE] > refiner[Part.SUPPLY_SECURITY]
    )
    assert max(ally, key=ally.get) == Part.SUPPLY_SECURITY
    assert max(nationalist, key=nationalist.get) == Part.REVENUE
    assert max(swing.values()) < 0.5 and sum(v > 0 for v in swing.values()) == len(PARTS)
    assert np.allclose(list(passive.values()), 1 / len(PARTS))


# ---------------------------------------------------------------------------- a whole run


def test_every_nations_score_is_finite_over_a_tutorial_run(content: Content) -> None:
    world = WorldModel(content, "tutorial", seed=11)
    assert np.isnan(world.score).all()  # not scored before the first turn
    for _ in range(world.scenario.turns):
        world.step()
        assert np.isfinite(world.score).all() and np.isfinite(world.score_parts).all()
        assert ((world.score_parts >= 0) & (world.score_parts <= 100)).all()
    scores, parts = world.scorer.history()
    assert scores.shape == (world.scenario.turns, len(world.nation_ids))
    assert parts.shape == (world.scenario.turns, len(world.nation_ids), len(PARTS))
    assert np.array_equal(scores, np.stack([r.score for r in world.records]))
    assert world.score_part_names == tuple(p.value for p in PARTS)


def test_the_score_is_part_of_the_world_hash(content: Content) -> None:
    world = WorldModel(content, "tutorial", seed=3)
    world.step()
    before = world.world_hash()
    world.score = world.score + 1.0
    assert world.world_hash() != before


# ---------------------------------------------------------------------------- bad objectives


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ("[objectives.japan]\ntreasury = -1\n", "objectives.japan.treasury", r"must be >= 0, got -1"),
        ("[objectives.japan]\ntreasury = 0\n", "objectives.japan", r"at least one weight must be positive.*"),
        ("[objectives.japan]\nsupply_security = 1\nsectors = { defence = 0, other = 0, "
         "ev_batteries = 0, grid_storage = 0, electronics = 0, wind_solar = 0 }\n",
         "objectives.japan", r"supply_security has a weight but every sector in sectors weighs 0"),
        ("[objectives.japan]\nprestige = 5\n", "objectives.japan.prestige",
         r"unknown field \(not in the schema\)"),
        ("[objectives.narnia]\ntreasury = 1\n", "objectives.narnia", r"unknown nation 'narnia'"),
        ("[objectives.chile]\ntreasury = 1\n", "objectives.chile", r"not one of this scenario's nations"),
    ],
)  # fmt: skip
def test_bad_objectives_name_file_field_and_problem(
    content_copy: Path, table: str, field: str, message: str
) -> None:
    scenario = content_copy / "scenarios" / "tutorial.toml"
    text = scenario.read_text(encoding="utf-8")
    start, end = text.index("[objectives.japan]"), text.index("[objectives.united_states]")
    source = 'source = "test"\n\n'
    scenario.write_text(text[:start] + table + source + text[end:], encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(content_copy)
    hits = [p for p in info.value.problems if p.field == field]
    assert hits, str(info.value)
    assert Path(hits[0].file).resolve() == scenario.resolve()
    assert any(re.fullmatch(message, p.message) for p in hits), [p.message for p in hits]
    assert "Traceback" not in str(info.value)
