"""Projects: capacity that takes years to come online, may slip and may be cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from agents.firms import KIND_CODE, KIND_OF_CODE
from game.rules import FirmKind, ProjectTemplate
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.state import WorldState


@dataclass
class Project:
    """An expansion of an existing firm (`firm_row` >= 0) or a new firm (`firm_row` = -1)."""

    name: str
    kind: FirmKind
    mineral: int
    country: int
    owner: int
    capacity: float  # t per turn
    unit_cost: float
    turns_left: int
    delay_probability: float
    cancel_hazard: float  # per turn
    firm_row: int = -1
    started: int = 0


def lead_time(template: ProjectTemplate, draw: float) -> int:
    lo, hi = template.lead_time_quarters_min, template.lead_time_quarters_max
    return int(lo + round(draw * (hi - lo)))


CONSTRUCTION_SHARE = 0.5
"""Projects the market commissions on its own (not by an order) come from deposits already
found and permitted, waiting for a final investment decision: they take from this share of the
template's minimum lead time (discovery or feasibility to production) to all of it. The IEA puts
construction at 4-5 of the 16.5 years from discovery, hard-rock lithium at 2-4 years from FID
(reference minerals.toml); the share is a model assumption."""


def construction_lead(template: ProjectTemplate, draw: float) -> int:
    """Turns from final investment decision to output for a market-led project (>= 1)."""
    lo = template.lead_time_quarters_min
    short = max(1, round(CONSTRUCTION_SHARE * lo))
    return int(short + round(draw * (lo - short)))


def cancel_hazard(template: ProjectTemplate) -> float:
    """Per-turn hazard that adds up to the template's cancel probability over its lead time."""
    turns = max((template.lead_time_quarters_min + template.lead_time_quarters_max) / 2, 1.0)
    return 1.0 - (1.0 - template.cancel_probability) ** (1.0 / turns)


_COLUMNS = (
    "kind",
    "mineral",
    "country",
    "owner",
    "capacity",
    "unit_cost",
    "turns_left",
    "delay_probability",
    "cancel_hazard",
    "firm_row",
    "started",
)
_INTEGER = frozenset({"kind", "mineral", "country", "owner", "turns_left", "firm_row", "started"})


class Pipeline:
    """Projects under construction, held as columns (a long game has hundreds under way, and
    each turn every one of them may slip, be cancelled or finish): `add` one, `advance` them
    all a turn. `projects` is a read-only view as `Project`s, in the order they were added."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._columns: dict[str, NDArray] = {
            c: np.zeros(0, dtype=np.int64 if c in _INTEGER else np.float64) for c in _COLUMNS
        }
        self._added: list[Project] = []
        """Projects added since the columns were last read: a turn adds a dozen one by one,
        and growing every column by one each time would copy them all each time."""
        self._view: list[Project] | None = None

    def __len__(self) -> int:
        return len(self.names)

    def add(self, project: Project) -> None:
        self.names.append(project.name)
        self._added.append(project)
        self._view = None

    @property
    def columns(self) -> dict[str, NDArray]:
        """The projects' numbers, a column each (kind as its firm-table code)."""
        if self._added:
            added, self._added = self._added, []
            for c in _COLUMNS:
                values = [KIND_CODE[p.kind] for p in added] if c == "kind" else [getattr(p, c) for p in added]
                column = self._columns[c]
                self._columns[c] = np.concatenate([column, np.asarray(values, dtype=column.dtype)])
        return self._columns

    @property
    def projects(self) -> list[Project]:
        if self._view is None:
            cols = [self.columns[c].tolist() for c in _COLUMNS]
            self._view = [
                Project(name, KIND_OF_CODE[row[0]], *row[1:])
                for name, row in zip(self.names, zip(*cols, strict=True), strict=True)
            ]
        return list(self._view)

    def _keep(self, keep: NDArray[np.bool_]) -> None:
        self.names = [n for n, k in zip(self.names, keep.tolist(), strict=True) if k]
        self._columns = {c: v[keep] for c, v in self.columns.items()}
        self._view = None

    def advance(self, rng: np.random.Generator) -> tuple[list[Project], list[Project]]:
        """One turn of work: returns (finished, cancelled). Draws two numbers per project: a
        project is cancelled on its hazard, else moves a turn on unless it slips."""
        if not self.names:
            return [], []
        draws = rng.random((len(self.names), 2))
        cols = self.columns
        cancelled = draws[:, 1] < cols["cancel_hazard"]
        works = ~cancelled & (draws[:, 0] >= cols["delay_probability"])
        cols["turns_left"] = cols["turns_left"] - works
        finished = ~cancelled & (cols["turns_left"] <= 0)
        self._view = None
        view = self.projects
        done = [view[i] for i in np.flatnonzero(finished)]
        ended = [view[i] for i in np.flatnonzero(cancelled)]
        self._keep(~cancelled & ~finished)
        return done, ended

    def capacity_by_kind(self, n_min: int) -> NDArray[np.float64]:
        """(3, M) tonnes per turn under construction by firm kind and mineral."""
        cols = self.columns
        return np.bincount(
            cols["kind"] * n_min + cols["mineral"], weights=cols["capacity"], minlength=3 * n_min
        ).reshape(3, n_min)

    def digest(self) -> bytes:
        """Every number of every project (not its display name), for the world hash."""
        return b"".join(np.ascontiguousarray(self.columns[c]).tobytes() for c in _COLUMNS)


def advance(s: WorldState) -> bool:
    """A turn of construction: cancelled projects end, finished ones add capacity (to their
    firm, for an expansion, or as a new firm). Returns whether firms were added (the shocks
    in force must then reach them too)."""
    finished, cancelled = s.pipeline.advance(s.rng)
    t = s.firms
    for p in cancelled:
        if p.firm_row >= 0:
            t.expanding[p.firm_row] = False
        s.news.append(Happened(s.turn, "project", "Project cancelled", f"{p.name} is cancelled.", "project"))
    new_firms = []
    for p in finished:
        if p.firm_row >= 0:
            t.capacity[p.firm_row] += p.capacity
            t.expanding[p.firm_row] = False
        else:
            new_firms.append(p)
        s.causes.capacity[p.mineral, p.country] += p.capacity
        s.news.append(Happened(s.turn, "project", "New capacity", f"{p.name} comes online.", "project"))
    if not new_firms:
        return False
    rows = t.extend(
        [
            dict(
                kind=KIND_CODE[p.kind],
                mineral=p.mineral,
                country=p.country,
                owner=p.owner,
                capacity=p.capacity,
                unit_cost=p.unit_cost,
                active=True,
                shock=1.0,
            )
            for p in new_firms
        ]
    )
    for row, p in zip(rows, new_firms, strict=True):
        s.firm_names.append((f"project_{s.mineral_ids[p.mineral]}_{s.nation_ids[p.country]}_{row}", p.name))
    return True
