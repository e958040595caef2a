"""Schema of a firm file (`content/firms/<mineral>.toml`, a list of `[[firm]]`).

Many small producers in one country are aggregated into one firm; `owner` is the nation
whose companies control it (Chinese-owned mines in DR Congo have owner "china").
"""

from __future__ import annotations

from pydantic import Field, PositiveFloat

from game.rules.ids import FirmKind, Frozen, Slug, Source


class Firm(Frozen):
    id: Slug
    name: str
    kind: FirmKind
    mineral: Slug
    country: Slug
    owner: Slug
    capacity_tpy: PositiveFloat = Field(description="t/yr contained (mine: in ore; refinery: output)")
    unit_cost_usd_per_t: PositiveFloat = Field(
        description="mine: cash cost per t contained; refinery/recycler: conversion cost per t "
        "excluding the feed"
    )
    source: Source
    note: str = ""


class FirmFile(Frozen):
    firm: list[Firm] = Field(min_length=1)
