"""Reading the world from one nation's observation: who provokes us, how stressed each
mineral's supply is, who produces what, and how good a deal's price is.

Plain functions over the Observation's arrays, shared by the doctrines so that "hostile",
"stressed" and "a fair price" mean the same thing to each of them. Two readings underlie
them, so that the 20-odd doctrines of a turn do not each redo the same arithmetic:

- `TurnReading`: what the turn's public fields say for every nation at once (prices against
  normal, refining concentrated outside each nation's camp, the supply the controls in force
  close to each nation, what each nation consumed, world output), computed the first time a
  doctrine asks and then shared, read-only, by every observation of the turn;
- `Reading`: one nation's own need, shortfall and supply stress, once per observation.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import numpy as np

from agents.observation import F64, Observation
from game.content import Content
from game.rules import Alignment, ExportControl, Instrument, Stage
from game.rules.orders import Pricing, ProposeDeal

CAMPS = {Alignment.US_ALIGNED.value, Alignment.CHINA_ALIGNED.value}

P = ParamSpec("P")
R = TypeVar("R")


def per_observation(
    compute: Callable[Concatenate[Observation, P], R],
) -> Callable[Concatenate[Observation, P], R]:
    """Compute a reading once per observation: a doctrine asks for the same stress, shortfall
    or concentration many times in a turn (once per proposal, per mineral, per order).

    The result lives in the observation's memo, keyed by the function and the identity of
    the other arguments (held there too, so that their ids cannot be reused): a new turn
    brings a new observation and a fresh memo. Arrays come back read-only, as every caller
    of the turn shares them.
    """

    @functools.wraps(compute)
    def memoised(observation: Observation, *args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs:  # every caller passes positionals; keywords are simply not memoised
            return compute(observation, *args, **kwargs)
        key = (compute, *map(id, args))
        hit = observation.memo.get(key)
        if hit is None:
            hit = observation.memo[key] = (_read_only(compute(observation, *args)), args)
        return hit[0]  # type: ignore[index]

    return memoised


def _read_only(value: R) -> R:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    return value


def rivals(a: str, b: str) -> bool:
    """Two alignments in opposite camps (US-aligned against China-aligned)."""
    return a != b and a in CAMPS and b in CAMPS


class TurnReading:
    """What the turn's public fields say, for every nation at once: computed the first time
    a doctrine asks and then read by every doctrine of the turn (the observations of a turn
    share one, through `Observation.public`), so that the 20-odd nations do not each redo
    the same arithmetic. Everything is derived from `TURN_FIELDS` alone; arrays are
    read-only, as every nation reads the same ones."""

    def __init__(self, observation: Observation) -> None:
        self.minerals = observation.minerals
        self.nations = observation.nations
        self.alignment = observation.alignment
        self.ref_price = observation.ref_price
        self.refine_share = observation.refine_share
        self.controls = observation.controls
        self.refined_flow = observation.refined_flow
        self.ore_flow = observation.ore_flow
        self._mineral_at = {m: i for i, m in reversed(list(enumerate(self.minerals)))}
        self._nation_at = {n: i for i, n in reversed(list(enumerate(self.nations)))}
        self._prices: dict[int, Prices] = {}
        self._consumption: dict[int, F64] = {}
        self._output: dict[tuple[int, bool], float] = {}
        self._rival_concentration: F64 | None = None
        self._severity: tuple[F64 | None] | None = None

    def prices(self, content: Content) -> Prices:
        """The price readings against `content`'s normal prices (one per content)."""
        hit = self._prices.get(id(content))
        if hit is None or hit.content is not content:
            hit = self._prices[id(content)] = Prices(self, content)
        return hit

    @property
    def rival_concentration(self) -> F64:
        """(M, N) `rival_concentration` of every nation at once (column n: nation n's)."""
        if self._rival_concentration is None:
            alignment = tuple(self.alignment)
            weights = np.stack([_outsider_weights(alignment, me) for me in range(len(alignment))])  # (me, j)
            by_nation = (self.refine_share[:, None, :] * weights[None, :, :]).max(axis=2)
            self._rival_concentration = _read_only(by_nation)
        return self._rival_concentration

    @property
    def severity(self) -> F64 | None:
        """(M, N) `controls_severity_on_me` of every nation (capped at 1), or None when a
        refined control names a mineral or an issuer not in the game: each nation's own sum
        then fails, or not, as it always did."""
        if self._severity is None:
            by_target = self._severity_by_target()
            self._severity = (None if by_target is None else _read_only(np.minimum(by_target, 1.0)),)
        return self._severity[0]

    def _severity_by_target(self) -> F64 | None:
        """(M, N) the uncapped sum of `_severity_on` for every nation (each cell summed in
        the same order), or None (see `severity`)."""
        nations = self.nations
        out = np.zeros((len(self.minerals), len(nations)))
        for c in self.controls:
            if c.stage != Stage.REFINED:
                continue
            m, i = self._mineral_at.get(c.mineral), self._nation_at.get(c.issuer)
            if m is None or i is None:
                return None
            reached = [
                t for t, n in enumerate(nations) if n != c.issuer and (not c.targets or n in c.targets)
            ]
            out[m, reached] += control_severity(c) * self.refine_share[m, i]
        return out

    def consumption(self, n: int) -> F64:
        """(M,) refined tonnes per turn nation `n` received last turn."""
        hit = self._consumption.get(n)
        if hit is None:
            hit = self._consumption[n] = _read_only(self.refined_flow[:, :, n].sum(axis=1))
        return hit

    def output(self, m: int, refined: bool) -> float:
        """World tonnes of mineral `m` that flowed last turn, refined or ore."""
        key = (m, refined)
        hit = self._output.get(key)
        if hit is None:
            flow = self.refined_flow if refined else self.ore_flow
            hit = self._output[key] = float(flow[m].sum())
        return hit


