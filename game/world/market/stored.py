"""Route quantities stored by rows: one row of B buyers for each market cell (mineral,
origin) that has any, the other cells' routes all zero.

In a large world most origins have nothing of a mineral to sell, so a route array
(M, O, B) is mostly rows of zeros: 200 nations x 20 minerals x 400 buyer nodes is 1.6
million routes, of which some 7 % carry refined trade. Stored by rows, such an array costs
what it holds, and hashes in a fraction of the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
Idx = NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class RouteRows:
    """An (M, O, B) array held as its rows on `cells` (sorted flat `m * O + o`); every
    other entry is zero. Immutable by convention: readers get copies (`dense`)."""

    shape: tuple[int, int, int]
    cells: Idx
    rows: F64  # (len(cells), B)

    @classmethod
    def zeros(cls, shape: tuple[int, int, int]) -> RouteRows:
        return cls(shape, np.zeros(0, dtype=np.intp), np.zeros((0, shape[2])))

    def dense(self) -> F64:
        """The whole (M, O, B) array (a new one, for readers who need every route)."""
        out = np.zeros(self.shape)
        out.reshape(-1, self.shape[2])[self.cells] = self.rows
        return out

    def digest(self) -> bytes:
        """For the world hash: the shape, the cells stored and their rows (a row of zeros
        stored or left out hashes differently; either way a function of the state)."""
        return (
            str(self.shape).encode() + np.asarray(self.cells, dtype=np.int64).tobytes() + self.rows.tobytes()
        )
