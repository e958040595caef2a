"""Firms in the world: where they sell, what they can put on the market, who owns what, and
each turn's decisions (close, restart, expand). The vectorised behaviour itself is written
once over the whole table in `agents.firms`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from agents.firms import (
    EXPAND_SHARE,
    KIND_OF_CODE,
    MINE,
    RECYCLER,
    REFINERY,
    close_and_restart,
    expansion_candidates,
)
from game.rules import Stage
from game.world.economy.investment import PIPELINE_TURNS, step_investment
from game.world.economy.projects import Project, cancel_hazard, lead_time
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]


START_UTILISATION = 0.95
"""Demand is scaled so that, at the start, the world's mines run at this utilisation at the
reference price: the scenario's demand shares are kept, its totals made to close."""


def firm_rows(s: WorldState, stage: Stage) -> dict[tuple[int, int], NDArray[np.int64]]:
    """The rows of the firms selling at this stage, by (mineral, country). A firm's kind,
    mineral and country never change and rows are only appended, so this is rebuilt only
    when a firm is added (levers and deals ask it dozens of times a turn)."""
    cached = s.rows_cache.get(stage)
    t = s.firms
    if cached is None or cached[0] is not t or cached[1] != len(t):
        kinds = (MINE,) if stage == Stage.ORE else (REFINERY, RECYCLER)
        rows = np.flatnonzero(np.isin(t.kind, kinds))
        by_cell: dict[tuple[int, int], list[int]] = {}
        cells = zip(rows.tolist(), t.mineral[rows].tolist(), t.country[rows].tolist(), strict=True)
        for row, m, c in cells:
            by_cell.setdefault((m, c), []).append(row)
        cached = (t, len(t), {cell: np.array(r, dtype=np.int64) for cell, r in by_cell.items()})
        s.rows_cache[stage] = cached
    return cached[2]


def capacity_of(s: WorldState, nation: str, mineral: str, stage: Stage) -> float:
    """Tonnes per turn the nation's firms can put on the market at this stage."""
    t = s.firms
    rows = firm_rows(s, stage).get((s.mineral_index(mineral), s.nation_index[nation]))
    if rows is None:
        return 0.0
    # Idled plants count: they can be brought back for a buyer who contracts their output.
    return float(np.where(t.active[rows], t.capacity[rows] * t.shock[rows], 0.0).sum())


def capacity_grid(s: WorldState, stage: Stage) -> F64:
    """(M, N) `capacity_of` every nation and mineral at once, the same floats: each cell sums
    its rows in row order, as `capacity_of`'s numpy sum does for up to 7 rows (one pass of
    `bincount` over the rows in order); a cell with more rows, where numpy sums pairwise, is
    summed as `capacity_of` sums it."""
    n_min, n_nat = len(s.mineral_ids), len(s.nation_ids)
    t = s.firms
    sells = (t.kind == MINE) if stage == Stage.ORE else (t.kind == REFINERY) | (t.kind == RECYCLER)
    at = np.flatnonzero(sells)
    cells = t.mineral[at] * n_nat + t.country[at]
    value = np.where(t.active[at], t.capacity[at] * t.shock[at], 0.0)
    size = n_min * n_nat
    grid = np.bincount(cells, weights=value, minlength=size)
    crowded = np.flatnonzero(np.bincount(cells, minlength=size) >= PAIRWISE_FROM)
    if len(crowded):
        rows = firm_rows(s, stage)
        for cell in crowded.tolist():
            r = rows[divmod(cell, n_nat)]
            grid[cell] = float(np.where(t.active[r], t.capacity[r] * t.shock[r], 0.0).sum())
    return grid.reshape(n_min, n_nat)


PAIRWISE_FROM = 8
"""numpy sums arrays of this many elements or more pairwise (not strictly in order)."""


