"""A price move told as signed percentage points per cause, points that add up to the move.

The world attributes each price move to causes as shares of its log change (they add up
to 1 and may be negative or above 1 when causes pull both ways). A share times the move is
that cause's points, so the points of a move add up to the move itself: '+41 %: export
controls +20 pts, market adjustment +21 pts'. Shares shown as '763 % of the move' read as
nonsense; points do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CAUSE_LABELS = {
    "export_controls": "export controls",
    "tariffs_and_zones": "tariffs and zones",
    "supply_events": "supply disruption",
    "capacity_change": "new or lost capacity",
    "demand_growth": "demand growth",
    "demand_events": "demand shock",
    "stockpiles": "stockpile buying or selling",
    "inventories": "industry restocking or destocking",
    "licence_approvals": "licence approvals",
    "market_dynamics": "market adjustment",
}


def cause_label(cause: str) -> str:
    return CAUSE_LABELS.get(cause, cause.replace("_", " "))


def points(rows: Iterable[Any], change: float) -> list[tuple[str, float]]:
    """(cause label, signed points) for every cause of a move, largest first; `rows` have
    `.cause` and `.share`, `change` is the relative move (0.41 for +41 %)."""
    total = change * 100
    out = [(cause_label(r.cause), r.share * total) for r in rows]
    return sorted(out, key=lambda t: -abs(t[1]))


def signed_points(rows: Iterable[Any], change: float, top: int = 3) -> str:
    """'+41 %: export controls +20 pts, market adjustment +21 pts, other causes +0 pts':
    the largest causes, the rest together, adding up to the move."""
    total = change * 100
    parts = points(rows, change)
    shown = [(label, pts) for label, pts in parts[:top] if abs(pts) >= 0.5]
    rest = total - sum(pts for _, pts in shown)
    text = [f"{label} {pts:+.0f} pts" for label, pts in shown]
    if abs(rest) >= 0.5:
        text.append(f"other causes {rest:+.0f} pts")
    return f"{total:+.0f} %: " + ", ".join(text) if text else f"{total:+.0f} %: market adjustment"
