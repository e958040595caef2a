"""The order forms, one module per panel (Trade, Diplomacy, Industry, Stockpile).

A panel module holds its actions: the fields each order needs (ranges from the order
schema) and how the values become an order. The OrdersScreen lays any of them out.
"""

from __future__ import annotations

from game.ui.forms import diplomacy, industry, stockpile, trade
from game.ui.forms.spec import WHY, Action, BadInput, FieldSpec, Form, with_rationale

TABS = [("trade", "Trade"), ("diplomacy", "Diplomacy"), ("industry", "Industry"), ("stockpile", "Stockpile")]
PANELS = {"trade": trade, "diplomacy": diplomacy, "industry": industry, "stockpile": stockpile}


def actions(form: Form, tab: str) -> list[Action]:
    """The orders the panel `tab` offers; in a wargame each also takes the team's "Why?"
    note for the hot-wash (kept in the room, not in the order)."""
    offered = PANELS[tab].actions(form)
    if not form.play.in_room:
        return offered
    return [with_rationale(a) for a in offered]


__all__ = ["TABS", "WHY", "Action", "BadInput", "FieldSpec", "Form", "actions"]
