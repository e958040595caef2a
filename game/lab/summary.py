"""What a sweep keeps of a game: one summary row, and (opt-in) a few series per turn.

Computed straight from the world's turn records (numpy), not from the full tables, because
a sweep plays thousands of games and the full tables of one default game are megabytes.

Summary row (wide: one column per measure and key; ids contain no dots, so a column name
splits on '.' into measure, scope and key):

    run_id, point, replicate, scenario, variant, seed, turns, world_hash, controller_errors
    param.<path>                       each swept parameter's value
    score.<nation>                     the nation's score (0..100) on the last turn
    shortfall_mean.world / shortfall_max.world
    shortfall_mean.sector.<sector>     world, one end-use sector
    shortfall_mean.nation.<nation>     one nation, every mineral and sector
    shortfall_mean.mineral.<mineral>   world, one mineral
    shortfall_mean.nation.<nation>.<mineral>
    (and the same with shortfall_max)
    price_peak.<mineral>               highest world price index (mean price paid / reference)
    price_peak_turn.<mineral>          the first turn it was reached
    first_turn.<what>                  first turn an accepted order of that kind took effect
                                       (<NA> if never): ban, export_control, lift_export_control,
                                       tariff, zone, deal, invest, stockpile_buy, stockpile_release

A shortfall share is shortfall / need in one turn; `mean` is over turns, `max` the worst
turn. Where several minerals add up (world, sector, nation) tonnes are weighted by each
mineral's reference price, so a tonne of gallium counts for what it is worth and copper's
tonnage does not drown everything else. A nation or mineral with no need gives NaN.

Per-turn table (tidy): run_id, turn, series, key, value with series `price_index` (key: the
mineral), `shortfall_share` (key: `world`, `sector.<s>`, `nation.<n>`, `mineral.<m>`) and
`score` (key: the nation).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from game.rules import Instrument
from game.rules.orders import (
    ImposeExportControl,
    Invest,
    LiftExportControl,
    Order,
    ProposeDeal,
    ProposeZone,
    SetTariff,
    Stockpile,
)
from game.world.model import SECTORS, WorldModel

PER_TURN_COLUMNS = ["run_id", "turn", "series", "key", "value"]
FIRST_TURNS = (
    "ban",
    "export_control",
    "lift_export_control",
    "tariff",
    "zone",
    "deal",
    "invest",
    "stockpile_buy",
    "stockpile_release",
)


def _quiet() -> warnings.catch_warnings:
    """nanmean/nanmax of an all-NaN column warn; here NaN is the answer (no need at all)."""
    return warnings.catch_warnings(action="ignore", category=RuntimeWarning)


def _share(short: np.ndarray, need: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(need > 0, short / np.where(need > 0, need, 1.0), np.nan)


def shortfall_series(world: WorldModel) -> dict[str, np.ndarray]:
    """Shortfall share per turn for every scope of the summary (key -> array over turns)."""
    records = world.records
    need = np.stack([r.need for r in records])  # (T, M, N, S) tonnes
    short = np.stack([r.shortfall for r in records])
    value = world.ref_price[None, :, None, None]  # USD per tonne: weights across minerals
    need_v, short_v = need * value, short * value
    out: dict[str, np.ndarray] = {"world": _share(short_v.sum(axis=(1, 2, 3)), need_v.sum(axis=(1, 2, 3)))}
    by_sector = _share(short_v.sum(axis=(1, 2)), need_v.sum(axis=(1, 2)))  # (T, S)
    for s, sector in enumerate(SECTORS):
        out[f"sector.{sector.value}"] = by_sector[:, s]
    by_nation = _share(short_v.sum(axis=(1, 3)), need_v.sum(axis=(1, 3)))  # (T, N)
    for n, nation in enumerate(world.nation_ids):
        out[f"nation.{nation}"] = by_nation[:, n]
    by_mineral = _share(short.sum(axis=(2, 3)), need.sum(axis=(2, 3)))  # (T, M)
    for m, mineral in enumerate(world.mineral_ids):
        out[f"mineral.{mineral}"] = by_mineral[:, m]
    return out


def nation_mineral_shortfall(world: WorldModel) -> tuple[np.ndarray, np.ndarray]:
    """(mean, max) over turns of each nation's shortfall share per mineral, shape (N, M)."""
    need = np.stack([r.need.sum(axis=2) for r in world.records])  # (T, M, N)
    short = np.stack([r.shortfall.sum(axis=2) for r in world.records])
    share = _share(short, need)
    with _quiet():
        return np.nanmean(share, axis=0).T, np.nanmax(share, axis=0).T


def price_index(world: WorldModel) -> np.ndarray:
    """(T, M): the mean refined price buyers paid across nations, over the reference price."""
    n = len(world.nation_ids)
    return np.stack([r.refined_paid[:, :n].mean(axis=1) / world.ref_price for r in world.records])


