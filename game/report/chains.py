"""Causal chains read off a finished game: an act, and the price move it measurably caused;
then what followed, which the model did not measure as caused.

A chain starts at an accepted export control or tariff. Its one measured link is to the
move of the target's price in the turn it took effect: the world's price attribution gives
policy causes (export controls, tariffs and zones) a number of points of that move, and
the link is drawn only where those points carry at least LINK_MIN of the move in its own
direction. The strength of the link is that part. What the target went short of, and what
it did next, are reported beside the chain as what followed, never joined to it by an
arrow: nothing in the model measures that the act caused them. Chains are ranked by the
points policy carried, so a report leads with what mattered most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from game.report.causes import points
from game.rules import Sector
from game.rules.orders import ImposeExportControl, Order, SetTariff
from game.world.model import WorldModel

LINK_MIN = 0.25
"""The share of a move policy causes must carry, in its direction, for the act to be linked
to it (a move mostly explained by something else is not this act's doing)."""
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
    price_change: float  # relative change of the target's price in the turn the act took effect
    policy_share: float  # share of that change the attribution gives to policy
    shortfall_t: float  # largest rise of one sector's shortfall (t per turn) within SHORTFALL_TURNS
    sector: str
    response: str
    response_turn: int | None
    causes: tuple[tuple[str, float], ...] = ()
    """Every cause of the price move in signed points (they add up to the move)."""

    @property
    def move_pct(self) -> float:
        """The price move in percent (relative change)."""
        return 100 * self.price_change

    @property
    def policy_points(self) -> float:
        """Points of the move carried by policy causes (a share of the move times the move)."""
        return self.policy_share * self.move_pct

    @property
    def strength(self) -> float:
        """The part of the move the act's causes carried, 0..1 (in the move's direction)."""
        if self.move_pct == 0:
            return 0.0
        return float(min(max(self.policy_points / self.move_pct, 0.0), 1.0))

    @property
    def measured(self) -> bool:
        return self.strength >= LINK_MIN and abs(self.move_pct) >= 1.0

    @property
    def weight(self) -> float:
        return abs(self.policy_points) if self.measured else 0.0

    def act_words(self, world: WorldModel) -> str:
        who = f"{world.display(self.actor)}'s " if self.actor else ""
        return f"{who}{self.act}"

    def act_text(self, world: WorldModel) -> str:
        return f"{self.act_words(world)} ({world.scenario.date_of(self.turn)})"

    def link_text(self, world: WorldModel) -> str:
        """The measured link: the move and the points policy carried of it."""
        mineral = MINERAL_WORDS.get(self.mineral, self.mineral.replace("_", " "))
        causes = ", ".join(f"{label} {pts:+.0f} pts" for label, pts in self.causes[:3] if abs(pts) >= 0.5)
        rest = self.move_pct - sum(pts for _, pts in self.causes[:3] if abs(pts) >= 0.5)
        if abs(rest) >= 0.5:
            causes += f", other causes {rest:+.0f} pts"
        return (
            f"{mineral} price paid in {world.display(self.target)} {self.move_pct:+.0f} % that quarter "
            f"({causes}); the act's cause carried {self.policy_points:+.0f} pts, a link of strength "
            f"{100 * self.strength:.0f} %"
            + (" (more than the whole move: other causes pulled the other way)" if self.strength >= 1 else "")
        )

    def followed_text(self, world: WorldModel) -> str:
        """What came after, not measured as caused by the act."""
        name = world.display
        parts = []
        if self.shortfall_t >= 0.5:
            sector = SECTOR_WORDS.get(self.sector, self.sector.replace("_", " "))
            parts.append(
                f"{name(self.target)}'s {sector} shortfall rose by {self.shortfall_t:,.0f} t a quarter"
            )
        if self.response_turn is not None:
            parts.append(
                f"{name(self.target)} {self.response} ({world.scenario.date_of(self.response_turn)})"
            )
        return "; ".join(parts)

    def text(self, world: WorldModel) -> str:
        """One line: the act → its measured price link; then what followed, unlinked."""
        line = f"{self.act_text(world)} → {self.link_text(world)}."
        followed = self.followed_text(world)
        if followed:
            line += f" What followed (not measured as caused): {followed}."
        return line


MINERAL_WORDS = {"rare_earths": "rare-earth", "pgm": "platinum-group metal"}
SECTOR_WORDS = {
    "ev_batteries": "EV-battery",
    "grid_storage": "grid-storage",
    "electronics": "electronics",
    "defence": "defence",
    "wind_solar": "wind and solar",
    "other": "other-uses",
}
PER_ACT = 2
"""At most this many chains from one act (a ban on everyone hits every importer alike)."""


def _act(world: WorldModel, order: Order) -> str | None:
    mineral = order.mineral.replace("_", " ") if hasattr(order, "mineral") else ""
    match order:
        case ImposeExportControl():
            whom = "" if not order.targets else " to " + ", ".join(world.display(t) for t in order.targets)
            return f"{order.instrument.value.replace('_', ' ')} on {order.stage.value} {mineral}{whom}"
        case SetTariff() if order.rate_pct > 0:
            return f"{order.rate_pct:g} % tariff on {mineral}"
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
        act = _act(world, rec.order)
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
            # the act's own family of causes: a control's link is what export controls carried
            cause = "export_controls" if isinstance(order, ImposeExportControl) else "tariffs_and_zones"
            share = sum(e.share for e in moves if e.cause == cause)
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
                        fields = {k: _words(world, v) for k, v in later.order.model_dump().items()}
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
                    causes=tuple(points(moves, float(change))),
                )
            )
    chains = [c for c in _merged(world, chains) if c.measured]
    chains.sort(key=lambda c: (-c.weight, c.turn, c.actor, c.target))
    kept: list[Chain] = []
    per_act: dict[tuple[int, str, str], int] = {}
    for c in chains:
        key = (c.turn, c.actor, c.act)
        if per_act.get(key, 0) < PER_ACT:
            kept.append(c)
            per_act[key] = per_act.get(key, 0) + 1
    return kept[:limit]


def _merged(world: WorldModel, chains: list[Chain]) -> list[Chain]:
    """One chain per target, mineral and quarter: the attribution measures what export controls
    (or tariffs) did together, so acts that took effect in the same quarter share one link and
    the report does not credit each with the whole of it."""
    groups: dict[tuple[int, str, str], list[Chain]] = {}
    for c in chains:
        groups.setdefault((c.turn, c.mineral, c.target), []).append(c)
    out = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            out.append(first)
            continue
        acts = [f"{world.display(c.actor)}'s {c.act}" for c in group]
        together = ", ".join(acts[:-1]) + f" and {acts[-1]}"
        out.append(
            replace(
                first,
                actor="",
                act=f"{together}, together (the model does not split the points between them)",
            )
        )
    return out


def _words(world: WorldModel, value: object) -> str:
    """An order field as a reader says it: zone and nation names, not ids."""
    text = str(value)
    zone = world.policies.zones.get(text)
    if zone is not None:
        return zone.name
    if text in world.nation_ids:
        return world.display(text)
    return text.replace("_", " ")
