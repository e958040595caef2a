"""The resource-nationalist producer (Indonesia, DR Congo, Chile, Zimbabwe…): captures more
of the value chain and sells to the best bidder.

For each mineral it mines but refines little of, it restricts ore exports to force
refining at home: a ban when it mines enough of the world's supply to make buyers come to
it, a quota first when it mines less (the quota becomes a ban later if refiners still do
not come, and stays a quota for a small producer). If the ban only crashes its ore price and no refiner comes,
it swaps the ban for a quota. When prices are high it taxes exports; when they fall back,
it lifts the tax. It courts investors: it offers offtakes to the biggest buyers in exchange
for financing a refinery at home, accepts investment into its refineries eagerly, and when
several offers compete for the same tonnes it takes the best and tells the others why not.
"""

from __future__ import annotations

import numpy as np

from agents.controller import Level
from agents.doctrines.answers import Stance, judge_common, zone_payoff
from agents.doctrines.assess import (
    consumption,
    deals_with,
    price_ratio_t,
    refining_ratio,
    rivals,
    supply_stress,
    world_output,
)
from agents.doctrines.base import DoctrineController, Plan, Verdict, impose, offer_tonnes, on_cadence
from agents.doctrines.own_cost import ore_restriction_pays
from agents.observation import Observation
from game.rules import Doctrine, Instrument, Stage
from game.rules.diplomacy import Proposal
from game.rules.orders import MONEY_MAX, InviteToZone, LiftExportControl, Order, Pricing, ProposeDeal

MIN_MINE_SHARE = 0.05
"""We restrict ore exports only of minerals we mine at least this share of."""
REFINES_LITTLE = 0.5
"""Our share of world refining below this fraction of our share of mining: ore leaves us."""
BAN_AT_ONCE = 0.4
"""Mining this share of the world's supply, buyers must come to us: ban ore exports at once."""
BAN_SHARE = {Level.EASY: 0.3, Level.NORMAL: 0.2, Level.HARD: 0.15}
"""Mining this share, a quota that has not brought refiners becomes a ban (once per cadence);
below it, a quota is all the leverage we have."""
QUOTA_OF_EXPORTS = 0.6
"""A quota lets through this share of last turn's ore exports."""
ORE_PRICE_COLLAPSE = 0.5
"""Our ore price below this share of normal: the ban starves us, swap it for a quota."""
HIGH_PRICE = {Level.EASY: 1.5, Level.NORMAL: 1.3, Level.HARD: 1.2}
"""Tax exports when the price is at least this multiple of normal."""
TAX_PCT = {Level.EASY: 5.0, Level.NORMAL: 10.0, Level.HARD: 15.0}