def _first_turn_key(order: Order) -> str | None:
    match order:
        case ImposeExportControl():
            return "ban" if order.instrument == Instrument.BAN else None
        case ProposeZone():
            return "zone"
        case ProposeDeal():
            return "deal"
        case Stockpile():
            return f"stockpile_{order.action.value}"
        case LiftExportControl() | SetTariff() | Invest():
            return order.kind
    return None


def first_turns(world: WorldModel) -> dict[str, int | None]:
    """First turn an accepted order of each key kind took effect (event effects included).

    Read from the orders' fields, not from their JSON: a 60-turn default game logs ~1,700
    orders, and dumping and parsing each was ~15 ms of every sweep run."""
    found: dict[str, int | None] = dict.fromkeys(FIRST_TURNS)
    for record in sorted(world.desk.log, key=lambda r: (r.turn, r.seq)):
        if not record.accepted:
            continue
        keys = [_first_turn_key(record.order)]
        if isinstance(record.order, ImposeExportControl):
            keys.append("export_control")
        for key in keys:
            if key is not None and found[key] is None:
                found[key] = record.turn
    return found


IDENTITY = ("run_id", "point", "replicate", "scenario", "variant", "seed")
"""The columns that say which run a summary row is, before its parameters and measures."""


def identity_row(
    run_id: str,
    point: int,
    replicate: int,
    scenario: str,
    variant: str,
    seed: int,
    params: Iterable[tuple[str, float]],
) -> dict[str, object]:
    """The first columns of a summary row: the run's identity, then `param.<path>` for each
    parameter in the given order. The sweep and `run_game` both build rows with this."""
    row: dict[str, object] = dict(
        zip(IDENTITY, (run_id, point, replicate, scenario, variant, seed), strict=True)
    )
    row.update({f"param.{path}": value for path, value in params})
    return row


def summary_row(world: WorldModel, controller_errors: int = 0) -> dict[str, object]:
    """The measures of one game (without the run's identity and parameters, added by the caller)."""
    row: dict[str, object] = {
        "turns": len(world.records),
        "world_hash": world.records[-1].world_hash if world.records else "",
        "controller_errors": controller_errors,
    }
    last_score = next((r.score for r in reversed(world.records) if r.score.size), None)
    for n, nation in enumerate(world.nation_ids):
        row[f"score.{nation}"] = float(last_score[n]) if last_score is not None else np.nan
    series = shortfall_series(world)
    with _quiet():
        for key, values in series.items():
            row[f"shortfall_mean.{key}"] = float(np.nanmean(values))
            row[f"shortfall_max.{key}"] = float(np.nanmax(values))
    mean, peak = nation_mineral_shortfall(world)
    for n, nation in enumerate(world.nation_ids):
        for m, mineral in enumerate(world.mineral_ids):
            row[f"shortfall_mean.nation.{nation}.{mineral}"] = float(mean[n, m])
            row[f"shortfall_max.nation.{nation}.{mineral}"] = float(peak[n, m])
    prices = price_index(world)
    turns = np.array([r.turn for r in world.records])
    for m, mineral in enumerate(world.mineral_ids):
        at = int(np.argmax(prices[:, m]))
        row[f"price_peak.{mineral}"] = float(prices[at, m])
        row[f"price_peak_turn.{mineral}"] = int(turns[at])
    for key, turn in first_turns(world).items():
        row[f"first_turn.{key}"] = turn
    return row


def per_turn_frame(world: WorldModel, run_id: str) -> pd.DataFrame:
    """The per-turn series of one game, tidy (see the module docstring)."""
    turns = np.array([r.turn for r in world.records], dtype=np.int64)
    blocks: list[tuple[str, str, np.ndarray]] = []
    prices = price_index(world)
    blocks += [("price_index", m, prices[:, i]) for i, m in enumerate(world.mineral_ids)]
    blocks += [("shortfall_share", k, v) for k, v in shortfall_series(world).items()]
    scores = np.stack(
        [r.score if r.score.size else np.full(len(world.nation_ids), np.nan) for r in world.records]
    )
    blocks += [("score", n, scores[:, i]) for i, n in enumerate(world.nation_ids)]
    k = len(turns)
    return pd.DataFrame(
        {
            "run_id": run_id,
            "turn": np.tile(turns, len(blocks)),
            "series": np.repeat([b[0] for b in blocks], k),
            "key": np.repeat([b[1] for b in blocks], k),
            "value": np.concatenate([b[2] for b in blocks]).astype(float),
        }
    )[PER_TURN_COLUMNS]


def as_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Summary rows as a frame with stable dtypes (first turns as nullable integers)."""
    df = pd.DataFrame(rows)
    turns = [c for c in df.columns if c.startswith(("first_turn.", "price_peak_turn."))]
    return df.astype(dict.fromkeys(turns, "Int64")) if turns else df  # one copy, not one per column