def owned_share(s: WorldState, kind: int) -> F64:
    """(M, origin, owner): share of an origin's capacity owned by each other nation."""
    n_min, n_nat = len(s.mineral_ids), len(s.nation_ids)
    t = s.firms
    sel = t.kind == kind
    cell = (t.mineral[sel] * n_nat + t.country[sel]) * n_nat + t.owner[sel]
    owned = np.bincount(cell, weights=t.capacity[sel], minlength=n_min * n_nat * n_nat)
    owned = owned.reshape(n_min, n_nat, n_nat)
    total = owned.sum(axis=2, keepdims=True)
    share = np.divide(owned, total, out=np.zeros_like(owned), where=total > 0)
    share[:, np.arange(n_nat), np.arange(n_nat)] = 0.0
    return share


def reference_flow(s: WorldState, stage: Stage, m: int, o: int) -> F64:
    """A route's flow at the start, for licences imposed before any trade: the origin's
    capacity shared in proportion to each buyer's need."""
    kind = MINE if stage == Stage.ORE else REFINERY
    sel = (s.firms.kind == kind) & (s.firms.mineral == m) & (s.firms.country == o)
    supply = s.firms.capacity[sel].sum() * START_UTILISATION
    need = s.base_need[m].sum(axis=1)
    return supply * need / max(need.sum(), 1e-12)


def step_decisions(s: WorldState) -> None:
    """Capacity grows with the starting pipeline; firms close after sustained losses and
    restart when margins recover; some announce expansions; the market commissions new
    plants (economy.investment). What moved capacity goes to the turn's causes."""
    t = s.firms
    draws = s.rng.random(len(t))
    cap_before = t.available()
    if s.turn < PIPELINE_TURNS:
        t.capacity = t.capacity * s.pipeline_growth[t.mineral]
    closing, restarting = close_and_restart(t)
    for rows, what in ((closing, "shuts its last plants after sustained losses"), (restarting, "restarts")):
        for row in np.flatnonzero(rows):
            firm_id, name = s.firm_names[int(row)]
            s.news.append(Happened(s.turn, firm_id, "Firm", f"{name} {what}.", "firm"))
    for row in np.flatnonzero(expansion_candidates(t, draws)):
        announce_expansion(s, int(row))
    step_investment(s)
    moved = t.available() - cap_before
    cells = t.mineral * len(s.nation_ids) + t.country
    shape = s.causes.capacity.shape
    s.causes.capacity += np.bincount(cells, weights=moved, minlength=shape[0] * shape[1]).reshape(shape)


def announce_expansion(s: WorldState, row: int) -> None:
    t = s.firms
    kind = KIND_OF_CODE[int(t.kind[row])]
    template = s.content.projects.get(f"{s.mineral_ids[int(t.mineral[row])]}_{kind.value}")
    if template is None:
        return
    t.expanding[row] = True
    s.pipeline.add(
        Project(
            name=f"expansion of {s.firm_names[row][1]}",
            kind=kind,
            mineral=int(t.mineral[row]),
            country=int(t.country[row]),
            owner=int(t.owner[row]),
            capacity=float(t.capacity[row]) * EXPAND_SHARE,
            unit_cost=float(t.unit_cost[row]),
            # Brownfield expansions take the short end of the template's lead time.
            turns_left=max(1, lead_time(template, 0.0) // 2),
            delay_probability=template.delay_probability,
            cancel_hazard=cancel_hazard(template),
            firm_row=row,
            started=s.turn,
        )
    )


def trading_partners(s: WorldState, exporter: str, mineral: str, stage: Stage) -> list[str]:
    """Nations that bought from `exporter` last turn (at the start: that could)."""
    m, o = s.mineral_index(mineral), s.nation_index[exporter]
    flow = s.last_flow[stage].row(m, o)
    if not flow.any():
        flow = reference_flow(s, stage, m, o)
    return [s.nation_ids[b] for b in np.flatnonzero(flow > 0) if b != o]


def suppliers_of(s: WorldState, importer: str, mineral: str, stage: Stage) -> list[str]:
    """Nations that sold to `importer` last turn."""
    m, b = s.mineral_index(mineral), s.nation_index[importer]
    flow = s.last_flow[stage].column(m, b)
    return [s.nation_ids[o] for o in np.flatnonzero(flow > 0) if o != b]
