"""Events: scheduled, conditional and random, their effects (world modifications and orders),
their news, and the content checks that keep them honest.

Conditional-event tests drive the world (an export ban in the Tutorial) and compare the turns
an event fired with the turns its trigger, read back from the world's own records, says it
should have: the expected turns are computed from what happened, never written down.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from agents.firms import KIND_CODE
from game.content import Content, ContentError, load_content
from game.lab import tables
from game.rules import Event, ExportControl, FirmKind, Instrument, Scenario, Sector, Stage
from game.rules import events as ev
from game.world.mechanisms.events import measure
from game.world.model import SECTORS, WorldModel

Cli = Callable[..., Any]

BAN = ExportControl(
    issuer="china", mineral="rare_earths", stage=Stage.REFINED, instrument=Instrument.BAN, source="test"
)
NEWS_ONLY = Event(id="test_alarm", name="Alarm", news="Something crossed a line.", source="test event")


# ---------------------------------------------------------------------------- helpers


def with_library(content: Content, *events: Event) -> Content:
    """The real content with extra events in its library (a scenario may then name them)."""
    return dataclasses.replace(
        content, events=MappingProxyType({**content.events, **{e.id: e for e in events}})
    )


def scenario(content: Content, base: str, **changes: Any) -> Scenario:
    """A validated variant of a real scenario."""
    data = content.scenario(base).model_dump()
    data.update(changes)
    return Scenario.model_validate(data)


def quiet_tutorial(content: Content, **changes: Any) -> Scenario:
    """The Tutorial without its timeline or conditional events, so only what a test adds happens."""
    return scenario(content, "tutorial", **{"schedule": [], "conditional_events": [], **changes})


def run(world: WorldModel, turns: int, controls: Sequence[ExportControl] = ()) -> WorldModel:
    for control in controls:
        world.impose_control(control)
    for _ in range(turns):
        world.step()
    return world


def fired(world: WorldModel, event_id: str, kind: str | None = None) -> list[int]:
    return [h.turn for h in world.news if h.event == event_id and (kind is None or h.kind == kind)]


def price_ratio_seen(world: WorldModel, mineral: str, country: str) -> list[float]:
    """The price ratio a trigger saw at the start of each turn: the start prices on turn 0,
    then what the previous turn's clearing left (its record)."""
    m, n = world.mineral_ids.index(mineral), world.nation_ids.index(country)
    start = 1.0  # every market opens at the reference price
    return [start] + [r.refined_paid[m, n] / world.ref_price[m] for r in world.records[:-1]]


def expected_turns(holds: Sequence[bool], for_turns: int, max_times: int, cooldown: int) -> list[int]:
    """When an entry whose trigger held on the turns in `holds` should fire (the documented rule:
    held `for_turns` turns in a row since it last fired, not within `cooldown` turns of firing)."""
    out: list[int] = []
    streak, last = 0, -(10**9)
    for turn, h in enumerate(holds):
        streak = streak + 1 if h else 0
        if streak >= for_turns and len(out) < max_times and turn > last + cooldown:
            out.append(turn)
            streak, last = 0, turn
    return out


def price_trigger(threshold: float, comparison: str = ">", country: str | None = "japan") -> dict[str, Any]:
    return {
        "metric": "price_ratio",
        "mineral": "rare_earths",
        "country": country,
        "comparison": comparison,
        "threshold": threshold,
    }


# ---------------------------------------------------------------------------- conditional events


def conditional_world(content: Content, seed: int = 0, **entry: Any) -> WorldModel:
    spec = {"event": NEWS_ONLY.id, "when": [price_trigger(1.5)], **entry}
    sc = quiet_tutorial(content, conditional_events=[spec])
    return WorldModel(with_library(content, NEWS_ONLY), sc, seed=seed)


def test_a_conditional_event_fires_when_a_ban_drives_the_price_over_its_threshold(content: Content) -> None:
    world = run(conditional_world(content), 8, controls=[BAN])
    seen = price_ratio_seen(world, "rare_earths", "japan")
    assert max(seen) > 1.5, "the ban should drive Japan's rare-earth price over the threshold"
    assert fired(world, NEWS_ONLY.id, "conditional") == expected_turns([r > 1.5 for r in seen], 1, 1, 0)
    assert len(fired(world, NEWS_ONLY.id)) == 1


def test_the_same_conditional_event_stays_silent_without_the_ban(content: Content) -> None:
    world = run(conditional_world(content), 8)
    seen = price_ratio_seen(world, "rare_earths", "japan")
    assert max(seen) <= 1.5, "without a ban the Tutorial's price should stay under 1.5x"
    assert fired(world, NEWS_ONLY.id) == []


