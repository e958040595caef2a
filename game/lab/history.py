"""Set a historical scenario's price path beside the real one (its epilogue's prices).

The game's prices are an index: the price buyers paid over the scenario's start price (its
calibrated reference). The real path is indexed the same way, on the epilogue's first price
of the mineral, so that the shapes compare even where the model's levels cannot (its demand
curves choke at a few times the reference; real rare-earth and lithium prices rose tenfold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.rules.scenarios import Epilogue
from game.world.model import WorldModel


@dataclass(frozen=True)
class PricePath:
    """Quarterly price index of one mineral: world mean, and outside `home` if given."""

    dates: tuple[str, ...]
    world: tuple[float, ...]
    outside: tuple[float, ...]

    def peak(self, outside: bool = True) -> tuple[str, float]:
        series = self.outside if outside else self.world
        i = int(np.argmax(series))
        return self.dates[i], series[i]

    def year_mean(self, year: int, outside: bool = True) -> float:
        series = self.outside if outside else self.world
        values = [v for d, v in zip(self.dates, series, strict=True) if d.startswith(str(year))]
        return float(np.mean(values)) if values else float("nan")


def price_path(world: WorldModel, mineral: str, home: str | None = None) -> PricePath:
    """The refined price index paid by civil buyers each turn played, over the start price;
    `outside` averages the nations other than `home` (e.g. prices outside China)."""
    m = world.mineral_index(mineral)
    n = len(world.nation_ids)
    ref = world.ref_price[m]
    others = [i for i, nation in enumerate(world.nation_ids) if nation != home]
    world_idx, outside_idx, dates = [], [], []
    for r in world.records:
        paid = r.refined_paid[m, :n] / ref
        world_idx.append(round(float(paid.mean()), 3))
        outside_idx.append(round(float(paid[others].mean()), 3))
        dates.append(world.scenario.date_of(r.turn))
    return PricePath(tuple(dates), tuple(world_idx), tuple(outside_idx))


def real_index(epilogue: Epilogue, mineral: str) -> list[tuple[str, float, str]]:
    """(date, index on the first real price, product) for the epilogue's prices of `mineral`."""
    path = epilogue.price_path(mineral)
    if not path:
        return []
    base = path[0].usd_per_t
    return [(p.date, round(p.usd_per_t / base, 2), p.product) for p in path]
