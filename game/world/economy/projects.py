"""Projects: capacity that takes years to come online, may slip and may be cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from agents.firms import KIND_CODE
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

    def state(self) -> tuple[float, ...]:
        """The project's numbers for the world hash: all of it but the display name."""
        return (
            KIND_CODE[self.kind],
            self.mineral,
            self.country,
            self.owner,
            self.capacity,
            self.unit_cost,
            self.turns_left,
            self.delay_probability,
            self.cancel_hazard,
            self.firm_row,
            self.started,
        )


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


@dataclass
class Pipeline:
    projects: list[Project] = field(default_factory=list)

    def advance(self, rng: np.random.Generator) -> tuple[list[Project], list[Project]]:
        """One turn of work: returns (finished, cancelled). Draws two numbers per project."""
        if not self.projects:
            return [], []
        draws = rng.random((len(self.projects), 2))
        finished: list[Project] = []
        cancelled: list[Project] = []
        still: list[Project] = []
        for project, (slip, cancel) in zip(self.projects, draws, strict=True):
            if cancel < project.cancel_hazard:
                cancelled.append(project)
                continue
            if slip >= project.delay_probability:
                project.turns_left -= 1
            (finished if project.turns_left <= 0 else still).append(project)
        self.projects = still
        return finished, cancelled

    def state_array(self) -> NDArray[np.float64]:
        """Every project's `state()` one after another, for the world hash. A long game has
        hundreds of projects under way; this reads their numbers straight into one array (a
        list of tuples given to np.array costs about a quarter more)."""
        return np.fromiter(chain.from_iterable(map(Project.state, self.projects)), dtype=np.float64)

    def digest(self) -> bytes:
        return self.state_array().tobytes()


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
