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

The mask: `mask(menu)` is a tuple with one `np.int8` array per slot (1 = valid), the form
`gymnasium.spaces.MultiDiscrete.sample(mask=...)` takes. A template is valid when it could
be built here and `WorldModel.check` accepts it *on its own* (as if no other slot were
used); value 0 is always valid. Orders of several slots together may still exceed the
treasury: then the world refuses the later ones at submission (slots are submitted in
table order) and the env reports them as refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from agents.observation import Observation
from game.content import Content
from game.rules import Instrument, Stage
from game.rules.orders import (
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
    best partner) are computed once per turn and memoised."""

    world: WorldModel
    obs: Observation
    rivals: tuple[str, ...]
    friends: tuple[str, ...]
    treasury0: float
    _memo: dict[tuple[str, int], str | None] = field(default_factory=dict)
    _capacity: dict[tuple[str, str, Stage], float] = field(default_factory=dict)
    me: int = field(init=False)
    nation: str = field(init=False)

    def __post_init__(self) -> None:
        self.me = self.obs.me
        self.nation = self.obs.nation

    def capacity(self, nation: str, mineral: str, stage: Stage) -> float:
        """`WorldModel.capacity_of`, memoised: many templates ask the same question."""
        key = (nation, mineral, stage)
        if key not in self._capacity:
            self._capacity[key] = self.world.capacity_of(nation, mineral, stage)
        return self._capacity[key]

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


@dataclass(frozen=True)
class Template:
    label: str
    build: Build


def _control(mineral: str, stage: Stage, instrument: Instrument, rivals_only: bool, **params: float) -> Build:
    def build(s: Situation) -> Order | None:
        if rivals_only and not s.rivals:
            return None
        if s.capacity(s.nation, mineral, stage) <= 0:  # the world's first refusal, asked once
            return None
        targets = list(s.rivals) if rivals_only else []
        return ImposeExportControl(
            issuer=s.nation, mineral=mineral, stage=stage, instrument=instrument, targets=targets, **params
        )

    return build


def _lift(mineral: str, stage: Stage) -> Build:
    return lambda s: LiftExportControl(issuer=s.nation, mineral=mineral, stage=stage)


def _tariff(mineral: str, rate: float) -> Build:
    def build(s: Situation) -> Order | None:
        if not s.rivals:
            return None
        return SetTariff(
            issuer=s.nation, mineral=mineral, stage=Stage.REFINED, origins=list(s.rivals), rate_pct=rate
        )

    return build


def _found_zone(s: Situation) -> Order | None:
    return ProposeZone(
        issuer=s.nation,
        zone=f"{s.nation}_zone",
        name=f"{s.world.display(s.nation)} zone"[:80],
        invite=list(s.friends),
        emergency_sharing=True,
    )


def _join(k: int) -> Build:
    def build(s: Situation) -> Order | None:
        zones = s.obs.zones
        return JoinZone(issuer=s.nation, zone=zones[k].id) if k < len(zones) else None

    return build


def _leave(k: int) -> Build:
    def build(s: Situation) -> Order | None:
        zones = s.obs.zones
        return LeaveZone(issuer=s.nation, zone=zones[k].id) if k < len(zones) else None

    return build


def _invite(nation: str) -> Build:
    def build(s: Situation) -> Order | None:
        mine = s.obs.my_zones()
        return InviteToZone(issuer=s.nation, zone=mine[0].id, nation=nation) if mine else None

    return build


def _answer(k: int, accept: bool) -> Build:
    def build(s: Situation) -> Order | None:
        inbox = sorted((p for p in s.obs.inbox if p.to == s.nation), key=lambda p: p.id)
        if k >= len(inbox):
            return None
        reason = "" if accept else "declined"
        return RespondToProposal(issuer=s.nation, proposal=inbox[k].id, accept=accept, reason=reason)

    return build


def _buy_offtake(m: int, mineral: str) -> Build:
    def build(s: Situation) -> Order | None:
        seller = s.top_supplier(m)
        if seller is None:
            return None
        need = float(s.obs.need[m].sum())
        capacity = s.capacity(seller, mineral, Stage.REFINED)
        tonnes = min(OFFTAKE_NEED_SHARE * need, OFFTAKE_CAPACITY_SHARE * capacity)
        if tonnes <= 0:
            return None
        return ProposeDeal(
            issuer=s.nation, buyer=s.nation, seller=seller, mineral=mineral, tonnes_per_turn=tonnes
        )

    return build


def _memorandum(m: int, mineral: str) -> Build:
    def build(s: Situation) -> Order | None:
        seller = s.top_supplier(m)
        if seller is None:
            return None
        return ProposeDeal(
            issuer=s.nation, deal=DealKind.MEMORANDUM, buyer=s.nation, seller=seller, mineral=mineral
        )

    return build


def _sell_offtake(m: int, mineral: str) -> Build:
    def build(s: Situation) -> Order | None:
        buyer = s.top_customer(m)
        if buyer is None:
            return None
        tonnes = SALE_CAPACITY_SHARE * s.capacity(s.nation, mineral, Stage.REFINED)
        if tonnes <= 0:
            return None
        return ProposeDeal(
            issuer=s.nation, buyer=buyer, seller=s.nation, mineral=mineral, tonnes_per_turn=tonnes
        )

    return build


def _invest(m: int, template: str, abroad: bool) -> Build:
    def build(s: Situation) -> Order | None:
        if template not in s.world.content.projects:
            return None
        if not abroad:
            return Invest(issuer=s.nation, template=template, country=s.nation)
        partner = s.best_partner(m)
        if partner is None:
            return None
        return Invest(issuer=s.nation, template=template, country=partner, share_pct=PARTNER_SHARE_PCT)

    return build


def _stock_buy(m: int, mineral: str) -> Build:
    def build(s: Situation) -> Order | None:
        tonnes = float(s.obs.need[m].sum())
        price = max(float(s.obs.refined_price[m, s.me]), float(s.obs.ref_price[m]))
        budget = min(tonnes * price * STOCK_PRICE_MARGIN / 1e6, 1e7)
        if tonnes <= 0 or budget <= 0:
            return None
        return Stockpile(
            issuer=s.nation, action=StockpileAction.BUY, mineral=mineral, tonnes=tonnes, budget_usd_m=budget
        )

    return build


def _stock_release(m: int, mineral: str, share: float) -> Build:
    def build(s: Situation) -> Order | None:
        tonnes = share * float(s.obs.stockpile[m])
        if tonnes <= 0:
            return None
        return Stockpile(issuer=s.nation, action=StockpileAction.RELEASE, mineral=mineral, tonnes=tonnes)

    return build


def _subsidise(mineral: str, programme: Programme) -> Build:
    def build(s: Situation) -> Order | None:
        per_turn = min(SUBSIDY_SHARE * s.treasury0, 1e5)
        if per_turn <= 0:
            return None
        return Subsidise(
            issuer=s.nation,
            programme=programme,
            mineral=mineral,
            usd_m_per_turn=per_turn,
            turns=SUBSIDY_TURNS,
        )

    return build


def _rnd(mineral: str, programme: Programme) -> Build:
    def build(s: Situation) -> Order | None:
        budget = min(RND_SHARE * s.treasury0, 1e5)
        if budget <= 0:
            return None
        return FundRnD(issuer=s.nation, programme=programme, mineral=mineral, budget_usd_m=budget)

    return build


def _message(nation: str, tone: Tone) -> Build:
    return lambda s: DiplomaticMessage(issuer=s.nation, to=[nation], tone=tone)


CONTROL_VARIANTS: tuple[tuple[str, Instrument | None, bool, dict[str, float]], ...] = (
    ("ban on rivals", Instrument.BAN, True, {}),
    ("ban on all", Instrument.BAN, False, {}),
    ("licensing 50 % on rivals", Instrument.LICENSING, True, {"pass_share": 0.5}),
    ("export tax 25 % on all", Instrument.EXPORT_TAX, False, {"tax_pct": 25.0}),
    ("end-use control on rivals", Instrument.END_USE, True, {}),
    ("lift controls", None, False, {}),
)
FIRM_KINDS = ("mine", "refinery", "recycler")


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
                    build = (
                        _lift(mineral, stage)
                        if instrument is None
                        else _control(mineral, stage, instrument, rivals_only, **params)
                    )
                    slots["control"].append(Template(f"{label}: {stage.value} {mineral}", build))
        for mineral in self.minerals:
            for rate, label in ((25.0, "25 %"), (100.0, "100 %"), (0.0, "remove")):
                slots["tariff"].append(
                    Template(f"tariff {label} on rivals' refined {mineral}", _tariff(mineral, rate))
                )
        slots["zone"].append(Template("found a zone inviting friends", _found_zone))
        slots["zone"] += [Template(f"join zone #{k}", _join(k)) for k in range(ZONE_SLOTS)]
        slots["zone"] += [Template(f"leave zone #{k}", _leave(k)) for k in range(ZONE_SLOTS)]
        slots["zone"] += [Template(f"invite {o} into own zone", _invite(o)) for o in others]
        for k in range(PROPOSAL_SLOTS):
            slots["answer"].append(Template(f"accept proposal #{k}", _answer(k, True)))
            slots["answer"].append(Template(f"refuse proposal #{k}", _answer(k, False)))
        for m, mineral in enumerate(self.minerals):
            slots["deal"] += [
                Template(f"buy offtake of refined {mineral} from top supplier", _buy_offtake(m, mineral)),
                Template(f"memorandum on {mineral} with top supplier", _memorandum(m, mineral)),
                Template(f"sell offtake of refined {mineral} to top customer", _sell_offtake(m, mineral)),
            ]
            for kind in FIRM_KINDS:
                template = f"{mineral}_{kind}"
                slots["invest"] += [
                    Template(f"invest in a {kind} of {mineral} at home", _invest(m, template, False)),
                    Template(f"invest in a {kind} of {mineral} in best partner", _invest(m, template, True)),
                ]
            slots["stockpile"] += [
                Template(f"buy one turn of {mineral} need", _stock_buy(m, mineral)),
                Template(f"release a quarter of the {mineral} stockpile", _stock_release(m, mineral, 0.25)),
                Template(f"release all of the {mineral} stockpile", _stock_release(m, mineral, 1.0)),
            ]
            slots["programme"] += [
                Template(f"subsidise {mineral} substitution", _subsidise(mineral, Programme.SUBSTITUTION)),
                Template(f"subsidise {mineral} recycling", _subsidise(mineral, Programme.RECYCLING)),
                Template(f"fund {mineral} substitution R&D", _rnd(mineral, Programme.SUBSTITUTION)),
                Template(f"fund {mineral} recycling R&D", _rnd(mineral, Programme.RECYCLING)),
            ]
        for o in others:
            slots["message"] += [Template(f"{tone.value} message to {o}", _message(o, tone)) for tone in Tone]
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
        accept it on its own; index 0 (nothing) is always 1."""
        if self._mask is None:
            world = self.situation.world
            masks = []
            for k, size in enumerate(self.layout.nvec):
                m = np.zeros(int(size), dtype=np.int8)
                m[0] = 1
                for v in range(1, int(size)):
                    order = self.order(k, v)
                    m[v] = order is not None and world.check(order).accepted
                masks.append(m)
            self._mask = tuple(masks)
        return self._mask


def noop_mask(layout: ActionLayout) -> tuple[NDArray[np.int8], ...]:
    """The mask when nothing can be ordered (the game is over): only value 0 of each slot."""
    masks = []
    for size in layout.nvec:
        m = np.zeros(int(size), dtype=np.int8)
        m[0] = 1
        masks.append(m)
    return tuple(masks)