@pytest.mark.parametrize(("for_turns", "max_times", "cooldown"), [(2, 2, 0), (3, 2, 1), (1, 3, 2)])
def test_for_turns_max_times_and_cooldown_are_respected(
    content: Content, for_turns: int, max_times: int, cooldown: int
) -> None:
    rule = {"for_turns": for_turns, "max_times": max_times, "cooldown_turns": cooldown}
    world = run(conditional_world(content, when=[price_trigger(1.2)], **rule), 12, controls=[BAN])
    holds = [r > 1.2 for r in price_ratio_seen(world, "rare_earths", "japan")]
    expected = expected_turns(holds, for_turns, max_times, cooldown)
    assert len(expected) == max_times, "the ban should keep the price high long enough for max_times to bind"
    assert fired(world, NEWS_ONLY.id, "conditional") == expected
    # it waits for `for_turns` turns over the line, and then for the cooldown
    assert expected[0] >= holds.index(True) + for_turns - 1
    assert all(b - a > cooldown and b - a >= for_turns for a, b in itertools.pairwise(expected))


def test_every_trigger_in_when_must_hold(content: Content) -> None:
    """A price trigger and a turn trigger: the event waits for both."""
    when = [price_trigger(1.2), {"metric": "turn", "comparison": ">=", "threshold": 6}]
    world = run(conditional_world(content, when=when), 9, controls=[BAN])
    seen = price_ratio_seen(world, "rare_earths", "japan")
    holds = [r > 1.2 and turn >= 6 for turn, r in enumerate(seen)]
    assert fired(world, NEWS_ONLY.id) == expected_turns(holds, 1, 1, 0)
    assert fired(world, NEWS_ONLY.id) and fired(world, NEWS_ONLY.id)[0] >= 6


def test_metrics_read_the_world_as_documented(content: Content) -> None:
    # tight licensing on the US makes a shortfall; an end-use control on Japan's defence buyers
    # gives them a price of their own (civil Japan still buys from China)
    end_use = BAN.model_copy(update={"instrument": Instrument.END_USE, "targets": ["japan"]})
    licensing = BAN.model_copy(
        update={"instrument": Instrument.LICENSING, "approval_rate": 0.5, "targets": ["united_states"]}
    )
    world = run(WorldModel(content, quiet_tutorial(content), seed=0), 4, controls=[end_use, licensing])
    m, j, n = world.mineral_ids.index("rare_earths"), world.nation_ids.index("japan"), len(world.nation_ids)
    civil, defence = world.refined_paid[m, j], world.refined_paid[m, n + j]
    assert abs(defence - civil) > 1e-4 * civil, "the test needs distinct civil and defence prices"
    last = world.records[-1]
    d = SECTORS.index(Sector.DEFENCE)

    def value(**trigger: Any) -> float:
        return measure(world, ev.Trigger(comparison=">", threshold=0, **trigger))

    ref = world.ref_price[m]
    assert value(metric="price_ratio", mineral="rare_earths", country="japan") == pytest.approx(
        last.refined_paid[m, j] / ref
    )
    assert value(metric="price_ratio", mineral="rare_earths", country="japan", sector="defence") == (
        pytest.approx(last.refined_paid[m, n + j] / ref)
    )
    assert value(metric="price_ratio", mineral="rare_earths") == pytest.approx(
        last.refined_paid[m, :n].mean() / ref
    )
    assert value(metric="shortfall_share", mineral="rare_earths") == pytest.approx(
        last.shortfall[m].sum() / last.need[m].sum()
    )
    assert value(metric="shortfall_share", mineral="rare_earths", country="japan", sector="defence") == (
        pytest.approx(last.shortfall[m, j, d] / last.need[m, j, d])
    )
    assert value(metric="stockpile_tonnes", mineral="rare_earths", country="japan") == world.stockpile[j, m]
    assert value(metric="stockpile_tonnes", mineral="rare_earths") == pytest.approx(
        world.stockpile[:, m].sum()
    )
    assert value(metric="turn") == world.turn
    assert value(metric="shortfall_share", mineral="rare_earths") > 0, "licensing should leave a shortfall"


