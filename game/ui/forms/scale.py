"""What gives an order's numbers their scale: the player's need, stock and exports of the
mineral and its price, and the amounts no minister would sign (refused with the reason).

The order desk accepts any amount its schema allows (1e9 t of gallium is 'valid'); these
checks are the form's, because only the player's own scale makes 500 t big or small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from game.rules.orders import StockpileAction
from game.ui.context import OrderContext
from game.ui.forms.spec import BadInput
from game.ui.panels.fmt import price
from game.world.mechanisms.stockpiles import releasable, stockpile_refusal

STOCK_YEARS = 10
"""A stockpile buy beyond this many years of the nation's need is refused."""
OFFTAKE_QUARTERS = 4
"""An offtake taking more than this many quarters of need each quarter is refused."""


@dataclass(frozen=True)
class Scale:
    need: float  # t a quarter, every sector
    stock: float  # t
    exports: float  # t a quarter at the stage, refined unless said
    world_average: float  # USD/t
    you_paid: float  # USD/t


def scale(play: OrderContext, mineral: str, stage: str = "refined") -> Scale:
    obs = play.obs
    m = obs.m(mineral)
    me = obs.me
    flow = (obs.refined_flow if stage == "refined" else obs.ore_flow)[m]
    exports = float(flow[me].sum() - flow[me, me])
    return Scale(
        need=float(obs.need[m].sum()),
        stock=float(obs.stockpile[m]),
        exports=exports,
        world_average=float(play.current_price()[m]),
        you_paid=float(obs.refined_price[m, me]),
    )


def scale_html(play: OrderContext, mineral: str, stage: str = "refined") -> str:
    s = scale(play, mineral, stage)
    name = play.names(mineral)
    return (
        f"<b>Your {esc_name(name)}</b>: need {s.need:,.0f} t a quarter · stock {s.stock:,.0f} t · "
        f"exports {s.exports:,.0f} t a quarter<br>Price: world average {price(s.world_average)} · "
        f"you paid {price(s.you_paid)}"
    )


def esc_name(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def check_scale(play: OrderContext, action: str, v: dict[str, Any]) -> str:
    """Raise BadInput for an amount out of all proportion; return a warning (or '') for an
    order that is possible but would do little."""
    mineral = v.get("mineral")
    if mineral not in play.obs.minerals:
        return ""
    s = scale(play, mineral, v.get("stage", "refined"))
    name = play.names(mineral)
    if action == "buy":
        most = STOCK_YEARS * 4 * s.need
        if v["tonnes"] > max(most, 1.0):
            raise BadInput(
                f"Tonnes: {v['tonnes']:,.0f} t is {v['tonnes'] / max(s.need * 4, 1e-9):,.0f} years of your "
                f"{name} need; buy at most {most:,.0f} t ({STOCK_YEARS} years)"
            )
        at_world = v["tonnes"] * s.world_average / 1e6
        if v["budget"] > 0 and at_world > 0:
            return f"At the world average price {v['tonnes']:,.0f} t costs about ${at_world:,.0f}m."
    if action == "release" and v["tonnes"] > 0:  # the desk's rule, on the desk's fact
        # a remote seat has no world: its own observed stock, and the host's verdict on submit
        m = play.obs.m(mineral)
        held = float(play.obs.stockpile[m] if play.remote else releasable(play.world.state)[play.obs.me, m])
        if stockpile_refusal(StockpileAction.RELEASE, v["tonnes"], 0.0, held):
            raise BadInput(f"Tonnes: you hold only {max(held, 0):,.0f} t of {name} to release")
    if action == "offtake" and v.get("role") == "buyer":
        most = OFFTAKE_QUARTERS * s.need
        if v["tonnes"] > max(most, 1.0):
            raise BadInput(
                f"Tonnes per turn: {v['tonnes']:,.0f} t is more than {OFFTAKE_QUARTERS} quarters of your "
                f"{name} need ({s.need:,.0f} t a quarter)"
            )
    if action == "export_control" and s.exports < 0.5:
        stage = "ore" if v.get("stage") == "ore" else "refined"
        return f"You export no {stage} {name}: this control would move nothing."
    return ""


def preview_html(play: OrderContext, pv: Any, mineral: str | None) -> str:
    """The fork's answer in two or three lines: the order's mineral first, then the other
    mineral that moved most, each 'without / with'."""
    if not pv.accepted:
        return (
            f"<font color='#ff8a7a'><b>On the fork the order was refused:</b> {play.names(pv.reason)}</font>"
        )
    lines = sorted(
        pv.lines,
        key=lambda ln: (
            ln.mineral != mineral,
            -abs(ln.world_price[1] - ln.world_price[0]) / max(ln.world_price[0], 1e-9),
        ),
    )
    # the UI's font has no arrow: 'without / with' pairs, read left to right
    out = ["<b>Next quarter, without / with this order</b> (resolved on a fork):"]
    for ln in lines[:2]:
        name = play.names(ln.mineral)
        out.append(
            f"{esc_name(name.capitalize())}: world average {price(ln.world_price[0])} / "
            f"{price(ln.world_price[1])}; you paid {price(ln.you_paid[0])} / {price(ln.you_paid[1])}; "
            f"your supply {ln.supplied[0] * 100:.0f} / {ln.supplied[1] * 100:.0f} % of need; "
            f"stock {ln.stock[0]:,.0f} / {ln.stock[1]:,.0f} t"
        )
    out.append(f"Treasury ${pv.treasury[0]:,.0f}m / ${pv.treasury[1]:,.0f}m")
    return "<br>".join(out)
