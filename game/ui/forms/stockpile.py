"""The Stockpile panel: buy, release, share in a zone."""

from __future__ import annotations

from game.rules import orders as o
from game.ui.forms.spec import Action, FieldSpec, Form, number


def actions(f: Form) -> list[Action]:
    """Buy, release, share."""
    m = f.mineral_field()
    return [
        Action(
            "buy",
            "Buy into the stockpile",
            lambda: [
                m,
                number("tonnes", "Tonnes", o.Stockpile, "tonnes", "100"),
                number("budget", "Budget ($m)", o.Stockpile, "budget_usd_m", "50"),
            ],
            lambda v: {
                "kind": "stockpile",
                "action": "buy",
                "mineral": v["mineral"],
                "tonnes": v["tonnes"],
                "budget_usd_m": v["budget"],
            },
            "Raises the target; bought over a few turns while the price is not too high.",
        ),
        Action(
            "release",
            "Release from the stockpile",
            lambda: [m, number("tonnes", "Tonnes", o.Stockpile, "tonnes", "50")],
            lambda v: {
                "kind": "stockpile",
                "action": "release",
                "mineral": v["mineral"],
                "tonnes": v["tonnes"],
            },
            "Sells into your home market this turn.",
        ),
        Action(
            "share_stockpile",
            "Share stockpiles in a zone",
            lambda: [
                FieldSpec("zone", "Zone", "choice", f.zones(True)),
                number("share", "Share (%)", o.ShareStockpile, "share_pct", "25"),
            ],
            lambda v: {"kind": "share_stockpile", "zone": v["zone"], "share_pct": v["share"]},
            "Commits a share of your stockpiles to members in an emergency; 0 withdraws it.",
        ),
    ]