def test_a_shortfall_trigger_fires_under_a_ban(content: Content) -> None:
    shortfall = {"metric": "shortfall_share", "mineral": "rare_earths", "comparison": ">", "threshold": 0.01}
    world = run(conditional_world(content, when=[shortfall]), 5, controls=[BAN])
    m = world.mineral_ids.index("rare_earths")
    shares = [0.0] + [r.shortfall[m].sum() / r.need[m].sum() for r in world.records[:-1]]
    assert fired(world, NEWS_ONLY.id) == expected_turns([s > 0.01 for s in shares], 1, 1, 0)
    assert fired(world, NEWS_ONLY.id)


def test_conditional_news_reaches_the_events_table(content: Content) -> None:
    world = run(WorldModel(content, "tutorial", seed=0), 8)
    table = tables.events(world)
    rows = table[(table["kind"] == "conditional") & (table["event"] == "tut_magnet_makers_alarm")]
    assert len(rows) == 1, table
    assert rows.iloc[0]["news"] == content.events["tut_magnet_makers_alarm"].news


def test_a_conditional_event_with_a_probability_is_seeded(content: Content) -> None:
    def history(seed: int) -> list[int]:
        world = conditional_world(content, seed=seed, when=[price_trigger(1.2)], probability=0.5, max_times=9)
        return fired(run(world, 10, controls=[BAN]), NEWS_ONLY.id)

    assert history(3) == history(3)
    assert len({tuple(history(seed)) for seed in range(5)}) > 1, "a 50 % chance should vary with the seed"


# ---------------------------------------------------------------------------- random events

NEW_RANDOM = (
    "cd_cobalt_mine_collapse",
    "cd_coup_attempt",
    "gn_coup_bauxite",
    "tech_li_direct_recycling",
    "jp_deepsea_trial_success",
    "jp_deepsea_trial_failure",
)


def test_the_library_covers_every_kind_of_random_event(content: Content) -> None:
    drawn = {r.event for r in content.scenario("ministerial-2026").random_events}
    kinds = {
        "mine accident": {"cd_cobalt_mine_collapse", "li_mine_accident_australia", "cu_mudrush_indonesia"},
        "coup": {"cd_coup_attempt", "gn_coup_bauxite", "mm_coup_turmoil"},
        "strike": {"cl_copper_strike"},
        "technology breakthrough": {"tech_ree_recycling", "tech_li_direct_recycling", "tech_sodium_ion"},
        "deep-sea success": {"jp_deepsea_trial_success"},
        "deep-sea failure": {"jp_deepsea_trial_failure"},
    }
    for kind, ids in kinds.items():
        assert ids & drawn, f"no {kind} among the scenario's random events"
    assert set(NEW_RANDOM) <= drawn
    for spec in content.scenario("ministerial-2026").random_events:
        assert spec.source, spec.event


def test_no_random_event_decides_a_playable_nations_policy(content: Content) -> None:
    for sc in content.scenarios.values():
        for spec in [*sc.random_events, *sc.conditional_events]:
            for effect in content.events[spec.event].effects:
                assert not set(ev.policy_actors(effect)) & set(sc.playable), (sc.id, spec.event)
    ministerial = {r.event for r in content.scenario("ministerial-2026").random_events}
    assert not {"cn_ree_licences_ease", "cn_ree_licences_stall", "cd_cobalt_quota_tightened"} & ministerial


def test_random_events_are_seeded(content: Content) -> None:
    entries = [{"event": e, "probability_per_turn": 0.3, "max_times": 3} for e in NEW_RANDOM]
    sc = quiet_tutorial(content, random_events=entries)

    def history(seed: int) -> tuple[list[tuple[int, str]], list[str]]:
        world = run(WorldModel(content, sc, seed=seed), 6)
        return [(h.turn, h.event) for h in world.news if h.kind == "random"], [
            r.world_hash for r in world.records
        ]

    assert history(7) == history(7)
    histories = {tuple(history(seed)[0]) for seed in range(4)}
    assert len(histories) > 1, "different seeds should give different random histories"


def test_every_new_random_event_can_happen(content_copy: Path) -> None:
    """With every probability set to 1 (in a copy of the content), each new event fires; the
    deep-sea outcomes wait for 2027 and exclude each other, so exactly one of them fires."""
    path = content_copy / "scenarios" / "ministerial-2026.toml"
    text = re.sub(r"probability_per_turn = [0-9.]+", "probability_per_turn = 1.0", path.read_text())
    path.write_text(text)
    copy = load_content(content_copy)
    sc = copy.scenario("ministerial-2026")
    start_2027 = sc.turn_of(next(r.not_before for r in sc.random_events if r.not_before))
    world = run(WorldModel(copy, sc, seed=0), start_2027 + 1)
    for spec in sc.random_events:
        if spec.event in NEW_RANDOM[:4]:  # every turn from the first, until max_times
            assert fired(world, spec.event, "random") == list(range(spec.max_times)), spec.event
    outcomes = fired(world, "jp_deepsea_trial_success") + fired(world, "jp_deepsea_trial_failure")
    assert outcomes == [start_2027], "one deep-sea outcome, on the first turn it is allowed"


