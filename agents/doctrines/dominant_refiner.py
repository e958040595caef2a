"""The dominant refiner (China in Ministerial 2026): export controls as a graduated lever.

For each mineral where it refines a large share of the world's supply it climbs an
escalation ladder, one rung per turn:

    no control → licensing → tighter licensing → end-use controls on adversaries → targeted ban

The broad rungs (licensing for everyone) follow the general mood: a standing licensing
regime on its strongest levers, more minerals and tighter pass shares when several nations
provoke it at once. The targeted rungs follow each adversary's own provocation (tariffs on
it, zones that shut it out behind an external tariff, controls and hostile acts aimed at
it, bad relations): end-use controls first, a ban when it keeps provoking, on the mineral
that hurts the adversary most.

It steps down when relations recover (a lift covers every target of an instrument, so it
waits until none of them still warrants it) or when the lever costs more than it gains: its
exporters' prices collapse or its share of world refining erodes. Licences also stall or
ease from turn to turn, more often stalling when the mood is tense (this replaces random
"licences ease/stall" events). It answers zones by peeling off their hedging members with
discounted offtakes, and keeps its refiners fed by investing in refineries in producers that
ban ore exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.controller import Level
from agents.doctrines.answers import Stance, judge_common
from agents.doctrines.assess import (
    consumption,
    deals_with,
    hostility,
    per_observation,
    rivals,
    supply_stress,
)
from agents.doctrines.base import (
    DoctrineController,
    Plan,
    Verdict,
    clip,
    impose,
    offer_tonnes,
    on_cadence,
    order_cost,
)
from agents.observation import F64, Observation
from game.rules import Doctrine, Instrument, Stage
from game.rules.diplomacy import Proposal
from game.rules.orders import (
    DiplomaticMessage,
    ImposeExportControl,
    Invest,
    InviteToZone,
    LiftExportControl,
    Order,
    Pricing,
    ProposeDeal,
    Tone,
)

LEVER_SHARE = 0.6
"""A mineral is a lever when we refine at least this share of the world's supply."""
STANDING_SHARE = 0.85
"""Levers this strong keep a licensing regime even in calm times."""
WIDEN_SHARE = 0.8
"""Under provocation, licensing spreads to levers at least this strong."""
END_USE_AT = 3.0
"""An adversary's provocation (see assess.hostility) that earns end-use controls."""
BAN_AT = 6.0
"""Provocation that earns a targeted ban."""
HYSTERESIS = 1.0
"""Provocation must fall this far below a rung's threshold before the rung is lifted."""
RECOVERED = -15.0
"""Relations at or above which we consider them recovered enough to step down."""
LOOSE_PASS = 0.67
TIGHT_PASS = {Level.EASY: 0.5, Level.NORMAL: 0.42, Level.HARD: 0.33}
LOOSE_BAND = (0.6, 0.8)
TIGHT_BAND = (0.25, 0.55)
DRIFT_CHANCE = {Level.EASY: 0.05, Level.NORMAL: 0.1, Level.HARD: 0.12}
"""Chance per turn and mineral that licences stall or ease without a change of rung."""
PRICE_COLLAPSE = 0.75
"""Our exporters' price below this share of normal: the lever hurts us."""
SHARE_EROSION = 0.85
"""Our refining share below this share of the reference: customers are leaving."""
PEEL_DISCOUNT = {Level.EASY: 5.0, Level.NORMAL: 10.0, Level.HARD: 15.0}
ESCALATIONS = {Level.EASY: 1, Level.NORMAL: 2, Level.HARD: 3}
"""Ladder steps per turn, up or down."""


@dataclass(frozen=True)
class Move:
    """One rung of the ladder: the order, whom it is aimed at, and whether it escalates."""

    order: Order
    targets: tuple[str, ...]
    up: bool


