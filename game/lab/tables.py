"""Tidy tables (pandas) from a world's turn records, in the column layout users rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.firms import KIND_CODE
from game.rules import FirmKind
from game.world.model import SECTORS, WorldModel
from game.world.record import CAUSES, Explanations

STAGES = ("ore", "refined")
PRICE_COLUMNS = ["turn", "date", "mineral", "stage", "country", "price_usd_per_t"]
SCORE_COLUMNS = ["turn", "date", "nation", "part", "value", "weight", "contribution"]
SCORE_ROW = "score"
BALANCE_COLUMNS = [
    "turn", "mineral", "stage", "country", "sector",
    "production", "imports", "exports", "consumption", "stock_change", "shortfall",
    "inventory", "inventory_change",
]  # fmt: skip


def _grid(*axes: tuple[str, list[str] | tuple[str, ...]]) -> dict[str, np.ndarray]:
    names = [a for a, _ in axes]
    values = np.meshgrid(*[np.asarray(v, dtype=object) for _, v in axes], indexing="ij")
    return {n: v.ravel() for n, v in zip(names, values, strict=True)}


def prices(world: WorldModel) -> pd.DataFrame:
    """turn, date, mineral, stage, country, price_usd_per_t: what buyers in each country paid."""
    n_nat = len(world.nation_ids)
    frames = []
    for r in world.records:
        for stage, paid in (("ore", r.ore_paid), ("refined", r.refined_paid[:, :n_nat])):
            cols = _grid(("mineral", world.mineral_ids), ("country", world.nation_ids))
            frames.append(
                pd.DataFrame(
                    {
                        "turn": r.turn,
                        "date": world.scenario.date_of(r.turn),
                        **cols,
                        "stage": stage,
                        "price_usd_per_t": paid.ravel(),
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    return df[PRICE_COLUMNS]


def flows(world: WorldModel) -> pd.DataFrame:
    """turn, mineral, stage, origin, dest, tonnes (non-zero rows only)."""
    frames = []
    for r in world.records:
        for stage, flow in (("ore", r.ore_flow), ("refined", r.refined_flow)):
            m, o, d = np.nonzero(flow > 0)
            frames.append(
                pd.DataFrame(
                    {
                        "turn": r.turn,
                        "mineral": np.asarray(world.mineral_ids, dtype=object)[m],
                        "stage": stage,
                        "origin": np.asarray(world.nation_ids, dtype=object)[o],
                        "dest": np.asarray(world.nation_ids, dtype=object)[d],
                        "tonnes": flow[m, o, d],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def balances(world: WorldModel) -> pd.DataFrame:
    """Per turn, mineral, stage, country: the mass balance, with sector rows for refined use.

    Rows with sector 'all' hold every column and satisfy
    production + imports = consumption + exports + stock_change + inventory_change, where
    stock_change is public stockpiles and refiners' stock of refined metal, and
    inventory(_change) the commercial stocks: manufacturers' refined metal at the refined
    stage, refiners' ore at the ore stage (whose consumption is the ore that went into the
    plants); sector rows hold only consumption and shortfall (NaN for the rest).
    """
    frames = []
    nat, mins = world.nation_ids, world.mineral_ids
    for r in world.records:
        none = np.zeros_like(r.ore_intake)
        for stage, flow, production, consumption, stock, shortfall, held, held_change in (
            (
                "ore",
                r.ore_flow,
                r.ore_production,
                r.ore_intake - r.ore_inventory_change,  # what went into the plants
                none,
                r.ore_shortfall,
                r.ore_inventory,
                r.ore_inventory_change,
            ),
            (
                "refined",
                r.refined_flow,
                r.refined_production,
                r.consumption.sum(axis=2),
                r.refined_stock_change,
                r.shortfall.sum(axis=2),
                r.inventory,
                r.inventory_change,
            ),
        ):
            domestic = np.einsum("mnn->mn", flow)
            cols = _grid(("mineral", mins), ("country", nat))
            frames.append(
                pd.DataFrame(
                    {
                        "turn": r.turn,
                        **cols,
                        "stage": stage,
                        "sector": "all",
                        "production": production.ravel(),
                        "imports": (flow.sum(axis=1) - domestic).ravel(),
                        "exports": (flow.sum(axis=2) - domestic).ravel(),
                        "consumption": consumption.ravel(),
                        "stock_change": stock.ravel(),
                        "shortfall": shortfall.ravel(),
                        "inventory": held.ravel(),
                        "inventory_change": held_change.ravel(),
                    }
                )
            )
        cols = _grid(("mineral", mins), ("country", nat), ("sector", [s.value for s in SECTORS]))
        nan = np.full(r.consumption.size, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "turn": r.turn,
                    "mineral": cols["mineral"],
                    "country": cols["country"],
                    "stage": "refined",
                    "sector": cols["sector"],
                    "production": nan,
                    "imports": nan,
                    "exports": nan,
                    "consumption": r.consumption.ravel(),
                    "stock_change": nan,
                    "shortfall": r.shortfall.ravel(),
                    "inventory": nan,
                    "inventory_change": nan,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    return df[BALANCE_COLUMNS]


def firms(world: WorldModel) -> pd.DataFrame:
    """turn, firm, country, owner, mineral, stage, capacity, output, unit_cost, profit (per turn)."""
    agents = world.firm_agents
    frames = []
    for r in world.records:
        n = len(r.firm_capacity)
        rows = agents[:n]
        t = world.firms
        frames.append(
            pd.DataFrame(
                {
                    "turn": r.turn,
                    "firm": [a.firm_id for a in rows],
                    "kind": [a.kind.value for a in rows],
                    "country": np.asarray(world.nation_ids, dtype=object)[t.country[:n]],
                    "owner": np.asarray(world.nation_ids, dtype=object)[t.owner[:n]],
                    "mineral": np.asarray(world.mineral_ids, dtype=object)[t.mineral[:n]],
                    "stage": np.where(t.kind[:n] == KIND_CODE[FirmKind.MINE], "ore", "refined"),
                    "capacity": r.firm_capacity,
                    "output": r.firm_output,
                    "unit_cost": r.firm_unit_cost,
                    "profit": r.firm_profit,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def explanations(world: WorldModel) -> pd.DataFrame:
    """turn, mineral, stage, country, cause, share_of_price_change, price_change."""
    columns = ["turn", "mineral", "stage", "country", "cause", "share_of_price_change", "price_change"]
    every = Explanations.concatenate([r.explanations for r in world.records])
    if not len(every):  # no columns to take dtypes from: object, as pandas makes them from no rows
        df = pd.DataFrame([], columns=columns)
        df["cause"] = pd.Categorical(df["cause"], categories=list(CAUSES))
        return df
    turns = np.repeat([r.turn for r in world.records], [len(r.explanations) for r in world.records])
    return pd.DataFrame(
        {
            "turn": turns,
            "mineral": np.asarray(world.mineral_ids, dtype=object)[every.mineral],
            "stage": np.asarray(STAGES, dtype=object)[every.stage],
            "country": np.asarray(world.nation_ids, dtype=object)[every.country],
            "cause": pd.Categorical.from_codes(every.cause, categories=list(CAUSES)),
            "share_of_price_change": every.share,
            "price_change": every.change,
        },
        columns=columns,
    )


def events(world: WorldModel) -> pd.DataFrame:
    return pd.DataFrame(
        [(h.turn, h.event, h.kind, h.name, h.news) for h in world.news],
        columns=["turn", "event", "kind", "name", "news"],
    )


ORDER_COLUMNS = ["turn", "issuer", "kind", "accepted", "reason", "json", "log_index"]


def orders(world: WorldModel) -> pd.DataFrame:
    """turn, issuer, kind, accepted, reason, json, log_index: every order the desk saw, in
    submission order (those refused on arrival included, with their reason). `log_index` is
    the order's place in the save's order log (what `lodestone whatif --drop-order` takes);
    -1 for an event's effect, which is not in the log."""
    log = sorted(world.desk.log, key=lambda r: (r.turn, r.seq))
    submitted = sorted(r.seq for r in log if r.stage != "event")
    index = {seq: i for i, seq in enumerate(submitted)}
    return pd.DataFrame(
        [
            (
                r.turn,
                r.issuer,
                r.kind,
                r.accepted,
                r.reason,
                r.json(),
                index.get(r.seq, -1) if r.stage != "event" else -1,
            )
            for r in log
        ],
        columns=ORDER_COLUMNS,
    ).astype({"turn": "int64", "accepted": "bool", "log_index": "int64"})