def apply(content: Content, scenario_id: str, event_id: str) -> tuple[WorldModel, WorldModel]:
    """A world before and after an event's effects, on turn 0 of the same seed."""
    before, after = WorldModel(content, scenario_id, seed=0), WorldModel(content, scenario_id, seed=0)
    after.apply_event(content.events[event_id], "random")
    return before, after


@pytest.mark.parametrize("event_id", ["cd_cobalt_mine_collapse", "cd_coup_attempt", "gn_coup_bauxite"])
def test_accident_and_coup_events_cut_the_stated_capacity(content: Content, event_id: str) -> None:
    before, after = apply(content, "ministerial-2026", event_id)
    expected = np.ones(len(before.firms))
    for effect in content.events[event_id].effects:
        assert isinstance(effect, ev.SupplyShock)
        t = after.firms
        kind = KIND_CODE[FirmKind.MINE if effect.stage == Stage.ORE else FirmKind.REFINERY]
        sel = (
            (t.mineral == after.mineral_index(effect.mineral))
            & (t.country == after.nation_ids.index(effect.country))
            & (t.kind == kind)
        )
        assert sel.any(), f"{event_id}: no firm to shock"
        expected[sel] *= effect.capacity_factor
    np.testing.assert_allclose(after.firms.available(), before.firms.available() * expected)


def test_deep_sea_success_brings_capacity_online_after_its_delay(content: Content) -> None:
    effect = content.events["jp_deepsea_trial_success"].effects[0]
    assert isinstance(effect, ev.NewCapacity)
    template = content.projects[effect.template]
    world = WorldModel(content, quiet_tutorial(content), seed=0)
    rows_before = len(world.firms)
    world.apply_event(content.events["jp_deepsea_trial_success"], "random")
    name = f"{template.id.replace('_', ' ')} in {world.display(effect.country)}"
    assert [p.name for p in world.pipeline.projects].count(name) == 1
    while any(p.name == name for p in world.pipeline.projects):
        assert world.turn < effect.delay_turns + 20, "the deep-sea project never finished"
        world.step()
    assert world.turn >= effect.delay_turns, "capacity came online before its delay"
    new = [
        r
        for r in range(rows_before, len(world.firms))
        if world.firms.country[r] == world.nation_ids.index("japan")
        and world.firms.capacity[r] == pytest.approx(template.capacity_tpy / 4)
    ]
    assert len(new) == 1


def test_deep_sea_failure_costs_japan_what_it_says(content: Content) -> None:
    effect = content.events["jp_deepsea_trial_failure"].effects[0]
    assert isinstance(effect, ev.TreasuryChange) and effect.change_usd_m < 0
    before, after = apply(content, "tutorial", "jp_deepsea_trial_failure")
    j = before.nation_ids.index("japan")
    assert after.treasury[j] - before.treasury[j] == pytest.approx(effect.change_usd_m)
    others = np.arange(len(before.nation_ids)) != j
    np.testing.assert_array_equal(after.treasury[others], before.treasury[others])
    assert len(after.pipeline.projects) == len(before.pipeline.projects)


# ---------------------------------------------------------------------------- technology effects


def technology_world(content: Content, seed: int, **effect: Any) -> WorldModel:
    event = Event(
        id="test_breakthrough",
        name="Breakthrough",
        news="A breakthrough.",
        source="test event",
        effects=[ev.Technology(type="technology", mineral="lithium", **effect)],
    )
    world = WorldModel(with_library(content, event), quiet_tutorial(content), seed=seed)
    world.apply_event(event, "random")
    return world


