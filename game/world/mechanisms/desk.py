"""The order desk: where every order enters the world.

`submit` validates an order against the world as it stands and queues it (or refuses it
with a reason a UI can show); `resolve`, at the start of the next turn, re-checks each
queued order (others' orders or this turn's events may have changed the world) and
applies the accepted ones in a fixed order: by phase (lifting before imposing, answers
before new proposals, money last), then by issuer in scenario order, then by submission.
Nothing here raises on a bad order: every failure becomes a reason in the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from game.rules.orders import ORDER_ADAPTER, Order
from game.world.mechanisms.base import within
from game.world.mechanisms.registry import LEVERS, cost_of, describe

if TYPE_CHECKING:
    from game.world.state import WorldState


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str = ""
    cost_usd_m: float = 0.0
    """What the order will take from the issuer's treasury when it applies."""


@dataclass(frozen=True)
class OrderRecord:
    """One line of the order log: enough to replay (`order`) and to explain (`reason`)."""

    turn: int
    seq: int
    order: Order
    accepted: bool
    reason: str
    stage: str  # "submitted" (refused on arrival), "resolved", or "event" (an event's effect)

    @property
    def issuer(self) -> str:
        return self.order.issuer

    @property
    def kind(self) -> str:
        return self.order.kind

    def json(self) -> str:
        """The order as compact JSON (defaults left out, its `kind` always in)."""
        body = self.order.model_dump(mode="json", exclude_defaults=True)
        return json.dumps({"kind": self.order.kind, **body}, separators=(",", ":"))


@dataclass
class OrderDesk:
    queued: list[tuple[int, Order]] = field(default_factory=list)
    log: list[OrderRecord] = field(default_factory=list)
    seq: int = 0

    def parse(self, raw: object) -> Order | str:
        """An order from a dict or JSON text, or the reason it is not one."""
        try:
            if isinstance(raw, str | bytes):
                return ORDER_ADAPTER.validate_json(raw)
            return ORDER_ADAPTER.validate_python(raw)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "order"
            return f"not a valid order: {where}: {first['msg']}"

    def check(self, world: WorldState, order: Order) -> Verdict:
        kind, issuer = type(order), order.issuer
        lever = LEVERS[kind]
        try:
            reason = lever.check(world, order)
            cost = float(lever.cost(world, order))  # cost_of, with the lever at hand
            if reason is None and cost > 0:
                committed = sum(cost_of(world, o) for _, o in self.queued if o.issuer == issuer)
                available = world.treasury[world.nation_index[issuer]] - committed
                if not within(cost, available):
                    reason = (
                        f"{world.display(issuer)} cannot {describe(order, world)}: it costs "
                        f"${cost:,.0f}m and only ${max(available, 0):,.0f}m is available"
                    )
            if reason is None:
                for _, o in self.queued:  # the cheap tests first: the AI queues dozens a turn
                    if o.issuer == issuer and type(o) is kind and o == order:
                        reason = f"{world.display(issuer)} has already queued this order"
                        break
        except Exception as err:  # a bug in a check must not take the game down
            reason = f"order could not be checked ({type(err).__name__}: {err})"
            cost = 0.0
        return Verdict(reason is None, reason or "", cost if reason is None else 0.0)

    def submit(self, world: WorldState, order: Order) -> Verdict:
        verdict = self.check(world, order)
        if verdict.accepted:
            self.queued.append((self.seq, order))
        else:
            self.log.append(OrderRecord(world.turn, self.seq, order, False, verdict.reason, "submitted"))
        self.seq += 1
        return verdict

    def withdraw(self, issuer: str, index: int) -> Order | None:
        """Take back the `index`-th order `issuer` queued this turn (for the UI)."""
        mine = [(s, o) for s, o in self.queued if o.issuer == issuer]
        if not 0 <= index < len(mine):
            return None
        self.queued.remove(mine[index])
        return mine[index][1]

    def digest(self) -> bytes:
        """The orders waiting for the next turn, for the world hash (the log is the save's)."""
        return repr([o.model_dump_json() for _, o in self.queued]).encode()

    def queued_by(self, issuer: str) -> list[Order]:
        return [o for _, o in self.queued if o.issuer == issuer]

    def resolve(self, world: WorldState, stage: str = "resolved") -> list[OrderRecord]:
        """Apply the queued orders in the fixed order; returns this turn's records.

        `stage` marks where they came from: "resolved" for submitted orders, "event" for an
        event's effects (a replay regenerates those from the event, so it skips them)."""
        nations = world.nation_index
        queued = sorted(
            self.queued,
            key=lambda so: (LEVERS[type(so[1])].phase, nations[so[1].issuer], so[0]),
        )
        self.queued = []
        records = []
        for seq, order in queued:
            lever = LEVERS[type(order)]
            try:
                reason = lever.check(world, order)
                cost = cost_of(world, order)
                i = nations[order.issuer]
                if reason is None and not within(cost, world.treasury[i]):
                    reason = (
                        f"{world.display(order.issuer)} cannot {describe(order, world)}: "
                        "the treasury ran short"
                    )
                if reason is None:
                    world.treasury[i] -= cost
                    reason = lever.apply(world, order)
                    if reason is not None:  # apply refuses before it changes anything
                        world.treasury[i] += cost
            except Exception as err:  # never raise out of the core; the log says what broke
                reason = f"order failed to apply ({type(err).__name__}: {err})"
            record = OrderRecord(world.turn, seq, order, reason is None, reason or "", stage)
            if reason is not None:
                world.diplomacy.replies.append((world.turn, order.issuer, reason))
            records.append(record)
        self.log.extend(records)
        return records


def apply_order_effect(s: WorldState, order: Order) -> OrderRecord | None:
    """An event's effect expressed as an order: checked like any order and applied at once,
    ahead of the players' orders queued for this turn (which resolve in their own phase)."""
    desk = s.desk
    if not desk.check(s, order).accepted:
        return None
    waiting, desk.queued = desk.queued, [(desk.seq, order)]
    desk.seq += 1
    try:
        return desk.resolve(s, stage="event")[-1]
    finally:
        desk.queued = waiting
