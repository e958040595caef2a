"""Orders: the only way a nation (or the facilitator) changes the world.

Every front-end, AI doctrine, script, RL agent and replay produces these models; the world
validates each against its current state (`game.world.mechanisms.desk`) and applies the accepted
ones at turn resolution in a fixed order. The models check what can be checked without a
world (ranges, parameters that belong together); everything that depends on the world
(does the zone exist, is there budget, was the nation invited) is checked there, so a UI
can show the same reason a script would get.

Orders are flat so that a TOML script or a JSON log reads naturally:
`{kind = "export_control", issuer = "china", mineral = "gallium", stage = "refined",
instrument = "ban", targets = ["united_states"]}`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, TypeAdapter, model_validator

from game.rules.ids import Frozen, Sector, Slug, Stage
from game.rules.policies import (
    ExportControl,
    FloorPaidBy,
    Instrument,
    Percent,
    Rate,
    Zone,
    approval_rate_field,
    default_approval,
)

MONEY_MAX = 1e7
"""The largest sum an order names (USD m): a ceiling keeps a typo (or a fuzzer) from
overflowing treasuries. Those who build orders (doctrines, the lab) cap their sums at it."""
TONNES_MAX = 1e9
"""The largest tonnage an order names."""
PROGRAMME_MAX = 1e5
"""The largest subsidy a turn or research budget an order names (USD m)."""

Turns = Annotated[int, Field(ge=1, le=200)]
Money = Annotated[float, Field(ge=0, le=MONEY_MAX)]
"""USD millions, at most MONEY_MAX."""
Tonnes = Annotated[float, Field(ge=0, le=TONNES_MAX)]


class OrderBase(Frozen):
    issuer: Slug
    note: str = Field("", max_length=500, description="free text kept in the order log")


class ImposeExportControl(OrderBase):
    """Put an export control in force (replaces the issuer's control of the same instrument
    on the same mineral, stage and targets)."""

    kind: Literal["export_control"] = "export_control"
    mineral: Slug
    stage: Stage
    instrument: Instrument
    targets: list[Slug] = Field(default=[], max_length=64)
    quota_tpy: Tonnes | None = None
    approval_rate: Rate | None = approval_rate_field()
    """Licensing: the share of the targets' licence applications approved (default 0.7)."""
    tax_pct: Percent | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_approval(cls, data: Any) -> Any:
        return default_approval(data)

    @model_validator(mode="after")
    def _is_a_valid_control(self) -> ImposeExportControl:
        self.control()  # raises the control's own ValueError (parameters vs instrument)
        return self

    def control(self) -> ExportControl:
        return ExportControl(
            issuer=self.issuer,
            mineral=self.mineral,
            stage=self.stage,
            instrument=self.instrument,
            targets=self.targets,
            quota_tpy=self.quota_tpy,
            approval_rate=self.approval_rate,
            tax_pct=self.tax_pct,
            note=self.note,
        )


class LiftExportControl(OrderBase):
    """Lift the issuer's controls on a mineral: one stage and instrument, or all if empty;
    with `targets`, only for those nations (the control stays on the others)."""

    kind: Literal["lift_export_control"] = "lift_export_control"
    mineral: Slug
    stage: Stage | None = None
    instrument: Instrument | None = None
    targets: list[Slug] = Field(default=[], max_length=64)


class SetTariff(OrderBase):
    """An import tariff on a mineral from `origins` (empty: everyone); a rate of 0 removes it."""

    kind: Literal["tariff"] = "tariff"
    mineral: Slug
    stage: Stage
    origins: list[Slug] = Field(default=[], max_length=64)
    rate_pct: Annotated[float, Field(ge=0, le=500)]


