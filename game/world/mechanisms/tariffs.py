"""Import tariffs: their orders, and the revenue they (and export taxes) raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Tariff
from game.rules.orders import SetTariff
from game.world.economy.firms import suppliers_of
from game.world.mechanisms.base import Lever, refuse

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing, Routes
    from game.world.state import WorldState

F64 = NDArray[np.float64]


def _same_tariff(t: Tariff, o: SetTariff) -> bool:
    return (t.issuer, t.mineral, t.stage, sorted(t.origins)) == (
        o.issuer,
        o.mineral,
        o.stage,
        sorted(o.origins),
    )


def _tariff_verb(o: SetTariff) -> str:
    return f"set a {o.rate_pct:g} % tariff on {o.stage.value} {o.mineral}"


def _check_tariff(world: WorldState, o: SetTariff) -> str | None:
    verb = _tariff_verb(o) if o.rate_pct > 0 else f"remove its tariff on {o.mineral}"
    if o.issuer in o.origins:
        return refuse(world, o, verb, "a nation does not levy tariffs on its own goods")
    existing = [t for t in world.policies.tariffs if _same_tariff(t, o)]
    if o.rate_pct == 0 and not existing:
        return refuse(world, o, verb, "no such tariff is in force")
    if o.rate_pct > 0 and any(t.rate_pct == o.rate_pct for t in existing):
        return refuse(world, o, verb, "the same tariff is already in force")
    return None


def _apply_tariff(world: WorldState, o: SetTariff) -> None:
    before = max((t.rate_pct for t in world.policies.tariffs if _same_tariff(t, o)), default=0.0)
    world.policies.tariffs = [t for t in world.policies.tariffs if not _same_tariff(t, o)]
    if o.rate_pct > 0:
        world.policies.tariffs.append(
            Tariff(issuer=o.issuer, mineral=o.mineral, stage=o.stage, origins=o.origins, rate_pct=o.rate_pct)
        )
    world.policies.changed()
    origins = o.origins or suppliers_of(world, o.issuer, o.mineral, o.stage)
    change = o.rate_pct - before
    kind = "tariff" if change > 0 else "remove_tariff"
    for origin in origins:
        world.diplomacy.act(world.turn, o.issuer, origin, kind, min(abs(change) / 25.0, 2.0))


def revenue(n_nat: int, cleared: list[tuple[Clearing, Routes]]) -> F64:
    """(N,) USD m of tariff revenue (to the importer) and export-tax revenue (to the exporter),
    read off the routes that carry either (a few of many)."""
    total = np.zeros(n_nat)
    for clearing, routes in cleared:
        at, stored = clearing.stored_routes(routes.taxed)  # the others carried nothing
        _, origin, buyer = np.unravel_index(at, clearing.shape)
        flow, realised = clearing.flow_rows.ravel()[stored], clearing.realised_rows.ravel()[stored]
        tax, tariff = routes.export_tax.ravel()[at], routes.tariff.ravel()[at]
        base = realised * (1.0 + tax) + routes.transport.ravel()[at]
        total += np.bincount(buyer % n_nat, weights=flow * base * tariff, minlength=n_nat)
        total += np.bincount(origin, weights=flow * realised * tax, minlength=n_nat)
    return total / 1e6


LEVERS = {SetTariff: Lever(2, _tariff_verb, _check_tariff, _apply_tariff)}
