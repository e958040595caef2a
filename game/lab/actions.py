"""Actions for learning agents: a `MultiDiscrete` of order templates, and the mask of valid ones.

A nation's orders have free parameters (tonnes, money, targets, zone ids) that no policy
network should have to emit. Here each *slot* of the action vector is one family of orders;
its value picks a *template* whose parameters the env fills in from the current state, and
0 always means "nothing from this slot". Every template is built into a real `Order`, so an
agent's decisions reach the world by the same desk as a human's or an AI doctrine's, and
its log replays like any other game.

Slots, with their sizes (M minerals in scenario order, O the other nations in scenario
order, K = 3):

- control (1 + 12M): mineral m, stage (ore, refined), instrument: ban on rivals, ban on
  all, licensing 50 % on rivals, export tax 25 % on all, end-use on rivals, lift every
  control on that mineral and stage;
- tariff (1 + 3M): on rivals' refined m: 25 %, 100 %, remove;
- zone (1 + 1 + 2K + |O|): found a zone (`<nation>_zone`, inviting friends, emergency
  sharing on), join zone k, leave zone k (the k-th zone in force by id), invite nation o
  into the first zone the nation belongs to;
- answer (1 + 2K): accept or refuse the k-th proposal in the inbox (by id); accepting an
  invitation joins the zone;
- deal (1 + 3M): refined m: buy an offtake from the top supplier, a memorandum with it,
  sell an offtake to the top customer;
- invest (1 + 6M): m, kind (mine, refinery, recycler), where: at home (100 %) or in the
  best partner (60 %);
- stockpile (1 + 3M): m: buy one turn of need, release a quarter of the stockpile,
  release all of it;
- programme (1 + 4M): m: subsidise substitution, subsidise recycling (0.5 % of the
  starting treasury a turn for 8 turns), fund substitution R&D, fund recycling R&D (2 %
  of the starting treasury);
- message (1 + 5|O|): to nation o: summit, promise, reassure, pressure, protest.

Sizes: [25, 7, 11, 7, 7, 13, 7, 9, 16] on the tutorial (M = 2, |O| = 3), [97, 25, 31, 7,
25, 49, 25, 33, 116] on Ministerial 2026 (M = 8, |O| = 23).

Values are read inside the slot in the order of the table (mineral-major). Groups fixed at
reset from the starting relations: *rivals* are the nations this one regards below 0,
*friends* above 0. Chosen each turn from what the nation observes: the *top supplier* of m
(largest foreign source of its refined imports last turn, else the largest foreign
refiner), the *top customer* (largest buyer of its refined exports), the *best partner* (the
friend with the largest share of world ore output of m, else the friendliest nation).
Amounts: an offtake buys a quarter of one turn's need (at most 40 % of the seller's
capacity) at the seller's market price; a sale offers a quarter of the nation's capacity;
a stockpile purchase budgets 1.25 × the current price.

Not covered by templates (an agent can still submit them with `queue_orders`): quotas,
deals at fixed prices or with financing, tariffs on chosen origins, price floors and
external tariffs of zones, stockpile sharing inside a zone, subsidies for one sector.

The mask: `Menu.mask()` is a tuple with one `np.int8` array per slot (1 = valid); the envs
hand it out flattened into one bool array (`game.lab.masks`), the layout sb3-contrib,
PettingZoo and vector envs read. A template is valid when it could
be built here and `WorldModel.check` accepts it *on its own* (as if no other slot were
used); value 0 is always valid. Orders of several slots together may still exceed the
treasury: then the world refuses the later ones at submission (slots are submitted in
table order) and the env reports them as refused.

How the mask is computed: each template has, beside its `build`, a `valid` rule that calls
the refusal rule its mechanism's order check calls (`game.world.mechanisms`: `impose_refusal`,
`tariff_refusal`, `deal_refusal`, ...) with the parameters `build` would give the order, on
the mechanism's facts gathered once per turn (`WorldFacts`, game.lab.facts), without making
the pydantic order: ~10x faster than building and checking 399 orders, and equal to the desk
by construction. What is left here is the template's own part: whether it could be built
(`build` returns None, a parameter outside the order's pydantic range) and the desk's budget
check. Where only the desk can tell (a proposal of the same kind already pending, orders
already queued by the nation), the template is built and checked as before.
`Menu.checked_mask` is the mask by definition; tests/test_masks.py checks the two equal over
whole episodes, perturbed states and the edges of every tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import NDArray

from agents.observation import Observation
from game.content import Content
from game.lab.facts import WorldFacts, facts_of
from game.rules import Instrument, Stage
from game.rules.diplomacy import Proposal
from game.rules.orders import (
    MONEY_MAX,
    PROGRAMME_MAX,
    TONNES_MAX,
    DealKind,
    DiplomaticMessage,
    FundRnD,
    ImposeExportControl,
    Invest,
    InviteToZone,
    JoinZone,
    LeaveZone,
    LiftExportControl,
    Order,
    Programme,
    ProposeDeal,
    ProposeZone,
    RespondToProposal,
    SetTariff,
    Stockpile,
    StockpileAction,
    Subsidise,
    Tone,
)
from game.rules.policies import ControlTerms, Zone, control_terms
from game.world.mechanisms import controls, deals, investment, programmes, stockpiles, tariffs, zones
from game.world.mechanisms.base import within
from game.world.model import WorldModel

ZONE_SLOTS = 3
"""Zones in force an agent can name (join, leave): the first ones by id."""
PROPOSAL_SLOTS = 3
"""Proposals in the inbox an agent can answer at once: the oldest ones."""
SUBSIDY_SHARE = 0.005
SUBSIDY_TURNS = 8
RND_SHARE = 0.02
OFFTAKE_NEED_SHARE = 0.25
OFFTAKE_CAPACITY_SHARE = 0.4
SALE_CAPACITY_SHARE = 0.25
STOCK_PRICE_MARGIN = 1.25
PARTNER_SHARE_PCT = 60.0

SLOT_NAMES: tuple[str, ...] = (
    "control",
    "tariff",
    "zone",
    "answer",
    "deal",
    "invest",
    "stockpile",
    "programme",
    "message",
)


@dataclass
class Situation:
    """What the templates of one turn are filled from: the nation's observation, the world
    (for capacities and names), and the groups fixed at reset. Derived choices (top supplier,
    best partner) are computed once per turn and memoised; the world's facts (what the desk
    checks read) are gathered once per turn, or shared by the seats of one game."""

    world: WorldModel
    obs: Observation
    rivals: tuple[str, ...]
    friends: tuple[str, ...]
    treasury0: float
    facts_cache: dict[int, WorldFacts] | None = None
    """Where the world's facts of this turn are kept for every seat of a game (None: gathered
    for this situation alone)."""
    _memo: dict[tuple[str, int], str | None] = field(default_factory=dict)
    me: int = field(init=False)
    nation: str = field(init=False)
    _inbox: tuple[Proposal, ...] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.me = self.obs.me
        self.nation = self.obs.nation

    @cached_property
    def known(self) -> WorldFacts:
        """The world's facts now; gathered on first use, so a step that builds no template
        and wants no mask does not pay for them."""
        return facts_of(self.world, self.facts_cache)

    def capacity(self, nation: str, mineral: str, stage: Stage) -> float:
        """`WorldModel.capacity_of`, the same float, looked up in this turn's facts."""
        return self.known.capacity(nation, mineral, stage)

    @cached_property
    def _treasury(self) -> float:
        return float(self.known.treasury[self.me])

    def treasury(self) -> float:
        return self._treasury

    @cached_property
    def my_zones(self) -> tuple[Zone, ...]:
        return self.obs.my_zones()

    def inbox(self) -> tuple[Proposal, ...]:
        """The proposals waiting for this nation's answer, oldest (lowest id) first."""
        if self._inbox is None:
            self._inbox = tuple(
                sorted((p for p in self.obs.inbox if p.to == self.nation), key=lambda p: p.id)
            )
        return self._inbox

    def _pick(self, key: str, m: int, score: NDArray[np.float64]) -> str | None:
        if (key, m) not in self._memo:
            score = score.copy()
            score[self.me] = -np.inf
            best = int(np.argmax(score))
            self._memo[key, m] = self.obs.nations[best] if score[best] > 0 else None
        return self._memo[key, m]

    def top_supplier(self, m: int) -> str | None:
        obs = self.obs
        pick = self._pick("supplier", m, obs.refined_flow[m, :, self.me])
        return pick or self._pick("refiner", m, obs.refine_share[m])

    def top_customer(self, m: int) -> str | None:
        return self._pick("customer", m, self.obs.refined_flow[m, self.me, :])

    def best_partner(self, m: int) -> str | None:
        obs = self.obs
        friendly = obs.relations > 0
        pick = self._pick("partner", m, np.where(friendly, obs.mine_share[m], 0.0))
        return pick or self._pick("friendliest", m, obs.relations.astype(float))


