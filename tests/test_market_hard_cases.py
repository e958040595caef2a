"""The market solver on the shapes of market that games reached and it once gave up on
(each left a market unsettled for a turn: prices off equilibrium, shown to players and
written to the tables). Every case is a small market built by hand to have that shape."""

from __future__ import annotations

import numpy as np
import pytest

from game.world import market


def market_of(
    avail: list[float],
    lo: list[float],
    hi: list[float],
    cell: list[int],
    need: list[float],
    n_orig: int,
    pref: float = 2.0,
    cap: list[float] | None = None,
    eps: float = 0.3,
) -> tuple[market.Offers, market.Bids, tuple[int, int, int]]:
    """Sellers (by origin `cell`) and buyers of one mineral."""
    n_buy = len(need)
    offers = market.Offers(
        cell=np.array(cell),
        avail=np.array(avail, dtype=float),
        lo=np.array(lo, dtype=float),
        hi=np.array(hi, dtype=float),
    )
    bids = market.Bids(
        need=np.array([need], dtype=float),
        pref=np.full((1, 1), pref),
        eps=np.full((1, n_buy), eps),
        choke=np.full((1, n_buy), 4.0),
        cap=np.array([cap if cap is not None else [np.inf] * n_buy], dtype=float),
    )
    return offers, bids, (1, n_orig, n_buy)


def routes_of(shape: tuple[int, int, int], **terms: np.ndarray) -> market.Routes:
    cap_routes = terms.pop("cap_routes", ())
    cap = terms.pop("cap", np.zeros(0))
    base = {k: np.zeros(shape) for k in ("transport", "export_tax", "tariff", "floor", "discount")}
    base.update(terms)
    return market.Routes(open=np.ones(shape, dtype=bool), cap_routes=cap_routes, cap=cap, **base)


def test_an_origin_oversold_at_a_zone_floor_rises_past_the_floor():
    """A small producer inside a price-floor zone, whose buyers pay the floor whatever its own
    price is: below the floor nothing answers its price, so it must be moved past the floor,
    where its buyers start to turn away. It ends selling what it offers, above the floor."""
    offers, bids, shape = market_of(
        avail=[21.0, 1.0], lo=[1.5, 0.1], hi=[2.5, 0.2], cell=[0, 1], need=[10.0, 10.0], n_orig=2
    )
    floor = np.zeros(shape)
    floor[0, 1, :] = 2.05  # the zone's floor on the small producer's sales
    routes = routes_of(shape, floor=floor, transport=np.full(shape, 0.01))
    for start in (1.0, 1.9):  # from under the floor
        result = market.clear(offers, bids, routes, np.array([[2.0, start]]), tau_start=market.TAU_REL)
        assert result.converged
        assert result.price[0, 1] > 2.05
        assert result.flow[0, 1].sum() == pytest.approx(1.0, rel=1e-2)


def test_an_origin_whose_zone_floor_prices_it_out_falls_at_once_to_its_offer_foot():
    """Both buyers are in a zone whose floor on a small producer's sales is above what they
    pay: at any price of its own it sells nothing, so it falls to where its sellers stop
    offering. Aiming the fall at the price where its floored routes would match the buyers
    (as if the floor were not there) took 16 iterations here."""
    offers, bids, shape = market_of(
        avail=[31.76, 0.73, 10.87],
        lo=[1.61, 0.1, 1.5],
        hi=[2.31, 0.2, 2.5],
        cell=[0, 1, 2],
        need=[3.88, 8.71],
        n_orig=3,
        eps=0.1,
    )
    floor = np.zeros(shape)
    floor[0, 1, :] = 2.14
    transport = np.array([[0.004, 0.028], [0.021, 0.025], [0.027, 0.017]])[None]
    routes = routes_of(shape, floor=floor, transport=transport)
    result = market.clear(offers, bids, routes, np.array([[1.83, 3.57, 2.26]]), tau_start=market.TAU_REL)
    assert result.converged and result.iterations < 8
    assert result.flow[0, 1].sum() == pytest.approx(0.0, abs=1e-6)
    assert result.price[0, 1] == pytest.approx(0.1, rel=1e-2)


