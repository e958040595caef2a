"""The real content under content/ loads, is complete, and is calibrated to its reference figures."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from game.content import Content, load_content
from game.rules import FirmKind

MINERALS = {"lithium", "cobalt", "nickel", "graphite", "rare_earths", "copper", "gallium", "germanium"}
NATIONS = {
    "china", "united_states", "european_union", "japan", "south_korea", "india", "united_kingdom",
    "canada", "australia", "chile", "argentina", "bolivia", "dr_congo", "indonesia", "philippines",
    "brazil", "russia", "mexico", "south_africa", "zimbabwe", "peru", "vietnam", "myanmar",
    "rest_of_world",
}  # fmt: skip

CALIBRATION_TOLERANCE_PP = 3.0
DEMAND_TOLERANCE = 0.10


def test_real_content_loads_with_something_in_every_table(content: Content) -> None:
    assert len(content.minerals) > 0
    assert len(content.nations) > 0
    assert len(content.firms) > 0
    assert len(content.projects) > 0
    assert len(content.events) > 0
    assert len(content.scenarios) > 0


def test_all_minerals_and_nations_exist(content: Content) -> None:
    assert set(content.minerals) >= MINERALS, f"missing minerals: {MINERALS - set(content.minerals)}"
    assert set(content.nations) >= NATIONS, f"missing nations: {NATIONS - set(content.nations)}"


def test_every_mineral_has_firms_of_both_stages(content: Content) -> None:
    kinds: dict[str, set[FirmKind]] = defaultdict(set)
    for firm in content.firms:
        kinds[firm.mineral].add(firm.kind)
    for mineral in content.minerals:
        assert {FirmKind.MINE, FirmKind.REFINERY} <= kinds[mineral], mineral


def test_ministerial_scenario_is_the_whole_world_from_2026_q1(content: Content) -> None:
    s = content.scenario("ministerial-2026")
    assert (s.start_year, s.start_quarter, s.turns) == (2026, 1, 60)
    assert s.date_of(0) == "2026 Q1"
    assert s.date_of(s.turns - 1) == "2040 Q4"
    # rest_of_world closes the world totals, so the default scenario must hold every nation and mineral
    assert set(s.nations) == set(content.nations)
    assert set(s.minerals) == set(content.minerals)


def test_tutorial_scenario_is_small(content: Content) -> None:
    s = content.scenario("tutorial")
    assert len(s.nations) == 4
    assert len(s.minerals) == 2


def test_unknown_scenario_names_the_known_ones(content: Content) -> None:
    with pytest.raises(KeyError, match="ministerial-2026"):
        content.scenario("no-such-scenario")


@pytest.mark.parametrize("scenario_id", ["ministerial-2026", "tutorial"])
def test_every_playable_nation_has_a_complete_briefing(content: Content, scenario_id: str) -> None:
    s = content.scenario(scenario_id)
    for nation in s.playable:
        briefing = s.briefings.get(nation)
        assert briefing is not None, f"{scenario_id}: {nation} has no briefing"
        for name, text in briefing.model_dump().items():
            if isinstance(text, str):  # `suggested` is a list of orders, checked elsewhere
                assert text.strip(), f"{scenario_id}: briefing of {nation} has an empty {name}"


def test_scheduled_events_fall_inside_the_scenario(content: Content) -> None:
    for s in content.scenarios.values():
        for item in s.schedule:
            assert 0 <= s.turn_of(item.date) < s.turns, f"{s.id}: {item.event} on {item.date}"


# ---------------------------------------------------------------------------- content hash


def test_content_hash_is_stable_across_loads(content: Content) -> None:
    again = load_content()
    assert again.content_hash == content.content_hash
    assert len(content.content_hash) == 32


def test_content_hash_does_not_depend_on_where_the_folder_is(content: Content, content_copy: Path) -> None:
    assert load_content(content_copy).content_hash == content.content_hash


def test_content_hash_changes_when_one_byte_changes(content: Content, content_copy: Path) -> None:
    path = content_copy / "minerals" / "gallium.toml"
    data = bytearray(path.read_bytes())
    assert data[0:1] == b"#"  # change one byte of the leading comment: content stays valid
    data[1] = ord("!") if data[1] != ord("!") else ord("?")
    path.write_bytes(bytes(data))
    changed = load_content(content_copy)
    assert changed.minerals == content.minerals
    assert changed.content_hash != content.content_hash


# ---------------------------------------------------------------------------- calibration


def _capacity_shares(content: Content, mineral: str, kind: FirmKind) -> dict[str, float]:
    by_country: dict[str, float] = defaultdict(float)
    for firm in content.firms:
        if firm.mineral == mineral and firm.kind == kind:
            by_country[firm.country] += firm.capacity_tpy
    total = sum(by_country.values())
    assert total > 0, f"{mineral}: no {kind.value} capacity"
    return {country: 100 * cap / total for country, cap in by_country.items()}


@pytest.mark.parametrize("mineral", sorted(MINERALS))
@pytest.mark.parametrize(("stage", "kind"), [("mine", FirmKind.MINE), ("refining", FirmKind.REFINERY)])
def test_firm_capacity_matches_reference_country_shares(
    content: Content, mineral: str, stage: str, kind: FirmKind
) -> None:
    reference: dict[str, float] = getattr(content.minerals[mineral].reference_shares, stage)
    assert reference, f"{mineral}: no reference {stage} shares to calibrate to"
    shares = _capacity_shares(content, mineral, kind)
    off = {
        country: (round(shares.get(country, 0.0), 2), ref)
        for country, ref in reference.items()
        if abs(shares.get(country, 0.0) - ref) > CALIBRATION_TOLERANCE_PP
    }
    assert not off, f"{mineral} {stage}: country (firm share %, reference %) off by > 3 pp: {off}"


@pytest.mark.parametrize("mineral", sorted(MINERALS))
def test_world_demand_matches_world_mine_production(content: Content, mineral: str) -> None:
    demand = sum(
        per_mineral.get(mineral, 0.0)
        for nation in content.nations.values()
        for per_mineral in nation.demand.values()
    )
    production = content.minerals[mineral].production.mine_tpy
    assert abs(demand - production) <= DEMAND_TOLERANCE * production, (
        f"{mineral}: nations demand {demand:g} t/yr, world mine production {production:g} t/yr"
    )


# ---------------------------------------------------------------------------- sources

PLACEHOLDERS = ("todo", "tbd", "fixme", "xxx", "???", "lorem")


def _sources(content: Content) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = [(f"firm {f.id}", f.source) for f in content.firms]
    for m in content.minerals.values():
        for table in ("production", "prices", "end_use", "demand_growth", "reference_shares", "recycling",
                      "substitution", "lead_times", "market"):  # fmt: skip
            found.append((f"mineral {m.id}.{table}", getattr(m, table).source))
    for n in content.nations.values():
        found += [(f"nation {n.id}.gdp", n.gdp.source), (f"nation {n.id}.demand_source", n.demand_source)]
        if n.stockpile is not None:
            found.append((f"nation {n.id}.stockpile", n.stockpile.source))
    return found


def test_figures_cite_a_real_source_not_a_placeholder(content: Content) -> None:
    sources = _sources(content)
    assert len(sources) > len(content.firms)
    bad = [(where, text) for where, text in sources if any(p in text.lower() for p in PLACEHOLDERS)]
    assert not bad, f"placeholder sources: {bad[:10]}"