Build = Callable[[Situation], Order | None]
Valid = Callable[[Situation], bool | None]
"""Whether a template's order would be built here and accepted by `WorldModel.check` on its
own, decided from the situation's facts without building it; None when only the desk can
tell (a proposal of the same kind is pending: the desk compares whole orders)."""


Rule = tuple[Build, Valid]


@dataclass(frozen=True)
class Template:
    label: str
    build: Build
    valid: Valid


# Each family below has a `build` (the order the template stands for) and a `valid` that
# calls the refusal rule of its mechanism (game.world.mechanisms) on this turn's facts, with
# the parameters `build` gives the order (from one helper, so they are the same floats).
# Pydantic ranges that a parameter could break (`_in_range`) are part of "could be built".


def _in_range(x: float, hi: float) -> bool:
    """0 <= x <= hi as pydantic checks it (NaN fails)."""
    return 0.0 <= x <= hi


def _affordable(s: Situation, cost: float) -> bool:
    """The desk's budget check for an order costing `cost`, with nothing else queued (the
    desk compares only costs above 0, with `within`)."""
    return not cost > 0 or within(cost, s.treasury())


@lru_cache(maxsize=4096)
def _imposed_terms(
    nation: str,
    mineral: str,
    stage: Stage,
    instrument: Instrument,
    targets: tuple[str, ...],
    params: tuple[tuple[str, float], ...],
) -> ControlTerms | None:
    """The terms of the control a template imposes (None if the model refuses them)."""
    try:
        order = ImposeExportControl(
            issuer=nation,
            mineral=mineral,
            stage=stage,
            instrument=instrument,
            targets=list(targets),
            **dict(params),
        )
    except ValueError:
        return None
    return control_terms(order)


