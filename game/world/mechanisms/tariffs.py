"""Import tariffs: their orders, and the revenue they (and export taxes) raise.

What may be set is decided by `tariff_refusal` over the fact `tariff_rates`: the desk's check
and the lab's masks call the same two."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage, Tariff
from game.rules.orders import SetTariff
from game.world.economy.firms import suppliers_of
from game.world.mechanisms.base import Label, Lever, refuse, same

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


def _tariff_verb(o: SetTariff, n: Label = same) -> str:
    return f"set a {o.rate_pct:g} % tariff on {o.stage.value} {n(o.mineral)}"


TariffKey = tuple[str, str, Stage, tuple[str, ...]]
"""(issuer, mineral, stage, sorted origins): the tariffs one order sets or removes."""


def tariff_key(issuer: str, mineral: str, stage: Stage, origins: list[str] | tuple[str, ...]) -> TariffKey:
    return (issuer, mineral, stage, tuple(sorted(origins)))


def tariff_rates(s: WorldState) -> dict[TariffKey, list[float]]:
    """The rates in force under each `tariff_key`, in force order."""
    rates: dict[TariffKey, list[float]] = {}
    for t in s.policies.tariffs:
        rates.setdefault(tariff_key(t.issuer, t.mineral, t.stage, t.origins), []).append(t.rate_pct)
    return rates


def tariff_refusal(
    issuer: str, origins: list[str] | tuple[str, ...], rate: float, rates: list[float]
) -> str | None:
    """Why `issuer` cannot set `rate` % (0: remove) on `origins`, with the `rates` in force
    under the order's `tariff_key`; None if it can."""
    if issuer in origins:
        return "a nation does not levy tariffs on its own goods"
    if rate == 0 and not rates:
        return "no such tariff is in force"
    if rate > 0 and rate in rates:
        return "the same tariff is already in force"
    return None


def _check_tariff(world: WorldState, o: SetTariff) -> str | None:
    key = tariff_key(o.issuer, o.mineral, o.stage, o.origins)
    why = tariff_refusal(o.issuer, o.origins, o.rate_pct, tariff_rates(world).get(key, []))
    if why is None:
        return None
    verb = (
        _tariff_verb(o, world.label) if o.rate_pct > 0 else f"remove its tariff on {world.label(o.mineral)}"
    )
    return refuse(world, o, verb, why)


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
