"""The player's side of a game: one human nation, its orders, what changed for it.

Screens never touch the world directly; they go through this object, which goes through
`game.session.Game` (orders in, observations out). It holds no pygame, so the turn can be
resolved in a worker thread and the same object can be driven by tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agents.observation import Observation
from game.content import Content
from game.ledger import SECTOR_NAMES, Names, Outcome, Snapshot, Spending, outcomes, spending
from game.report.causes import CAUSE_LABELS, signed_points  # noqa: F401  (CAUSE_LABELS: re-exported)
from game.rules.orders import Order
from game.saves import Save, SaveError, read_save, write_save
from game.session import Game, Level

PART_LABELS = {
    "supply_security": "Supply security",
    "economic_cost": "Economic cost",
    "revenue": "Revenue",
    "leverage": "Leverage",
    "bloc_cohesion": "Bloc cohesion",
    "treasury": "Treasury",
}
STAGE_REFINED = 1
SHORT_NAMES = {
    "united_states": "USA",
    "european_union": "EU",
    "united_kingdom": "UK",
    "south_korea": "S. Korea",
    "south_africa": "S. Africa",
    "rest_of_world": "Rest of world",
}


def mineral_name(mineral: str) -> str:
    return mineral.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Change:
    """One line of the turn report: what moved, by how much, and why."""

    headline: str
    why: str
    good: bool | None  # None: neutral
    weight: float  # for ranking


@dataclass
class TurnReport:
    turn: int
    date: str
    changes: list[Change] = field(default_factory=list)
    news: list[tuple[str, str]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    score_before: float = math.nan
    score_after: float = math.nan
    orders: list[Outcome] = field(default_factory=list)
    """What each of the player's orders did, or why it was refused; then each deal's deliveries."""
    messages: list[str] = field(default_factory=list)
    """Diplomatic messages to the player, and what other nations did to or about it."""
    spending: Spending | None = None


@dataclass(frozen=True)
class Decision:
    """A player's order and what followed it (for the debrief)."""

    turn: int
    date: str
    text: str
    effect: str