def _control(mineral: str, stage: Stage, instrument: Instrument, rivals_only: bool, **params: float) -> Rule:
    def build(s: Situation) -> Order | None:
        if rivals_only and not s.rivals:
            return None
        if s.capacity(s.nation, mineral, stage) <= 0:  # the world's first refusal, asked once
            return None
        targets = list(s.rivals) if rivals_only else []
        return ImposeExportControl(
            issuer=s.nation, mineral=mineral, stage=stage, instrument=instrument, targets=targets, **params
        )

    frozen = tuple(sorted(params.items()))

    def valid(s: Situation) -> bool:
        if rivals_only and not s.rivals:
            return False
        capacity = s.capacity(s.nation, mineral, stage)
        if capacity <= 0:  # `build` gives no order (the refusal rule would say so too)
            return False
        targets = s.rivals if rivals_only else ()
        terms = _imposed_terms(s.nation, mineral, stage, instrument, targets, frozen)
        if terms is None:
            return False
        known = s.known
        return (
            controls.impose_refusal(known.state, mineral, stage, capacity, terms, known.control_terms) is None
        )

    return build, valid


def _lift(mineral: str, stage: Stage) -> Rule:
    def valid(s: Situation) -> bool:
        return controls.lift_refusal(s.known.controlled.get((s.nation, mineral, stage), []), []) is None

    return lambda s: LiftExportControl(issuer=s.nation, mineral=mineral, stage=stage), valid