TURN_FIELDS = (
    "minerals",
    "nations",
    "alignment",
    "ref_price",
    "refine_share",
    "controls",
    "refined_flow",
    "ore_flow",
)
"""The public fields a `TurnReading` reads: its key among the turn's shared readings."""


class Prices:
    """The turn's prices against the normal ones of a content (see `TurnReading.prices`)."""

    def __init__(self, turn: TurnReading, content: Content) -> None:
        self.content = content
        normal = [content.minerals[m].prices.refined_usd_per_t for m in turn.minerals]
        self.base = _read_only(np.array(normal))
        self.ratio = _read_only(turn.ref_price / self.base)
        self.ratio_t: list[float] = self.ratio.tolist()
        self.spike = _read_only(np.maximum(self.ratio - 1.15, 0.0))
        """(M,) the part of `supply_stress` a price spike adds."""


def turn_reading(observation: Observation) -> TurnReading:
    """The turn's shared reading, as seen from `observation`."""
    return observation.public(TurnReading, TURN_FIELDS, lambda: TurnReading(observation))


class Reading:
    """One nation's own figures for the turn, computed once per observation from its
    private fields and the turn's reading: what the doctrines ask about mineral by mineral.
    The `*_t` lists hold the same values as Python floats, for scalar lookups (the same
    numbers, read without building a numpy scalar each time)."""

    __slots__ = (
        "_stress",
        "need",
        "need_t",
        "ratio_t",
        "rival_concentration",
        "severity",
        "shortfall",
        "shortfall_ratio",
        "shortfall_t",
    )

    def __init__(self, observation: Observation) -> None:
        turn = turn_reading(observation)
        self.need = _read_only(observation.need.sum(axis=1))
        """(M,) tonnes per turn we need of each mineral, all sectors together."""
        self.shortfall = _read_only(observation.shortfall.sum(axis=1))
        """(M,) tonnes of each mineral we could not buy last turn, all sectors together."""
        need = self.need
        self.shortfall_ratio = _read_only(
            np.divide(self.shortfall, need, out=np.zeros_like(need), where=need > 0)
        )
        """(M,) last turn's shortfall over our need, 0..1."""
        by_target = turn.severity
        me = observation.find_nation(observation.nation)
        if by_target is None or me is None:
            self.severity = _read_only(np.minimum(_severity_on(observation, observation.nation), 1.0))
        else:
            self.severity = by_target[:, me]
        self.rival_concentration = turn.rival_concentration[:, observation.me]
        self.need_t: list[float] = need.tolist()
        self.shortfall_t: list[float] = self.shortfall.tolist()
        self.ratio_t: list[float] = self.shortfall_ratio.tolist()
        self._stress: dict[int, tuple[F64, Content]] = {}

    def stress(self, observation: Observation, content: Content) -> F64:
        hit = self._stress.get(id(content))
        if hit is None or hit[1] is not content:
            hit = self._stress[id(content)] = (_supply_stress(self, observation, content), content)
        return hit[0]


def reading(observation: Observation) -> Reading:
    """The observing nation's `Reading` (once per observation)."""
    hit = observation.memo.get(Reading)
    if hit is None:
        hit = observation.memo[Reading] = Reading(observation)
    return hit  # type: ignore[return-value]


