"""A buyer's hard price ceiling (a refiner's netback on ore): the demand curve's last stretch.

Why a taper and not a cut: demand that drops from full to nothing at the ceiling gives Newton
a cliff to fall off. From CEILING_KNEE of the ceiling up, demand is scaled by the square of
the distance left (as a share of that stretch), so it and its slope reach zero together at
the ceiling and the solve sees a smooth curve; `finalise` then gives a buyer no tonne on a
route dearer than its ceiling, so what it pays never exceeds it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from game.world.market.params import CEILING_KNEE


@njit(cache=True)
def taper(d, e, q, ceiling):
    """Demand `d` and its elasticity `e` at the buyer's price `q`, under its `ceiling`."""
    if not np.isfinite(ceiling):
        return d, e
    u = q / ceiling
    if u >= 1.0:
        return 0.0, 0.0
    if u <= CEILING_KNEE:
        return d, e
    left = (1.0 - u) / (1.0 - CEILING_KNEE)
    return d * left * left, e + 2.0 * u / (1.0 - u)