class ResourceNationalist(DoctrineController):
    doctrine = Doctrine.RESOURCE_NATIONALIST
    stance = Stance(
        min_relations=-30, seller_floor=1.0, buyer_ceiling=1.1, host_min_relations=-20, refinery_bonus=1.0
    )

    # ---------------------------------------------------------------- answers

    def judge(self, proposal: Proposal, observation: Observation) -> Verdict:
        stress = supply_stress(observation, self.content)
        order = proposal.order
        if not isinstance(order, InviteToZone):
            return judge_common(self.stance, proposal, observation, self.content, stress)
        zone = next((z for z in observation.zones if z.id == order.zone), None)
        if zone is None:
            return Verdict(False, "that zone no longer exists")
        founder = observation.n(zone.founder)
        if rivals(observation.alignment[observation.me], observation.alignment[founder]):
            return Verdict(False, "we stay with our partners")
        if observation.my_zones():
            return Verdict(False, "we keep to the zone we are in")
        if observation.relations[founder] < self.stance.min_relations:
            return Verdict(False, "relations too poor")
        gain, cost, who = zone_payoff(observation, zone, stress)
        if gain >= cost:
            return Verdict(True, "the floor pays for our mines", gain - cost)
        return Verdict(False, f"joining would cost us too much with {who or 'our buyers'}", gain - cost)

    # ---------------------------------------------------------------- initiatives

    def initiatives(self, observation: Observation, rng: np.random.Generator, plan: Plan) -> None:
        ore = self.ore_minerals(observation)  # a pure reading: the same list both times
        for mineral in ore:
            self.restrict_ore(observation, mineral, plan)
        self.tax_exports(observation, plan)
        for mineral in ore:
            self.court(observation, mineral, plan)

    def ore_minerals(self, observation: Observation) -> list[str]:
        """Minerals we mine enough of but refine little of, biggest share first."""
        share = observation.mine_share[:, observation.me]
        ratio = refining_ratio(observation).tolist()
        order = np.argsort(-share, kind="stable").tolist()
        mined = share.tolist()
        return [
            observation.minerals[m] for m in order if mined[m] >= MIN_MINE_SHARE and ratio[m] < REFINES_LITTLE
        ]

    def ore_controls(self, observation: Observation, mineral: str) -> set[Instrument]:
        return {
            c.instrument
            for c in observation.controls_by(self.nation)
            if c.mineral == mineral and c.stage == Stage.ORE and not c.targets
        }

    def restrict_ore(self, observation: Observation, mineral: str, plan: Plan) -> None:
        m, me = observation.m(mineral), observation.me
        held = self.ore_controls(observation, mineral)
        exports = float(observation.ore_flow[m, me].sum() - observation.ore_flow[m, me, me])
        if not exports:
            exports = float(observation.mine_share[m, me]) * world_output(
                observation, self.content, mineral, Stage.ORE.value
            )
        quota_tpy = round(QUOTA_OF_EXPORTS * exports * 4, 3)
        if Instrument.BAN in held:
            normal_ore = self.base_price[mineral] * self.content.minerals[mineral].prices.ore_value_share
            starving = observation.ore_price[m, me] < ORE_PRICE_COLLAPSE * normal_ore
            if starving and self.level != Level.EASY and Instrument.QUOTA not in held and quota_tpy > 0:
                quota = impose(
                    observation,
                    mineral=mineral,
                    stage=Stage.ORE,
                    instrument=Instrument.QUOTA,
                    quota_tpy=quota_tpy,
                    note="ore ban eased to a quota: our miners cannot wait for refiners",
                )
                lift = LiftExportControl(
                    issuer=self.nation, mineral=mineral, stage=Stage.ORE, instrument=Instrument.BAN
                )
                if quota is not None and plan.limit - len(plan.orders) >= 2:
                    plan.add(quota)
                    plan.add(lift)
            return
        share = observation.mine_share[m, me]
        cut = 1.0 if Instrument.QUOTA in held or share >= BAN_AT_ONCE else 1.0 - QUOTA_OF_EXPORTS
        if not ore_restriction_pays(observation, mineral, cut):
            return  # it would cost our miners more than our refiners could gain
        if Instrument.QUOTA in held:
            due = on_cadence(observation.turn, self.nation, f"ban:{mineral}", self.temper.cadence)
            if share < BAN_SHARE[self.level] or not due:
                return
            order = self.ore_ban(observation, mineral, "the quota did not bring refiners: ore exports banned")
        elif share >= BAN_AT_ONCE:
            order = self.ore_ban(observation, mineral, f"unprocessed {mineral} ore must be refined here")
        elif quota_tpy > 0:
            order = impose(
                observation,
                mineral=mineral,
                stage=Stage.ORE,
                instrument=Instrument.QUOTA,
                quota_tpy=quota_tpy,
                note=f"{mineral} ore exports capped to build local refining",
            )
        else:
            return
        if order is not None:
            plan.add(order)

    def ore_ban(self, observation: Observation, mineral: str, note: str) -> Order | None:
        return impose(observation, mineral=mineral, stage=Stage.ORE, instrument=Instrument.BAN, note=note)

    def tax_exports(self, observation: Observation, plan: Plan) -> None:
        """A windfall tax on the stage we export most, while prices are high."""
        ratio = price_ratio_t(observation, self.content)
        me = observation.me
        mined = observation.mine_share[:, me].tolist()
        refined_share = observation.refine_share[:, me].tolist()
        mine = observation.controls_by(self.nation)
        for m, mineral in enumerate(observation.minerals):
            share = max(mined[m], refined_share[m])
            if share < MIN_MINE_SHARE:
                continue
            taxed = [c for c in mine if c.mineral == mineral and c.instrument == Instrument.EXPORT_TAX]
            if taxed and ratio[m] < 1.05:
                plan.add(
                    LiftExportControl(
                        issuer=self.nation,
                        mineral=mineral,
                        instrument=Instrument.EXPORT_TAX,
                        note="prices are back to normal",
                    )
                )
            elif not taxed and ratio[m] >= HIGH_PRICE[self.level]:
                refined = refined_share[m] >= mined[m]
                stage = (
                    Stage.REFINED
                    if refined or Instrument.BAN in self.ore_controls(observation, mineral)
                    else Stage.ORE
                )
                order = impose(
                    observation,
                    mineral=mineral,
                    stage=stage,
                    instrument=Instrument.EXPORT_TAX,
                    tax_pct=TAX_PCT[self.level],
                    note="a share of the windfall for the nation",
                )
                if order is not None:
                    plan.add(order)

    def court(self, observation: Observation, mineral: str, plan: Plan) -> None:
        """Offer the biggest friendly buyer refined output from a plant it would finance here."""
        if not self.ore_controls(observation, mineral):
            return
        if not on_cadence(observation.turn, self.nation, f"court:{mineral}", self.temper.cadence):
            return
        template = self.content.projects.get(f"{mineral}_refinery")
        if template is None or any(p.mineral == mineral for p in observation.projects):
            return
        m, me = observation.m(mineral), observation.me
        bidders = [
            i
            for i in range(len(observation.nations))
            if i != me
            and observation.relations[i] >= 0
            and not deals_with(observation, observation.nations[i], mineral)
        ]
        if not bidders:
            return
        bought = np.array([consumption(observation, i)[m] for i in range(len(observation.nations))])
        best = max(bidders, key=lambda i: (bought[i] * (1 + observation.relations[i] / 100), -i))
        # The desk's limit on what we may offer is our refining now, not the plant's output.
        tonnes = offer_tonnes(
            min(template.capacity_tpy / 4 * 0.5, float(bought[best])), observation.offtake_limit(m, me)
        )
        if bought[best] <= 0 or tonnes <= 0:
            return
        financing = round(template.capex_usd_per_tpy * template.capacity_tpy / 1e6 * 0.5, 3)
        plan.add(
            ProposeDeal(
                issuer=self.nation,
                buyer=observation.nations[best],
                seller=self.nation,
                mineral=mineral,
                stage=Stage.REFINED,
                tonnes_per_turn=tonnes,
                pricing=Pricing.INDEXED,
                discount_pct=0.0,
                duration_turns=12,
                financing_usd_m=min(financing, MONEY_MAX),
                note="finance a refinery here and take half its output",
            )
        )
