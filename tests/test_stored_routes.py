"""Routes stored by rows (game.world.market.stored, Clearing): a clearing works out only the
routes of origins that sell or owe, and every reader of the dense view must see what it
would have seen had every route been worked out."""

from __future__ import annotations

import numpy as np

from game.world import market
from game.world.market import clearing
from game.world.market.stored import RouteRows
from tests.test_market_properties import random_market


def _idle_formula(cleared: market.Clearing, routes: market.Routes) -> tuple[np.ndarray, np.ndarray]:
    """What an origin would receive and a buyer pay on every route, by the pricing rule."""
    realised = np.maximum(cleared.price[:, :, None], routes.floor)
    delivered = (realised * (1 + routes.export_tax) + routes.transport) * (
        1 + routes.tariff
    ) - routes.discount
    return np.maximum(delivered, 1e-9), realised


def test_the_dense_views_hold_every_route_and_the_rows_only_the_active_origins() -> None:
    rng = np.random.default_rng(7)
    seen_idle = 0
    for _ in range(40):
        offers, bids, routes, price0 = random_market(rng)
        cleared = market.clear(offers, bids, routes, price0)
        n_min, n_orig, n_buy = cleared.shape
        cells = np.arange(n_min * n_orig)
        idle = np.setdiff1d(cells, cleared.active)
        seen_idle += len(idle)
        flow = cleared.flow.reshape(-1, n_buy)
        # Origins left out ship nothing; the stored rows are the dense view's rows.
        assert (flow[idle] == 0).all()
        assert np.array_equal(flow[cleared.active], cleared.flow_rows)
        # Buyers' totals from the rows are the dense sums, bit for bit.
        assert np.array_equal(cleared.bought(), cleared.flow.sum(axis=1))
        # Idle origins' routes are priced when read, by the same rule as the others.
        delivered, realised = _idle_formula(cleared, routes)
        at = np.isin(cells, idle).reshape(n_min, n_orig)
        assert np.array_equal(cleared.realised[at], realised[at])
        assert np.allclose(cleared.delivered[at], delivered[at], rtol=1e-12)
        assert np.array_equal(cleared.realised.reshape(-1, n_buy)[cleared.active], cleared.realised_rows)
        # Stored routes answer for the flat indices given (the others carried nothing).
        taxed = routes.taxed
        kept, where = cleared.stored_routes(taxed)
        assert np.array_equal(cleared.flow.ravel()[kept], cleared.flow_rows.ravel()[where])
        assert (cleared.flow.ravel()[np.setdiff1d(taxed, kept)] == 0).all()
    assert seen_idle > 0, "the random markets should include origins with nothing to sell"


def test_route_rows_round_trip_and_hash_what_they_hold() -> None:
    dense = np.zeros((2, 3, 4))
    dense[1, 2] = [0.0, 1.5, 0.0, 2.0]
    dense[0, 1, 3] = 7.0
    flat = dense.reshape(-1, 4)
    cells = np.flatnonzero(flat.any(axis=1))
    stored = RouteRows(dense.shape, cells, flat[cells].copy())
    assert np.array_equal(stored.dense(), dense)
    assert np.array_equal(RouteRows.zeros((2, 3, 4)).dense(), np.zeros((2, 3, 4)))
    moved = stored.rows.copy()
    moved[0, 3] = 7.5
    assert RouteRows(dense.shape, cells, moved).digest() != stored.digest()
    assert RouteRows(dense.shape, cells, flat[cells].copy()).digest() == stored.digest()


def test_sums_from_rows_are_the_dense_sums_bit_for_bit() -> None:
    """Scoring and explanations read flows' sums from rows: they must be the very numbers
    the dense array gives (a table compares them value for value)."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        n_min, n = int(rng.integers(1, 5)), int(rng.integers(2, 70))
        dense = np.zeros((n_min, n, n))
        flat = dense.reshape(-1, n)
        cells = np.sort(rng.choice(n_min * n, int(rng.integers(1, n_min * n)), replace=False))
        values = rng.random((len(cells), n)) * 10 ** rng.uniform(-5, 6, (len(cells), n))
        flat[cells] = values * (rng.random((len(cells), n)) < 0.6)
        stored = RouteRows.of(dense.shape, cells, flat[cells])
        assert len(stored.cells) <= len(cells)  # rows of zeros are not kept
        assert np.array_equal(stored.dense(), dense)
        assert np.array_equal(stored.by_origin(), dense.sum(axis=2))
        assert np.array_equal(stored.by_buyer(), dense.sum(axis=1))
        assert np.array_equal(stored.by_mineral(), dense.sum(axis=(1, 2)))
        assert np.array_equal(stored.diagonal(), np.einsum("mnn->mn", dense))
        m, o = int(rng.integers(n_min)), int(rng.integers(n))
        assert np.array_equal(stored.row(m, o), dense[m, o])
        assert np.array_equal(stored.column(m, o), dense[m, :, o])


def test_a_clearing_on_kept_work_arrays_is_the_clearing_on_fresh_ones() -> None:
    """The solve's work arrays are kept between clearings and only their last live rows
    zeroed: markets whose live origins differ must still clear to the same bits as on new
    arrays (a stale row would show as another price or flow)."""
    rng = np.random.default_rng(11)
    scratch: dict = {}
    base = random_market(rng)
    for _ in range(12):
        offers, bids, routes, price0 = base
        # The same shape, with other origins idle each time.
        avail = offers.avail * (rng.random(len(offers.avail)) < 0.6)
        offers = market.Offers(cell=offers.cell, avail=avail, lo=offers.lo, hi=offers.hi)
        fresh = market.clear(offers, bids, routes, price0)
        kept = market.clear(offers, bids, routes, price0, scratch=scratch)
        assert np.array_equal(kept.price, fresh.price)
        assert np.array_equal(kept.paid, fresh.paid)
        assert np.array_equal(kept.flow, fresh.flow)
        assert np.array_equal(kept.sold, fresh.sold)
        # What the next clearing starts from is all zero, as new arrays would be.
        live = np.zeros(kept.shape[:2], dtype=bool)
        price, weight = clearing._work_arrays(scratch, kept.shape, live)
        assert not price.any() and not weight.any()