class ProposeZone(OrderBase):
    """Found a preferential trade zone and invite nations to it.

    Inside, tariffs are 0; outsiders pay the common external tariff; members' purchases from
    member producers clear at no less than the floor, the gap paid by the buyers or by a
    fund the members finance in proportion to their GDP.
    """

    kind: Literal["propose_zone"] = "propose_zone"
    zone: Slug
    name: str = Field(min_length=1, max_length=80)
    invite: list[Slug] = Field(default=[], max_length=64)
    external_tariff_pct: dict[Slug, Percent] = {}
    price_floor_usd_per_t: dict[Slug, Annotated[float, Field(ge=0, le=1e8)]] = {}
    floor_paid_by: FloorPaidBy = FloorPaidBy.BUYERS
    emergency_sharing: bool = False

    def zone_rules(self) -> Zone:
        return Zone(
            id=self.zone,
            name=self.name,
            founder=self.issuer,
            members=[self.issuer],
            external_tariff_pct=self.external_tariff_pct,
            price_floor_usd_per_t=self.price_floor_usd_per_t,
            floor_paid_by=self.floor_paid_by,
            emergency_sharing=self.emergency_sharing,
        )


class InviteToZone(OrderBase):
    """A member invites another nation into a zone (it answers with JoinZone or declines)."""

    kind: Literal["invite_to_zone"] = "invite_to_zone"
    zone: Slug
    nation: Slug


class JoinZone(OrderBase):
    kind: Literal["join_zone"] = "join_zone"
    zone: Slug


class LeaveZone(OrderBase):
    """Leave a zone; the others resent it. A founder leaving dissolves the zone."""

    kind: Literal["leave_zone"] = "leave_zone"
    zone: Slug


class DealKind(StrEnum):
    OFFTAKE = "offtake"
    """Binding: the seller's producers deliver tonnes every turn at the deal price."""
    MEMORANDUM = "memorandum"
    """Non-binding: good will, and standing consent to the partner's investments."""


class Pricing(StrEnum):
    FIXED = "fixed"
    INDEXED = "indexed"
    """The seller's market price, less `discount_pct`."""


class ProposeDeal(OrderBase):
    """An offtake deal or memorandum between the issuer and one other nation.

    The counterparty answers with RespondToProposal. `financing_usd_m` is paid by the
    buyer into a new plant in the seller's country (the buyer owns it) when accepted.
    """

    kind: Literal["propose_deal"] = "propose_deal"
    deal: DealKind = DealKind.OFFTAKE
    buyer: Slug
    seller: Slug
    mineral: Slug
    stage: Stage = Stage.REFINED
    tonnes_per_turn: Tonnes = 0.0
    pricing: Pricing = Pricing.INDEXED
    price_usd_per_t: Annotated[float, Field(ge=0, le=1e8)] | None = None
    discount_pct: Annotated[float, Field(ge=-50, le=50)] = 0.0
    duration_turns: Turns = 8
    financing_usd_m: Money = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> ProposeDeal:
        if self.buyer == self.seller:
            raise ValueError("buyer and seller must differ")
        if self.issuer not in (self.buyer, self.seller):
            raise ValueError("the issuer must be the buyer or the seller")
        if self.deal == DealKind.OFFTAKE and self.tonnes_per_turn <= 0:
            raise ValueError("an offtake deal needs tonnes_per_turn above 0")
        if self.pricing == Pricing.FIXED and self.price_usd_per_t is None:
            raise ValueError("a fixed-price deal needs price_usd_per_t")
        if self.pricing == Pricing.INDEXED and self.price_usd_per_t is not None:
            raise ValueError("price_usd_per_t only applies to a fixed-price deal")
        return self

    @property
    def counterparty(self) -> str:
        return self.seller if self.issuer == self.buyer else self.buyer


class RespondToProposal(OrderBase):
    """Accept or refuse a proposal addressed to the issuer (a deal, an investment, an
    invitation); `reason` is shown to the proposer."""

    kind: Literal["respond"] = "respond"
    proposal: Annotated[int, Field(ge=0)]
    accept: bool
    reason: str = Field("", max_length=200)


