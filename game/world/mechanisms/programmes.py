"""Public programmes that run over several turns: subsidies (certain, paid every turn) and
research (paid up front, uncertain, years later).

Their effects are multipliers the world folds into demand and recycling:
`subsidy_cut` (M, N, S) on need, `rnd_substitution` (M, N) on need, `eol_boost` (M, N) on
end-of-life collection. Sizes are model assumptions, stated with each constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from game.rules.orders import Programme

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
