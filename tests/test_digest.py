"""The digests behind the world hash's memos (game.world.digest): whatever the edits between
two calls, a memo gives the digest a fresh one gives, and different contents give different
digests."""

from __future__ import annotations

import math
import random

import numpy as np

from game.content import Content
from game.world.digest import RowDigest, SequenceDigest, json_bytes


def test_a_sequence_digest_follows_any_edit_of_its_list() -> None:
    """Appends, removals, replacements and reorderings, checked against a fresh digest."""
    rng = random.Random(7)
    memo = SequenceDigest(lambda x: x.to_bytes(4, "little"))
    pool = [1000 + i for i in range(40)]  # distinct objects, compared by identity
    items: list[int] = []
    seen = set()
    for _ in range(300):
        match rng.randrange(4):
            case 0 | 1:
                items.append(rng.choice(pool))
            case 2 if items:
                del items[rng.randrange(len(items))]
            case _ if items:
                items[rng.randrange(len(items))] = rng.choice(pool)
                if rng.random() < 0.2:
                    rng.shuffle(items)
        digest = memo.digest(items)
        assert digest == SequenceDigest(lambda x: x.to_bytes(4, "little")).digest(items)
        seen.add((tuple(items), digest))
    assert len({d for _, d in seen}) == len({i for i, _ in seen})


def test_a_sequence_digest_encodes_each_item_once_while_the_list_grows() -> None:
    encoded: list[int] = []

    def encode(x: int) -> bytes:
        encoded.append(x)
        return str(x).encode()

    memo = SequenceDigest(encode)
    items = [10_000 + i for i in range(5)]
    memo.digest(items)
    items += [20_000, 20_001]
    memo.digest(items)
    del items[1]  # a removal re-chains the later items without encoding them again
    memo.digest(items)
    assert encoded == [10_000, 10_001, 10_002, 10_003, 10_004, 20_000, 20_001]


def test_records_are_told_apart_by_their_bytes_not_by_equality(content: Content) -> None:
    """Why the memos know items by identity, not equality: equal models can differ in bytes."""
    control = content.scenario("ministerial-2026").export_controls[0]
    negative = control.model_copy(update={"tax_pct": -0.0})
    positive = control.model_copy(update={"tax_pct": 0.0})
    assert negative == positive and json_bytes(negative) != json_bytes(positive)


def test_a_row_digest_follows_every_bit_of_its_array() -> None:
    rng = np.random.default_rng(3)
    a = rng.random((12, 3, 4))
    memo = RowDigest()
    digests = {memo.digest(a)}
    for value in (0.0, -0.0, math.nan, -math.nan, 1.0, np.nextafter(1.0, 2.0)):  # each in the same place
        a[7, 1, 2] = value
        digest = memo.digest(a)
        assert digest == RowDigest().digest(a)
        digests.add(digest)
    assert memo.digest(a.astype(np.float32)) == RowDigest().digest(a.astype(np.float32))
    assert memo.digest(a[:6]) == RowDigest().digest(a[:6]) != RowDigest().digest(a[:6].reshape(6, 12))
    assert len(digests) == 7