class Invest(OrderBase):
    """Finance a mine, refinery or recycling plant from a project template, at home or in a
    partner (which must consent, unless a memorandum with it is in force)."""

    kind: Literal["invest"] = "invest"
    template: Slug
    country: Slug
    share_pct: Annotated[float, Field(gt=0, le=100)] = 100.0
    """The issuer's share of the capital; the plant's owner is the issuer when it is > 50 %."""


class StockpileAction(StrEnum):
    BUY = "buy"
    """Set aside `budget_usd_m` and raise the target by `tonnes`: bought over a few turns
    while the price is not too high."""
    RELEASE = "release"
    """Sell `tonnes` into the home market this turn."""


class Stockpile(OrderBase):
    kind: Literal["stockpile"] = "stockpile"
    action: StockpileAction
    mineral: Slug
    tonnes: Tonnes
    budget_usd_m: Money = 0.0


class ShareStockpile(OrderBase):
    """Commit a share of the issuer's stockpiles to members of a zone in an emergency
    (a member's consumption falling below the trigger). 0 withdraws the commitment."""

    kind: Literal["share_stockpile"] = "share_stockpile"
    zone: Slug
    share_pct: Annotated[float, Field(ge=0, le=100)]


class Programme(StrEnum):
    SUBSTITUTION = "substitution"
    RECYCLING = "recycling"


class Subsidise(OrderBase):
    """Pay manufacturers to use less of a mineral (substitution) or collectors to recover more
    (recycling) while the money lasts: certain, immediate, costly."""

    kind: Literal["subsidise"] = "subsidise"
    programme: Programme
    mineral: Slug
    sector: Sector | None = None
    usd_m_per_turn: Annotated[float, Field(gt=0, le=PROGRAMME_MAX)]
    turns: Turns


class FundRnD(OrderBase):
    """A research programme: pays now, may or may not pay off years later (seeded)."""

    kind: Literal["fund_rnd"] = "fund_rnd"
    programme: Programme
    mineral: Slug
    budget_usd_m: Annotated[float, Field(gt=0, le=PROGRAMME_MAX)]


class Tone(StrEnum):
    SUMMIT = "summit"
    PROMISE = "promise"
    REASSURE = "reassure"
    PRESSURE = "pressure"
    PROTEST = "protest"


class DiplomaticMessage(OrderBase):
    """Summits, promises and pressure: move relations, bind nobody."""

    kind: Literal["message"] = "message"
    to: list[Slug] = Field(min_length=1, max_length=64)
    tone: Tone
    text: str = Field("", max_length=500)


Order = Annotated[
    ImposeExportControl
    | LiftExportControl
    | SetTariff
    | ProposeZone
    | InviteToZone
    | JoinZone
    | LeaveZone
    | ProposeDeal
    | RespondToProposal
    | Invest
    | Stockpile
    | ShareStockpile
    | Subsidise
    | FundRnD
    | DiplomaticMessage,
    Field(discriminator="kind"),
]

ORDER_TYPES: tuple[type[OrderBase], ...] = get_args(get_args(Order)[0])
ORDER_KINDS: tuple[str, ...] = tuple(t.model_fields["kind"].default for t in ORDER_TYPES)
ORDER_ADAPTER: TypeAdapter[Order] = TypeAdapter(Order)
"""Parses an order from a dict or JSON: `ORDER_ADAPTER.validate_python({...})`."""

__all__ = [
    "ORDER_ADAPTER",
    "ORDER_KINDS",
    "ORDER_TYPES",
    "DealKind",
    "DiplomaticMessage",
    "FundRnD",
    "ImposeExportControl",
    "Invest",
    "InviteToZone",
    "JoinZone",
    "LeaveZone",
    "LiftExportControl",
    "Order",
    "OrderBase",
    "Pricing",
    "Programme",
    "ProposeDeal",
    "ProposeZone",
    "RespondToProposal",
    "SetTariff",
    "ShareStockpile",
    "Stockpile",
    "StockpileAction",
    "Subsidise",
    "Tone",
]
