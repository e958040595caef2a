"""The order forms, one module per panel (Trade, Diplomacy, Industry, Stockpile).

A panel module holds its actions: the fields each order needs (ranges from the order
schema) and how the values become an order. The OrdersScreen lays any of them out.
"""

from __future__ import annotations

from game.ui.forms import diplomacy, industry, stockpile, trade
from game.ui.forms.spec import Action, BadInput, FieldSpec, Form

TABS = [("trade", "Trade"), ("diplomacy", "Diplomacy"), ("industry", "Industry"), ("stockpile", "Stockpile")]
PANELS = {"trade": trade, "diplomacy": diplomacy, "industry": industry, "stockpile": stockpile}


def actions(form: Form, tab: str) -> list[Action]:
    """The orders the panel `tab` offers."""
    return PANELS[tab].actions(form)


__all__ = ["TABS", "Action", "BadInput", "FieldSpec", "Form", "actions"]