def scores(world: WorldModel) -> pd.DataFrame:
    """turn, date, nation, part, value, weight, contribution: each nation's score, explained.

    Long (tidy) layout, one row per turn, nation and part, parts in `PART_NAMES` order
    followed by one row with part `score`. On a part row, `value` is the part (0..100),
    `weight` its normalised weight (a nation's weights sum to 1) and `contribution` is
    `weight * value`; on the `score` row, `value` and `contribution` are the score (the sum
    of the nation's contributions that turn) and `weight` is 1. So
    `df[df.part != "score"].groupby(["turn", "nation"]).contribution.sum()` gives the score
    back, and `df[df.part == "score"]` is the score series.
    """
    names = [*world.score_part_names, SCORE_ROW]
    records = [r for r in world.records if r.score.size]
    n_turns, n_nat, n_parts = len(records), len(world.nation_ids), len(names)
    parts = np.stack([r.score_parts for r in records])  # (T, N, P)
    score = np.stack([r.score for r in records])  # (T, N)
    weights = np.broadcast_to(world.scorer.weights, parts.shape)
    value = np.concatenate([parts, score[:, :, None]], axis=2)
    weight = np.concatenate([weights, np.ones((n_turns, n_nat, 1))], axis=2)
    contribution = np.concatenate([parts * weights, score[:, :, None]], axis=2)
    turns = np.array([r.turn for r in records], dtype=np.int64)
    dates = np.array([world.scenario.date_of(int(t)) for t in turns], dtype=object)
    cols = _grid(("nation", world.nation_ids), ("part", names))
    per_turn = n_nat * n_parts
    df = pd.DataFrame(
        {
            "turn": np.repeat(turns, per_turn),
            "date": np.repeat(dates, per_turn),
            "nation": np.tile(cols["nation"], n_turns),
            "part": pd.Categorical(np.tile(cols["part"], n_turns), categories=names),
            "value": value.ravel(),
            "weight": weight.ravel(),
            "contribution": contribution.ravel(),
        }
    )
    return df[SCORE_COLUMNS]