def _tariff(mineral: str, rate: float) -> Rule:
    def build(s: Situation) -> Order | None:
        if not s.rivals:
            return None
        return SetTariff(
            issuer=s.nation, mineral=mineral, stage=Stage.REFINED, origins=list(s.rivals), rate_pct=rate
        )

    def valid(s: Situation) -> bool:
        if not s.rivals:
            return False
        rates = s.known.tariff_rates.get(tariffs.tariff_key(s.nation, mineral, Stage.REFINED, s.rivals), [])
        return tariffs.tariff_refusal(s.nation, s.rivals, rate, rates) is None

    return build, valid


def _zone_id(s: Situation) -> str:
    return f"{s.nation}_zone"


@lru_cache(maxsize=256)
def _zone_buildable(nation: str, name: str, invite: tuple[str, ...]) -> bool:
    try:
        ProposeZone(
            issuer=nation, zone=f"{nation}_zone", name=name, invite=list(invite), emergency_sharing=True
        )
    except ValueError:
        return False
    return True


def _zone_name(s: Situation) -> str:
    return f"{s.world.display(s.nation)} zone"[:80]


def _found_zone() -> Rule:
    def build(s: Situation) -> Order | None:
        return ProposeZone(
            issuer=s.nation,
            zone=_zone_id(s),
            name=_zone_name(s),
            invite=list(s.friends),
            emergency_sharing=True,
        )

    def valid(s: Situation) -> bool:
        return (
            _zone_buildable(s.nation, _zone_name(s), s.friends)
            and zones.found_refusal(s.known.state, s.nation, _zone_id(s), s.friends, []) is None
        )

    return build, valid


def _join(k: int) -> Rule:
    def build(s: Situation) -> Order | None:
        zones = s.obs.zones
        return JoinZone(issuer=s.nation, zone=zones[k].id) if k < len(zones) else None

    def valid(s: Situation) -> bool:
        seen = s.obs.zones
        if k >= len(seen):
            return False
        return zones.join_refusal(s.known.zones.get(seen[k].id), s.nation, s.known.invitations) is None

    return build, valid


def _leave(k: int) -> Rule:
    def build(s: Situation) -> Order | None:
        zones = s.obs.zones
        return LeaveZone(issuer=s.nation, zone=zones[k].id) if k < len(zones) else None

    def valid(s: Situation) -> bool:
        seen = s.obs.zones
        if k >= len(seen):
            return False
        return zones.leave_refusal(s.known.zones.get(seen[k].id), s.nation) is None

    return build, valid


def _invite(nation: str) -> Rule:
    def build(s: Situation) -> Order | None:
        mine = s.obs.my_zones()
        return InviteToZone(issuer=s.nation, zone=mine[0].id, nation=nation) if mine else None

    def valid(s: Situation) -> bool:
        mine = s.my_zones
        if not mine:
            return False
        known = s.known
        zone = known.zones.get(mine[0].id)
        return zones.invite_refusal(known.state, zone, s.nation, nation, known.invitations) is None

    return build, valid


def _answer(k: int, accept: bool) -> Rule:
    def build(s: Situation) -> Order | None:
        inbox = s.inbox()
        if k >= len(inbox):
            return None
        reason = "" if accept else "declined"
        return RespondToProposal(issuer=s.nation, proposal=inbox[k].id, accept=accept, reason=reason)

    def valid(s: Situation) -> bool:
        inbox = s.inbox()
        if k >= len(inbox):
            return False
        p = s.known.proposals.get(inbox[k].id)
        return deals.respond_refusal(s.known.state, p, s.nation, accept) is None

    return build, valid


def _offtake_tonnes(s: Situation, m: int, mineral: str, seller: str) -> float:
    need = float(s.obs.need[m].sum())
    capacity = s.capacity(seller, mineral, Stage.REFINED)
    return min(OFFTAKE_NEED_SHARE * need, OFFTAKE_CAPACITY_SHARE * capacity)


