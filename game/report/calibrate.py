"""`lodestone calibrate`: the model's price paths in the open historical episodes, beside history.

For each episode the model plays its scenario with every nation on its AI doctrine over a few
seeds (drawn from one root with SeedSequence.spawn) and reads one price index (the price the
episode's buyers paid, need-weighted, over its value at the start). History is the scenario's
own epilogue (content/scenarios/*.toml, `[[epilogue.prices]]`, each point with its source), so
the figures live with the content, not here. Compared: the peak ratio (highest price over the
first), the quarter of the peak, and the fall from the peak to the end of the episode's window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from game.content import Content
from game.session import Game


@dataclass(frozen=True)
class Episode:
    """An open episode: a scenario, a mineral, whose buyers' price, and the window compared."""

    id: str
    scenario: str
    mineral: str
    ex_china: bool  # the buyers outside China (True) or every buyer (False)
    end: str  # the window's last quarter, 'YYYY-Qn'
    band: str  # what history says, in words (the figures)


EPISODES: tuple[Episode, ...] = (
    Episode(
        "ree-2010",
        "rare-earth-2010",
        "rare_earths",
        True,
        "2012-Q4",
        "NdPr ex-China ~12x from 2010 Q1 to mid-2011, then -50-70 % by end 2012",
    ),
    Episode(
        "lithium-2021",
        "lithium-2021",
        "lithium",
        False,
        "2023-Q4",
        "~11x by 2022 Q4, then ~-80 % over 2023",
    ),
    Episode(
        "gallium-2023",
        "gallium-germanium-2023",
        "gallium",
        True,
        "2025-Q4",
        "gallium ex-China about 2x from 2023 (before the Aug 2023 licensing) to 2025",
    ),
    Episode(
        "germanium-2023",
        "gallium-germanium-2023",
        "germanium",
        True,
        "2025-Q4",
        "germanium ex-China more than 2x from 2023 (before the Aug 2023 licensing) to mid/end 2025",
    ),
)


def quarter_of(date: str) -> tuple[int, int]:
    """(year, quarter 1-4) of '2011', '2011-Q3' or '2011-08' (a bare year is its year-end)."""
    m = re.fullmatch(r"(\d{4})(?:-(?:Q([1-4])|(\d{2})))?", date)
    if m is None:
        raise ValueError(f"not a date: {date!r}")
    year = int(m.group(1))
    if m.group(2):
        return year, int(m.group(2))
    if m.group(3):
        return year, (int(m.group(3)) - 1) // 3 + 1
    return year, 4


def turn_of(start: tuple[int, int], date: str) -> int:
    """Turns (quarters) from the scenario's first quarter to `date`."""
    year, quarter = quarter_of(date)
    return (year - start[0]) * 4 + quarter - start[1]


@dataclass(frozen=True)
class Path_:
    """A price path as an index over its first point: turns and values."""

    turns: np.ndarray
    index: np.ndarray

    def peak(self) -> tuple[float, int, float]:
        """(peak ratio, peak turn, fall from the peak to the path's end as a share, negative)."""
        k = int(np.argmax(self.index))
        return float(self.index[k]), int(self.turns[k]), float(self.index[-1] / self.index[k] - 1)


def history(content: Content, episode: Episode) -> Path_:
    sc = content.scenarios[episode.scenario]
    if sc.epilogue is None:
        raise ValueError(f"{episode.scenario}: no epilogue prices to compare with")
    start = (sc.start_year, sc.start_quarter)
    last = turn_of(start, episode.end)
    points = sorted(
        (turn_of(start, p.date), p.usd_per_t) for p in sc.epilogue.prices if p.mineral == episode.mineral
    )
    points = [(t, v) for t, v in points if 0 <= t <= last]
    turns = np.array([t for t, _ in points])
    values = np.array([v for _, v in points])
    return Path_(turns, values / values[0])


