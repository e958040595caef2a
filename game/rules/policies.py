"""Trade policies as they stand in the world: export controls, tariffs and zones.

The same models describe a scenario's starting state, an event's effect and (wrapped in
an Order) a nation's decision, so all three change the world the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, Field, NonNegativeFloat, model_validator

from game.rules.ids import Frozen, Slug, Source, Stage

Percent = Annotated[float, Field(ge=0, le=1000)]
Rate = Annotated[float, Field(ge=0, le=1)]


class Instrument(StrEnum):
    """Export-control instruments, after the OECD inventory of export restrictions."""

    BAN = "ban"
    QUOTA = "quota"
    LICENSING = "licensing"
    EXPORT_TAX = "export_tax"
    END_USE = "end_use"


DEFAULT_APPROVAL_RATE = 0.7
"""The share of licence applications an issuer approves when its licensing order names none:
most licences are granted, slowly, and some are refused (MOFCOM's Ga/Ge licences from Sep 2023,
graphite from Dec 2023; model assumption)."""


def approval_rate_field() -> Any:
    """`approval_rate`, which old saves and content call `pass_share` (read under both names)."""
    return Field(None, validation_alias=AliasChoices("approval_rate", "pass_share"))


def default_approval(data: Any) -> Any:
    """A licensing control or order that names no approval rate gets the default one."""
    if (
        isinstance(data, dict)
        and data.get("instrument") in (Instrument.LICENSING, Instrument.LICENSING.value)
        and data.get("approval_rate") is None
        and data.get("pass_share") is None
    ):
        return {**data, "approval_rate": DEFAULT_APPROVAL_RATE}
    return data


class ExportControl(Frozen):
    """An export control of `issuer` on one mineral and stage.

    `targets` empty means every other nation. A quota caps the tonnes per year shipped to
    all targets together. Licensing approves `approval_rate` of the licences each target's
    importers apply for (the rest is refused or delayed): the approved licences cap what may
    pass, and what does pass responds to the price below that cap. The rate is the issuer's
    policy; the licences actually granted to a target also move with relations and the
    issuer's own industry's needs (game.world.mechanisms.controls). An end-use control closes
    the route to the targets' defence sector only.
    """

    issuer: Slug
    mineral: Slug
    stage: Stage
    instrument: Instrument
    targets: list[Slug] = []
    quota_tpy: NonNegativeFloat | None = None
    approval_rate: Rate | None = approval_rate_field()
    tax_pct: Percent | None = None
    expires: dt.date | None = None
    source: Source = "game"
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_approval(cls, data: Any) -> Any:
        return default_approval(data)

    @model_validator(mode="after")
    def _parameters_match_instrument(self) -> ExportControl:
        needs = {
            Instrument.QUOTA: "quota_tpy",
            Instrument.LICENSING: "approval_rate",
            Instrument.EXPORT_TAX: "tax_pct",
        }
        for instrument, field in needs.items():
            given = getattr(self, field) is not None
            if instrument == self.instrument and not given:
                raise ValueError(f"a {instrument.value} control needs {field}")
            if instrument != self.instrument and given:
                raise ValueError(f"{field} only applies to a {instrument.value} control")
        if self.issuer in self.targets:
            raise ValueError("a nation cannot target its own exports to itself")
        return self


class Tariff(Frozen):
    """An import tariff of `issuer` on a mineral from `origins` (empty: from everyone)."""

    issuer: Slug
    mineral: Slug
    stage: Stage
    origins: list[Slug] = []
    rate_pct: Percent
    source: Source = "game"


class FloorPaidBy(StrEnum):
    BUYERS = "buyers"
    FUND = "fund"


class Zone(Frozen):
    """A preferential trade zone: no tariffs inside, a common external tariff, price floors."""

    id: Slug
    name: str
    founder: Slug
    members: list[Slug] = Field(min_length=1)
    external_tariff_pct: dict[Slug, Percent] = {}
    price_floor_usd_per_t: dict[Slug, NonNegativeFloat] = {}
    floor_paid_by: FloorPaidBy = FloorPaidBy.BUYERS
    emergency_sharing: bool = False
    source: Source = "game"

    @model_validator(mode="after")
    def _founder_is_member(self) -> Zone:
        if self.founder not in self.members:
            raise ValueError("the founder must be a member")
        if len(set(self.members)) != len(self.members):
            raise ValueError("members are listed twice")
        return self


ControlTerms = tuple[object, ...]
"""(issuer, mineral, stage, instrument, sorted targets, quota, approval rate, tax)."""


def control_terms(c: ExportControl | Any) -> ControlTerms:
    """The terms by which two export controls are the same control: a control whose terms
    are in force already is refused (the desk), never proposed (the doctrines) and masked out
    (the lab). Takes an `ExportControl` or an order that imposes one (targets as a sorted
    tuple, so the terms hash)."""
    return (
        c.issuer,
        c.mineral,
        c.stage,
        c.instrument,
        tuple(sorted(c.targets)),
        c.quota_tpy,
        c.approval_rate,
        c.tax_pct,
    )