def _deal_valid(s: Situation, buyer: str, seller: str, mineral: str, tonnes: float | None) -> bool | None:
    """The desk's check of a deal proposed by the nation (`tonnes` None: a memorandum), with
    no financing."""
    known = s.known
    capacity = 0.0 if tonnes is None else s.capacity(seller, mineral, Stage.REFINED)
    treasury = float(known.treasury[known.state.nation_index[buyer]])
    if deals.deal_refusal(
        known.state, seller, buyer, mineral, Stage.REFINED, tonnes, capacity, 0.0, treasury
    ):
        return False
    deal = DealKind.OFFTAKE if tonnes is not None else DealKind.MEMORANDUM
    if known.pending_like(s.nation, ProposeDeal, buyer=buyer, seller=seller, mineral=mineral, deal=deal):
        return None  # the same proposal may be waiting: the desk compares whole orders
    return True


def _buy_offtake(m: int, mineral: str) -> Rule:
    def build(s: Situation) -> Order | None:
        seller = s.top_supplier(m)
        if seller is None:
            return None
        tonnes = _offtake_tonnes(s, m, mineral, seller)
        if tonnes <= 0:
            return None
        return ProposeDeal(
            issuer=s.nation, buyer=s.nation, seller=seller, mineral=mineral, tonnes_per_turn=tonnes
        )

    def valid(s: Situation) -> bool | None:
        seller = s.top_supplier(m)
        if seller is None:
            return False
        tonnes = _offtake_tonnes(s, m, mineral, seller)
        if tonnes <= 0 or not _in_range(tonnes, TONNES_MAX):
            return False
        return _deal_valid(s, s.nation, seller, mineral, tonnes)

    return build, valid


def _memorandum(m: int, mineral: str) -> Rule:
    def build(s: Situation) -> Order | None:
        seller = s.top_supplier(m)
        if seller is None:
            return None
        return ProposeDeal(
            issuer=s.nation, deal=DealKind.MEMORANDUM, buyer=s.nation, seller=seller, mineral=mineral
        )

    def valid(s: Situation) -> bool | None:
        seller = s.top_supplier(m)
        return False if seller is None else _deal_valid(s, s.nation, seller, mineral, None)

    return build, valid


def _sale_tonnes(s: Situation, mineral: str) -> float:
    return SALE_CAPACITY_SHARE * s.capacity(s.nation, mineral, Stage.REFINED)


def _sell_offtake(m: int, mineral: str) -> Rule:
    def build(s: Situation) -> Order | None:
        buyer = s.top_customer(m)
        if buyer is None:
            return None
        tonnes = _sale_tonnes(s, mineral)
        if tonnes <= 0:
            return None
        return ProposeDeal(
            issuer=s.nation, buyer=buyer, seller=s.nation, mineral=mineral, tonnes_per_turn=tonnes
        )

    def valid(s: Situation) -> bool | None:
        buyer = s.top_customer(m)
        if buyer is None:
            return False
        tonnes = _sale_tonnes(s, mineral)
        if tonnes <= 0 or not _in_range(tonnes, TONNES_MAX):
            return False
        return _deal_valid(s, buyer, s.nation, mineral, tonnes)

    return build, valid


def _invest(m: int, template: str, abroad: bool) -> Rule:
    def where(s: Situation) -> tuple[str, float] | None:
        if not abroad:
            return s.nation, 100.0
        partner = s.best_partner(m)
        return None if partner is None else (partner, PARTNER_SHARE_PCT)

    def build(s: Situation) -> Order | None:
        if template not in s.world.content.projects:
            return None
        place = where(s)
        if place is None:
            return None
        if not abroad:
            return Invest(issuer=s.nation, template=template, country=s.nation)
        return Invest(issuer=s.nation, template=template, country=place[0], share_pct=place[1])

    def valid(s: Situation) -> bool | None:
        if template not in s.world.content.projects:
            return False
        place = where(s)
        if place is None:
            return False
        country, share = place
        known = s.known
        key = ("invest cost", template, share)  # the world prices a template and a share only
        cost = known.memo.get(key)
        if cost is None:
            order = Invest(issuer=s.nation, template=template, country=country, share_pct=share)
            cost = known.memo[key] = float(investment.investment_cost(known.state, order))
        assert isinstance(cost, float)
        consent = investment.needs_consent(s.nation, country, known.memoranda)
        if investment.invest_refusal(known.state, template, consent, cost, s.treasury()):
            return False
        if not consent:
            return _affordable(s, cost)  # charged now, by the desk
        if known.pending_like(s.nation, Invest, template=template, country=country):
            return None  # the same proposal may be waiting: the desk compares whole orders
        return True

    return build, valid


