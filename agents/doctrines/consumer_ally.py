"""The consumer ally (the United States, the EU, Japan, Korea…): builds collective security.

When refining is concentrated in a rival's hands and shortfalls, controls or price spikes
appear, it acts in order of urgency:

1. protests a hostile act aimed at it last turn;
2. builds a price-floor zone with like-minded nations (the camp's largest economy founds it,
   the next ones do if it has not after a while) and, as founder, invites producers into it;
3. for each stressed mineral, most stressed first: releases stockpile into a shortage or
   buys reserves while prices are sane, locks in an offtake with a reliable refiner (or
   finances a refinery at a friendly miner), builds refining at home or in a friendly
   producer, funds recycling or substitution research, subsidises substitution in a crisis.

It answers invitations and proposals by its own utility (relations, alignment, price,
need) and says why it refuses; it screens investment from the rival camp.
"""

from __future__ import annotations

import numpy as np

from agents.controller import Level
from agents.doctrines import procurement as buy
from agents.doctrines.answers import Stance, judge_common, zone_payoff
from agents.doctrines.assess import hostility, rival_concentration, rivals, supply_stress
from agents.doctrines.base import DoctrineController, Plan, Verdict, on_cadence
from agents.observation import F64, Observation
from game.rules import Doctrine, FloorPaidBy
from game.rules.diplomacy import Proposal
from game.rules.orders import DiplomaticMessage, InviteToZone, ProposeZone, Tone

STRESS_TO_ACT = 0.5
"""Supply stress (assess.supply_stress) from which a mineral gets attention."""
ZONE_CONCENTRATION = 0.6
"""A zone is worth founding when a rival refines at least this share of some mineral."""
FOUNDER_PATIENCE = 4
"""Turns the camp's n-th largest economy waits for the larger ones to found a zone."""
EXTERNAL_TARIFF = {Level.EASY: 10.0, Level.NORMAL: 25.0, Level.HARD: 25.0}
FLOOR_OF_NORMAL = {Level.EASY: 0.8, Level.NORMAL: 0.9, Level.HARD: 1.0}
"""The zone's price floor as a share of the mineral's normal price."""
APPETITE = {
    Level.EASY: buy.Appetite(
        cover_turns=1.0,
        max_buy_price=3.0,
        release_gap=0.25,
        offtake_share=0.1,
        premium_pct=0.0,
        min_seller_relations=0.0,
        camp_only=True,
    ),
    Level.NORMAL: buy.Appetite(
        cover_turns=2.0,
        max_buy_price=1.6,
        release_gap=0.1,
        offtake_share=0.15,
        premium_pct=0.0,
        min_seller_relations=0.0,
        camp_only=True,
    ),
    Level.HARD: buy.Appetite(
        cover_turns=3.0,
        max_buy_price=1.2,
        release_gap=0.05,
        offtake_share=0.25,
        premium_pct=5.0,
        min_seller_relations=-10.0,
        camp_only=True,
    ),
}