def test_a_breakthrough_changes_demand_and_recycling_as_stated(content: Content) -> None:
    stated = {"sector": "ev_batteries", "demand_factor": 0.8, "recycling_rate_pct": 10}
    world = technology_world(content, 0, recycler_capacity_factor=1.5, **stated)
    twin = WorldModel(content, quiet_tutorial(content), seed=0)
    m, ev_sector = world.mineral_index("lithium"), SECTORS.index(Sector.EV_BATTERIES)
    stated_factor = np.ones_like(twin.need_now())
    stated_factor[m, :, ev_sector] = 0.8  # lithium's EV need, everywhere; nothing else
    assert twin.need_now()[m, :, ev_sector].sum() > 0
    np.testing.assert_allclose(world.need_now(), twin.need_now() * stated_factor)
    assert world.eol_rate[m] - twin.eol_rate[m] == pytest.approx(0.10)
    assert world.eol_rate[1 - m] == twin.eol_rate[1 - m]
    recyclers = (world.firms.kind == KIND_CODE[FirmKind.RECYCLER]) & (world.firms.mineral == m)
    assert recyclers.any()
    np.testing.assert_allclose(world.firms.available()[recyclers], 1.5 * twin.firms.available()[recyclers])

    run(world, 10)
    run(twin, 10)
    # permanent: still in force ten turns on, and recyclers really produce more
    assert world.demand_shock[m, :, ev_sector] == pytest.approx(0.8)
    assert world.eol_rate[m] - twin.eol_rate[m] == pytest.approx(0.10)

    def recycled(w: WorldModel) -> float:
        rows = (w.firms.kind == KIND_CODE[FirmKind.RECYCLER]) & (w.firms.mineral == m)
        return sum(float(r.firm_output[rows[: len(r.firm_output)]].sum()) for r in w.records)

    assert recycled(world) > recycled(twin) * 1.05


def test_a_breakthrough_with_a_duration_ends(content: Content) -> None:
    world = technology_world(content, 0, demand_factor=0.7, recycling_rate_pct=20, duration_turns=2)
    twin = WorldModel(content, quiet_tutorial(content), seed=0)
    m = world.mineral_index("lithium")
    assert world.demand_shock[m].max() == pytest.approx(0.7)
    run(world, 3)
    run(twin, 3)
    np.testing.assert_allclose(world.demand_shock, 1.0)
    assert world.eol_rate[m] == pytest.approx(twin.eol_rate[m], abs=1e-12)


def test_a_technology_effect_must_change_something() -> None:
    with pytest.raises(ValueError, match="must change"):
        ev.Technology(type="technology", mineral="lithium")


# ---------------------------------------------------------------------------- effects as orders


def test_an_order_effect_goes_through_the_worlds_order_path(content: Content) -> None:
    order = {
        "kind": "export_control",
        "issuer": "china",
        "mineral": "lithium",
        "stage": "refined",
        "instrument": "ban",
        "targets": ["japan"],
    }
    event = Event.model_validate(
        {"id": "test_order", "name": "Order", "news": "An order.", "source": "test event",
         "effects": [{"type": "order", "order": order}]}
    )  # fmt: skip
    world = WorldModel(with_library(content, event), quiet_tutorial(content), seed=0)
    assert isinstance(event.effects[0], ev.OrderEffect)
    world.apply_event(event, "scheduled")
    if not hasattr(world, "apply_order_effect"):
        pytest.skip("this world has no order desk (apply_order_effect)")
    controls = [a.spec for a in world.policies.controls if a.spec.mineral == "lithium"]
    assert [(c.issuer, c.instrument, c.targets) for c in controls] == [("china", Instrument.BAN, ["japan"])]


# ---------------------------------------------------------------------------- content checks


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(root)
    return [f"{Path(p.file).name}: {p.field}: {p.message}" for p in info.value.problems]


