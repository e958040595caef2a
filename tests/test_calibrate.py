"""`lodestone calibrate` at a small size: every open episode is played, set beside history read
from its scenario's epilogue, printed as a table and drawn as a PNG; the history's figures and
the peak arithmetic are checked on their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from game.content import Content
from game.report.calibrate import EPISODES, Path_, history, quarter_of, turn_of


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