def base_prices(observation: Observation, content: Content) -> F64:
    """(M,) the content's reference refined price of each mineral: what 'normal' means."""
    return turn_reading(observation).prices(content).base


def price_ratio(observation: Observation, content: Content) -> F64:
    """(M,) last turn's reference price over the normal one: above 1 is a spike."""
    return turn_reading(observation).prices(content).ratio


def price_ratio_t(observation: Observation, content: Content) -> list[float]:
    """`price_ratio` as Python floats, for lookups mineral by mineral."""
    return turn_reading(observation).prices(content).ratio_t


def control_severity(control: ExportControl) -> float:
    """How much of a route a control closes, 0..1, for civil and defence buyers together."""
    match control.instrument:
        case Instrument.BAN:
            return 1.0
        case Instrument.QUOTA:
            return 0.5
        case Instrument.LICENSING:
            return 1.0 - (control.approval_rate if control.approval_rate is not None else 1.0)
        case Instrument.END_USE:
            return 0.2
        case Instrument.EXPORT_TAX:
            return min((control.tax_pct or 0.0) / 100, 1.0)
    return 0.0


@per_observation
def hostility(observation: Observation) -> F64:
    """(N,) how much each nation has provoked the observer, 0 for friends.

    Counts what is in force (tariffs aimed at us, zones that shut us out behind an external
    tariff, export controls on us), last turn's acts against us, and bad relations. A 25 %
    tariff counts 1, a zone's founder 2 and each member 1, a hostile act of -10 relations 2,
    relations of -40 count 2.
    """
    me = observation.nation
    n = len(observation.nations)
    score = np.zeros(n)
    tariff = np.zeros(n)
    for t in observation.tariffs:
        if t.issuer != me and (not t.origins or me in t.origins):
            tariff[observation.n(t.issuer)] += min(t.rate_pct, 50.0) / 25
    score += np.minimum(tariff, 3.0)
    for z in observation.zones:
        if me in z.members or not z.external_tariff_pct:
            continue
        for member in z.members:
            score[observation.n(member)] += 2.0 if member == z.founder else 1.0
    controls = np.zeros(n)
    for c in observation.controls_on(me):
        controls[observation.n(c.issuer)] += 0.5 + control_severity(c)
    score += np.minimum(controls, 2.0)
    for act in observation.acts:
        if act.target == me and act.actor != me and act.change < 0:
            score[observation.n(act.actor)] += -act.change / 5
    score += np.maximum(-observation.relations, 0.0) / 20
    score[observation.me] = 0.0
    return score


def controls_severity_on_me(observation: Observation) -> F64:
    """(M,) refined supply closed to us by others' controls, weighted by the issuer's share of
    world refining (a ban by a 90 % refiner is a crisis; by a 1 % one, a nuisance)."""
    return reading(observation).severity


def _severity_on(observation: Observation, target: str) -> F64:
    """(M,) the uncapped sum of `controls_severity_on_me` for one nation, in the order of
    the controls."""
    out = [0.0] * len(observation.minerals)
    share = observation.refine_share
    for c in observation.controls_on(target):
        if c.stage == Stage.REFINED:
            m = observation.m(c.mineral)
            out[m] += control_severity(c) * share[m, observation.n(c.issuer)]
    return np.array(out)


def mineral_need(observation: Observation) -> F64:
    """(M,) tonnes per turn we need of each mineral, all sectors together (row by row the
    same sums as `need[m].sum()`)."""
    return reading(observation).need


def mineral_shortfall(observation: Observation) -> F64:
    """(M,) tonnes of each mineral we could not buy last turn, all sectors together."""
    return reading(observation).shortfall


def shortfall_ratio(observation: Observation) -> F64:
    """(M,) last turn's shortfall over our need, 0..1."""
    return reading(observation).shortfall_ratio


def rival_concentration(observation: Observation) -> F64:
    """(M,) the largest share of world refining held by one nation outside our camp (a rival
    counts fully, an unaligned refiner half): how exposed our supply is to someone's lever."""
    return reading(observation).rival_concentration


@functools.lru_cache(maxsize=64)
def _outsider_weights(alignment: tuple[str, ...], me: int) -> F64:
    """(N,) how much each nation's refining share counts against nation `me` (see
    `rival_concentration`); read-only, as it is shared by every turn of every game."""
    mine = alignment[me]
    if mine not in CAMPS:  # a hedger worries about whoever dominates
        weights = np.where(np.arange(len(alignment)) == me, 0.0, 1.0)
    else:
        weights = np.array(
            [
                0.0 if i == me or a == mine else (1.0 if rivals(mine, a) else 0.5)
                for i, a in enumerate(alignment)
            ]
        )
    weights.flags.writeable = False
    return weights


