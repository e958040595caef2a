"""Public programmes that run over several turns: subsidies (certain, paid every turn) and
research (paid up front, uncertain, years later).

Their effects are multipliers the world folds into demand and recycling:
`subsidy_cut` (M, N, S) on need, `rnd_substitution` (M, N) on need, `eol_boost` (M, N) on
end-of-life collection. Sizes are model assumptions, stated with each constant.

Whether a subsidy may start is decided by `subsidy_refusal` over the fact `running`: the
desk's check and the lab's masks call the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Sector
from game.rules.orders import FundRnD, Programme, Subsidise
from game.world.economy.demand import need_now
from game.world.mechanisms.base import Lever, refuse, same, within
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]

SUBSTITUTION_COST = 2.0
"""Paying a manufacturer to design out a tonne costs this many times the tonne's price, per turn."""
MAX_SUBSIDY_CUT = 0.3
"""A subsidy removes at most this share of the sector's need."""
RECYCLING_PER_USD_M = 0.002
"""Each USD m a turn of collection subsidy raises the nation's collection multiplier this much
per USD bn of its annual use of the mineral (so big users need big subsidies)."""
MAX_EOL_BOOST = 2.0
RND_TURNS = 12
RND_SCALE_USD_M = 400.0
"""Success probability is `RND_MAX_P * (1 - exp(-budget / RND_SCALE_USD_M))`."""
RND_MAX_P = 0.8
RND_SUBSTITUTION = 0.88
"""A successful substitution programme cuts the nation's need for the mineral to this share."""
RND_SPILLOVER = 0.5
"""...and everyone else's by this share of that cut (ideas travel)."""
RND_RECYCLING_BOOST = 1.4


@dataclass
class Subsidy:
    issuer: int
    programme: Programme
    mineral: int
    sector: int | None  # None: every sector
    usd_m_per_turn: float
    turns_left: int

    def state(self) -> tuple[object, ...]:
        return (
            self.issuer,
            self.programme.value,
            self.mineral,
            self.sector,
            self.usd_m_per_turn,
            self.turns_left,
        )


@dataclass
class Research:
    issuer: int
    programme: Programme
    mineral: int
    budget_usd_m: float
    turns_left: int

    @property
    def probability(self) -> float:
        return RND_MAX_P * (1.0 - float(np.exp(-self.budget_usd_m / RND_SCALE_USD_M)))

    def state(self) -> tuple[object, ...]:
        return (self.issuer, self.programme.value, self.mineral, self.budget_usd_m, self.turns_left)


def subsidy_effects(
    subsidies: list[Subsidy], need: F64, price: F64, use_value_usd_bn: F64
) -> tuple[F64, F64]:
    """(M, N, S) need multiplier and (M, N) collection multiplier from the subsidies paid this
    turn. `need` (M, N, S) t/turn, `price` (M, N) USD/t, `use_value_usd_bn` (M, N) a year."""
    cut = np.zeros_like(need)
    boost = np.ones(need.shape[:2])
    for s in subsidies:
        m, n = s.mineral, s.issuer
        if s.programme == Programme.SUBSTITUTION:
            tonnes = s.usd_m_per_turn * 1e6 / (SUBSTITUTION_COST * max(price[m, n], 1.0))
            sectors = slice(None) if s.sector is None else s.sector
            base = need[m, n, sectors].sum()
            if base > 0:
                cut[m, n, sectors] += tonnes / base
        else:
            scale = max(use_value_usd_bn[m, n], 0.01)
            boost[m, n] += RECYCLING_PER_USD_M * s.usd_m_per_turn / scale
    return 1.0 - np.minimum(cut, MAX_SUBSIDY_CUT), np.minimum(boost, MAX_EOL_BOOST)


SubsidyKey = tuple[int, Programme, int, "int | None"]
"""(issuer, programme, mineral, sector or None) indices: one subsidy of each runs at a time."""


def running(s: WorldState) -> dict[SubsidyKey, int]:
    """Turns left of each subsidy running, by key (the first one's, as listed)."""
    out: dict[SubsidyKey, int] = {}
    for sub in s.subsidies:
        out.setdefault((sub.issuer, sub.programme, sub.mineral, sub.sector), sub.turns_left)
    return out


