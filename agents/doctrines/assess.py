"""Reading the world from one nation's observation: who provokes us, how stressed each
mineral's supply is, who produces what, and how good a deal's price is.

Plain functions over the Observation's arrays, shared by the doctrines so that "hostile",
"stressed" and "a fair price" mean the same thing to each of them.
"""

from __future__ import annotations

import functools
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


def per_turn(
    *fields: str,
) -> Callable[[Callable[Concatenate[Observation, P], R]], Callable[Concatenate[Observation, P], R]]:
    """Compute a reading of the public `fields` once for all the observations of a turn
    (`Observation.public`): for a reading every nation takes, such as its exposure to the
    controls in force, one pass over every nation replaces one pass per nation.

    `compute` must read only those fields and its other arguments (keyed by identity and
    held, as in `per_observation`). Arrays come back read-only.
    """

    def decorate(
        compute: Callable[Concatenate[Observation, P], R],
    ) -> Callable[Concatenate[Observation, P], R]:
        @functools.wraps(compute)
        def shared(observation: Observation, *args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:  # every caller passes positionals; keywords are simply not shared
                return compute(observation, *args, **kwargs)

            def held() -> tuple[R, tuple[object, ...]]:
                return _read_only(compute(observation, *args)), args

            return observation.public((compute, *map(id, args)), fields, held)[0]

        return shared

    return decorate


def _read_only(value: R) -> R:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    return value


def rivals(a: str, b: str) -> bool:
    """Two alignments in opposite camps (US-aligned against China-aligned)."""
    return a != b and a in CAMPS and b in CAMPS


@per_turn("minerals")
def base_prices(observation: Observation, content: Content) -> F64:
    """(M,) the content's reference refined price of each mineral: what 'normal' means."""
    return np.array([content.minerals[m].prices.refined_usd_per_t for m in observation.minerals])


@per_turn("ref_price", "minerals")
def price_ratio(observation: Observation, content: Content) -> F64:
    """(M,) last turn's reference price over the normal one: above 1 is a spike."""
    return observation.ref_price / base_prices(observation, content)


def control_severity(control: ExportControl) -> float:
    """How much of a route a control closes, 0..1, for civil and defence buyers together."""
    match control.instrument:
        case Instrument.BAN:
            return 1.0
        case Instrument.QUOTA:
            return 0.5
        case Instrument.LICENSING:
            return 1.0 - (control.pass_share if control.pass_share is not None else 1.0)
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


@per_observation
def controls_severity_on_me(observation: Observation) -> F64:
    """(M,) refined supply closed to us by others' controls, weighted by the issuer's share of
    world refining (a ban by a 90 % refiner is a crisis; by a 1 % one, a nuisance)."""
    by_target = _severity_by_target(observation)
    me = observation.find_nation(observation.nation)
    if by_target is None or me is None:
        return np.minimum(_severity_on(observation, observation.nation), 1.0)
    return np.minimum(by_target[:, me], 1.0)


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


@per_turn("controls", "refine_share", "nations", "minerals")
def _severity_by_target(observation: Observation) -> F64 | None:
    """(M, N) `_severity_on` every nation at once (each cell summed in the same order), or
    None when a refined control names a mineral or an issuer not in the game: each nation's
    own sum then fails, or not, as it always did."""
    nations = observation.nations
    out = np.zeros((len(observation.minerals), len(nations)))
    for c in observation.controls:
        if c.stage != Stage.REFINED:
            continue
        m, i = observation.find_mineral(c.mineral), observation.find_nation(c.issuer)
        if m is None or i is None:
            return None
        reached = [t for t, n in enumerate(nations) if n != c.issuer and (not c.targets or n in c.targets)]
        out[m, reached] += control_severity(c) * observation.refine_share[m, i]
    return out


@per_observation
def mineral_need(observation: Observation) -> F64:
    """(M,) tonnes per turn we need of each mineral, all sectors together (row by row the
    same sums as `need[m].sum()`)."""
    return observation.need.sum(axis=1)


@per_observation
def mineral_shortfall(observation: Observation) -> F64:
    """(M,) tonnes of each mineral we could not buy last turn, all sectors together."""
    return observation.shortfall.sum(axis=1)


@per_observation
def shortfall_ratio(observation: Observation) -> F64:
    """(M,) last turn's shortfall over our need, 0..1."""
    need = mineral_need(observation)
    short = mineral_shortfall(observation)
    return np.divide(short, need, out=np.zeros_like(need), where=need > 0)


@per_observation
def rival_concentration(observation: Observation) -> F64:
    """(M,) the largest share of world refining held by one nation outside our camp (a rival
    counts fully, an unaligned refiner half): how exposed our supply is to someone's lever."""
    return _rival_concentration_by_nation(observation)[:, observation.me]


@per_turn("alignment", "refine_share")
def _rival_concentration_by_nation(observation: Observation) -> F64:
    """(M, N) `rival_concentration` of every nation at once (column n: nation n's)."""
    alignment = tuple(observation.alignment)
    weights = np.stack([_outsider_weights(alignment, me) for me in range(len(alignment))])  # (me, j)
    return (observation.refine_share[:, None, :] * weights[None, :, :]).max(axis=2)


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


@per_observation
def supply_stress(observation: Observation, content: Content) -> F64:
    """(M,) how worried we are about each mineral we need (0 for minerals we do not use).

    Shortfall weighs most, then controls on us, a price spike and, in calm times, the
    concentration of refining outside our camp.
    """
    need = mineral_need(observation)
    spike = np.maximum(price_ratio(observation, content) - 1.15, 0.0)
    concentration = np.maximum(rival_concentration(observation) - 0.5, 0.0) * 2
    stress = (
        3.0 * shortfall_ratio(observation)
        + 2.0 * controls_severity_on_me(observation)
        + spike
        + 0.5 * concentration
    )
    return np.where(need > 0, stress, 0.0)


def world_output(observation: Observation, content: Content, mineral: str, stage: str) -> float:
    """World tonnes per turn of a mineral at a stage: last turn's flows, or the content's
    production figure before the first turn."""
    m = observation.m(mineral)
    flow = observation.refined_flow if stage == Stage.REFINED else observation.ore_flow
    total = float(flow[m].sum())
    return total if total > 0 else content.minerals[mineral].production.mine_tpy / 4


def output_tonnes(observation: Observation, content: Content, mineral: str, stage: str, n: int) -> float:
    """Tonnes per turn nation `n` produces of a mineral at a stage (from its world share)."""
    m = observation.m(mineral)
    share = observation.refine_share if stage == Stage.REFINED else observation.mine_share
    return float(share[m, n]) * world_output(observation, content, mineral, stage)


@per_observation
def consumption(observation: Observation, n: int) -> F64:
    """(M,) refined tonnes per turn nation `n` received last turn (public trade statistics)."""
    return observation.refined_flow[:, :, n].sum(axis=1)


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
    on: dict[str, set[str]] = {}
    for d in observation.deals:
        t = d.terms
        anyone.update((t.buyer, t.seller))
        on.setdefault(t.mineral, set()).update((t.buyer, t.seller))
    for p in (*observation.outbox, *observation.inbox):
        o = p.order
        anyone.update((p.sender, p.to))
        if isinstance(o, ProposeDeal):
            anyone.update((o.buyer, o.seller))
            on.setdefault(o.mineral, set()).update((o.buyer, o.seller))
    return frozenset(anyone), {mineral: frozenset(parties) for mineral, parties in on.items()}