def test_an_origin_that_cannot_meet_its_contracts_sells_nothing_spot_and_rations_them():
    """Contracted tonnes beyond what an origin's sellers offer at any price: no price closes
    that gap, so the origin sells nothing spot and the final step shares what it has among
    its contracts."""
    offers, bids, shape = market_of(
        avail=[100.0, 5.0], lo=[1.0, 0.5], hi=[3.0, 1.0], cell=[0, 1], need=[10.0, 10.0], n_orig=2
    )
    routes = routes_of(shape, transport=np.full(shape, 0.01))
    fixed = np.zeros(shape)
    fixed[0, 1, 0] = 8.0  # buyer 0 contracted 8 t from an origin with 5 t
    result = market.clear(offers, bids, routes, np.array([[2.0, 2.0]]), fixed=fixed)
    assert result.converged
    assert result.flow[0, 1, 0] == pytest.approx(5.0, rel=1e-6)  # all it has, to its contract
    assert result.flow[0, 1, 1] == pytest.approx(0.0, abs=1e-6)


def test_a_market_short_with_every_buyer_at_its_cap_raises_its_price_level():
    """Every origin offers all it has and every buyer is at its own demand cap, with more
    wanted than offered: only the price level answers (until buyers start to cut back), and
    a joint Newton step, flat in that direction, crawls (here it gave up after 80 iterations). The
    level step goes first there."""
    offers, bids, shape = market_of(
        avail=[21.37, 17.67, 23.35],
        lo=[0.11, 0.38, 0.16],
        hi=[0.21, 0.48, 0.26],
        cell=[0, 1, 2],
        need=[7.94, 26.21, 28.49],
        cap=[8.56, 31.06, 29.85],  # demand stops growing here as the price falls
        n_orig=3,
        eps=0.5,
    )
    transport = np.array([0.014, 0.008, 0.048, 0.026, 0.006, 0.031, 0.039, 0.031, 0.046]).reshape(shape)
    routes = routes_of(shape, transport=transport)
    result = market.clear(offers, bids, routes, np.array([[1.31, 1.29, 1.21]]), tau_start=market.TAU_REL)
    assert result.converged and result.iterations < 20
    offered = offers.avail.sum()
    assert result.flow.sum() == pytest.approx(offered, rel=1e-2)  # everything offered is sold
    assert result.wanted.sum() == pytest.approx(offered, rel=2e-2)  # at a price where buyers want no more


def test_an_idle_origin_falls_to_where_its_sellers_stop_offering_not_below():
    """An origin whose sellers cost more than the market pays sells nothing: its price falls
    to the foot of their offer curve, where it offers nothing either. A seller there with no
    tonnes (an empty stock, priced from zero) does not drag that foot to zero, which would
    let the origin sell what it does not offer."""
    offers, bids, shape = market_of(
        avail=[100.0, 10.0, 0.0],
        lo=[1.0, 3.0, 0.0],
        hi=[2.5, 3.6, 0.1],
        cell=[0, 1, 1],
        need=[10.0, 10.0],
        n_orig=2,
    )
    routes = routes_of(shape, transport=np.full(shape, 0.01))
    result = market.clear(offers, bids, routes, np.array([[2.0, 4.0]]), tau_start=market.TAU_REL)
    assert result.converged
    assert result.flow[0, 1].sum() == pytest.approx(0.0, abs=1e-3)
    assert result.price[0, 1] >= 3.0 * (1 - 1e-3)


def test_licences_on_routes_far_cheaper_than_the_rest_settle_their_rents_quickly():
    """A licence for each buyer on the one cheap origin, with last turn's rents to start
    from: without a rent a buyer takes all it needs there, and within a fraction of a
    percent of rent the load falls off a cliff to nothing (the logit split). A search on the
    log of the load crept along that cliff (here it gave up after 80 iterations); the rents
    must land on the caps in a few."""
    need = [11.69, 13.24, 13.37, 9.18, 7.16]
    offers, bids, shape = market_of(
        avail=[100.0, 100.0], lo=[0.5, 2.0], hi=[0.8, 2.6], cell=[0, 1], need=need, n_orig=2, eps=0.1
    )
    licences = tuple(np.array([np.ravel_multi_index((0, 0, b), shape)]) for b in range(len(need)))
    caps = np.array([1.78, 6.89, 3.0, 6.54, 5.06])
    routes = routes_of(shape, transport=np.full(shape, 0.01), cap_routes=licences, cap=caps)
    result = market.clear(
        offers,
        bids,
        routes,
        np.array([[0.796, 2.252]]),
        tau_start=market.TAU_REL,
        rent0=np.array([1.614, 1.74, 0.706, 1.561, 0.115]),
    )
    assert result.converged and result.iterations < 10
    assert (result.rent > 0).all()
    assert result.flow[0, 0] == pytest.approx(caps, rel=1e-2)