def _stock_purchase(s: Situation, m: int) -> tuple[float, float] | None:
    tonnes = float(s.obs.need[m].sum())
    price = max(float(s.obs.refined_price[m, s.me]), float(s.obs.ref_price[m]))
    budget = min(tonnes * price * STOCK_PRICE_MARGIN / 1e6, MONEY_MAX)
    return None if tonnes <= 0 or budget <= 0 else (tonnes, budget)


def _stock_buy(m: int, mineral: str) -> Rule:
    def build(s: Situation) -> Order | None:
        terms = _stock_purchase(s, m)
        if terms is None:
            return None
        return Stockpile(
            issuer=s.nation,
            action=StockpileAction.BUY,
            mineral=mineral,
            tonnes=terms[0],
            budget_usd_m=terms[1],
        )

    def valid(s: Situation) -> bool:
        terms = _stock_purchase(s, m)
        if terms is None or not (_in_range(terms[0], TONNES_MAX) and _in_range(terms[1], MONEY_MAX)):
            return False
        held = float(s.known.held[s.me, m])
        if stockpiles.stockpile_refusal(StockpileAction.BUY, terms[0], terms[1], held):
            return False
        return _affordable(s, terms[1])

    return build, valid


def _stock_release(m: int, mineral: str, share: float) -> Rule:
    def build(s: Situation) -> Order | None:
        tonnes = share * float(s.obs.stockpile[m])
        if tonnes <= 0:
            return None
        return Stockpile(issuer=s.nation, action=StockpileAction.RELEASE, mineral=mineral, tonnes=tonnes)

    def valid(s: Situation) -> bool:
        tonnes = share * float(s.obs.stockpile[m])
        if tonnes <= 0 or not _in_range(tonnes, TONNES_MAX):
            return False
        held = float(s.known.held[s.me, m])
        return stockpiles.stockpile_refusal(StockpileAction.RELEASE, tonnes, 0.0, held) is None

    return build, valid


def _subsidy_per_turn(s: Situation) -> float:
    return min(SUBSIDY_SHARE * s.treasury0, PROGRAMME_MAX)


def _subsidise(m: int, mineral: str, programme: Programme) -> Rule:
    def build(s: Situation) -> Order | None:
        per_turn = _subsidy_per_turn(s)
        if per_turn <= 0:
            return None
        return Subsidise(
            issuer=s.nation,
            programme=programme,
            mineral=mineral,
            usd_m_per_turn=per_turn,
            turns=SUBSIDY_TURNS,
        )

    def valid(s: Situation) -> bool:
        per_turn = _subsidy_per_turn(s)
        if per_turn <= 0 or not _in_range(per_turn, PROGRAMME_MAX):
            return False
        left = s.known.subsidies.get((s.me, programme, m, None))
        return programmes.subsidy_refusal(per_turn, s.treasury(), left) is None

    return build, valid


def _rnd_budget(s: Situation) -> float:
    return min(RND_SHARE * s.treasury0, PROGRAMME_MAX)


def _rnd(mineral: str, programme: Programme) -> Rule:
    def build(s: Situation) -> Order | None:
        budget = _rnd_budget(s)
        if budget <= 0:
            return None
        return FundRnD(issuer=s.nation, programme=programme, mineral=mineral, budget_usd_m=budget)

    def valid(s: Situation) -> bool:
        budget = _rnd_budget(s)
        return budget > 0 and _in_range(budget, PROGRAMME_MAX) and _affordable(s, budget)

    return build, valid


def _always(s: Situation) -> bool:
    """The rule of templates the desk accepts in every state (checked once per layout)."""
    return True


