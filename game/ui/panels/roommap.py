"""The room view's map of one mineral: who refines it (shading and a label for the big
ones), where it flows (the largest routes) and the controls on its routes. One drawing for
the hot-seat room view (read from the world) and the networked projector (read from the
host's public feed), so the two rooms always show the same picture."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from game.ui import palette as pal
from game.ui.mapview import Flow, MapView, RouteControl

TOP_ROUTES = 18
"""Routes drawn at most, largest first."""
ROUTE_SHARE = 0.01
"""A route under this share of the largest is left off."""
LABEL_SHARE = 0.05
"""Countries refining at least this share of the mineral get a label."""


def draw_mineral(
    view: MapView,
    palette: pal.Palette,
    nations: Sequence[str],
    shares: Sequence[float],
    flow: Sequence[Sequence[float]],
    controls: Iterable[tuple[str, list[str], str]],
    short_name: Callable[[str], str],
) -> None:
    """Set `view` to the mineral: `shares` (N,) of refining, `flow` (N, N) origin to buyer,
    `controls` as (issuer, targets, instrument) on this mineral."""
    shares = np.asarray(shares, dtype=float)
    n = len(nations)
    top = max(float(shares.max()), 1e-9)
    fills = [palette.seq(math.sqrt(x / top)) if x > 0.001 else pal.LAND_NEUTRAL for x in shares]
    routes = np.array(flow, dtype=float)
    np.fill_diagonal(routes, 0.0)
    order = np.argsort(routes, axis=None)[::-1][:TOP_ROUTES]
    flows = [
        Flow(int(k // n), int(k % n), float(routes.flat[k]))
        for k in order
        if routes.flat[k] > max(1e-6, routes.max() * ROUTE_SHARE)
    ]
    at = {nation: i for i, nation in enumerate(nations)}
    marks = [
        RouteControl(at[issuer], at[targets[0]] if len(targets) == 1 else None, instrument.replace("_", " "))
        for issuer, targets, instrument in controls
        if issuer in at and all(t in at for t in targets[:1])
    ]
    view.flow_colour = palette.flow
    labels = {
        i: f"{short_name(x)} {shares[i] * 100:.0f}%"
        for i, x in enumerate(nations)
        if shares[i] >= LABEL_SHARE
    }
    view.set_data(fills, flows, marks, labels)
