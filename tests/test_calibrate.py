"""`lodestone calibrate` at a small size: every open episode is played, set beside history read
from its scenario's epilogue, printed as a table and drawn as a PNG; the history's figures and
the peak arithmetic are checked on their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from game.content import Content
from game.report.calibrate import EPISODES, Path_, history, model_path, quarter_of, turn_of
from game.session import Game


def test_dates_read_as_quarters() -> None:
    assert quarter_of("2011-Q3") == (2011, 3)
    assert quarter_of("2022-11") == (2022, 4)
    assert quarter_of("2012") == (2012, 4)  # a year's figure is its year-end
    assert turn_of((2010, 1), "2011-Q3") == 6
    with pytest.raises(ValueError):
        quarter_of("mid-2011")


def test_history_comes_from_the_content_with_its_sources(content: Content) -> None:
    """The REE episode: the epilogue's Nd oxide prices give about 12x by 2011 Q3 and a fall of
    more than half by the end of 2012, as the issue states."""
    ree = next(e for e in EPISODES if e.id == "ree-2010")
    peak, turn, fall = history(content, ree).peak()
    assert 10 <= peak <= 14 and turn == 6 and -0.8 <= fall <= -0.5
    sc = content.scenarios[ree.scenario]
    assert sc.epilogue is not None and all(p.source for p in sc.epilogue.prices)


def test_the_model_path_reads_each_quarter_at_its_own_date(content: Content) -> None:
    """Point k of the model's path is the price quarter k cleared at (over the start's), so a
    peak's quarter compares with history's date; it once read one quarter late."""
    ree = next(e for e in EPISODES if e.id == "ree-2010")
    path = model_path(content, ree, seed=4, turns=3)
    game = Game(content, ree.scenario, seed=4)
    world = game.world
    m = world.mineral_index(ree.mineral)
    n = len(world.nation_ids)
    buyers = np.arange(n) != world.nation_index["china"]
    weight = world.need[m].sum(axis=1)[buyers] + 1e-12
    start = np.average(world.start_paid[m, :n][buyers], weights=weight)
    game.play_turn()  # quarter 0
    first = np.average(world.refined_paid[m, :n][buyers], weights=world.need[m].sum(axis=1)[buyers] + 1e-12)
    assert list(path.turns) == [0, 1, 2]
    assert path.index[0] == pytest.approx(first / start, rel=1e-12)


def test_peak_ratio_quarter_and_fall() -> None:
    p = Path_(np.arange(5), np.array([1.0, 2.0, 6.0, 4.0, 3.0]))
    assert p.peak() == (6.0, 2, -0.5)


def test_calibrate_prints_model_beside_history_and_draws_each_episode(cli, tmp_path: Path) -> None:
    result = cli("calibrate", "--seeds", "2", "--turns", "3", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    for episode in EPISODES:
        assert episode.id in result.stdout
        png = tmp_path / f"{episode.id}.png"
        assert png.stat().st_size > 10_000
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_calibrate_refuses_zero_seeds(cli, tmp_path: Path) -> None:
    result = cli("calibrate", "--seeds", "0", "--out", tmp_path)
    assert result.exit_code == 2 and "at least 1" in result.output