def edit(root: Path, rel: str, old: str | None, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new
    else:
        assert text.count(old) == 1, f"{rel}: {old!r} not found exactly once"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


TRIGGER = 'metric = "price_ratio"\nmineral = "rare_earths"\ncountry = "japan"\ncomparison = ">"'

BAD = [
    pytest.param(
        "scenarios/tutorial.toml", None,
        '\n[[conditional_events]]\nevent = "no_such_event"\n[[conditional_events.when]]\nmetric = "turn"\n'
        'comparison = ">="\nthreshold = 2\n',
        "tutorial.toml: conditional_events[1].event: unknown event 'no_such_event'",
        id="conditional-unknown-event",
    ),
    pytest.param(
        "scenarios/tutorial.toml", TRIGGER, TRIGGER.replace('"rare_earths"', '"unobtainium"'),
        "tutorial.toml: conditional_events[0].when[0].mineral: unknown mineral 'unobtainium'",
        id="trigger-unknown-mineral",
    ),
    pytest.param(
        "scenarios/tutorial.toml", TRIGGER, TRIGGER.replace('"rare_earths"', '"cobalt"'),
        "tutorial.toml: conditional_events[0].when[0].mineral: 'cobalt' is not in this scenario's minerals",
        id="trigger-mineral-not-in-scenario",
    ),
    pytest.param(
        "scenarios/tutorial.toml", TRIGGER, TRIGGER.replace('"japan"', '"atlantis"'),
        "tutorial.toml: conditional_events[0].when[0].country: unknown nation 'atlantis'",
        id="trigger-unknown-nation",
    ),
    pytest.param(
        "scenarios/tutorial.toml", TRIGGER, TRIGGER.replace('"japan"', '"chile"'),
        "tutorial.toml: conditional_events[0].when[0].country: 'chile' is not in this scenario's nations",
        id="trigger-nation-not-in-scenario",
    ),
    pytest.param(
        "scenarios/tutorial.toml", TRIGGER, TRIGGER.replace('mineral = "rare_earths"\n', ""),
        "tutorial.toml: conditional_events[0].when[0]: a price_ratio trigger needs a mineral",
        id="trigger-without-mineral",
    ),
    pytest.param(
        "scenarios/tutorial.toml", TRIGGER, TRIGGER.replace('">"', '"=>"'),
        "tutorial.toml: conditional_events[0].when[0].comparison: input should be '>', '>=', '<' or '<=', "
        "got '=>'",
        id="trigger-bad-comparison",
    ),
    pytest.param(
        "scenarios/ministerial-2026.toml", None,
        '\n[[random_events]]\nevent = "cn_ree_licences_stall"\nprobability_per_turn = 0.02\n',
        "ministerial-2026.toml: random_events[{n_random}].event: random event 'cn_ree_licences_stall' "
        "decides the policy of playable nation 'china' (lift_export_control): leave that to the nation's "
        "controller",
        id="random-event-decides-a-playable-policy",
    ),
    pytest.param(
        "scenarios/ministerial-2026.toml", 'excludes = ["jp_deepsea_trial_failure"]', 'excludes = ["nope"]',
        "ministerial-2026.toml: random_events[{deepsea}].excludes[0]: 'nope' is not one of this scenario's "
        "random or conditional events",
        id="random-excludes-unknown",
    ),
    pytest.param(
        "events/tutorial.toml", None,
        '\n[[event]]\nid = "bad_order"\nname = "x"\nnews = "x"\nsource = "test"\n[[event.effects]]\n'
        'type = "order"\n[event.effects.order]\nkind = "message"\nissuer = "atlantis"\nto = ["japan"]\n'
        'tone = "summit"\n',
        "tutorial.toml: event[{n_tut}] (bad_order).effects[0].order.issuer: unknown nation 'atlantis'",
        id="order-effect-unknown-issuer",
    ),
    pytest.param(
        "events/tutorial.toml", None,
        '\n[[event]]\nid = "bad_order"\nname = "x"\nnews = "x"\nsource = "test"\n[[event.effects]]\n'
        'type = "order"\n[event.effects.order]\nkind = "message"\nissuer = "japan"\nto = ["china"]\n'
        'tone = "summit"\nbogus = 1\n',
        "tutorial.toml: event[{n_tut}] (bad_order).effects[0].order.bogus: unknown field (not in the schema)",
        id="order-effect-unknown-field",
    ),
    pytest.param(
        "events/tutorial.toml", None,
        '\n[[event]]\nid = "bad_tech"\nname = "x"\nnews = "x"\nsource = "test"\n[[event.effects]]\n'
        'type = "technology"\nmineral = "lithium"\n',
        "tutorial.toml: event[{n_tut}] (bad_tech).effects[0]: a technology effect must change demand_factor, "
        "recycling_rate_pct or recycler_capacity_factor",
        id="technology-without-change",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rel", "old", "new", "expected"), BAD)
def test_bad_event_content_names_file_field_and_problem(
    content: Content, content_copy: Path, rel: str, old: str | None, new: str, expected: str
) -> None:
    sc = content.scenario("ministerial-2026")
    tutorial_events = (content_copy / "events" / "tutorial.toml").read_text(encoding="utf-8")
    expected = expected.format(
        n_random=len(sc.random_events),
        deepsea=[r.event for r in sc.random_events].index("jp_deepsea_trial_success"),
        n_tut=len(re.findall(r"^\[\[event\]\]$", tutorial_events, flags=re.MULTILINE)),
    )
    edit(content_copy, rel, old, new)
    found = problems(content_copy)
    assert expected in found, "\n".join(found)


def test_validate_passes_on_the_real_content(cli: Cli) -> None:
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("content valid")