def model_path(content: Content, episode: Episode, seed: int, turns: int) -> Path_:
    """The episode's price index in one game with every nation on AI: each quarter played, from
    the scenario's first, over the price the game started at."""
    game = Game(content, episode.scenario, seed=seed)
    world = game.world
    m = world.mineral_index(episode.mineral)
    n_nat = len(world.nation_ids)
    buyers = np.ones(n_nat, dtype=bool)
    if episode.ex_china and "china" in world.nation_ids:
        buyers[world.nation_index["china"]] = False

    def price(paid: np.ndarray) -> float:
        weight = world.need[m, :, :].sum(axis=1)[buyers] + 1e-12
        return float(np.average(paid[m, :n_nat][buyers], weights=weight))

    values = [price(world.start_paid)]
    for _ in range(turns):
        if game.over:
            break
        game.play_turn()
        values.append(price(world.refined_paid))
    # values[k] is the price the k-th turn cleared at, quarter k - 1 of the scenario: each
    # quarter's index is its own price over the start's (it read one quarter late before)
    values_a = np.array(values)
    return Path_(np.arange(len(values_a) - 1), values_a[1:] / values_a[0])


@dataclass(frozen=True)
class Row:
    episode: Episode
    history: Path_
    model: list[Path_]

    def figures(self) -> dict[str, float]:
        hp, ht, hf = self.history.peak()
        peaks = [p.peak() for p in self.model]
        return {
            "history_peak": hp,
            "history_peak_turn": ht,
            "history_fall": hf,
            "model_peak": float(np.mean([p[0] for p in peaks])),
            "model_peak_lo": float(np.min([p[0] for p in peaks])),
            "model_peak_hi": float(np.max([p[0] for p in peaks])),
            "model_peak_turn": float(np.median([p[1] for p in peaks])),
            "model_fall": float(np.mean([p[2] for p in peaks])),
        }

    def within_band(self) -> bool:
        """The issue's band: the move within x0.5-x2 of history's, the peak within +-2 quarters."""
        f = self.figures()
        size = (f["model_peak"] - 1) / max(f["history_peak"] - 1, 1e-9)
        return 0.5 <= size <= 2 and abs(f["model_peak_turn"] - f["history_peak_turn"]) <= 2


def calibrate(content: Content, seeds: int = 5, root_seed: int = 0, turns: int | None = None) -> list[Row]:
    """Every open episode over `seeds` seeds; `turns` cuts the window short (a quick check)."""
    spawned = np.random.SeedSequence(root_seed).spawn(seeds)
    rows = []
    for episode in EPISODES:
        hist = history(content, episode)
        window = int(hist.turns[-1]) if turns is None else min(turns, int(hist.turns[-1]))
        # quarters 0..window: window + 1 turns
        paths = [model_path(content, episode, int(s.generate_state(1)[0]), window + 1) for s in spawned]
        rows.append(Row(episode, hist, paths))
    return rows


def quarter_label(content: Content, episode: Episode, turn: float) -> str:
    sc = content.scenarios[episode.scenario]
    q = sc.start_year * 4 + sc.start_quarter - 1 + round(turn)
    return f"{q // 4}-Q{q % 4 + 1}"


def plot(content: Content, row: Row, out: Path) -> Path:
    """A PNG of the model's paths (one line a seed, their mean bold) beside history's points."""
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for p in row.model:
        ax.plot(p.turns, p.index, color="#1f77b4", alpha=0.3, linewidth=1)
    longest = max(len(p.index) for p in row.model)
    stacked = np.array([np.pad(p.index, (0, longest - len(p.index)), mode="edge") for p in row.model])
    ax.plot(
        np.arange(longest),
        stacked.mean(axis=0),
        color="#1f77b4",
        linewidth=2.5,
        label="model (mean of seeds)",
    )
    ax.plot(row.history.turns, row.history.index, "o--", color="#d62728", linewidth=2, label="history")
    ax.set_yscale("log")
    ticks = np.arange(0, max(longest, int(row.history.turns[-1]) + 1), 2)
    ax.set_xticks(ticks, [quarter_label(content, row.episode, t) for t in ticks], rotation=45, ha="right")
    ax.set_ylabel("price / price at the start")
    ax.set_title(
        f"{row.episode.id}: {row.episode.mineral} ({'ex-China' if row.episode.ex_china else 'world'})"
    )
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = out / f"{row.episode.id}.png"
    fig.savefig(path)
    plt.close(fig)
    return path
