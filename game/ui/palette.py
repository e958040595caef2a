"""Colours of the map and charts, in a normal and a colour-blind-safe set.

The normal set uses warm/cool hues a strategy player expects (red for hostile, green for
friendly); the colour-blind-safe set avoids red/green contrasts (blue-orange diverging,
viridis-like sequential, Okabe-Ito categories) so every lens reads for deuteranopes too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Colour = tuple[int, int, int]

OCEAN: Colour = (14, 27, 40)
OCEAN_GRID: Colour = (22, 40, 56)
LAND_NEUTRAL: Colour = (52, 62, 72)
LAND_OUTSIDE: Colour = (40, 47, 55)
BORDER: Colour = (18, 24, 30)
GOLD: Colour = (216, 169, 59)
TEXT: Colour = (228, 232, 236)
MUTED: Colour = (150, 163, 176)
PANEL: Colour = (17, 27, 36)
PLAYER: Colour = (240, 198, 90)


def _hex(h: str) -> Colour:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


@dataclass(frozen=True)
class Palette:
    sequential: tuple[Colour, ...]
    diverging_low: Colour
    diverging_mid: Colour
    diverging_high: Colour
    categorical: tuple[Colour, ...]
    good: Colour
    bad: Colour
    flow: Colour
    control: Colour

    def seq(self, t: float) -> Colour:
        """Sequential ramp, t in 0..1."""
        return _ramp(self.sequential, t)

    def div(self, t: float) -> Colour:
        """Diverging ramp, t in −1..1 (low is hostile, high is friendly)."""
        if t < 0:
            return _ramp((self.diverging_mid, self.diverging_low), -t)
        return _ramp((self.diverging_mid, self.diverging_high), t)

    def cat(self, i: int) -> Colour:
        return self.categorical[i % len(self.categorical)]


def _ramp(stops: tuple[Colour, ...], t: float) -> Colour:
    t = float(np.clip(t, 0.0, 1.0)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    a, b = stops[i], stops[i + 1]
    return tuple(int(a[k] + (b[k] - a[k]) * f) for k in range(3))  # type: ignore[return-value]


NORMAL = Palette(
    sequential=tuple(_hex(h) for h in ("#2b3a48", "#5a4a2a", "#a36f1f", "#e0a23a", "#ffe39a")),
    diverging_low=_hex("#c0392b"),
    diverging_mid=_hex("#3f4a55"),
    diverging_high=_hex("#27ae60"),
    categorical=tuple(
        _hex(h) for h in ("#d8a93b", "#3c8dbc", "#c0504d", "#2ca58d", "#8e6bbf", "#e67e22", "#7f8c8d")
    ),
    good=_hex("#58c472"),
    bad=_hex("#ff6b5b"),
    flow=_hex("#f0c65a"),
    control=_hex("#ff4f4f"),
)

COLOUR_BLIND = Palette(
    sequential=tuple(_hex(h) for h in ("#2d2a4a", "#3b528b", "#21918c", "#5ec962", "#fde725")),
    diverging_low=_hex("#d55e00"),
    diverging_mid=_hex("#44505c"),
    diverging_high=_hex("#0072b2"),
    categorical=tuple(
        _hex(h) for h in ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7")
    ),
    good=_hex("#56b4e9"),
    bad=_hex("#e69f00"),
    flow=_hex("#f0e442"),
    control=_hex("#d55e00"),
)


def palette(colour_blind: bool) -> Palette:
    return COLOUR_BLIND if colour_blind else NORMAL
