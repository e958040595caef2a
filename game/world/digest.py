"""Digests for the world hash that cost only what changed since the last turn.

The world hash runs at the end of every turn and must cover all the state. Two kinds of
state make up most of its bytes while barely changing from one turn to the next:

* lists of immutable records that mostly grow at the end or keep for many turns (every deal
  ever signed, the export controls and shocks in force): `SequenceDigest` chains one item
  after another and carries on from the longest unchanged head of the list;
* a large array of which a turn writes a few rows (the 160-turn ring buffer of past use):
  `RowDigest` keeps one digest a row and hashes again only the rows whose bits changed.

Both are pure functions of what they are given: a digest is the same whether it was built
up over a game or computed at once in a fresh process (a replay), so a hash from a memo
and one from scratch cannot differ. Each checks its memo against its input on every call
(by identity for immutable items, bit for bit for arrays) instead of trusting a version
counter that some mutation path might forget to bump. Nothing here uses `id()` or `hash()`
in what it outputs: only blake2b of canonical bytes.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import Generic, TypeVar

import numpy as np
from pydantic import BaseModel

T = TypeVar("T")

DIGEST_SIZE = 16
_EMPTY_CHAIN = bytes(DIGEST_SIZE)
"""The chain value of an empty sequence."""


def blake(data: bytes | memoryview | np.ndarray) -> bytes:
    """A 16-byte blake2b digest of `data` (a C-contiguous array is read in place, not copied)."""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


def json_bytes(record: BaseModel) -> bytes:
    """A model's JSON, its canonical bytes for the world hash."""
    return record.model_dump_json().encode()


def float_maps(maps: Iterable[Mapping[str, float]]) -> bytes:
    """Canonical bytes of a sequence of name -> number maps: the names as text, then every
    number's float64 bits (the repr of floats costs several times as much)."""
    maps = list(maps)
    names = repr([list(m) for m in maps]).encode()
    numbers = np.fromiter(chain.from_iterable(m.values() for m in maps), dtype=np.float64)
    return names + numbers.tobytes()


class SequenceDigest(Generic[T]):
    """Chained digest of a sequence of immutable items (frozen models).

    The digest of items x_1..x_n is c_n, where c_0 is zero bytes and c_k = blake(c_{k-1} +
    blake(encode(x_k))). The chain is kept item by item: a call compares the sequence with the
    one it last saw, by identity (pointer checks), keeps the chain up to the first item that
    differs and extends it over the rest. An item is encoded once, when it first appears;
    after a removal the items behind it are re-chained from their kept leaves. So items must
    not change in place once given (pydantic's frozen models refuse attribute assignment).
    """

    def __init__(self, encode: Callable[[T], bytes]) -> None:
        self._encode = encode
        self._items: list[T] = []
        self._leaves: list[bytes] = []  # blake(encode(item)), one per item
        self._chain: list[bytes] = [_EMPTY_CHAIN]  # c_0..c_n

    def digest(self, items: Iterable[T]) -> bytes:
        current, seen = list(items), self._items
        same = len(seen)  # how many leading items are those last seen
        if len(current) < same or not all(map(operator.is_, current, seen)):
            same = next(
                (k for k, (a, b) in enumerate(zip(current, seen, strict=False)) if a is not b), len(current)
            )
        leaves: dict[int, tuple[T, bytes]] = {}
        if same < len(seen):
            leaves = {id(x): (x, leaf) for x, leaf in zip(seen[same:], self._leaves[same:], strict=True)}
            del seen[same:], self._leaves[same:], self._chain[same + 1 :]
        for item in current[same:]:
            known = leaves.get(id(item))
            leaf = known[1] if known is not None and known[0] is item else blake(self._encode(item))
            seen.append(item)
            self._leaves.append(leaf)
            self._chain.append(blake(self._chain[-1] + leaf))
        return self._chain[-1]


class RowDigest:
    """Digest of an array (of at least one dimension) hashed row by row along its first axis,
    for arrays a turn rewrites a few rows of. Keeps a copy of the array it last hashed and one
    digest a row; a call compares the array with the copy bit for bit (so -0.0 against 0.0
    and NaN count as the changes they are) and hashes again only the rows that differ. The
    digest covers the dtype and the shape too."""

    def __init__(self) -> None:
        self._copy: np.ndarray | None = None
        self._rows: list[bytes] = []

    def digest(self, array: np.ndarray) -> bytes:
        a = np.ascontiguousarray(array)
        if a.ndim == 0 or a.dtype.hasobject:
            raise TypeError(f"RowDigest needs an array of numbers with rows, not {a.dtype} {a.shape}")
        old = self._copy
        if old is None or old.shape != a.shape or old.dtype != a.dtype:
            old = self._copy = a.copy()
            self._rows = [blake(old[r : r + 1]) for r in range(len(old))]
        else:
            for r in np.flatnonzero((_bits(a) != _bits(old)).any(axis=1)):
                old[r] = a[r]
                self._rows[r] = blake(old[r : r + 1])
        head = f"{a.dtype.str}{a.shape}".encode()
        return blake(head + b"".join(self._rows))


def _bits(a: np.ndarray) -> np.ndarray:
    """A C-contiguous array's bits as unsigned integers, a row of the result a row of `a`."""
    rows = a.reshape(a.shape[0], math.prod(a.shape[1:]))
    width = a.dtype.itemsize
    return rows.view(f"u{width}") if width in (1, 2, 4, 8) else rows.view(np.uint8)