def _message(nation: str, tone: Tone) -> Rule:
    """A message to another nation: the desk refuses only messages to oneself or to a
    nation twice, which no template sends."""
    return lambda s: DiplomaticMessage(issuer=s.nation, to=[nation], tone=tone), _always


CONTROL_VARIANTS: tuple[tuple[str, Instrument | None, bool, dict[str, float]], ...] = (
    ("ban on rivals", Instrument.BAN, True, {}),
    ("ban on all", Instrument.BAN, False, {}),
    ("licensing 50 % on rivals", Instrument.LICENSING, True, {"approval_rate": 0.5}),
    ("export tax 25 % on all", Instrument.EXPORT_TAX, False, {"tax_pct": 25.0}),
    ("end-use control on rivals", Instrument.END_USE, True, {}),
    ("lift controls", None, False, {}),
)
FIRM_KINDS = ("mine", "refinery", "recycler")
SUBSTITUTION = Programme.SUBSTITUTION


class ActionLayout:
    """The slots and templates of one nation in one scenario: fixed at construction, so the
    action space is known before any world exists."""

    def __init__(self, minerals: Sequence[str], nations: Sequence[str], nation: str) -> None:
        self.minerals = tuple(minerals)
        self.nations = tuple(nations)
        self.nation = nation
        others = [n for n in self.nations if n != nation]
        slots: dict[str, list[Template]] = {name: [] for name in SLOT_NAMES}
        for mineral in self.minerals:
            for stage in (Stage.ORE, Stage.REFINED):
                for label, instrument, rivals_only, params in CONTROL_VARIANTS:
                    rule = (
                        _lift(mineral, stage)
                        if instrument is None
                        else _control(mineral, stage, instrument, rivals_only, **params)
                    )
                    slots["control"].append(Template(f"{label}: {stage.value} {mineral}", *rule))
        for mineral in self.minerals:
            for rate, label in ((25.0, "25 %"), (100.0, "100 %"), (0.0, "remove")):
                slots["tariff"].append(
                    Template(f"tariff {label} on rivals' refined {mineral}", *_tariff(mineral, rate))
                )
        slots["zone"].append(Template("found a zone inviting friends", *_found_zone()))
        slots["zone"] += [Template(f"join zone #{k}", *_join(k)) for k in range(ZONE_SLOTS)]
        slots["zone"] += [Template(f"leave zone #{k}", *_leave(k)) for k in range(ZONE_SLOTS)]
        slots["zone"] += [Template(f"invite {o} into own zone", *_invite(o)) for o in others]
        for k in range(PROPOSAL_SLOTS):
            slots["answer"].append(Template(f"accept proposal #{k}", *_answer(k, True)))
            slots["answer"].append(Template(f"refuse proposal #{k}", *_answer(k, False)))
        for m, mineral in enumerate(self.minerals):
            slots["deal"] += [
                Template(f"buy offtake of refined {mineral} from top supplier", *_buy_offtake(m, mineral)),
                Template(f"memorandum on {mineral} with top supplier", *_memorandum(m, mineral)),
                Template(f"sell offtake of refined {mineral} to top customer", *_sell_offtake(m, mineral)),
            ]
            for kind in FIRM_KINDS:
                template = f"{mineral}_{kind}"
                slots["invest"] += [
                    Template(f"invest in a {kind} of {mineral} at home", *_invest(m, template, False)),
                    Template(f"invest in a {kind} of {mineral} in best partner", *_invest(m, template, True)),
                ]
            slots["stockpile"] += [
                Template(f"buy one turn of {mineral} need", *_stock_buy(m, mineral)),
                Template(f"release a quarter of the {mineral} stockpile", *_stock_release(m, mineral, 0.25)),
                Template(f"release all of the {mineral} stockpile", *_stock_release(m, mineral, 1.0)),
            ]
            slots["programme"] += [
                Template(
                    f"subsidise {mineral} substitution", *_subsidise(m, mineral, Programme.SUBSTITUTION)
                ),
                Template(f"subsidise {mineral} recycling", *_subsidise(m, mineral, Programme.RECYCLING)),
                Template(f"fund {mineral} substitution R&D", *_rnd(mineral, Programme.SUBSTITUTION)),
                Template(f"fund {mineral} recycling R&D", *_rnd(mineral, Programme.RECYCLING)),
            ]
        for o in others:
            slots["message"] += [
                Template(f"{tone.value} message to {o}", *_message(o, tone)) for tone in Tone
            ]
        self.slots: tuple[tuple[str, tuple[Template, ...]], ...] = tuple(
            (name, tuple(slots[name])) for name in SLOT_NAMES
        )
        self.nvec = np.array([1 + len(templates) for _, templates in self.slots], dtype=np.int64)

    @classmethod
    def for_scenario(cls, content: Content, scenario: str, nation: str) -> ActionLayout:
        sc = content.scenario(scenario)
        return cls(sc.minerals, sc.nations, nation)

    def labels(self, slot: int) -> tuple[str, ...]:
        """What each value of a slot means (value 0 is "nothing")."""
        return ("nothing", *(t.label for t in self.slots[slot][1]))

    def describe(self, action: Sequence[int]) -> list[str]:
        """The templates an action picks, in words (for logs and debugging)."""
        return [
            f"{name}: {self.labels(k)[int(v)]}"
            for k, ((name, _), v) in enumerate(zip(self.slots, action, strict=False))
            if v
        ]


