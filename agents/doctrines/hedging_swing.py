"""The hedging swing state (India, Brazil, Vietnam…): keeps its options open.

It buys like a consumer but from anyone, camp or not, and stockpiles modestly. It joins a
zone only when the zone's payoff (relief of its own shortfalls, a floor above today's price
on what it mines, regard for the founder) beats the cost with the nations the zone shuts
out, and leaves again when membership costs it its supply (the shut-out refiner's controls
bite and the zone does not make up for them). It accepts deals from both sides on price
and relations alone, and now and then reassures both camps' leaders.
"""

from __future__ import annotations

import numpy as np

from agents.controller import Level
from agents.doctrines import procurement as buy
from agents.doctrines.answers import Stance, zone_payoff
from agents.doctrines.assess import controls_severity_on_me, shortfall_ratio, supply_stress
from agents.doctrines.base import Plan, Verdict, on_cadence
from agents.doctrines.consumer_ally import ConsumerAlly
from agents.observation import F64, Observation
from game.rules import Doctrine, Zone
from game.rules.orders import DiplomaticMessage, InviteToZone, LeaveZone, Tone

OUTSIDER_REGARD = 0.3
"""Extra cost of a zone that shuts out a dominant refiner we are on speaking terms with."""
LEAVE_MARGIN = 0.5
"""Leave a zone when its cost exceeds its gain by this much and its controls bite."""
APPETITE = {
    Level.EASY: buy.Appetite(
        cover_turns=0.5,
        max_buy_price=3.0,
        release_gap=0.3,
        offtake_share=0.1,
        premium_pct=0.0,
        min_seller_relations=-30.0,
        camp_only=False,
        invests=False,
    ),
    Level.NORMAL: buy.Appetite(
        cover_turns=1.0,
        max_buy_price=1.4,
        release_gap=0.15,
        offtake_share=0.15,
        premium_pct=0.0,
        min_seller_relations=-30.0,
        camp_only=False,
        invests=False,
    ),
    Level.HARD: buy.Appetite(
        cover_turns=1.5,
        max_buy_price=1.15,
        release_gap=0.1,
        offtake_share=0.2,
        premium_pct=0.0,
        min_seller_relations=-30.0,
        camp_only=False,
        invests=False,
    ),
}


class HedgingSwing(ConsumerAlly):
    doctrine = Doctrine.HEDGING_SWING
    thrift = 0.5
    stance = Stance(min_relations=-40, seller_floor=0.9, buyer_ceiling=1.15, host_min_relations=-30)

    def appetite(self) -> buy.Appetite:
        return APPETITE[self.level]

    # ---------------------------------------------------------------- zones

    def zone_balance(self, observation: Observation, zone: Zone, stress: F64) -> tuple[float, str]:
        """Gain minus cost of being in `zone`, and the outsider who would resent it most."""
        gain, cost, who = zone_payoff(observation, zone, stress)
        relations, me = observation.relations.tolist(), observation.me
        for i, n in enumerate(observation.nations):
            shut_out = n not in zone.members and i != me
            refiner = observation.doctrine[i] == Doctrine.DOMINANT_REFINER
            if shut_out and refiner and relations[i] >= 0:
                cost += OUTSIDER_REGARD + relations[i] / 100
                who = who or n
        return gain - cost, who

    def judge_zone(self, invite: InviteToZone, observation: Observation, stress: F64) -> Verdict:
        zone = next((z for z in observation.zones if z.id == invite.zone), None)
        if zone is None:
            return Verdict(False, "that zone no longer exists")
        if observation.my_zones():
            return Verdict(False, "we keep to the zone we are in")
        founder = observation.n(zone.founder)
        if observation.relations[founder] < self.stance.min_relations:
            return Verdict(False, "relations too poor")
        balance, who = self.zone_balance(observation, zone, stress)
        if balance >= 0:
            return Verdict(True, "the zone's terms serve our interest", balance)
        if who:
            return Verdict(False, f"joining would cost us too much with {who}", balance)
        return Verdict(False, "the zone offers us too little", balance)

    # ---------------------------------------------------------------- initiatives

    def initiatives(self, observation: Observation, rng: np.random.Generator, plan: Plan) -> None:
        stress = self.stress(observation)
        self.reconsider_zones(observation, stress, plan)
        self.secure(observation, stress, plan)
        self.reassure_both(observation, plan)

    def stress(self, observation: Observation) -> F64:
        return supply_stress(observation, self.content)

    def reconsider_zones(self, observation: Observation, stress: F64, plan: Plan) -> None:
        """Leave a zone (not one we founded) whose outsiders' controls now cut our supply
        and which no longer pays for itself."""
        biting = (controls_severity_on_me(observation) >= 0.3) & (shortfall_ratio(observation) >= 0.1)
        if not biting.any():
            return
        for zone in observation.my_zones():
            if zone.founder == self.nation:
                continue
            balance, who = self.zone_balance(observation, zone, stress)
            if balance < -LEAVE_MARGIN:
                plan.add(
                    LeaveZone(
                        issuer=self.nation, zone=zone.id, note=f"the zone cost us our supply from {who}"
                    )
                )
                return

    def reassure_both(self, observation: Observation, plan: Plan) -> None:
        """Keep both camps' leaders warm: one message to each's largest economy."""
        if not on_cadence(observation.turn, self.nation, "reassure", 2 * self.temper.cadence):
            return
        leaders = []
        for camp in ("us_aligned", "china_aligned"):
            members = [i for i, a in enumerate(observation.alignment) if a == camp and i != observation.me]
            if members:
                leaders.append(max(members, key=lambda i: (observation.gdp_usd_bn[i], -i)))
        if leaders:
            plan.add(
                DiplomaticMessage(
                    issuer=self.nation,
                    to=[observation.nations[i] for i in leaders],
                    tone=Tone.REASSURE,
                    text="We value our partnership and keep our markets open to all.",
                )
            )

    def build_zone(self, observation: Observation, stress: F64, plan: Plan) -> None:
        """A swing state founds no zone of its own."""