def supply_stress(observation: Observation, content: Content) -> F64:
    """(M,) how worried we are about each mineral we need (0 for minerals we do not use).

    Shortfall weighs most, then controls on us, a price spike and, in calm times, the
    concentration of refining outside our camp.
    """
    return reading(observation).stress(observation, content)


def _supply_stress(own: Reading, observation: Observation, content: Content) -> F64:
    """`supply_stress`, from the nation's reading and the turn's: the same sum, term by term
    in the same order, as 3 shortfall + 2 severity + spike + 0.5 concentration."""
    spike = turn_reading(observation).prices(content).spike
    concentration = np.maximum(own.rival_concentration - 0.5, 0.0) * 2
    stress = 3.0 * own.shortfall_ratio
    stress += 2.0 * own.severity
    stress += spike
    stress += 0.5 * concentration
    return _read_only(np.where(own.need > 0, stress, 0.0))


def world_output(observation: Observation, content: Content, mineral: str, stage: str) -> float:
    """World tonnes per turn of a mineral at a stage: last turn's flows, or the content's
    production figure before the first turn."""
    total = turn_reading(observation).output(observation.m(mineral), stage == Stage.REFINED)
    return total if total > 0 else content.minerals[mineral].production.mine_tpy / 4


def output_tonnes(observation: Observation, content: Content, mineral: str, stage: str, n: int) -> float:
    """Tonnes per turn nation `n` produces of a mineral at a stage (from its world share)."""
    m = observation.m(mineral)
    share = observation.refine_share if stage == Stage.REFINED else observation.mine_share
    return float(share[m, n]) * world_output(observation, content, mineral, stage)


def consumption(observation: Observation, n: int) -> F64:
    """(M,) refined tonnes per turn nation `n` received last turn (public trade statistics)."""
    return turn_reading(observation).consumption(n)


def refining_ratio(observation: Observation) -> F64:
    """(M,) the observer's share of world refining over its share of world mining: below 1 it
    ships its ore abroad to be refined (value lost), 0 when it mines nothing."""
    mined = observation.mine_share[:, observation.me]
    refined = observation.refine_share[:, observation.me]
    return np.divide(refined, mined, out=np.zeros_like(mined), where=mined > 0)


def deal_price_ratio(deal: ProposeDeal, observation: Observation) -> float:
    """The deal's price relative to the market price in the seller's country: above 1 is
    good for the seller, below 1 good for the buyer."""
    m = observation.m(deal.mineral)
    if deal.pricing == Pricing.INDEXED:
        return 1.0 - deal.discount_pct / 100
    prices = observation.refined_price if deal.stage == Stage.REFINED else observation.ore_price
    market = float(prices[m, observation.n(deal.seller)])
    return (deal.price_usd_per_t or 0.0) / market if market > 0 else 1.0


def deals_with(observation: Observation, other: str, mineral: str | None = None) -> bool:
    """A deal in force or a proposal pending between us and `other` (on `mineral`, if given)."""
    anyone, by_mineral = _dealings(observation)
    return other in (anyone if mineral is None else by_mineral.get(mineral, ()))


def dealing_on(observation: Observation, mineral: str) -> frozenset[str]:
    """Nations with whom we have a deal in force or a deal proposal pending on `mineral`:
    `deals_with(observation, n, mineral)` for every n at once."""
    return _dealings(observation)[1].get(mineral, frozenset())


@per_observation
def _dealings(observation: Observation) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Whom we deal with at all (deals in force, proposals pending either way), and with whom
    on each mineral (deals and deal proposals, by their buyer and seller): `deals_with` is
    asked about every nation and mineral, and these lists do not change within a turn."""
    anyone: set[str] = set()
    on: defaultdict[str, set[str]] = defaultdict(set)
    for d in observation.deals:
        t = d.terms
        pair = (t.buyer, t.seller)
        anyone.update(pair)
        on[t.mineral].update(pair)
    for p in (*observation.outbox, *observation.inbox):
        o = p.order
        anyone.update((p.sender, p.to))
        if isinstance(o, ProposeDeal):
            pair = (o.buyer, o.seller)
            anyone.update(pair)
            on[o.mineral].update(pair)
    return frozenset(anyone), {mineral: frozenset(parties) for mineral, parties in on.items()}