class Menu:
    """The templates of one layout built for one situation: each built at most once, checked
    against the world at most once. Valid for the state it was built in (the env builds a
    new one after every turn)."""

    def __init__(self, layout: ActionLayout, situation: Situation) -> None:
        self.layout = layout
        self.situation = situation
        self._orders: dict[tuple[int, int], Order | None] = {}
        self._mask: tuple[NDArray[np.int8], ...] | None = None

    def order(self, slot: int, value: int) -> Order | None:
        """The order of value `value` (>= 1) of `slot`, or None if it cannot be built here."""
        key = (slot, value)
        if key not in self._orders:
            template = self.layout.slots[slot][1][value - 1]
            try:
                self._orders[key] = template.build(self.situation)
            except ValueError:  # parameters an order model refuses: not buildable in this state
                self._orders[key] = None
        return self._orders[key]

    def mask(self) -> tuple[NDArray[np.int8], ...]:
        """One int8 array per slot: 1 where the template is buildable and the world would
        accept it on its own; index 0 (nothing) is always 1.

        Decided by each template's `valid` from the turn's facts, without building orders;
        a template that cannot tell (and every template, when the nation has orders queued
        this turn, which change the desk's budget and duplicate checks) asks the desk."""
        if self._mask is None:
            s = self.situation
            queued = any(o.issuer == s.nation for _, o in s.world.desk.queued)
            masks = []
            for k, (_, templates) in enumerate(self.layout.slots):
                row = [True]
                for v, template in enumerate(templates, start=1):
                    rule = template.valid
                    ok = None if queued else True if rule is _always else rule(s)
                    row.append(self._checked(k, v) if ok is None else ok)
                masks.append(np.array(row, dtype=np.int8))
            self._mask = tuple(masks)
        return self._mask

    def checked_mask(self) -> tuple[NDArray[np.int8], ...]:
        """The mask by definition: every template built and checked by the world's desk. The
        reference `mask` must equal (tests); ~20x slower."""
        masks = []
        for k, size in enumerate(self.layout.nvec):
            m = np.zeros(int(size), dtype=np.int8)
            m[0] = 1
            for v in range(1, int(size)):
                m[v] = self._checked(k, v)
            masks.append(m)
        return tuple(masks)

    def _checked(self, slot: int, value: int) -> bool:
        order = self.order(slot, value)
        return order is not None and self.situation.world.check(order).accepted


def noop_mask(layout: ActionLayout) -> tuple[NDArray[np.int8], ...]:
    """The mask when nothing can be ordered (the game is over): only value 0 of each slot."""
    masks = []
    for size in layout.nvec:
        m = np.zeros(int(size), dtype=np.int8)
        m[0] = 1
        masks.append(m)
    return tuple(masks)
