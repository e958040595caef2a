"""What an order form is made of: fields, actions, and the choices a form offers.

A field's range comes from the order's own pydantic schema (`bounds`), so a form cannot
accept what the order desk would refuse for being out of range, nor refuse what it takes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import annotated_types
from pydantic import BaseModel

from game.ui.context import OrderContext
from game.ui.play import mineral_name

INSTRUMENTS = [
    ("Ban: route closed", "ban"),
    ("Quota: tonnes per year", "quota"),
    ("Licensing: a share approved", "licensing"),
    ("Export tax", "export_tax"),
    ("End-use: no defence buyers", "end_use"),
]
STAGES = [("Refined", "refined"), ("Ore / concentrate", "ore")]
TONES = [
    ("Summit", "summit"),
    ("Promise", "promise"),
    ("Reassure", "reassure"),
    ("Pressure", "pressure"),
    ("Protest", "protest"),
]
PROGRAMMES = [("Substitution", "substitution"), ("Recycling", "recycling")]


@dataclass
class FieldSpec:
    key: str
    label: str
    kind: str  # choice | number | text
    options: list[tuple[str, str]] = field(default_factory=list)
    default: str = ""
    tip: str = ""
    lo: float | None = None
    hi: float | None = None


@dataclass
class Action:
    id: str
    label: str
    fields: Callable[[], list[FieldSpec]]
    order: Callable[[dict[str, Any]], dict[str, Any]]
    about: str = ""


WHY = FieldSpec(
    "why",
    "Why? (optional)",
    "text",
    tip="Your team's own note on this order: kept for the hot-wash report, never sent to the world",
)
"""A wargame team's rationale note, offered under every order form (not part of the order)."""


def with_rationale(action: Action) -> Action:
    """`action` with the team's optional "Why?" note as its last field."""
    fields = action.fields
    return dataclasses.replace(action, fields=lambda: [*fields(), WHY])


class BadInput(ValueError):
    """A field the player filled that cannot make an order; the message names it."""


def _constraints(annotation: Any) -> list[Any]:
    """The annotated-types constraints inside a field's annotation, through Optional,
    dict values and Annotated."""
    found: list[Any] = []
    for meta in getattr(annotation, "__metadata__", ()):
        found.append(meta)
        found.extend(getattr(meta, "metadata", ()))
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, dict, typing.Annotated):
        for arg in typing.get_args(annotation):
            found.extend(_constraints(arg))
    return found


def bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """(lowest, highest) value the order schema `model` accepts for its field `name`."""
    info = model.model_fields[name]
    metas = list(info.metadata) + _constraints(info.annotation)
    lo = hi = None
    for meta in metas:
        if isinstance(meta, annotated_types.Ge | annotated_types.Gt):
            lo = float(getattr(meta, "ge", getattr(meta, "gt", 0)))
        if isinstance(meta, annotated_types.Le | annotated_types.Lt):
            hi = float(getattr(meta, "le", getattr(meta, "lt", 0)))
        if isinstance(meta, annotated_types.Interval):
            lo = meta.ge if meta.ge is not None else meta.gt
            hi = meta.le if meta.le is not None else meta.lt
    return lo, hi


class Form:
    """The choices an order form offers (nations, minerals, zones, projects) for a play,
    and the values the player has entered so far."""

    def __init__(self, play: OrderContext, values: dict[str, str]) -> None:
        self.play = play
        self.values = values

    def nations(self, everyone: str | None = None, me: bool = False) -> list[tuple[str, str]]:
        obs = self.play.obs
        opts = [(self.play.name(n), n) for n in obs.nations if me or n != self.play.nation]
        return ([(everyone, "*")] if everyone else []) + opts

    def minerals(self) -> list[tuple[str, str]]:
        return [(mineral_name(m), m) for m in self.play.obs.minerals]

    def zones(self, mine: bool | None) -> list[tuple[str, str]]:
        obs = self.play.obs
        zs = [z for z in obs.zones if mine is None or (self.play.nation in z.members) == mine]
        return [(z.name, z.id) for z in zs] or [("(no zone)", "")]

    def templates(self) -> list[tuple[str, str]]:
        """Projects by mineral, kind, capacity, cost and lead time: two entries never read
        the same."""
        out = []
        for t in self.play.content.projects.values():
            if t.mineral not in self.play.obs.minerals:
                continue
            capex = t.capex_usd_m()
            lead = f"{t.lead_time_quarters_min}–{t.lead_time_quarters_max} q"
            kind = t.kind.value.replace("_", " ")
            out.append(
                (
                    f"{mineral_name(t.mineral)} {kind}, {t.capacity_tpy:,.0f} t/yr: ${capex:,.0f}m, {lead}",
                    t.id,
                )
            )
        return out

    def mineral_field(self) -> FieldSpec:
        return FieldSpec("mineral", "Mineral", "choice", self.minerals(), tip="Which mineral")

    def stage_field(self) -> FieldSpec:
        return FieldSpec("stage", "Stage", "choice", STAGES, "refined", "Refined metal or ore/concentrate")

    def partner_field(self) -> FieldSpec:
        return FieldSpec("partner", "Partner", "choice", self.nations(), tip="The other nation")


def number(key: str, label: str, model: type[BaseModel], name: str, default: str, tip: str = "") -> FieldSpec:
    """A number field whose range is the order schema's own."""
    lo, hi = bounds(model, name)
    return FieldSpec(key, label, "number", default=default, tip=tip, lo=lo, hi=hi)