def subsidy_refusal(per_turn: float, treasury: float, turns_left: int | None) -> str | None:
    """Why a subsidy of `per_turn` USD m cannot start for a nation holding `treasury`, where
    one of its key runs with `turns_left` (None: none runs); None if it can."""
    if not within(per_turn, treasury):
        return "its treasury cannot pay the first turn"
    if turns_left is not None:
        return f"one is running ({turns_left} turns left)"
    return None


def _check_subsidy(world: WorldState, o: Subsidise) -> str | None:
    i, m = world.nation_index[o.issuer], world.mineral_index(o.mineral)
    sector = None if o.sector is None else list(Sector).index(o.sector)
    left = running(world).get((i, o.programme, m, sector))
    why = subsidy_refusal(o.usd_m_per_turn, float(world.treasury[i]), left)
    if why is None:
        return None
    return refuse(world, o, f"subsidise {world.label(o.mineral)} {o.programme.value}", why)


def _apply_subsidy(world: WorldState, o: Subsidise) -> None:
    world.subsidies.append(
        Subsidy(
            issuer=world.nation_index[o.issuer],
            programme=o.programme,
            mineral=world.mineral_index(o.mineral),
            sector=None if o.sector is None else list(Sector).index(o.sector),
            usd_m_per_turn=o.usd_m_per_turn,
            turns_left=o.turns,
        )
    )


def _check_rnd(world: WorldState, o: FundRnD) -> str | None:
    return None


def _apply_rnd(world: WorldState, o: FundRnD) -> None:
    world.research.append(
        Research(
            issuer=world.nation_index[o.issuer],
            programme=o.programme,
            mineral=world.mineral_index(o.mineral),
            budget_usd_m=o.budget_usd_m,
            turns_left=RND_TURNS,
        )
    )


def step(s: WorldState) -> None:
    """Pay this turn's subsidies (ending those the treasury can no longer pay) and settle
    research that has run its course (one seeded draw per finished programme)."""
    n_nat = len(s.nation_ids)
    running = []
    for sub in s.subsidies:
        if s.treasury[sub.issuer] < sub.usd_m_per_turn:
            who = s.nation_ids[sub.issuer]
            text = f"{s.display(who)} can no longer pay its {s.mineral_ids[sub.mineral]} subsidy."
            s.news.append(Happened(s.turn, f"subsidy_{who}", "Subsidy ends", text, "programme"))
            continue
        s.treasury[sub.issuer] -= sub.usd_m_per_turn
        sub.turns_left -= 1
        running.append(sub)
    need = need_now(s) / s.subsidy_cut
    use_value = need.sum(axis=2) * 4 * s.refined_paid[:, :n_nat] / 1e9
    s.subsidy_cut, boost = subsidy_effects(running, need, s.refined_paid[:, :n_nat], use_value)
    s.subsidies = [sub for sub in running if sub.turns_left > 0]
    s.eol_boost = boost * s.rnd_recycling
    pending = []
    for r in s.research:
        r.turns_left -= 1
        if r.turns_left > 0:
            pending.append(r)
            continue
        success = float(s.rng.random()) < r.probability
        who, mineral = s.nation_ids[r.issuer], s.mineral_ids[r.mineral]
        if success and r.programme.value == "substitution":
            cut = 1.0 - RND_SUBSTITUTION
            s.rnd_substitution[r.mineral] *= 1.0 - RND_SPILLOVER * cut
            s.rnd_substitution[r.mineral, r.issuer] *= (1.0 - cut) / (1.0 - RND_SPILLOVER * cut)
        elif success:
            s.rnd_recycling[r.mineral, r.issuer] *= RND_RECYCLING_BOOST
        text = f"{s.display(who)}'s {mineral} {r.programme.value} research " + (
            "pays off." if success else "ends without a breakthrough."
        )
        s.news.append(Happened(s.turn, f"rnd_{who}_{mineral}", "Research", text, "research"))
    s.research = pending


LEVERS = {
    Subsidise: Lever(
        13,
        lambda o, n=same: f"subsidise {n(o.mineral)} {o.programme.value}",
        _check_subsidy,
        _apply_subsidy,  # paid turn by turn by the programme, from this turn on
    ),
    FundRnD: Lever(
        14,
        lambda o, n=same: f"fund {n(o.mineral)} {o.programme.value} research",
        _check_rnd,
        _apply_rnd,
        lambda w, o: o.budget_usd_m,
    ),
}
