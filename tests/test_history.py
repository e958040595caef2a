"""Historical scenarios: Rare-earth shock 2010 and Lithium boom and bust 2021-2024.

They load and validate, their calibration builds the world of the start year, whole runs
give finite prices, scheduled events fire on their dates, and the epilogue is there. The
price shapes asserted are the ones that held across seeds 0 and 1, with every nation on its
AI and with every nation passive (history only): the 2011 spike and later fall for rare
earths, the 2021-2022 rise and the 2023 fall for lithium.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from game.content import Content, ContentError, load_content
from game.lab.history import PricePath, price_path, real_index
from game.lab.run import play
from game.world.calibration import calibrate
from game.world.model import MINE, REFINERY, WorldModel

REE, LI = "rare-earth-2010", "lithium-2021"
HISTORY = (REE, LI)


@cache
def _content() -> Content:
    return load_content()


@cache
def _played(scenario: str, seed: int, passive: bool) -> WorldModel:
    content = _content()
    nations = content.scenario(scenario).nations
    controllers = {n: None for n in nations} if passive else None
    return play(content, scenario, seed, controllers=controllers).world


def _path(scenario: str, seed: int, passive: bool) -> PricePath:
    world = _played(scenario, seed, passive)
    mineral, home = ("rare_earths", "china") if scenario == REE else ("lithium", None)
    return price_path(world, mineral, home)


def _mean(path: PricePath, year: int, quarters: tuple[int, ...] = (1, 2, 3, 4)) -> float:
    values = [
        v for d, v in zip(path.dates, path.outside, strict=True) if d in {f"{year} Q{q}" for q in quarters}
    ]
    return float(np.mean(values))


# ---------------------------------------------------------------------------- content


@pytest.mark.parametrize("scenario", HISTORY)
def test_historical_scenarios_load_with_calibration_briefings_and_epilogue(scenario: str) -> None:
    s = _content().scenario(scenario)
    assert s.calibration, "a historical scenario restates its start year"
    assert set(s.playable) <= set(s.briefings)
    assert s.epilogue is not None and len(s.epilogue.text) > 200
    for mineral in s.minerals:
        real = s.epilogue.price_path(mineral)
        assert len(real) >= 5, f"{mineral}: the real price path needs points to compare with"
        assert all(p.source for p in real)
    assert real_index(s.epilogue, s.minerals[0])[0][1] == 1.0


def test_rare_earth_world_of_2010_is_chinese() -> None:
    """China mines ~97 % and separates almost all; Mountain Pass and Lynas are not there yet."""
    content = _content()
    world = WorldModel(content, REE, seed=0)
    t = world.firms
    china = world.nation_ids.index("china")
    mine = t.kind == MINE
    share = t.capacity[mine & (t.country == china)].sum() / t.capacity[mine].sum()
    assert 0.95 <= share <= 0.98
    refinery = t.kind == REFINERY
    assert t.capacity[refinery & (t.country == china)].sum() / t.capacity[refinery].sum() > 0.9
    ids = {a.firm_id for a in world.firm_agents}
    assert "us_ree_mountain_pass" not in ids and "row_ree_lynas_malaysia" not in ids
    assert world.ref_price[0] == 25000
    # Costs follow the start price: Bayan Obo's 2025 cost times 25,000 / 110,000.
    bayan = next(i for i, a in enumerate(world.firm_agents) if a.firm_id == "cn_ree_bayan_obo")
    assert t.unit_cost[bayan] == pytest.approx(14000 * 25000 / 110000)


def test_calibration_leaves_other_scenarios_untouched() -> None:
    content = _content()
    assert calibrate(content, content.scenario("ministerial-2026")) is content


def test_calibrated_demand_shares_and_doctrines() -> None:
    content = _content()
    s = content.scenario(REE)
    view = calibrate(content, s)
    totals = {
        n: sum(per.get("rare_earths", 0.0) for per in view.nations[n].demand.values()) for n in s.nations
    }
    world = sum(totals.values())
    assert totals["china"] / world == pytest.approx(0.64)
    assert totals["japan"] / world == pytest.approx(0.18)
    assert view.nations["china"].doctrine.value == "passive"
    assert content.nations["china"].doctrine.value == "dominant_refiner"


def test_calibration_errors_name_file_and_field(content_copy: Path) -> None:
    path = content_copy / "scenarios" / f"{REE}.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tpy = { china = 137000,", "tpy = { narnia = 5, brazil = 9, china = 137000,")
    text = text.replace("tpy = { china = 132000,", "tpy = { australia = 100, china = 132000,")
    text = text.replace('mineral = "rare_earths"\ndate = "2011"\n', 'mineral = "lithium"\ndate = "2011"\n')
    text = text.replace(
        "[calibration.rare_earths.recycler]", "[calibration.cobalt]\n\n[calibration.rare_earths.recycler]"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(content_copy)
    lines = [line.split("rare-earth-2010.toml: ", 1)[1] for line in str(info.value).splitlines()]
    assert "calibration.rare_earths.mine.tpy.narnia: unknown nation 'narnia'" in lines
    assert "calibration.rare_earths.mine.tpy.brazil: 'brazil' is not in this scenario's nations" in lines
    no_firm = "no refinery firm of rare_earths in 'australia' to scale"
    assert f"calibration.rare_earths.refinery.tpy.australia: {no_firm}" in lines
    assert "calibration.cobalt: 'cobalt' is not in this scenario's minerals" in lines
    assert "epilogue.prices[2].mineral: 'lithium' is not in this scenario's minerals" in lines


# ---------------------------------------------------------------------------- runs


@pytest.mark.parametrize("scenario", HISTORY)
@pytest.mark.parametrize("passive", [False, True], ids=["ai", "history-only"])
def test_whole_run_gives_finite_prices_and_fires_the_schedule(scenario: str, passive: bool) -> None:
    world = _played(scenario, 0, passive)
    s = world.scenario
    assert len(world.records) == s.turns
    for r in world.records:
        assert np.isfinite(r.refined_paid).all() and np.isfinite(r.ore_paid).all()
        assert (r.refined_paid > 0).all()
    fired = {(h.event, h.turn) for h in world.news if h.kind == "scheduled"}
    for entry in s.schedule:
        assert (entry.event, s.turn_of(entry.date)) in fired, f"{entry.event} did not fire on {entry.date}"


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("passive", [False, True], ids=["ai", "history-only"])
def test_rare_earth_prices_spike_in_2011_and_fall_after(seed: int, passive: bool) -> None:
    """Outside China: the 2011 spike (the model's demand chokes near 4x; the real index was
    about 12x), and lower prices from 2013 once quotas are lifted and new plants run. The
    base is 2010 Q2: in Q1 the AI importers' first stockpile purchases spike the price."""
    path = _path(REE, seed, passive)
    spring_2010 = _mean(path, 2010, (2,))
    peak_2011 = max(v for d, v in zip(path.dates, path.outside, strict=True) if d.startswith("2011"))
    assert peak_2011 > 3.0 and peak_2011 > 2 * spring_2010
    assert _mean(path, 2013) < 0.75 * _mean(path, 2011)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("passive", [False, True], ids=["ai", "history-only"])
def test_lithium_prices_rise_through_2022_and_fall_in_2023(seed: int, passive: bool) -> None:
    path = _path(LI, seed, passive)
    assert _mean(path, 2022) > 2.5 * path.outside[0]
    assert _mean(path, 2022) > _mean(path, 2021)
    assert path.outside[path.dates.index("2023 Q4")] < 0.75 * _mean(path, 2022)
    assert _mean(path, 2024) < _mean(path, 2023)