class DominantRefiner(DoctrineController):
    doctrine = Doctrine.DOMINANT_REFINER
    stance = Stance(min_relations=-30, seller_floor=0.9, buyer_ceiling=1.1, host_min_relations=-20)

    # ---------------------------------------------------------------- answers

    def judge(self, proposal: Proposal, observation: Observation) -> Verdict:
        order = proposal.order
        if isinstance(order, InviteToZone):
            founder = observation.n(proposal.sender)
            if observation.alignment[founder] == observation.alignment[observation.me]:
                return Verdict(True, "partners stand together", 1.0)
            return Verdict(False, "we do not join blocs built against us")
        stress = supply_stress(observation, self.content)
        return judge_common(self.stance, proposal, observation, self.content, stress)

    # ---------------------------------------------------------------- initiatives

    def initiatives(self, observation: Observation, rng: np.random.Generator, plan: Plan) -> None:
        h = hostility(observation)
        moves = self.ladder(observation, h)[: ESCALATIONS[self.level]]
        for move in moves:
            plan.add(move.order)
        self.message_about(observation, moves, plan)
        moved = {getattr(m.order, "mineral", "") for m in moves}
        self.drift_licences(observation, h, rng, moved, plan)
        self.peel_off(observation, plan)
        self.secure_ore(observation, plan)

    def levers(self, observation: Observation) -> list[str]:
        """Minerals we refine a large share of, strongest first."""
        share = observation.refine_share[:, observation.me]
        cut = LEVER_SHARE * (0.85 if self.temper.targeted else 1.0)
        order = np.argsort(-share, kind="stable")
        return [observation.minerals[m] for m in order if share[m] >= cut]

    def hurt(self, observation: Observation, mineral: str) -> bool:
        """The lever costs us: our exporters' price collapsed or our share is eroding."""
        m, me = observation.m(mineral), observation.me
        price = observation.refined_price[m, me] / self.base_price[mineral]
        reference = self.content.minerals[mineral].reference_shares.refining.get(self.nation, 0.0) / 100
        eroded = reference > 0 and observation.refine_share[m, me] < SHARE_EROSION * reference
        return bool(price < PRICE_COLLAPSE or eroded)

    # ---------------------------------------------------------------- the ladder

    def ladder(self, observation: Observation, h: F64) -> list[Move]:
        """Rung changes for this turn: de-escalations first (they are cheap and overdue),
        then targeted escalations (the most provoking adversary first: they hurt fewer
        customers), then broad licensing."""
        levers = self.levers(observation)
        down = [*self.step_down_targeted(observation, h, levers), *self.step_broad(observation, h, levers)]
        up = self.step_up_targeted(observation, h, levers)
        return [*[m for m in down if not m.up], *up, *[m for m in down if m.up]]

    def thresholds(self) -> tuple[float, float]:
        return END_USE_AT * self.temper.threshold, BAN_AT * self.temper.threshold

    def targeted(self, observation: Observation, mineral: str, instrument: Instrument) -> frozenset[str]:
        return _aimed(observation, self.nation).get((mineral, instrument), frozenset())

    def broad_level(self, observation: Observation, mineral: str) -> tuple[int, float | None]:
        """Our licensing rung on a mineral for everyone: 0 none, 1 loose, 2 tight."""
        shares = _licensing_shares(observation, self.nation).get(mineral)
        if not shares:
            return 0, None
        p = min(shares)
        return (1 if p >= LOOSE_BAND[0] else 2), p

    def step_broad(self, observation: Observation, h: F64, levers: list[str]) -> list[Move]:
        """Licensing for everyone: widen and tighten when a coalition provokes us, keep a
        standing regime on the strongest levers, relax when calm or when it hurts us."""
        end_at, ban_at = self.thresholds()
        top = float(h.max(initial=0.0))
        coalition = int((h >= end_at).sum()) >= 2 or top >= ban_at
        calm = top < end_at - HYSTERESIS
        share = observation.refine_share[:, observation.me]
        moves: list[Move] = []
        for mineral in levers:
            s = float(share[observation.m(mineral)])
            level, _ = self.broad_level(observation, mineral)
            if self.hurt(observation, mineral):
                want_up, want_down = 0, (0 if top < 1 else 1)
            else:
                if coalition:
                    want_up = 2 if s >= WIDEN_SHARE else 1
                else:
                    want_up = 1 if top >= end_at and s >= WIDEN_SHARE else 0
                want_down = (1 if s >= STANDING_SHARE else 0) if calm else level
            if level < want_up:
                approval_rate = LOOSE_PASS if level == 0 else TIGHT_PASS[self.level]
                order = impose(
                    observation,
                    mineral=mineral,
                    stage=Stage.REFINED,
                    instrument=Instrument.LICENSING,
                    approval_rate=approval_rate,
                    note="licences tightened: our partners' hostility leaves us no choice",
                )
                if order is not None:
                    moves.append(Move(order, (), True))
            elif level > want_down:
                moves.append(Move(self.ease(observation, mineral, level), (), False))
        return moves

    def ease(self, observation: Observation, mineral: str, level: int) -> Order:
        if level == 2:
            order = impose(
                observation,
                mineral=mineral,
                stage=Stage.REFINED,
                instrument=Instrument.LICENSING,
                approval_rate=LOOSE_PASS,
                note="licences approved faster",
            )
            if order is not None:
                return order
        return LiftExportControl(
            issuer=self.nation,
            mineral=mineral,
            stage=Stage.REFINED,
            instrument=Instrument.LICENSING,
            note="licensing lifted",
        )

    def weight(self, observation: Observation, target: int, mineral: str) -> float:
        """How hard a control on `mineral` hits `target`: easy picks our biggest share;
        normal weighs how much of its supply it buys from us; hard also aims where the
        target is already short (its weakest sector's supply)."""
        m, me = observation.m(mineral), observation.me
        share = float(observation.refine_share[m, me])
        if self.level == Level.EASY:
            return share
        bought = consumption(observation, target)[m]
        dep = float(observation.refined_flow[m, me, target] / bought) if bought > 0 else 0.0
        if not self.temper.targeted:
            return share * (1 + dep)
        return share * dep * (1.5 - float(observation.fill[m, target]))

    def step_up_targeted(self, observation: Observation, h: F64, levers: list[str]) -> list[Move]:
        """One rung per adversary per turn: end-use controls, then a ban, on the mineral
        that hurts it most; a hard AI spreads end-use controls to a second mineral."""
        end_at, ban_at = self.thresholds()
        usable = [x for x in levers if not self.hurt(observation, x)]
        moves: list[Move] = []
        for t in np.argsort(-h, kind="stable"):
            if h[t] < end_at or not usable:
                break
            target = observation.nations[t]
            ranked = sorted(usable, key=lambda x: (-self.weight(observation, int(t), x), x))
            covered = [x for x in ranked if target in self.targeted(observation, x, Instrument.END_USE)]
            banned = [x for x in ranked if target in self.targeted(observation, x, Instrument.BAN)]
            if not covered:
                rung = self.targeted_control(ranked[0], Instrument.END_USE, target)
            elif h[t] >= ban_at and not banned:
                rung = self.targeted_control(covered[0], Instrument.BAN, target)
            elif self.temper.targeted and len(covered) < 2 and len(ranked) > 1 and h[t] >= end_at + 1.5:
                second = next(x for x in ranked if x not in covered)
                rung = self.targeted_control(second, Instrument.END_USE, target)
            else:
                continue
            moves.append(Move(rung, (target,), True))
        return moves

    def targeted_control(self, mineral: str, instrument: Instrument, target: str) -> Order:
        what = "military end users" if instrument == Instrument.END_USE else "all buyers"
        return impose_targeted(self.nation, mineral, instrument, target, f"{mineral} to {what} in {target}")

    def step_down_targeted(self, observation: Observation, h: F64, levers: list[str]) -> list[Move]:
        """Lift a ban or an end-use control on a mineral once relations with every nation it
        targets have recovered and their provocation has faded, or when it hurts us."""
        end_at, ban_at = self.thresholds()
        moves: list[Move] = []
        minerals = sorted({c.mineral for c in observation.controls_by(self.nation) if c.targets})
        for mineral in minerals:
            for instrument, at in ((Instrument.BAN, ban_at), (Instrument.END_USE, end_at)):
                targets = self.targeted(observation, mineral, instrument)
                if not targets:
                    continue
                idx = [observation.n(t) for t in sorted(targets) if t in observation.nations]
                recovered = all(h[i] < at - HYSTERESIS and observation.relations[i] >= RECOVERED for i in idx)
                if recovered or self.hurt(observation, mineral):
                    order = LiftExportControl(
                        issuer=self.nation,
                        mineral=mineral,
                        stage=Stage.REFINED,
                        instrument=instrument,
                        note=f"{instrument.value} controls on {mineral} lifted",
                    )
                    moves.append(Move(order, tuple(sorted(targets)), False))
                    break  # one rung per mineral per turn
        return moves

    # ---------------------------------------------------------------- licences and words

    def drift_licences(
        self, observation: Observation, h: F64, rng: np.random.Generator, moved: set[str], plan: Plan
    ) -> None:
        """Licences stall or ease a little without a change of rung: more often stalling when
        the mood is tense. One draw per lever, in a fixed order, whatever happens."""
        end_at, _ = self.thresholds()
        stall = clip(0.5 + 0.1 * (float(h.max(initial=0.0)) - end_at), 0.2, 0.8)
        for mineral in self.levers(observation):
            draw, direction = rng.random(), rng.random()
            level, current = self.broad_level(observation, mineral)
            if mineral in moved or current is None or draw >= DRIFT_CHANCE[self.level]:
                continue
            lo, hi = LOOSE_BAND if level == 1 else TIGHT_BAND
            step = -0.05 if direction < stall else 0.05
            new = round(clip(current + step, lo, hi) * 20) / 20
            if abs(new - current) < 1e-9:
                continue
            order = impose(
                observation,
                mineral=mineral,
                stage=Stage.REFINED,
                instrument=Instrument.LICENSING,
                approval_rate=new,
                note="licence approvals stall" if step < 0 else "licence approvals speed up",
            )
            if order is not None:
                plan.add(order)

    def message_about(self, observation: Observation, moves: list[Move], plan: Plan) -> None:
        """Pressure on whom we escalate against, reassurance to whom we relent toward."""
        for move in moves:
            if not move.targets:
                continue
            if move.up:
                text = "Further provocations will have consequences for your supply."
                tone = Tone.PRESSURE
            else:
                text = "China values stable supply chains and welcomes dialogue."
                tone = Tone.REASSURE
            plan.add(DiplomaticMessage(issuer=self.nation, to=list(move.targets), tone=tone, text=text))
            return

    # ---------------------------------------------------------------- zones and ore

    def peel_off(self, observation: Observation, plan: Plan) -> None:
        """Answer a zone built against us by offering its hedging members discounted supply
        of what they buy from us (or, failing that, a friendly word); a member that refused
        is courted again every half cadence, not every turn."""
        hedgers: list[int] = []
        for zone in sorted(observation.zones, key=lambda z: z.id):
            if self.nation in zone.members or not zone.external_tariff_pct:
                continue
            for member in zone.members:
                i = observation.n(member)
                camp = observation.alignment[i]
                if member != zone.founder and not rivals(camp, observation.alignment[observation.me]):
                    hedgers.append(i)
        levers = self.levers(observation)
        if not hedgers or not levers:
            return
        for i in sorted(set(hedgers), key=lambda i: (-observation.gdp_usd_bn[i], i)):
            member = observation.nations[i]
            due = on_cadence(observation.turn, self.nation, f"peel:{member}", self.temper.cadence // 2)
            if deals_with(observation, member) or not due:
                continue  # an offer is pending or in force, or was refused too recently
            bought = consumption(observation, i)
            best = max(levers, key=lambda x: (bought[observation.m(x)] * self.base_price[x], x))
            tonnes = 0.25 * float(bought[observation.m(best)]) * self.temper.scale
            tonnes = offer_tonnes(tonnes, observation.offtake_limit(observation.m(best), observation.me))
            if tonnes > 0:
                plan.add(
                    ProposeDeal(
                        issuer=self.nation,
                        buyer=member,
                        seller=self.nation,
                        mineral=best,
                        tonnes_per_turn=tonnes,
                        pricing=Pricing.INDEXED,
                        discount_pct=PEEL_DISCOUNT[self.level],
                        duration_turns=8,
                        note="preferential supply for partners who stay out of blocs",
                    )
                )
            plan.add(
                DiplomaticMessage(
                    issuer=self.nation,
                    to=[member],
                    tone=Tone.PROMISE,
                    text="Partners who keep their markets open will enjoy reliable supply.",
                )
            )
            return

    def secure_ore(self, observation: Observation, plan: Plan) -> None:
        """Keep our refiners fed: build a refinery in a friendly producer that bans or caps
        its ore exports (as Chinese firms did in Indonesia), once in a while."""
        if not on_cadence(observation.turn, self.nation, "secure_ore", 2 * self.temper.cadence):
            return
        me = observation.me
        pending = {p.to for p in observation.outbox if isinstance(p.order, Invest)}
        building = {(p.mineral, p.country) for p in observation.projects}
        for mineral in self.levers(observation):
            m = observation.m(mineral)
            template = f"{mineral}_refinery"
            if template not in self.content.projects:
                continue
            for c in sorted(observation.controls, key=lambda c: (c.issuer, c.instrument.value)):
                host = c.issuer
                if c.mineral != mineral or c.stage != Stage.ORE or host == self.nation:
                    continue
                if c.instrument not in (Instrument.BAN, Instrument.QUOTA) or host in pending:
                    continue
                i = observation.n(host)
                if (mineral, host) in building or observation.relations[i] < 0:
                    continue
                rival = rivals(observation.alignment[me], observation.alignment[i])
                if observation.mine_share[m, i] < 0.05 or rival:
                    continue
                order = Invest(
                    issuer=self.nation,
                    template=template,
                    country=host,
                    share_pct=min(60.0 * self.temper.scale, 100.0),
                    note="a refinery next to the mines: jobs for you, feed for our industry",
                )
                plan.add(order, order_cost(order, observation, self.content))
                return


@per_observation
def _aimed(observation: Observation, issuer: str) -> dict[tuple[str, Instrument], frozenset[str]]:
    """Whom `issuer`'s refined-stage controls are aimed at, by mineral and instrument: the
    ladder asks about every adversary and every lever in turn."""
    aimed: dict[tuple[str, Instrument], set[str]] = {}
    for c in observation.controls_by(issuer):
        if c.stage == Stage.REFINED:
            aimed.setdefault((c.mineral, c.instrument), set()).update(c.targets)
    return {key: frozenset(targets) for key, targets in aimed.items()}


@per_observation
def _licensing_shares(observation: Observation, issuer: str) -> dict[str, list[float]]:
    """The pass shares of `issuer`'s refined-stage licensing for everyone, by mineral, in the
    order of the controls (see `DominantRefiner.broad_level`)."""
    shares: dict[str, list[float]] = {}
    for c in observation.controls_by(issuer):
        if (
            c.stage == Stage.REFINED
            and c.instrument == Instrument.LICENSING
            and not c.targets
            and c.approval_rate is not None
        ):
            shares.setdefault(c.mineral, []).append(c.approval_rate)
    return shares


def impose_targeted(issuer: str, mineral: str, instrument: Instrument, target: str, note: str) -> Order:
    return ImposeExportControl(
        issuer=issuer,
        mineral=mineral,
        stage=Stage.REFINED,
        instrument=instrument,
        targets=[target],
        note=note,
    )
