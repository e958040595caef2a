"""The 2023 gallium and germanium licensing scenario: it starts before China's August 2023
licensing, plays it as scheduled history, replays bit for bit, and is one of calibrate's
open episodes (ex-China prices about doubled from 2023 to 2025)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from game.content import Content
from game.lab.run import play
from game.report.calibrate import EPISODES, history
from game.rules import Instrument, Stage

SCENARIO = "gallium-germanium-2023"


def test_it_starts_before_the_licensing_with_every_figure_sourced(content: Content) -> None:
    sc = content.scenario(SCENARIO)
    assert (sc.start_year, sc.start_quarter) == (2023, 2)
    assert not sc.export_controls  # no licence yet in April 2023
    fired = {s.event: s.date for s in sc.schedule}
    assert fired["cn_ga_ge_licensing_2023"] == dt.date(2023, 8, 1)
    assert all(c.price is not None and c.price.source for c in sc.calibration.values())
    assert sc.epilogue is not None and all(p.source for p in sc.epilogue.prices)
    assert {p.mineral for p in sc.epilogue.prices} == {"gallium", "germanium"}


def test_calibrate_plays_both_metals_against_a_doubling(content: Content) -> None:
    episodes = {e.mineral: e for e in EPISODES if e.scenario == SCENARIO}
    assert set(episodes) == {"gallium", "germanium"}
    for episode in episodes.values():
        assert episode.ex_china
        peak, turn, _ = history(content, episode).peak()
        assert 1.8 <= peak <= 2.5 and turn == 10  # about 2x by the end of 2025


@pytest.fixture(scope="module")
def played(content: Content):
    return play(content, SCENARIO, seed=4, turns=4).world


def test_the_licences_come_on_their_dates_and_raise_prices_outside_china(played) -> None:
    world = played
    licences = [
        a
        for a in world.policies.controls
        if a.spec.instrument == Instrument.LICENSING and a.spec.issuer == "china"
    ]
    assert {a.spec.mineral for a in licences} == {"gallium", "germanium"}
    assert all(a.spec.stage == Stage.REFINED and a.approval for a in licences)
    cn = world.nation_ids.index("china")
    outside = [i for i in range(len(world.nation_ids)) if i != cn]
    for mineral in ("gallium", "germanium"):
        m = world.mineral_index(mineral)
        before, after = world.records[0], world.records[-1]
        exports = [r.refined_flow[m, cn, outside].sum() for r in (before, after)]
        assert exports[1] < exports[0]  # licences let less through than free trade did
        assert np.median(after.refined_paid[m, outside] / world.start_paid[m, outside]) > 1.2


def test_it_replays_bit_for_bit(cli, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = cli("run", "--scenario", SCENARIO, "--seed", "2", "--turns", "5", "--out", out)
    assert result.exit_code == 0, result.output
    replay = cli("replay", out / "game.json", "--verify")
    assert replay.exit_code == 0, replay.output
