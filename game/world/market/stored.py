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
    def of(cls, shape: tuple[int, int, int], cells: Idx, rows: F64) -> RouteRows:
        """The rows of `cells` that hold anything (every bit of a row left out is zero),
        copied: an origin that could sell but sold nothing costs nothing to keep or hash."""
        keep = rows.view(np.uint64).any(axis=1) if rows.size else np.zeros(len(cells), dtype=bool)
        return cls(shape, cells[keep], rows[keep])

    @classmethod
    def zeros(cls, shape: tuple[int, int, int]) -> RouteRows:
        return cls(shape, np.zeros(0, dtype=np.intp), np.zeros((0, shape[2])))

    def dense(self) -> F64:
        """The whole (M, O, B) array (a new one, for readers who need every route)."""
        out = np.zeros(self.shape)
        out.reshape(-1, self.shape[2])[self.cells] = self.rows
        return out

    def row(self, m: int, o: int) -> F64:
        """(B,) the routes of origin `o` for mineral `m` (a copy)."""
        at = np.searchsorted(self.cells, m * self.shape[1] + o)
        if at < len(self.cells) and self.cells[at] == m * self.shape[1] + o:
            return self.rows[at].copy()
        return np.zeros(self.shape[2])

    def column(self, m: int, b: int) -> F64:
        """(O,) what every origin sends buyer `b` of mineral `m`."""
        out = np.zeros(self.shape[1])
        mine = self.cells // self.shape[1] == m
        out[self.cells[mine] % self.shape[1]] = self.rows[mine, b]
        return out

    def by_origin(self) -> F64:
        """(M, O) sums over buyers: `dense().sum(axis=2)` bit for bit."""
        out = np.zeros(self.shape[0] * self.shape[1])
        out[self.cells] = self.rows.sum(axis=1)
        return out.reshape(self.shape[:2])

    def by_buyer(self) -> F64:
        """(M, B) sums over origins: `dense().sum(axis=1)` bit for bit (rows add up in
        origin order)."""
        n_min, n_orig, n_buy = self.shape
        out = np.zeros((n_min, n_buy))
        ptr = np.searchsorted(self.cells, np.arange(n_min + 1) * n_orig)
        for m in np.flatnonzero(ptr[1:] > ptr[:-1]):
            out[m] = self.rows[ptr[m] : ptr[m + 1]].sum(axis=0)
        return out

    def by_mineral(self) -> F64:
        """(M,) each mineral's total: `dense().sum(axis=(1, 2))` bit for bit (each mineral's
        block is laid out whole in one reused buffer, so the sum adds the same numbers in
        the same order)."""
        n_min, n_orig, n_buy = self.shape
        out = np.zeros(n_min)
        block = np.zeros((n_orig, n_buy))
        ptr = np.searchsorted(self.cells, np.arange(n_min + 1) * n_orig)
        for m in np.flatnonzero(ptr[1:] > ptr[:-1]):
            origins = self.cells[ptr[m] : ptr[m + 1]] - m * n_orig
            block[origins] = self.rows[ptr[m] : ptr[m + 1]]
            out[m] = block.sum()
            block[origins] = 0.0
        return out

    def diagonal(self) -> F64:
        """(M, O) each origin's route to itself (O == B, or its first O buyers)."""
        out = np.zeros(self.shape[0] * self.shape[1])
        out[self.cells] = self.rows[np.arange(len(self.cells)), self.cells % self.shape[1]]
        return out.reshape(self.shape[:2])

    def digest(self) -> bytes:
        """For the world hash: the shape, the cells stored and their rows (a row of zeros
        stored or left out hashes differently; either way a function of the state)."""
        return (
            str(self.shape).encode() + np.asarray(self.cells, dtype=np.int64).tobytes() + self.rows.tobytes()
        )