class Play:
    """A human nation's game."""

    def __init__(self, game: Game, nation: str) -> None:
        self.game = game
        self.nation = nation
        self.reports: list[TurnReport] = []
        self.last_turn_seconds = 0.0
        self._costs: dict[str, float] = {}
        """Cost of each order queued this turn, as the world priced it on submission."""
        self._obs: Observation | None = None
        self._snapshot: Snapshot | None = None
        self._names: Names | None = None

    # ---------------------------------------------------------------- making one

    @classmethod
    def new(cls, content: Content, scenario: str, nation: str, level: str = "normal", seed: int = 0) -> Play:
        game = Game(content, scenario, seed, controllers={nation: None}, level=Level(level))
        return cls(game, nation)

    @classmethod
    def from_save(cls, content: Content, save: Save) -> Play:
        """Rebuild a saved game (raises SaveError with a message for the player)."""
        game = Game.from_save(content, save)
        humans = game.humans
        if not humans:
            raise SaveError(
                "<save>", "it has no human player (an AI-only run)", "Open it as a replay instead."
            )
        return cls(game, humans[0])

    @classmethod
    def load(cls, content: Content, path: Path) -> Play:
        return cls.from_save(content, read_save(path))

    def save(self, path: Path) -> Path:
        return write_save(self.game.to_save(), path, self.game.sealer)

    # ---------------------------------------------------------------- reading

    @property
    def world(self) -> Any:
        return self.game.world

    @property
    def content(self) -> Content:
        return self.game.content

    @property
    def scenario(self) -> Any:
        return self.game.world.scenario

    @property
    def obs(self) -> Observation:
        if self._obs is None or self._obs.turn != self.game.turn:
            self._obs = self.game.observe(self.nation)
        if self._snapshot is None or self._snapshot.turn != self.game.turn:
            # before any order of this turn applies: what the turn report compares against
            self._snapshot = Snapshot.take(self.game.world, self.nation)
            self.names.known.update(self._snapshot.proposals)
        return self._obs

    @property
    def names(self) -> Names:
        """Ids to display names in any text a player reads."""
        if self._names is None:
            self._names = Names(self.content, self.game.world)
        return self._names

    def refresh(self) -> None:
        self._obs = None

    @property
    def turn(self) -> int:
        return self.game.turn

    @property
    def over(self) -> bool:
        return self.game.over

    @property
    def date(self) -> str:
        return self.scenario.date_of(min(self.turn, self.scenario.turns - 1))

    def name(self, nation: str) -> str:
        spec = self.content.nations.get(nation)
        return spec.name if spec else nation

    def short_name(self, nation: str) -> str:
        """A name that fits on the map and in tight lines."""
        return SHORT_NAMES.get(nation) or self.name(nation)

    def price_history(self) -> np.ndarray:
        """(T+1, M) world-average refined price paid, USD/t: the start's prices (the world
        is spun up to the policies in force) before the first turn, then each turn's average."""
        n = len(self.world.nation_ids)
        rows = [self.world.start_paid[:, :n].mean(axis=1)]
        rows += [r.refined_paid[:, :n].mean(axis=1) for r in self.world.records]
        return np.array(rows)

    def current_price(self) -> np.ndarray:
        return self.price_history()[-1]

    def check_cost(self, order: Order) -> float:
        """What a queued order will cost when it applies (USD m)."""
        return self._costs.get(order.model_dump_json(), 0.0)

    # ---------------------------------------------------------------- orders

    def parse(self, raw: dict[str, Any]) -> Order | str:
        """An order from the panel's fields, or the reason the fields do not make one."""
        return self.game.world.desk.parse({"issuer": self.nation, **raw})

    def check(self, raw: dict[str, Any]) -> tuple[bool, str, float]:
        """(accepted, reason, cost USD m) as the world would answer, without queueing."""
        order = self.parse(raw)
        if isinstance(order, str):
            return False, self.names(order), 0.0
        verdict = self.game.world.check(order)
        return verdict.accepted, self.names(verdict.reason), verdict.cost_usd_m

    def submit(self, raw: dict[str, Any], note: str = "") -> tuple[bool, str, float]:
        """Queue the order; `note`: the team's own reason (wargames keep it for the hot-wash)."""
        order = self.parse(raw)
        if isinstance(order, str):
            return False, self.names(order), 0.0
        verdict = self.game.submit(order)
        if verdict.accepted:
            self._costs[order.model_dump_json()] = verdict.cost_usd_m
            if note.strip():
                from game.ui.wargame import note_rationale  # (wargame builds on play)

                note_rationale(self.game, self.nation, self.queued()[-1], note)
        return verdict.accepted, self.names(verdict.reason), verdict.cost_usd_m

    remote = False
    """Orders are checked here by the world itself (game.ui.context.RemotePlay: by a host)."""

    @property
    def in_room(self) -> bool:
        """A wargame: each order form also takes the team's "Why?" note."""
        return self.game.room is not None

    def proposal(self, pid: int) -> Any:
        """A proposal still open, by its number (None once answered or expired)."""
        return self.world.diplomacy.proposals.get(pid)

    def queued(self) -> list[Order]:
        return self.game.world.desk.queued_by(self.nation)

    def withdraw(self, index: int) -> Order | None:
        return self.game.world.desk.withdraw(self.nation, index)

    def zone_name(self, zone: str) -> str:
        found = self.world.policies.zones.get(zone)
        return found.name if found is not None else f"the zone {zone.replace('_', ' ')}"

    def describe(self, order: Order) -> str:
        """One line a player reads: 'Ban on refined gallium to China'."""
        o = order
        n = self.name
        targets = lambda ts: ", ".join(n(t) for t in ts) or "everyone"  # noqa: E731
        match o.kind:
            case "export_control":
                what = {
                    "ban": "Ban",
                    "quota": f"Quota {o.quota_tpy or 0:,.0f} t/yr on",
                    "licensing": f"Licensing ({(o.approval_rate or 0) * 100:.0f} % approved) on",
                    "export_tax": f"Export tax {o.tax_pct or 0:.0f} % on",
                    "end_use": "End-use control on",
                }[o.instrument.value]
                return (
                    f"{what} {o.stage.value} {mineral_name(o.mineral).lower()} exports to "
                    f"{targets(o.targets)}"
                )
            case "lift_export_control":
                return f"Lift export controls on {mineral_name(o.mineral).lower()}"
            case "tariff":
                return (
                    f"Tariff {o.rate_pct:.0f} % on {o.stage.value} "
                    f"{mineral_name(o.mineral).lower()} from {targets(o.origins)}"
                )
            case "propose_zone":
                return f"Found zone '{o.name}', inviting {targets(o.invite)}"
            case "invite_to_zone":
                return f"Invite {n(o.nation)} to {self.zone_name(o.zone)}"
            case "join_zone":
                return f"Join {self.zone_name(o.zone)}"
            case "leave_zone":
                return f"Leave {self.zone_name(o.zone)}"
            case "propose_deal":
                partner = n(o.counterparty)
                if o.deal.value == "memorandum":
                    return f"Memorandum with {partner} on {mineral_name(o.mineral).lower()}"
                return (
                    f"Offtake: {o.tonnes_per_turn:,.0f} t/turn {mineral_name(o.mineral).lower()} "
                    f"{'from' if o.issuer == o.buyer else 'to'} {partner}, {o.duration_turns} turns"
                )
            case "respond":
                what = self.names.proposal(self.proposal(o.proposal))
                return f"{'Accept' if o.accept else 'Refuse'} {what or 'a proposal'}"
            case "invest":
                return f"Invest in {o.template.replace('_', ' ')} in {n(o.country)} ({o.share_pct:.0f} %)"
            case "stockpile":
                if o.action.value == "buy":
                    return (
                        f"Stockpile {o.tonnes:,.0f} t {mineral_name(o.mineral).lower()} "
                        f"(budget ${o.budget_usd_m:,.0f}m)"
                    )
                return f"Release {o.tonnes:,.0f} t {mineral_name(o.mineral).lower()} from stockpile"
            case "share_stockpile":
                return f"Share {o.share_pct:.0f} % of stockpiles in {self.zone_name(o.zone)}"
            case "subsidise":
                return (
                    f"Subsidise {o.programme.value} of {mineral_name(o.mineral).lower()}: "
                    f"${o.usd_m_per_turn:,.0f}m/turn for {o.turns} turns"
                )
            case "fund_rnd":
                return (
                    f"R&D on {o.programme.value} of {mineral_name(o.mineral).lower()}: "
                    f"${o.budget_usd_m:,.0f}m"
                )
            case "message":
                return f"{o.tone.value.capitalize()} to {targets(o.to)}"
        return o.kind

    # ---------------------------------------------------------------- turns

    def end_turn(self) -> TurnReport:
        """Resolve the turn (the AI nations decide first). Safe in a worker thread: the
        world has no pygame, and the UI does not touch it until this returns."""
        before = self.obs
        self.game.play_turn()
        return self.after_turn(before)

    def after_turn(self, before: Observation) -> TurnReport:
        """The turn report once the world has resolved (by this play or, in a hot-seat
        game, by the last team to end its turn), against what the nation saw before."""
        costs, self._costs = self._costs, {}
        snapshot = self._snapshot
        self._obs = None
        report = self._report(before, self.game.observe(self.nation))
        if snapshot is not None and snapshot.turn == before.turn:
            world = self.game.world
            report.orders = outcomes(world, self.nation, snapshot, self.describe, costs, self.names)
            report.spending = spending(world, self.nation, snapshot, costs, self.describe)
            known = {**snapshot.proposals, **world.diplomacy.proposals}
            report.replies = [self.names(r, known) for r in report.replies]
        report.news = [(self.names(h), self.names(t)) for h, t in report.news]
        report.messages = self._messages(before.turn)
        self._obs = None
        self.reports.append(report)
        return report

    def fill(self, obs: Observation) -> np.ndarray:
        """(M,) share of this nation's need that it could buy, last turn."""
        need = obs.need.sum(axis=1)
        short = obs.shortfall.sum(axis=1)
        return np.where(need > 0, 1.0 - short / np.where(need > 0, need, 1.0), 1.0)

    def _report(self, before: Observation, after: Observation) -> TurnReport:
        records = self.game.world.records
        record = records[-1]
        me = after.me
        report = TurnReport(turn=before.turn, date=before.date)
        report.score_before, report.score_after = before.score, after.score
        n = len(after.nations)
        for m, mineral in enumerate(after.minerals):
            # the core explains every price move above a few percent, with its size: use its
            # numbers, so the report says what the tables say
            rows = record.explanations.cell(m, STAGE_REFINED, me)
            new = float(record.refined_paid[m, me])
            if not rows or new <= 0:
                continue
            change = rows[0].change
            if abs(change) < 0.05:
                continue
            why = signed_points(rows, change)
            report.changes.append(
                Change(
                    f"{mineral_name(mineral)} price {change * 100:+.0f} % (you paid ${new:,.0f}/t)",
                    why,
                    good=None if after.nation in _sellers(after, m) else change < 0,
                    weight=abs(change),
                )
            )
        f0, f1 = self.fill(before), self.fill(after)
        for m, mineral in enumerate(after.minerals):
            if before.turn == 0 or after.need[m].sum() <= 0:
                continue
            delta = f1[m] - f0[m]
            if abs(delta) < 0.02:
                continue
            short = after.shortfall[m]
            worst = int(np.argmax(short)) if short.sum() > 0 else -1
            sectors = [s.value for s in _sectors()]
            detail = (
                f"worst in {SECTOR_NAMES.get(sectors[worst], sectors[worst])}"
                if worst >= 0
                else "no shortfall"
            )
            suppliers = after.import_dependence()[m]
            top = np.argsort(-suppliers)[:2]
            src = ", ".join(
                f"{self.name(after.nations[i])} {suppliers[i] * 100:.0f} %" for i in top if suppliers[i] > 0
            )
            report.changes.append(
                Change(
                    f"{mineral_name(mineral)} supply {f1[m] * 100:.0f} % of need ({delta * 100:+.0f} pts)",
                    f"{detail}; imports from {src}" if src else detail,
                    good=delta > 0,
                    weight=abs(delta) * 3,
                )
            )
        money = after.treasury_usd_m - before.treasury_usd_m
        if abs(money) >= 1:
            report.changes.append(
                Change(
                    f"Treasury {'+' if money >= 0 else '−'}${abs(money):,.0f}m (now "
                    f"${after.treasury_usd_m:,.0f}m)",
                    "orders paid, programmes, deals and revenue this turn",
                    good=money >= 0,
                    weight=0.02,
                )
            )
        if not math.isnan(before.score) and not math.isnan(after.score):
            parts = sorted(
                ((after.score_parts[k] - before.score_parts.get(k, 0.0), k) for k in after.score_parts),
                key=lambda t: -abs(t[0]),
            )
            why = ", ".join(
                f"{PART_LABELS.get(k, k).lower()} {d:+.1f}" for d, k in parts[:3] if abs(d) >= 0.05
            )
            delta = after.score - before.score
            report.changes.append(
                Change(
                    f"Score {after.score:.1f} ({delta:+.1f})",
                    why or "steady",
                    good=delta >= 0,
                    weight=abs(delta) / 50,
                )
            )
        report.changes.sort(key=lambda c: -c.weight)
        report.changes = report.changes[:8]
        report.news = [(item.headline, item.text) for item in after.news if item.turn == before.turn][:8]
        report.replies = list(after.replies)[:8]
        del n
        return report

    def _messages(self, turn: int) -> list[str]:
        """Messages sent to this nation during `turn`, and what others did to or about it."""
        world = self.game.world
        out = []
        for t, sender, to, tone, text in world.messages:
            if t == turn and to == self.nation:
                said = f": “{text}”" if text else ""
                out.append(f"{self.name(sender)} sent you a {tone} message{said}")
        grouped: dict[tuple[str, str], list[float]] = {}
        for act in self.obs.acts:
            if act.turn == turn and act.target == self.nation and act.actor != self.nation:
                grouped.setdefault((act.actor, act.kind), []).append(act.change)
        for (actor, kind), changes in grouped.items():
            times = f" ×{len(changes)}" if len(changes) > 1 else ""
            out.append(
                f"{self.name(actor)}: {kind.replace('_', ' ')}{times} "
                f"(your regard for them {sum(changes):+.0f})"
            )
        return out

    # ---------------------------------------------------------------- history

    def my_orders(self) -> list[tuple[int, Order]]:
        return [(o.turn, o.order) for o in self.game.order_log() if o.order.issuer == self.nation]

    def decisions(self) -> list[Decision]:
        """The player's orders with the score movement over the following four turns."""
        records = self.game.world.records
        me = self.game.world.nation_ids.index(self.nation)
        out: list[Decision] = []
        for turn, order in self.my_orders():
            effect = ""
            if turn < len(records) and records[turn].score.size:
                start = float(records[turn].score[me])
                end_turn = min(turn + 4, len(records) - 1)
                end = float(records[end_turn].score[me])
                if not (math.isnan(start) or math.isnan(end)):
                    effect = f"score {start:.1f} to {end:.1f} by {self.scenario.date_of(end_turn)}"
            out.append(Decision(turn, self.scenario.date_of(turn), self.describe(order), effect))
        return out

    def series(self) -> dict[str, Any]:
        """Time series for the charts, from the world's records."""
        records = self.game.world.records
        me = self.game.world.nation_ids.index(self.nation)
        if not records:
            return {}
        # the world-average price paid, as the sparklines show it (an origin's own price says
        # little: most countries sell nothing, and a country with no sellers keeps a nominal one)
        ref = self.price_history()[1:]
        need = np.array([r.need[:, me, :].sum(axis=1) for r in records])
        short = np.array([r.shortfall[:, me, :].sum(axis=1) for r in records])
        security = np.where(need > 0, 1 - short / np.where(need > 0, need, 1), 1.0) * 100
        prod = np.array([r.refined_production for r in records])  # (T, M, N)
        total = prod.sum(axis=2, keepdims=True)
        shares = np.divide(prod, total, out=np.zeros_like(prod), where=total > 0)
        hhi = (shares**2).sum(axis=2) * 10_000
        score = np.array([float(r.score[me]) if r.score.size else np.nan for r in records])
        parts = np.array([r.score_parts[me] if r.score_parts.size else np.full(6, np.nan) for r in records])
        return {
            "turns": np.arange(len(records)),
            "dates": [self.scenario.date_of(r.turn) for r in records],
            "minerals": list(self.world.mineral_ids),
            "price": ref,
            "security": security,
            "hhi": hhi,
            "score": score,
            "parts": parts,
        }


def _sectors() -> tuple:
    from agents.observation import SECTORS

    return SECTORS


def _sellers(obs: Observation, m: int) -> set[str]:
    """Nations that refine a real share of mineral m (a higher price is no loss to them)."""
    return {obs.nations[i] for i in np.flatnonzero(obs.refine_share[m] > 0.2)}
