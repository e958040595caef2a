"""Map projection and the compact map asset, with no pygame and no GIS stack.

The Robinson projection is used because it is what players know from atlases: it keeps
shapes recognisable at every latitude a strategy map needs. Projection happens once, in
`tools/build_map.py`; at run time the UI only scales and shifts the stored coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

# Robinson's table (every 5° of latitude): X length factor and Y (parallel distance) factor.
_LAT = np.arange(0, 95, 5, dtype=np.float64)
_X = np.array(
    [
        1.0,
        0.9986,
        0.9954,
        0.9900,
        0.9822,
        0.9730,
        0.9600,
        0.9427,
        0.9216,
        0.8962,
        0.8679,
        0.8350,
        0.7986,
        0.7597,
        0.7186,
        0.6732,
        0.6213,
        0.5722,
        0.5322,
    ]
)
_Y = np.array(
    [
        0.0,
        0.0620,
        0.1240,
        0.1860,
        0.2480,
        0.3100,
        0.3720,
        0.4340,
        0.4958,
        0.5571,
        0.6176,
        0.6769,
        0.7346,
        0.7903,
        0.8435,
        0.8936,
        0.9394,
        0.9761,
        1.0,
    ]
)

X_MAX = 0.8487 * np.pi
"""Half the width of the projected world (lon = ±180°)."""
Y_MAX = 1.3523
"""Half the height of the projected world (lat = ±90°)."""


def robinson(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Project degrees to Robinson units (x right, y north; the sphere has radius 1)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    alat = np.clip(np.abs(lat), 0, 90)
    x = 0.8487 * np.interp(alat, _LAT, _X) * np.radians(lon)
    y = 1.3523 * np.interp(alat, _LAT, _Y) * np.sign(lat)
    return x, y


@dataclass(frozen=True)
class WorldMap:
    """Country outlines in projected units: ring `i` is `xy[offsets[i]:offsets[i+1]]`
    and belongs to country `codes[ring_country[i]]`; `anchor[c]` is where flows attach."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    xy: NDArray[np.float64]  # (P, 2), y north
    offsets: NDArray[np.int64]  # (R + 1,)
    ring_country: NDArray[np.int64]  # (R,)
    anchor: NDArray[np.float64]  # (C, 2)

    def rings(self, country: int) -> list[NDArray[np.float64]]:
        idx = np.flatnonzero(self.ring_country == country)
        return [self.xy[self.offsets[i] : self.offsets[i + 1]] for i in idx]


SCALE = 1.0 / 10000.0
"""Stored coordinates are int16 multiples of this (x reaches ±2.67, y ±1.35)."""


def asset_path() -> Path:
    """The map asset shipped with the package (`assets/` in the repository)."""
    import lodestone_assets

    return Path(resources.files(lodestone_assets) / "world_robinson.npz")  # type: ignore[arg-type]


def load_world_map(path: Path | None = None) -> WorldMap:
    with np.load(path or asset_path(), allow_pickle=False) as data:
        return WorldMap(
            codes=tuple(str(c) for c in data["codes"]),
            names=tuple(str(n) for n in data["names"]),
            xy=data["xy"].astype(np.float64) * SCALE,
            offsets=data["offsets"].astype(np.int64),
            ring_country=data["ring_country"].astype(np.int64),
            anchor=data["anchor"].astype(np.float64) * SCALE,
        )
