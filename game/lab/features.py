"""Observation features for learning agents: one nation's `Observation` as a flat float32 vector.

RL libraries want a fixed-length vector with known bounds; the game's `Observation` is a
rich structure (arrays over minerals and nations, tuples of policies and proposals). This
module reads from it only what a nation may see (so an agent is on the same footing as an
AI doctrine) and squashes every figure into [0, 1] or [-1, 1], so no feature dominates
a network by its units. Unbounded quantities go through `x / (x + k)`, which is monotone,
never needs clipping and puts the "normal" value `k` at 0.5; counts are capped and divided
by their cap. Values are clipped to the declared bounds anyway (a defensive last step), and
NaN (the score before the first turn) becomes the neutral value.

Layout: `M` blocks of per-mineral features (minerals in scenario order), then the
nation-level features. The length is `len(MINERAL_FEATURES) * M + len(NATION_FEATURES)`,
fixed per scenario: 44 on the tutorial (M = 2), 116 on Ministerial 2026 (M = 8).

Per mineral `m` (the observing nation is `i`; flows are last turn's refined flows):

| feature | value | bounds |
| --- | --- | --- |
| price_ratio | `r / (1 + r)`, r = price paid in `i` / reference price (0.5 = at reference) | 0..1 |
| fill | consumption / need in `i` | 0..1 |
| shortfall_share | unmet need / need, all sectors | 0..1 |
| dep_top_supplier | share of `i`'s refined supply from its largest foreign supplier | 0..1 |
| dep_dominant_refiner | share of `i`'s refined supply from the largest refiner (0 if `i`) | 0..1 |
| stock_cover | `c / (c + 4)`, c = stockpile in turns of need (0.5 = one year) | 0..1 |
| refining_hhi | Herfindahl index of world refined output by country | 0..1 |
| mining_hhi | Herfindahl index of world ore output by country | 0..1 |
| own_mine_share | `i`'s share of world ore output | 0..1 |
| own_refine_share | `i`'s share of world refined output | 0..1 |
| controls_on_me | export controls in force on `m` that reach `i` (capped at 4) / 4 | 0..1 |
| my_controls | export controls `i` has in force on `m` (capped at 4) / 4 | 0..1 |

Nation-level:

| feature | value | bounds |
| --- | --- | --- |
| treasury_ratio | `r / (1 + r)`, r = treasury / treasury at reset (0.5 = unchanged; 0 if overdrawn) | 0..1 |
| relations_mean, relations_min, relations_max | how `i` regards the others, / 100 | -1..1 |
| regard_mean | how the others regard `i`, mean / 100 | -1..1 |
| zones | zones `i` belongs to (capped at 4) / 4 | 0..1 |
| zone_founder | 1 if `i` founded a zone in force | 0..1 |
| invitations | zone invitations waiting for `i` (capped at 4) / 4 | 0..1 |
| inbox | proposals waiting for `i`'s answer (capped at 8) / 8 | 0..1 |
| outbox | `i`'s proposals waiting for an answer (capped at 8) / 8 | 0..1 |
| deals | deals in force involving `i` (capped at 16) / 16 | 0..1 |
| projects | plants `i` finances under construction (capped at 16) / 16 | 0..1 |
| progress | turn / turns of the scenario | 0..1 |
| score | `i`'s score / 100 (0.5 before the first turn) | 0..1 |
| part_<name> | each score part / 100 (0.5 before the first turn), `game.world.scoring` order | 0..1 |
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from agents.observation import Observation
from game.rules.orders import InviteToZone
from game.world.scoring import PART_NAMES

F32 = NDArray[np.float32]

MINERAL_FEATURES: tuple[tuple[str, float, float], ...] = (
    ("price_ratio", 0.0, 1.0),
    ("fill", 0.0, 1.0),
    ("shortfall_share", 0.0, 1.0),
    ("dep_top_supplier", 0.0, 1.0),
    ("dep_dominant_refiner", 0.0, 1.0),
    ("stock_cover", 0.0, 1.0),
    ("refining_hhi", 0.0, 1.0),
    ("mining_hhi", 0.0, 1.0),
    ("own_mine_share", 0.0, 1.0),
    ("own_refine_share", 0.0, 1.0),
    ("controls_on_me", 0.0, 1.0),
    ("my_controls", 0.0, 1.0),
)
NATION_FEATURES: tuple[tuple[str, float, float], ...] = (
    ("treasury_ratio", 0.0, 1.0),
    ("relations_mean", -1.0, 1.0),
    ("relations_min", -1.0, 1.0),
    ("relations_max", -1.0, 1.0),
    ("regard_mean", -1.0, 1.0),
    ("zones", 0.0, 1.0),
    ("zone_founder", 0.0, 1.0),
    ("invitations", 0.0, 1.0),
    ("inbox", 0.0, 1.0),
    ("outbox", 0.0, 1.0),
    ("deals", 0.0, 1.0),
    ("projects", 0.0, 1.0),
    ("progress", 0.0, 1.0),
    ("score", 0.0, 1.0),
    *((f"part_{p}", 0.0, 1.0) for p in PART_NAMES),
)
COVER_HALF_TURNS = 4.0
"""Stockpile cover (turns of need) that maps to 0.5: a year of a quarterly game."""


@dataclass(frozen=True)
class FeatureLayout:
    """Names and bounds of the feature vector of one scenario (its minerals fix the length)."""

    minerals: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        per_mineral = [f"{m}.{name}" for m in self.minerals for name, _, _ in MINERAL_FEATURES]
        return (*per_mineral, *(name for name, _, _ in NATION_FEATURES))

    @property
    def size(self) -> int:
        return len(MINERAL_FEATURES) * len(self.minerals) + len(NATION_FEATURES)

    @cached_property
    def _bounds(self) -> tuple[F32, F32]:
        m = len(self.minerals)
        low = np.array([lo for _, lo, _ in MINERAL_FEATURES] * m + [lo for _, lo, _ in NATION_FEATURES])
        high = np.array([hi for _, _, hi in MINERAL_FEATURES] * m + [hi for _, _, hi in NATION_FEATURES])
        return low.astype(np.float32), high.astype(np.float32)

    def bounds(self) -> tuple[F32, F32]:
        """(low, high) of every feature, float32 (copies: a Box may keep them)."""
        low, high = self._bounds
        return low.copy(), high.copy()


def _share(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _squash(x: NDArray[np.float64] | float, half: float = 1.0) -> NDArray[np.float64]:
    """x / (x + half) for x >= 0: 0.5 at `half`, towards 1 as x grows, never clipped."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return x / (x + half)


