"""The Trade panel: export controls, their lifting, import tariffs."""

from __future__ import annotations

from typing import Any

from game.rules import orders as o
from game.rules.policies import DEFAULT_APPROVAL_RATE
from game.ui.forms.spec import INSTRUMENTS, STAGES, Action, FieldSpec, Form, bounds, number


def actions(f: Form) -> list[Action]:
    """Export controls and tariffs."""
    m = f.mineral_field()
    stage = f.stage_field()
    return [
        Action(
            "export_control",
            "Impose an export control",
            lambda: [
                m,
                stage,
                FieldSpec(
                    "instrument",
                    "Instrument",
                    "choice",
                    INSTRUMENTS,
                    "ban",
                    "OECD export-restriction types",
                ),
                FieldSpec(
                    "target",
                    "Toward",
                    "choice",
                    f.nations("Everyone"),
                    "*",
                    "Whose imports it hits",
                ),
                *instrument_fields(f),
            ],
            lambda v: export_control(f, v),
            "Cuts or taxes your producers' exports. Buyers lose supply and prices "
            "move; the target resents it.",
        ),
        Action(
            "lift_export_control",
            "Lift export controls",
            lambda: [
                m,
                FieldSpec("stage", "Stage", "choice", [("Any", "*"), *STAGES], "*"),
                FieldSpec("instrument", "Instrument", "choice", [("All", "*"), *INSTRUMENTS], "*"),
            ],
            lambda v: {
                "kind": "lift_export_control",
                "mineral": v["mineral"],
                **({"stage": v["stage"]} if v["stage"] != "*" else {}),
                **({"instrument": v["instrument"]} if v["instrument"] != "*" else {}),
            },
            "Lifts your controls on a mineral: one stage and instrument, or all.",
        ),
        Action(
            "tariff",
            "Set an import tariff",
            lambda: [
                m,
                stage,
                FieldSpec("target", "From", "choice", f.nations("Everyone"), "*", "Which origin it taxes"),
                number("rate_pct", "Rate (%)", o.SetTariff, "rate_pct", "10", "0 removes the tariff"),
            ],
            lambda v: {
                "kind": "tariff",
                "mineral": v["mineral"],
                "stage": v["stage"],
                "origins": [] if v["target"] == "*" else [v["target"]],
                "rate_pct": v["rate_pct"],
            },
            "Taxes imports from an origin: protects home producers, raises your buyers' costs.",
        ),
    ]


def instrument_fields(f: Form) -> list[FieldSpec]:
    instrument = f.values.get("instrument", "ban")
    if instrument == "quota":
        return [number("quota", "Quota (t/yr)", o.ImposeExportControl, "quota_tpy", "1000")]
    if instrument == "licensing":
        lo, hi = bounds(o.ImposeExportControl, "approval_rate")  # a share: shown in per cent
        return [
            FieldSpec(
                "approval",
                "Approval rate (%)",
                "number",
                default=f"{DEFAULT_APPROVAL_RATE * 100:.0f}",
                tip="Share of the targets' licence applications you approve",
                lo=None if lo is None else lo * 100,
                hi=None if hi is None else hi * 100,
            )
        ]
    if instrument == "export_tax":
        return [number("tax", "Export tax (%)", o.ImposeExportControl, "tax_pct", "15")]
    return []


def export_control(f: Form, v: dict[str, Any]) -> dict[str, Any]:
    order = {
        "kind": "export_control",
        "mineral": v["mineral"],
        "stage": v["stage"],
        "instrument": v["instrument"],
        "targets": [] if v["target"] == "*" else [v["target"]],
    }
    if "quota" in v:
        order["quota_tpy"] = v["quota"]
    if "approval" in v:
        order["approval_rate"] = v["approval"] / 100
    if "tax" in v:
        order["tax_pct"] = v["tax"]
    return order
