"""`lodestone run`: headless games written as tidy, reproducible Parquet tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from game.cli import app
from game.rules import PARTS
from game.rules.orders import ORDER_ADAPTER

COLUMNS = {
    "prices": ["turn", "date", "mineral", "stage", "country", "price_usd_per_t"],
    "flows": ["turn", "mineral", "stage", "origin", "dest", "tonnes"],
    "balances": [
        "turn",
        "mineral",
        "stage",
        "country",
        "sector",
        "production",
        "imports",
        "exports",
        "consumption",
        "stock_change",
        "shortfall",
        "inventory",
        "inventory_change",
    ],
    "explanations": ["turn", "mineral", "stage", "country", "cause", "share_of_price_change", "price_change"],
    "scores": ["turn", "date", "nation", "part", "value", "weight", "contribution"],
    "orders": ["turn", "issuer", "kind", "accepted", "reason", "json", "log_index"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    runner = CliRunner()
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        result = runner.invoke(
            app,
            ["run", "--scenario", "tutorial", "--seed", str(seed), "--turns", "5", "--out", str(root / name)],
        )
        assert result.exit_code == 0, result.output
    return root


def test_run_writes_every_table_with_its_columns(runs):
    for table, columns in COLUMNS.items():
        df = pd.read_parquet(runs / "a" / f"{table}.parquet")
        assert list(df.columns) == columns
        assert len(df) > 0
    firms = pd.read_parquet(runs / "a" / "firms.parquet")
    assert {
        "firm",
        "country",
        "owner",
        "mineral",
        "stage",
        "capacity",
        "output",
        "unit_cost",
        "profit",
    } <= set(firms.columns)
    flows = pd.read_parquet(runs / "a" / "flows.parquet")
    assert (flows["tonnes"] > 0).all()
    prices = pd.read_parquet(runs / "a" / "prices.parquet")
    assert set(prices["date"]) >= {"2026 Q1", "2027 Q1"}


def test_scores_table_explains_every_nations_score_every_turn(runs, content):
    df = pd.read_parquet(runs / "a" / "scores.parquet")
    nations = content.scenario("tutorial").nations
    parts = [p.value for p in PARTS]
    assert list(df["part"].cat.categories) == [*parts, "score"]
    # one row per turn, nation and part, plus the score row
    assert len(df) == 5 * len(nations) * (len(parts) + 1)
    assert sorted(df["turn"].unique()) == list(range(5))
    assert set(df["nation"]) == set(nations)
    assert df[["value", "weight", "contribution"]].notna().all().all()
    assert df["value"].between(0, 100).all()
    part_rows, score_rows = df[df["part"] != "score"], df[df["part"] == "score"]
    keys = ["turn", "nation"]
    explained = part_rows.groupby(keys, observed=True)["contribution"].sum()
    score = score_rows.set_index(keys)["value"]
    assert np.allclose(explained.sort_index(), score.sort_index(), rtol=0, atol=1e-9)
    weights = part_rows.groupby(keys, observed=True)["weight"].sum()
    assert np.allclose(weights, 1.0)
    assert np.allclose(part_rows["contribution"], part_rows["weight"] * part_rows["value"])
    assert (score_rows["weight"] == 1.0).all() and (score_rows["contribution"] == score_rows["value"]).all()


def test_meta_records_what_reproduces_the_run(runs):
    meta = json.loads((runs / "a" / "meta.json").read_text())
    assert meta["scenario"] == "tutorial" and meta["seed"] == 7 and meta["turns"] == 5
    assert len(meta["world_hash"]) == 5 and len(meta["content_hash"]) == 32
    assert meta["package_version"]
    # every market either cleared or is listed, by turn, stage and mineral
    for turn, stage, mineral in meta["unsettled_markets"]:
        assert 0 <= turn < 5 and stage in ("ore", "refined") and mineral in ("rare_earths", "lithium")


def test_same_seed_gives_byte_identical_tables(runs):
    for path in sorted((runs / "a").iterdir()):
        assert path.read_bytes() == (runs / "b" / path.name).read_bytes(), path.name


def test_another_seed_gives_another_world(runs):
    a = json.loads((runs / "a" / "meta.json").read_text())["world_hash"]
    c = json.loads((runs / "c" / "meta.json").read_text())["world_hash"]
    assert a != c


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "atlantis"], "unknown scenario 'atlantis'"),
        (["--turns", "0"], "--turns: must be at least 1"),
    ],
)
def test_bad_arguments_are_refused_clearly(tmp_path, args, message):
    result = CliRunner().invoke(app, ["run", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_orders_table_holds_the_orders_themselves(runs):
    """Each row's json is the order: parsing it gives an order of the row's kind and issuer."""
    orders = pd.read_parquet(runs / "a" / "orders.parquet")
    assert orders.accepted.any(), "AI nations should have acted in five turns"
    for row in orders.itertuples():
        order = ORDER_ADAPTER.validate_json(row.json)
        assert (order.kind, order.issuer) == (row.kind, row.issuer)
        assert row.accepted or row.reason