def _counted(n: int, cap: int) -> float:
    return min(n, cap) / cap


def features(obs: Observation, treasury0: float, layout: FeatureLayout | None = None) -> F32:
    """The feature vector of `obs` (see the module's table); `treasury0` is the nation's
    treasury at reset, the reference of `treasury_ratio`."""
    layout = layout or FeatureLayout(obs.minerals)
    me = obs.me
    n_min = len(obs.minerals)

    price = _squash(_share(obs.refined_price[:, me], obs.ref_price))
    need = obs.need.sum(axis=1)
    shortfall = _share(obs.shortfall.sum(axis=1), need)
    into_me = obs.refined_flow[:, :, me]  # (M, N) by origin, own production on the diagonal
    supply = into_me.sum(axis=1)
    foreign = into_me.copy()
    foreign[:, me] = 0.0
    dep_top = _share(foreign.max(axis=1), supply)
    dominant = obs.refine_share.argmax(axis=1)
    from_dominant = foreign[np.arange(n_min), dominant]  # 0 where the dominant refiner is me
    dep_dominant = _share(from_dominant, supply)
    cover_turns = np.where(need > 0, _share(obs.stockpile, need), np.where(obs.stockpile > 0, np.inf, 0.0))
    cover = np.where(np.isinf(cover_turns), 1.0, _squash(np.nan_to_num(cover_turns), COVER_HALF_TURNS))
    refining_hhi = (obs.refine_share**2).sum(axis=1)
    mining_hhi = (obs.mine_share**2).sum(axis=1)
    on_me = np.zeros(n_min)
    mine = np.zeros(n_min)
    index = {m: k for k, m in enumerate(obs.minerals)}
    for c in obs.controls:
        k = index.get(c.mineral)
        if k is None:
            continue
        if c.issuer == obs.nation:
            mine[k] += 1
        elif not c.targets or obs.nation in c.targets:
            on_me[k] += 1
    per_mineral = np.stack(
        [
            price,
            obs.fill[:, me],
            shortfall,
            dep_top,
            dep_dominant,
            cover,
            refining_hhi,
            mining_hhi,
            obs.mine_share[:, me],
            obs.refine_share[:, me],
            np.minimum(on_me, 4) / 4,
            np.minimum(mine, 4) / 4,
        ],
        axis=1,
    )  # (M, F) -> mineral-major when flattened

    others = np.arange(len(obs.nations)) != me
    rel, regard = obs.relations[others] / 100, obs.regard[others] / 100
    my_zones = obs.my_zones()
    invitations = sum(1 for p in obs.inbox if isinstance(p.order, InviteToZone))
    score = obs.score / 100 if np.isfinite(obs.score) else 0.5
    parts = [obs.score_parts.get(p, np.nan) / 100 for p in PART_NAMES]
    nation = np.array(
        [
            float(_squash(obs.treasury_usd_m / treasury0)) if treasury0 > 0 else 0.5,
            rel.mean() if rel.size else 0.0,
            rel.min() if rel.size else 0.0,
            rel.max() if rel.size else 0.0,
            regard.mean() if regard.size else 0.0,
            _counted(len(my_zones), 4),
            float(any(z.founder == obs.nation for z in my_zones)),
            _counted(invitations, 4),
            _counted(len(obs.inbox), 8),
            _counted(len(obs.outbox), 8),
            _counted(len(obs.deals), 16),
            _counted(len(obs.projects), 16),
            obs.turn / max(obs.turns_total, 1),
            score,
            *(p if np.isfinite(p) else 0.5 for p in parts),
        ]
    )
    out = np.concatenate([per_mineral.ravel(), nation])
    low, high = layout._bounds
    return np.clip(np.nan_to_num(out, nan=0.0, posinf=1.0, neginf=0.0), low, high).astype(np.float32)