class ConsumerAlly(DoctrineController):
    doctrine = Doctrine.CONSUMER_ALLY
    stance = Stance(
        min_relations=-20, seller_floor=0.95, buyer_ceiling=1.1, host_min_relations=0, screen_rivals=True
    )

    # ---------------------------------------------------------------- answers

    def judge(self, proposal: Proposal, observation: Observation) -> Verdict:
        stress = supply_stress(observation, self.content)
        order = proposal.order
        if not isinstance(order, InviteToZone):
            return judge_common(self.stance, proposal, observation, self.content, stress)
        return self.judge_zone(order, observation, stress)

    def judge_zone(self, invite: InviteToZone, observation: Observation, stress: F64) -> Verdict:
        """Join a zone of our camp when its gain beats what it costs with those it shuts out."""
        zone = next((z for z in observation.zones if z.id == invite.zone), None)
        if zone is None:
            return Verdict(False, "that zone no longer exists")
        mine = observation.alignment[observation.me]
        founder = observation.n(zone.founder)
        if rivals(mine, observation.alignment[founder]):
            return Verdict(False, "we do not join our rival's bloc")
        for z in observation.my_zones():
            if rivals(mine, observation.alignment[observation.n(z.founder)]):
                return Verdict(False, f"we are members of {z.name}")
        if observation.relations[founder] < self.stance.min_relations:
            return Verdict(False, "relations too poor")
        gain, cost, who = zone_payoff(observation, zone, stress)
        gain += 1.0 if observation.alignment[founder] == mine else 0.0
        if gain >= cost:
            return Verdict(True, "we share the zone's goals", gain - cost)
        if who:
            return Verdict(False, f"joining would cost us too much with {who}", gain - cost)
        return Verdict(False, "no need: our supply is secure", gain - cost)

    # ---------------------------------------------------------------- initiatives

    def appetite(self) -> buy.Appetite:
        return APPETITE[self.level]

    def initiatives(self, observation: Observation, rng: np.random.Generator, plan: Plan) -> None:
        stress = supply_stress(observation, self.content)
        self.protest(observation, plan)
        self.build_zone(observation, stress, plan)
        self.secure(observation, stress, plan)

    def stressed(self, observation: Observation, stress: F64) -> list[str]:
        """Minerals worth acting on, most stressed first (ties by name: deterministic)."""
        cut = STRESS_TO_ACT * self.temper.threshold
        values = stress.tolist()  # Python floats: the same order, without numpy scalars
        minerals = observation.minerals
        worth = [m for m in range(len(minerals)) if values[m] >= cut]
        return [minerals[m] for m in sorted(worth, key=lambda m: (-values[m], minerals[m]))]

    def secure(self, observation: Observation, stress: F64, plan: Plan) -> None:
        ap = self.appetite()
        stressed = self.stressed(observation, stress)
        for mineral in stressed:
            if plan.full:
                return
            buy.release(self, observation, plan, mineral, ap) or buy.buy_stock(
                self, observation, plan, mineral, ap
            )
            buy.offtake(self, observation, plan, mineral, ap)
            buy.invest(self, observation, plan, mineral, ap)
            buy.subsidise(self, observation, plan, mineral)
        urgent = 2 * STRESS_TO_ACT * self.temper.threshold
        for mineral in stressed:
            if plan.full:
                return  # nothing more can be added
            if stress[observation.m(mineral)] >= urgent:
                buy.research(self, observation, plan, mineral)

    def protest(self, observation: Observation, plan: Plan) -> None:
        """Protest the worst hostile act aimed at us last turn."""
        acts = [a for a in observation.acts if a.target == self.nation and a.change <= -5]
        if not acts:
            return
        worst = min(acts, key=lambda a: (a.change, a.actor))
        plan.add(
            DiplomaticMessage(
                issuer=self.nation,
                to=[worst.actor],
                tone=Tone.PROTEST,
                text=f"We protest the {worst.kind.replace('_', ' ')} and call for its withdrawal.",
            )
        )

    # ---------------------------------------------------------------- zones

    def camp(self, observation: Observation) -> list[int]:
        """Consumer allies of our alignment, largest economy first."""
        mine = observation.alignment[observation.me]
        allies = [
            i
            for i in range(len(observation.nations))
            if observation.alignment[i] == mine and observation.doctrine[i] == Doctrine.CONSUMER_ALLY
        ]
        return sorted(allies, key=lambda i: (-observation.gdp_usd_bn[i], observation.nations[i]))

    def build_zone(self, observation: Observation, stress: F64, plan: Plan) -> None:
        mine = observation.alignment[observation.me]
        ours = [z for z in observation.zones if observation.alignment[observation.n(z.founder)] == mine]
        founded = [z for z in ours if z.founder == self.nation]
        if founded:
            self.invite(observation, founded[0].id, founded[0].members, plan)
            return
        if ours or observation.my_zones():
            return  # a zone of our camp exists: we wait for (or answered) its invitation
        camp = self.camp(observation)
        rank = camp.index(observation.me) if observation.me in camp else len(camp)
        if observation.turn < FOUNDER_PATIENCE * rank:
            return
        concentration = rival_concentration(observation)
        if concentration.max(initial=0.0) < ZONE_CONCENTRATION or stress.max(initial=0.0) < STRESS_TO_ACT:
            return
        plan.add(self.zone_proposal(observation, concentration))

    def zone_proposal(self, observation: Observation, concentration: F64) -> ProposeZone:
        """Zero tariffs inside, a common tariff on the minerals a rival dominates, and a price
        floor where members mine enough to matter."""
        covered = [
            x for x, c in zip(observation.minerals, concentration, strict=True) if c >= ZONE_CONCENTRATION
        ]
        invite = self.partners(observation, set())
        members = [observation.me, *(observation.n(n) for n in invite)]
        floors = {}
        for mineral in covered:
            if observation.mine_share[observation.m(mineral), members].sum() >= 0.1:
                floors[mineral] = round(self.base_price[mineral] * FLOOR_OF_NORMAL[self.level], 2)
        name = self.content.nations[self.nation].name if self.nation in self.content.nations else self.nation
        return ProposeZone(
            issuer=self.nation,
            zone=f"{self.nation}_minerals_zone",
            name=f"{name} critical-minerals partnership"[:80],
            invite=invite[:64],
            external_tariff_pct={x: EXTERNAL_TARIFF[self.level] for x in covered},
            price_floor_usd_per_t=floors,
            floor_paid_by=FloorPaidBy.BUYERS,
            emergency_sharing=True,
            note="secure supply among partners, a floor under allied producers",
        )

    def partners(self, observation: Observation, members: set[str]) -> list[str]:
        """Nations we want in our zone: our camp, and friendly nations that are not rivals
        and do not run the dominant refiner's playbook; producers first."""
        me = observation.me
        mine = observation.alignment[me]
        h = hostility(observation)
        out = []
        for i, n in enumerate(observation.nations):
            if i == me or n in members or observation.doctrine[i] == Doctrine.DOMINANT_REFINER:
                continue
            if rivals(mine, observation.alignment[i]) or h[i] >= 2:
                continue
            if observation.alignment[i] == mine or observation.relations[i] >= 10:
                out.append(i)
        weight = observation.mine_share.max(axis=0)
        return [
            observation.nations[i] for i in sorted(out, key=lambda i: (-weight[i], observation.nations[i]))
        ]

    def invite(self, observation: Observation, zone: str, members: list[str], plan: Plan) -> None:
        """As founder, invite one partner a turn (hard: two); one who declined is asked again
        only once per cadence."""
        pending = {
            p.to for p in observation.outbox if isinstance(p.order, InviteToZone) and p.order.zone == zone
        }
        asked = 0
        for n in self.partners(observation, set(members)):
            if n in pending or not on_cadence(
                observation.turn, self.nation, f"invite:{n}", self.temper.cadence
            ):
                continue
            if plan.add(InviteToZone(issuer=self.nation, zone=zone, nation=n)):
                asked += 1
            if asked >= (2 if self.temper.targeted else 1):
                return
