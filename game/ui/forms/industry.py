"""The Industry panel: investment in plants, research, subsidies."""

from __future__ import annotations

from game.rules import orders as o
from game.ui.forms.spec import PROGRAMMES, Action, FieldSpec, Form, number


def actions(f: Form) -> list[Action]:
    """Plants, research and subsidies."""
    m = f.mineral_field()
    return [
        Action(
            "invest",
            "Invest in a plant",
            lambda: [
                FieldSpec(
                    "template",
                    "Project",
                    "choice",
                    f.templates(),
                    tip="Capital cost and lead time in quarters",
                ),
                FieldSpec(
                    "country",
                    "In",
                    "choice",
                    f.nations(me=True),
                    f.play.nation,
                    "At home, or in a partner (it must consent unless you have a memorandum)",
                ),
                number("share", "Your share (%)", o.Invest, "share_pct", "100"),
            ],
            lambda v: {
                "kind": "invest",
                "template": v["template"],
                "country": v["country"],
                "share_pct": v["share"],
            },
            "Builds capacity that comes online after the lead time, if it is not delayed or cancelled.",
        ),
        Action(
            "fund_rnd",
            "Fund research",
            lambda: [
                FieldSpec("programme", "Programme", "choice", PROGRAMMES, "substitution"),
                m,
                number("budget", "Budget ($m)", o.FundRnD, "budget_usd_m", "200"),
            ],
            lambda v: {
                "kind": "fund_rnd",
                "programme": v["programme"],
                "mineral": v["mineral"],
                "budget_usd_m": v["budget"],
            },
            "Pays now; may or may not pay off years later.",
        ),
        Action(
            "subsidise",
            "Subsidise a programme",
            lambda: [
                FieldSpec("programme", "Programme", "choice", PROGRAMMES, "recycling"),
                m,
                number("per_turn", "$m per turn", o.Subsidise, "usd_m_per_turn", "50"),
                number("turns", "Turns", o.Subsidise, "turns", "8"),
            ],
            lambda v: {
                "kind": "subsidise",
                "programme": v["programme"],
                "mineral": v["mineral"],
                "usd_m_per_turn": v["per_turn"],
                "turns": int(v["turns"]),
            },
            "Certain, immediate, costly: less use of the mineral, or more recycling, while the money lasts.",
        ),
    ]
