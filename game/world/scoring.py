"""Scores: how well each nation meets its objectives, part by part, every turn.

Each part is on a 0–100 scale and means the same for every nation, so a player can read it
without knowing the others'; the nation's objectives (`game.rules.Objectives`, from the
scenario or its doctrine) say how much each part counts. With weights `w` normalised to sum
to 1, a part's *contribution* is `w * part` and the *score* is the sum of contributions, so
the score is on 0–100 too and the contributions explain it exactly.

The parts (axes: M minerals, N nations, S sectors; all vectorised, no loop over firms):

supply security
    For each mineral a sector needs, the share of this turn's need that was served,
    `1 - shortfall / need`. A sector's fill is the plain mean over the minerals it needs:
    minerals are *not* weighted by tonnes or value, because a missing 5 t of gallium stops
    a chip line as surely as a missing 50,000 t of copper stops a cable plant (criticality,
    not bulk). The part is `100 * sum_s v_s fill_s / sum_s v_s` over the sectors the nation
    needs anything for, with `v` its sector weights. 100 = every need met.

economic cost
    What the nation's need would cost at this turn's prices against the reference prices:
    `bill = sum_m (civil price paid * civil need + defence price paid * defence need)`,
    `ref = sum_m reference price * need`, part `= 100 * min(1, ref / bill)`: the share of its
    need the reference budget would still buy. It is value-weighted (a rise in the copper
    price costs more money than one in gallium) and weighted by *need*, not purchases, so
    a nation that buys less because it is cut off does not look cheaper. 100 = at or below
    reference prices; 50 = its basket costs twice the reference.

revenue
    Export earnings of the firms a nation *owns* (wherever they are): each firm's revenue
    times the share of its country's sales at its stage that left the country (from the
    turn's flows). Against the nation's earnings in the first scored turn `R0`, the part
    is `100 * (R + e) / (R + R0 + 2e)`: 50 = as at the start, towards 100 as earnings
    multiply, 0 when they vanish. `e` (0.1 % of the world's starting export earnings) keeps
    a nation that starts with no exports at 50 until it earns some, instead of dividing by 0.

leverage
    The share of everyone else's supply a nation could withhold: for each mineral and
    stage, its exports over all deliveries to nations other than itself (0..1), the larger
    of the ore and refined stage (a lever at either stage binds). Across minerals, the
    strongest lever counts half and the mean over minerals half: one near-monopoly is a real
    lever, and holding several is more. Part `= 100 * (max_m L + mean_m L) / 2`. An absolute
    share, not relative to the start, because withholding power is the same thing for all.

bloc cohesion
    The mutual regard `(r_ij + r_ji) / 2` (relations −100..100) between a nation and its
    partners, mapped to 0..100 by `(r + 100) / 2` and averaged. Partners are the other
    members of its zones, or if it is in no zone the nations of its alignment. Mutual, since
    a bloc frays when either side sours. A nation with no partner scores a neutral 50.
    Relations are the world's (`game.world.mechanisms.diplomacy`), so acts between partners move it.

treasury
    The policy budget kept, against the start: `100 * (T + e) / (T + T0 + 2e)` with
    e = 1 USD m. 50 = as at the start, less when spent, more when it grows (stockpile sales).

Before the first turn nothing has been traded, so `score` and `score_parts` are NaN
("not scored yet"); from the first turn on they are finite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from agents.firms import KIND_CODE
from game.rules import PARTS, Alignment, FirmKind, Objectives, Part, Sector, Zone
from game.world.market.stored import RouteRows

if TYPE_CHECKING:
    from game.world.record import TurnRecord
    from game.world.state import WorldState

F64 = NDArray[np.float64]
SECTORS: tuple[Sector, ...] = tuple(Sector)
DEFENCE = SECTORS.index(Sector.DEFENCE)
MINE = KIND_CODE[FirmKind.MINE]
PART_NAMES: tuple[str, ...] = tuple(p.value for p in PARTS)

REVENUE_FLOOR_SHARE = 1e-3
"""Share of the world's starting export earnings added to a nation's own (model assumption):
keeps the revenue part of a nation without exports at the start finite and at 50."""
TREASURY_FLOOR_USD_M = 1.0
LEVERAGE_STRONGEST = 0.5
"""Weight of the strongest lever against the mean over minerals in the leverage part."""
NO_PARTNERS = 50.0

# ---------------------------------------------------------------------------- parts


def supply_security(need: F64, shortfall: F64, sector_weights: F64) -> F64:
    """(N,) 0..100 from need and shortfall (M, N, S) and sector weights (N, S)."""
    needed = need > 0
    fill = 1.0 - np.divide(shortfall, need, out=np.zeros_like(need), where=needed)
    fill = np.clip(fill, 0.0, 1.0)
    count = needed.sum(axis=0)  # (N, S) minerals each sector needs
    sector_fill = np.divide((fill * needed).sum(axis=0), count, out=np.ones(count.shape), where=count > 0)
    w = sector_weights * (count > 0)
    total = w.sum(axis=1)
    weighted = (w * sector_fill).sum(axis=1)
    return 100.0 * np.divide(weighted, total, out=np.ones_like(total), where=total > 0)


def economic_cost(need: F64, refined_paid: F64, ref_price: F64) -> F64:
    """(N,) 0..100: the share of its need the reference bill buys at the prices paid."""
    n_nat = need.shape[1]
    defence = need[:, :, DEFENCE]
    civil = need.sum(axis=2) - defence
    paid_civil, paid_defence = refined_paid[:, :n_nat], refined_paid[:, n_nat:]
    bill = (paid_civil * civil + paid_defence * defence).sum(axis=0)
    ref = (ref_price[:, None] * (civil + defence)).sum(axis=0)
    ratio = np.divide(ref, bill, out=np.ones_like(ref), where=bill > 0)
    return 100.0 * np.minimum(ratio, 1.0)


class FlowTotals(NamedTuple):
    """The sums of a bilateral flow (M, origin, dest) the score reads."""

    shipped: F64  # (M, N) by origin
    home: F64  # (M, N) origin to itself
    received: F64  # (M, N) by destination
    total: F64  # (M,)


Flows = F64 | RouteRows | FlowTotals


def flow_totals(flow: Flows) -> FlowTotals:
    """The sums of a flow given dense (M, N, N) or by rows (the same numbers either way)."""
    if isinstance(flow, FlowTotals):
        return flow
    if isinstance(flow, RouteRows):
        return FlowTotals(flow.by_origin(), flow.diagonal(), flow.by_buyer(), flow.by_mineral())
    return FlowTotals(flow.sum(axis=2), np.einsum("mnn->mn", flow), flow.sum(axis=1), flow.sum(axis=(1, 2)))


def export_share(flow: Flows) -> F64:
    """(M, N) share of what each country shipped (flow (M, origin, dest)) that left it."""
    sums = flow_totals(flow)
    shipped, home = sums.shipped, sums.home
    return np.divide(shipped - home, shipped, out=np.zeros_like(shipped), where=shipped > 0)


def export_earnings(
    revenue: F64,
    is_mine: NDArray[np.bool_],
    mineral: NDArray[np.int64],
    country: NDArray[np.int64],
    owner: NDArray[np.int64],
    ore_flow: Flows,
    refined_flow: Flows,
    n_nat: int,
) -> F64:
    """(N,) USD m a turn: each firm's revenue times its country's export share at its stage,
    summed by owner."""
    share = np.where(
        is_mine, export_share(ore_flow)[mineral, country], export_share(refined_flow)[mineral, country]
    )
    return np.bincount(owner, weights=revenue * share, minlength=n_nat) / 1e6


def relative(x: F64, x0: F64, floor: F64 | float) -> F64:
    """0..100, 50 where x == x0: `100 (x + e) / (x + x0 + 2e)` (see the module docstring)."""
    x = np.maximum(x, 0.0)
    return 100.0 * (x + floor) / (x + np.maximum(x0, 0.0) + 2 * floor)


def withholdable(flow: Flows) -> F64:
    """(M, N) share of deliveries to everyone else that each nation exports (0..1)."""
    sums = flow_totals(flow)
    exports = sums.shipped - sums.home
    others = sums.total[:, None] - sums.received
    return np.clip(np.divide(exports, others, out=np.zeros_like(exports), where=others > 0), 0.0, 1.0)


def leverage(ore_flow: Flows, refined_flow: Flows) -> F64:
    """(N,) 0..100: half the strongest lever, half the mean lever over minerals."""
    lever = np.maximum(withholdable(ore_flow), withholdable(refined_flow))  # (M, N)
    return 100.0 * (LEVERAGE_STRONGEST * lever.max(axis=0) + (1 - LEVERAGE_STRONGEST) * lever.mean(axis=0))


def partners(nation_ids: Sequence[str], alignments: Sequence[Alignment], zones: Iterable[Zone]) -> F64:
    """(N, N) bool: fellow zone members, or for a nation in no zone its alignment camp."""
    n = len(nation_ids)
    index = {nation: i for i, nation in enumerate(nation_ids)}
    rows = [[index[m] for m in z.members if m in index] for z in zones]  # zones are few: a loop is fine
    member = np.zeros((len(rows), n), dtype=bool)
    for z, cols in enumerate(rows):
        member[z, cols] = True
    zone_mates = (member.T.astype(np.int64) @ member.astype(np.int64)) > 0
    a = np.array([Alignment(x).value for x in alignments])
    camp = a[:, None] == a[None, :]
    in_zone = member.any(axis=0)
    mates = np.where(in_zone[:, None], zone_mates, camp)
    np.fill_diagonal(mates, False)
    return mates


def bloc_cohesion(relations: F64, mates: F64) -> F64:
    """(N,) 0..100: mean mutual regard with partners; NO_PARTNERS for a nation without any."""
    mutual = (relations + relations.T) / 2
    regard = (np.clip(mutual, -100.0, 100.0) + 100.0) / 2
    count = mates.sum(axis=1)
    total = (regard * mates).sum(axis=1)
    return np.divide(total, count, out=np.full(len(count), NO_PARTNERS), where=count > 0)


def weighted(parts: F64, weights: F64) -> tuple[F64, F64]:
    """(score (N,), contributions (N, P)) from parts (N, P) and normalised weights (N, P)."""
    contributions = parts * weights
    return contributions.sum(axis=1), contributions


# ---------------------------------------------------------------------------- the scorer


class Scorer:
    """Scores every nation each turn and keeps the history.

    Weights are fixed at construction (normalised per nation to sum to 1); the baselines
    of the relative parts (treasury at the start, export earnings in the first scored turn)
    are state, so they are in `state_arrays` for the world hash.
    """

    def __init__(
        self,
        nation_ids: Sequence[str],
        alignments: Sequence[Alignment],
        objectives: Sequence[Objectives],
        treasury: F64,
    ) -> None:
        self.nation_ids = tuple(nation_ids)
        self.alignments = tuple(alignments)
        self.objectives = tuple(objectives)
        raw = np.array([o.weights() for o in objectives], dtype=float).reshape(len(nation_ids), len(PARTS))
        self.weights: F64 = raw / raw.sum(axis=1, keepdims=True)
        """(N, P) normalised weights, in `PARTS` order."""
        self.sector_weights: F64 = np.array([o.sector_weights() for o in objectives], dtype=float).reshape(
            len(nation_ids), len(SECTORS)
        )
        self.treasury0 = np.asarray(treasury, dtype=float).copy()
        self.revenue0 = np.full(len(nation_ids), np.nan)
        self.revenue_floor = np.nan
        self.turns: list[int] = []
        self.scores: list[F64] = []
        self.parts: list[F64] = []

    @classmethod
    def for_world(cls, world: WorldState) -> Scorer:
        """The scorer of a world: its nations' objectives from the scenario or doctrine."""
        specs = [world.content.nations[n] for n in world.nation_ids]
        return cls(
            world.nation_ids,
            [s.alignment for s in specs],
            [world.scenario.objectives_for(s.id, s.doctrine) for s in specs],
            world.treasury,
        )

    @staticmethod
    def not_scored(n_nat: int) -> tuple[F64, F64]:
        """NaN score and parts: what a world holds before its first turn."""
        return np.full(n_nat, np.nan), np.full((n_nat, len(PARTS)), np.nan)

    def update(self, world: WorldState, record: TurnRecord) -> tuple[F64, F64]:
        """Score the turn just resolved (`record`, plus the world's firms, treasury, zones and
        relations); returns (score (N,), parts (N, P)) and appends them to the history."""
        n_nat = len(self.nation_ids)
        t = world.firms
        is_mine = t.kind == MINE
        flows = (flow_totals(record.ore_routes), flow_totals(record.refined_routes))  # summed once
        earnings = export_earnings(t.revenue, is_mine, t.mineral, t.country, t.owner, *flows, n_nat)
        if np.isnan(self.revenue_floor):
            self.revenue0 = earnings.copy()
            self.revenue_floor = max(REVENUE_FLOOR_SHARE * float(earnings.sum()), 1e-9)
        rel = world.relations
        # zones are few and may change by orders or events at any time: recomputed every turn
        mates = partners(self.nation_ids, self.alignments, world.policies.zones.values())
        columns = {
            Part.SUPPLY_SECURITY: supply_security(record.need, record.shortfall, self.sector_weights),
            Part.ECONOMIC_COST: economic_cost(record.need, record.refined_paid, world.ref_price),
            Part.REVENUE: relative(earnings, self.revenue0, self.revenue_floor),
            Part.LEVERAGE: leverage(*flows),
            Part.BLOC_COHESION: bloc_cohesion(rel, mates),
            Part.TREASURY: relative(world.treasury, self.treasury0, TREASURY_FLOOR_USD_M),
        }
        parts = np.stack([columns[p] for p in PARTS], axis=1)
        score, _ = weighted(parts, self.weights)
        self.turns.append(record.turn)
        self.scores.append(score)
        self.parts.append(parts)
        return score.copy(), parts.copy()

    def history(self) -> tuple[F64, F64]:
        """(score (T, N), parts (T, N, P)) for every scored turn so far."""
        n_nat = len(self.nation_ids)
        if not self.scores:
            return np.zeros((0, n_nat)), np.zeros((0, n_nat, len(PARTS)))
        return np.stack(self.scores), np.stack(self.parts)

    def state_arrays(self) -> list[F64]:
        """What future scores depend on besides the world: the baselines and the weights."""
        floor = np.array([self.revenue_floor])
        return [self.weights, self.sector_weights, self.treasury0, self.revenue0, floor]

    def digest(self) -> bytes:
        return b"".join(np.ascontiguousarray(a).tobytes() for a in self.state_arrays())
