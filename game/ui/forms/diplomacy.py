"""The Diplomacy panel: zones, offtake deals, memoranda, messages."""

from __future__ import annotations

from typing import Any

from game.rules import orders as o
from game.ui.forms.spec import TONES, Action, FieldSpec, Form, number


def actions(f: Form) -> list[Action]:
    """Zones, deals, memoranda and messages."""
    m = f.mineral_field()
    stage = f.stage_field()
    partner = f.partner_field()
    return [
        Action(
            "propose_zone",
            "Found a trade zone",
            lambda: [
                FieldSpec(
                    "zone_name",
                    "Zone name",
                    "text",
                    default="Critical Minerals Club",
                    tip="Shown to everyone",
                ),
                FieldSpec("partner", "Invite", "choice", f.nations(), tip="The first nation invited"),
                m,
                number(
                    "tariff_pct",
                    "External tariff (%)",
                    o.ProposeZone,
                    "external_tariff_pct",
                    "10",
                    "Outsiders pay it on this mineral",
                ),
                number(
                    "floor",
                    "Price floor ($/t, 0 none)",
                    o.ProposeZone,
                    "price_floor_usd_per_t",
                    "0",
                    "Members buy from member producers at no less",
                ),
            ],
            lambda v: zone(f, v),
            "Members trade at no tariff; outsiders pay the external tariff; a price "
            "floor keeps member mines alive.",
        ),
        Action(
            "invite_to_zone",
            "Invite to a zone",
            lambda: [FieldSpec("zone", "Zone", "choice", f.zones(True)), partner],
            lambda v: {"kind": "invite_to_zone", "zone": v["zone"], "nation": v["partner"]},
            "Asks another nation into one of your zones; it answers next turn.",
        ),
        Action(
            "join_zone",
            "Join a zone",
            lambda: [FieldSpec("zone", "Zone", "choice", f.zones(False))],
            lambda v: {"kind": "join_zone", "zone": v["zone"]},
            "Joins a zone you were invited to.",
        ),
        Action(
            "leave_zone",
            "Leave a zone",
            lambda: [FieldSpec("zone", "Zone", "choice", f.zones(True))],
            lambda v: {"kind": "leave_zone", "zone": v["zone"]},
            "Leaves a zone; the members resent it.",
        ),
        Action(
            "offtake",
            "Propose an offtake deal",
            lambda: [
                partner,
                FieldSpec("role", "You are", "choice", [("Buyer", "buyer"), ("Seller", "seller")], "buyer"),
                m,
                stage,
                number("tonnes", "Tonnes per turn", o.ProposeDeal, "tonnes_per_turn", "100"),
                number("duration", "Duration (turns)", o.ProposeDeal, "duration_turns", "8"),
                number("discount", "Discount to market (%)", o.ProposeDeal, "discount_pct", "0"),
                number(
                    "financing",
                    "Financing ($m)",
                    o.ProposeDeal,
                    "financing_usd_m",
                    "0",
                    "Paid by the buyer into a new plant in the seller's country",
                ),
            ],
            lambda v: offtake(f, v),
            "A binding deal: the seller's producers deliver every turn at the market "
            "price less the discount.",
        ),
        Action(
            "memorandum",
            "Propose a memorandum",
            lambda: [partner, m],
            lambda v: {
                "kind": "propose_deal",
                "deal": "memorandum",
                "buyer": f.play.nation,
                "seller": v["partner"],
                "mineral": v["mineral"],
            },
            "Non-binding good will, and standing consent to each other's investments.",
        ),
        Action(
            "message",
            "Send a diplomatic message",
            lambda: [
                partner,
                FieldSpec("tone", "Tone", "choice", TONES, "summit"),
                FieldSpec("text", "Text", "text", default="", tip="Kept in the order log"),
            ],
            lambda v: {"kind": "message", "to": [v["partner"]], "tone": v["tone"], "text": v["text"]},
            "Moves relations; binds nobody.",
        ),
    ]


def zone(f: Form, v: dict[str, Any]) -> dict[str, Any]:
    name = v["zone_name"].strip()
    slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:40] or "zone"
    order = {
        "kind": "propose_zone",
        "zone": slug,
        "name": name or "Zone",
        "invite": [v["partner"]],
        "external_tariff_pct": {v["mineral"]: v["tariff_pct"]},
    }
    if v["floor"] > 0:
        order["price_floor_usd_per_t"] = {v["mineral"]: v["floor"]}
    return order


def offtake(f: Form, v: dict[str, Any]) -> dict[str, Any]:
    me, other = f.play.nation, v["partner"]
    buyer, seller = (me, other) if v["role"] == "buyer" else (other, me)
    return {
        "kind": "propose_deal",
        "deal": "offtake",
        "buyer": buyer,
        "seller": seller,
        "mineral": v["mineral"],
        "stage": v["stage"],
        "tonnes_per_turn": v["tonnes"],
        "duration_turns": int(v["duration"]),
        "discount_pct": v["discount"],
        "financing_usd_m": v["financing"],
    }
