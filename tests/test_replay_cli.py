"""`lodestone run --orders`, `replay` and `whatif`: scripted policies, verified replays and
counterfactual branches from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from game.cli import app

SCRIPT = """
[[orders]]
turn = 1
kind = "stockpile"
issuer = "japan"
action = "buy"
mineral = "rare_earths"
tonnes = 500
budget_usd_m = 60

[[orders]]
turn = 2
kind = "export_control"
issuer = "china"
mineral = "rare_earths"
stage = "refined"
instrument = "ban"
targets = ["japan"]
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scripted")
    (root / "policy.toml").write_text(SCRIPT)
    result = CliRunner().invoke(
        app,
        ["run", "--scenario", "tutorial", "--seed", "5", "--turns", "6",
         "--orders", str(root / "policy.toml"), "--out", str(root / "run")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return root / "run"


def test_scripted_nations_follow_the_script(run_dir: Path) -> None:
    orders = pd.read_parquet(run_dir / "orders.parquet")
    china = orders[orders.issuer == "china"]
    assert list(china.kind) == ["export_control"] and china.turn.tolist() == [2] and china.accepted.all()
    save = json.loads((run_dir / "game.json").read_text())
    assert save["controllers"]["china"]["kind"] == "script"
    assert save["controllers"]["australia"]["kind"] == "ai"


def test_replay_verifies_every_turn(run_dir: Path) -> None:
    result = CliRunner().invoke(app, ["replay", str(run_dir / "game.json"), "--verify"])
    assert result.exit_code == 0, result.output
    assert "6 turns replayed" in result.output and "matches" in result.output


def test_replay_names_the_first_turn_that_differs(run_dir: Path, tmp_path: Path) -> None:
    save = json.loads((run_dir / "game.json").read_text())
    save["world_hashes"][4] = "0" * 32
    (tmp_path / "tampered.json").write_text(json.dumps(save))
    result = CliRunner().invoke(app, ["replay", str(tmp_path / "tampered.json")])
    assert result.exit_code == 2
    assert "from turn 4 on" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{", "not valid JSON"), ('{"version": 7}', "newer than this game"), ('{"version": 2}', "damaged")],
)
def test_replay_of_a_bad_file_exits_2_with_one_message(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    result = CliRunner().invoke(app, ["replay", str(tmp_path / "bad.json")])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_a_bad_script_is_refused_before_the_game(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(SCRIPT.replace("tonnes = 500", "tonnes = -500"))
    result = CliRunner().invoke(
        app, ["run", "--scenario", "tutorial", "--orders", str(tmp_path / "bad.toml")]
    )
    assert result.exit_code == 2
    assert "orders[0] (stockpile): tonnes" in result.output


def test_whatif_compares_both_branches_over_seeds(run_dir: Path, tmp_path: Path) -> None:
    orders = pd.read_parquet(run_dir / "orders.parquet")
    ban = int(orders[(orders.issuer == "china") & (orders.kind == "export_control")].log_index.iloc[0])
    out = tmp_path / "whatif"
    result = CliRunner().invoke(
        app, ["whatif", str(run_dir / "game.json"), "--at", "2", "--drop-order", str(ban), "--seeds", "3",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    df = pd.read_parquet(out / "whatif.parquet")
    assert set(df.branch) == {"as played", "what if"} and df.replication.nunique() == 3
    assert df.seed.nunique() == 3
    japan = df[(df.series == "shortfall_share") & (df.key == "japan") & (df.turn >= 3)]
    by_branch = japan.groupby("branch").value.mean()
    assert by_branch["what if"] < by_branch["as played"], "without the ban Japan should be short of less"
    for png in ("prices.png", "shortfall.png", "score.png"):
        assert (out / png).stat().st_size > 10_000
    assert (out / "whatif_summary.parquet").exists()


def test_whatif_refuses_an_order_that_is_not_in_the_log(run_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["whatif", str(run_dir / "game.json"), "--at", "2", "--drop-order", "9999"]
    )
    assert result.exit_code == 2 and "order log has orders" in result.output
