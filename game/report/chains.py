"""Causal chains read off a finished game: an act, what it did to prices, who went short,
and what the hurt nation did next.

A chain starts at an accepted export control or tariff. Its price effect is the move of the
targets' price in the turn it took effect, with the share the price attribution gives to
policy causes; its shortfall effect is the largest rise in a target sector's shortfall over
the next turns; the response is the target's first strategic order within RESPONSE_TURNS.
Chains are ranked by the price move times the shortfall they caused, so a report leads with
what mattered most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.rules import Sector
from game.rules.orders import ImposeExportControl, Order, SetTariff
from game.world.model import WorldModel

RESPONSE_TURNS = 4
SHORTFALL_TURNS = 2
POLICY_CAUSES = ("export_controls", "tariffs_and_zones")
RESPONSES = {
    "join_zone": "joined {zone}",
    "propose_zone": "founded the zone {zone}",
    "stockpile": "ordered stockpile action on {mineral}",
    "invest": "invested in {template}",
    "propose_deal": "sought an offtake deal for {mineral}",
    "fund_rnd": "funded {mineral} research",
    "subsidise": "subsidised {mineral} {programme}",
    "export_control": "answered with its own control on {mineral}",
    "tariff": "answered with a tariff on {mineral}",
}
SECTORS = tuple(Sector)


@dataclass(frozen=True)
class Chain:
    turn: int
    actor: str
    target: str
    mineral: str
    act: str
    price_change: float  # log change of the target's price in the turn the act took effect
    policy_share: float  # share of that change the attribution gives to policy
    shortfall_t: float  # largest rise of one sector's shortfall (t per turn) within SHORTFALL_TURNS
    sector: str
    response: str
    response_turn: int | None

    @property
    def weight(self) -> float:
        return abs(self.price_change) * max(self.policy_share, 0.0) * (1.0 + self.shortfall_t)

    def text(self, world: WorldModel) -> str:
        name = world.display
        parts = [f"{name(self.actor)}'s {self.act} ({world.scenario.date_of(self.turn)})"]
        pct = 100 * (np.exp(self.price_change) - 1)
        parts.append(
            f"{self.mineral.replace('_', ' ')} price in {name(self.target)} {pct:+.0f} % "
            f"(policy {100 * self.policy_share:.0f} % of the move)"
        )
        if self.shortfall_t > 0:
            sector = self.sector.replace("_", " ")
            parts.append(f"{name(self.target)}'s {sector} shortfall {self.shortfall_t:,.0f} t")
        if self.response_turn is not None:
            parts.append(
                f"{name(self.target)} {self.response} ({world.scenario.date_of(self.response_turn)})"
            )
        return " → ".join(parts)


def _act(order: Order) -> str | None:
    match order:
        case ImposeExportControl():
            whom = "" if not order.targets else " to " + ", ".join(order.targets)
            return f"{order.instrument.value.replace('_', ' ')} on {order.stage.value} {order.mineral}{whom}"
        case SetTariff() if order.rate_pct > 0:
            return f"{order.rate_pct:g} % tariff on {order.mineral}"
    return None


def _targets(world: WorldModel, order: Order) -> list[str]:
    if isinstance(order, ImposeExportControl):
        return order.targets or [n for n in world.nation_ids if n != order.issuer]
    if isinstance(order, SetTariff):
        return order.origins or [n for n in world.nation_ids if n != order.issuer]
    return []


def causal_chains(world: WorldModel, limit: int = 5) -> list[Chain]:
    records = {r.turn: r for r in world.records}
    log = [r for r in world.desk.log if r.accepted]
    chains: list[Chain] = []
    for rec in log:
        act = _act(rec.order)
        if act is None or rec.turn not in records:
            continue
        order = rec.order
        m = world.mineral_index(order.mineral)
        stage = 0 if order.stage.value == "ore" else 1
        # A tariff hurts the exporters it names; an export control the importers it names.
        for target in _targets(world, order):
            n = world.nation_ids.index(target)
            moves = records[rec.turn].explanations.cell(m, stage, n)
            if not moves:
                continue
            change = moves[0].change
            share = sum(e.share for e in moves if e.cause in POLICY_CAUSES)
            before = records.get(rec.turn - 1)
            base = before.shortfall[m, n] if before is not None else np.zeros(len(SECTORS))
            window = [t for t in range(rec.turn, rec.turn + SHORTFALL_TURNS) if t in records]
            rises = [records[t].shortfall[m, n] - base for t in window]
            rise = np.max(rises, axis=0) if rises else np.zeros(len(SECTORS))
            sector = int(np.argmax(rise))
            response, when = "", None
            for later in log:
                if later.issuer == target and rec.turn < later.turn <= rec.turn + RESPONSE_TURNS:
                    template = RESPONSES.get(later.kind)
                    if template:
                        fields = {k: str(v).replace("_", " ") for k, v in later.order.model_dump().items()}
                        response = template.format_map(fields)
                        when = later.turn
                        break
            chains.append(
                Chain(
                    turn=rec.turn,
                    actor=order.issuer,
                    target=target,
                    mineral=order.mineral,
                    act=act,
                    price_change=float(change),
                    policy_share=float(share),
                    shortfall_t=float(max(rise[sector], 0.0)),
                    sector=SECTORS[sector].value,
                    response=response,
                    response_turn=when,
                )
            )
    chains.sort(key=lambda c: (-c.weight, c.turn, c.actor, c.target))
    return chains[:limit]
