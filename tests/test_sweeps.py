"""Sweeps: specs, parameters by path, the run_game API, and sweeps on a local Dask cluster of
two worker processes (the path CI takes), kept short: the tutorial, 2-3 turns, few seeds."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from game.content import Content
from game.lab.api import run_game
from game.lab.params import ParamError, apply_params
from game.lab.sweep import (
    FAIL_ENV,
    SweepError,
    make_client,
    read_failures,
    read_per_turn,
    read_summary,
    run_sweep,
    runs_per_task,
)
from game.lab.sweep_spec import SpecError, load_spec, spawn_seeds

ELASTICITY = "minerals.rare_earths.market.demand_elasticity"
JAPAN_RE_STOCK = "scenario.stockpiles[nation=japan,mineral=rare_earths].tonnes"

SPEC = f"""
root_seed = 11
seeds = 3
scenarios = ["tutorial"]
turns = 2

[parameters.grid]
"{ELASTICITY}" = [0.2, 0.6]

[parameters.sample]
n = 2
ranges = {{ "{JAPAN_RE_STOCK}" = [0, 12000] }}

[[variants]]
name = "ai"

[[variants]]
name = "japan passive"
doctrines = {{ japan = "passive" }}

[outputs]
per_turn = true
"""  # 2 variants x 2 grid values x 2 samples = 8 points x 3 seeds = 24 runs


def write_spec(folder: Path, text: str, name: str = "spec.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """One local cluster of two single-threaded worker processes for the module's sweeps."""
    client, cluster = make_client(workers=2)
    yield client
    client.close()
    cluster.close()


def sorted_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("run_id").reset_index(drop=True)[sorted(df.columns)]


# ---------------------------------------------------------------------------- parameters by path


def test_params_change_the_content_and_nothing_else(content: Content):
    varied = apply_params(
        content,
        "tutorial",
        {ELASTICITY: 0.5, JAPAN_RE_STOCK: 9000, "nations.china.treasury_usd_m": 1234},
    )
    assert varied.minerals["rare_earths"].market.demand_elasticity == 0.5
    assert content.minerals["rare_earths"].market.demand_elasticity != 0.5
    stock = [s for s in varied.scenarios["tutorial"].stockpiles if s.nation == "japan"]
    assert stock[0].tonnes == 9000 and stock[0].mineral == "rare_earths"
    assert varied.nations["china"].treasury_usd_m == 1234
    assert varied.minerals["lithium"] is content.minerals["lithium"]
    assert varied.content_hash == content.content_hash


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("minerals.lithum.market.demand_elasticity", 0.5, "unknown mineral 'lithum'"),
        ("minerals.lithium.market.elasticity", 0.5, "no field 'elasticity' in MarketParameters"),
        ("minerals.lithium.market.demand_elasticity", 5, "must be <= 2, got 5"),
        ("nations.china.treasury_usd_m", -1, "must be >= 0"),
        ("scenario.export_controls[0].approval_rate", 0.5, "index 0 out of range"),
        ("scenario.stockpiles[nation=japan].tonnes", 1, "2 items match [nation=japan]"),
        ("minerals.lithium.name", 1, "is not a number"),
        ("planets.mars.gravity", 1, "unknown root 'planets'"),
        ("minerals.lithium.lead_times.mine_years_min", 25, "mine_years_min is above mine_years_max"),
    ],
)
def test_bad_params_say_which_path_and_why(content: Content, path: str, value: float, problem: str):
    with pytest.raises(ParamError) as err:
        apply_params(content, "tutorial", {path: value})
    assert err.value.path == path
    assert problem in err.value.problem


# ---------------------------------------------------------------------------- specs


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[parameters.grid]\n"minerals.lithum.market.demand_elasticity" = [0.5]',
            "spec.toml: parameters.grid.minerals.lithum.market.demand_elasticity: unknown mineral 'lithum'",
        ),
        (
            f'[parameters.grid]\n"{ELASTICITY}" = [0.5, 7]',
            f"spec.toml: parameters.grid.{ELASTICITY}: must be <= 2, got 7",
        ),
        (f'[parameters.grid]\n"{ELASTICITY}" = []', f"spec.toml: parameters.grid.{ELASTICITY}: empty grid"),
        (
            f'[parameters.sample]\nn = 4\nranges = {{ "{ELASTICITY}" = [0.1, 3.0] }}',
            f"spec.toml: parameters.sample.ranges.{ELASTICITY}: must be <= 2, got 3",
        ),
        ("[parameters.grdi]", "spec.toml: parameters.grdi: unknown field"),
        ("seeds = 0", "spec.toml: seeds: input should be greater than or equal to 1"),
        ('[controllers]\ndoctrines = { mars = "passive" }', "spec.toml: controllers: 'mars' is not a nation"),
        ('[controllers]\nlevel = "brutal"', "spec.toml: controllers.level: input should be"),
        (
            '[[variants]]\nname = "z"\n[[variants.extra_orders]]\n'
            'turn = 1\nkind = "join_zone"\nissuer = "japan"',
            "spec.toml: variants[0].extra_orders[0] (join_zone): zone: Field required",
        ),
    ],
)
def test_a_bad_spec_names_file_field_and_problem_and_nothing_runs(
    cli, tmp_path: Path, body: str, expected: str
):
    spec = write_spec(tmp_path, 'scenarios = ["tutorial"]\n' + body + "\n")
    out = tmp_path / "out"
    result = cli("sweep", spec, "--out", out)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr, result.stderr
    assert not out.exists()


def test_an_unknown_scenario_and_a_bad_script_order_are_spec_errors(content: Content, tmp_path: Path):
    spec = write_spec(
        tmp_path,
        'scenarios = ["tutorial", "atlantis"]\n[[controllers.orders]]\nturn = 1\nkind = "stockpile"\n'
        'issuer = "japan"\naction = "hoard"\nmineral = "rare_earths"\ntonnes = 5\n',
    )
    with pytest.raises(SpecError) as err:
        load_spec(spec, content)
    text = str(err.value)
    assert "spec.toml: scenarios[1]: unknown scenario 'atlantis'" in text
    assert "spec.toml: controllers.orders[0] (stockpile): action" in text


def test_seeds_come_from_the_root_seed_and_points_cross_grid_sample_and_variants(
    content: Content, tmp_path: Path
):
    sweep = load_spec(write_spec(tmp_path, SPEC), content)
    assert sweep.seeds == spawn_seeds(11, 3)
    assert len(set(sweep.seeds)) == 3
    assert len(sweep.points) == 8 and sweep.n_runs == 24
    stocks = sorted({dict(p.params)[JAPAN_RE_STOCK] for p in sweep.points})
    assert len(stocks) == 2 and stocks[0] < 6000 <= stocks[1]  # one per stratum of [0, 12000]
    years = load_spec(
        write_spec(
            tmp_path,
            'scenarios = ["tutorial"]\n[parameters.sample]\nn = 5\n'
            'ranges = { "minerals.lithium.production.year" = [2000, 2030] }\n',
            "years.toml",
        ),
        content,
    )
    assert all(float(dict(p.params)["minerals.lithium.production.year"]).is_integer() for p in years.points)
    tasks = list(sweep.tasks())
    assert [t.run_id for t in tasks][:4] == ["p00000-r0000", "p00000-r0001", "p00000-r0002", "p00001-r0000"]
    assert load_spec(write_spec(tmp_path, SPEC), content).spec_hash == sweep.spec_hash


# ---------------------------------------------------------------------------- the API


def test_run_game_gives_frames_and_applies_params_and_controllers(content: Content):
    params = {"nations.china.treasury_usd_m": 77}
    result = run_game("tutorial", seed=5, controllers={"japan": "passive"}, params=params, turns=2)
    assert isinstance(result.prices, pd.DataFrame) and set(result.prices.turn) == {0, 1}
    assert set(result.tables) >= {"prices", "flows", "balances", "scores", "orders"}
    china = result.world.nation_ids.index("china")
    assert result.world.treasury[china] != content.nations["china"].treasury_usd_m
    assert result.game.specs["japan"].doctrine == "passive"
    assert not (result.orders.issuer == "japan").any()
    assert result.summary.shape[0] == 1 and "score.japan" in result.summary
    assert result.summary.loc[0, "param.nations.china.treasury_usd_m"] == 77
    assert result.summary.loc[0, "run_id"] == "p00000-r0000" and result.summary.loc[0, "seed"] == 5
    unsettled = result.meta["unsettled_markets"]
    assert isinstance(unsettled, list) and all(len(u) == 3 and u[0] in (0, 1) for u in unsettled)
    again = run_game("tutorial", seed=5, controllers={"japan": "passive"}, params=params, turns=2)
    assert again.meta["world_hash"] == result.meta["world_hash"]


# ---------------------------------------------------------------------------- sweeps on Dask


def test_same_spec_and_root_seed_give_identical_tables_and_a_run_is_reproducible(
    client, content: Content, tmp_path: Path
):
    sweep = load_spec(write_spec(tmp_path, SPEC), content)
    first = run_sweep(sweep, tmp_path / "a", content, client=client, batch=5)
    second = run_sweep(sweep, tmp_path / "b", content, client=client, batch=7)
    assert first.done == second.done == 24 and first.failed == 0
    a, b = read_summary(tmp_path / "a"), read_summary(tmp_path / "b")
    pd.testing.assert_frame_equal(sorted_frame(a), sorted_frame(b))
    assert list(a.run_id) == sorted(a.run_id)
    pd.testing.assert_frame_equal(read_per_turn(tmp_path / "a"), read_per_turn(tmp_path / "b"))
    assert {f"param.{ELASTICITY}", f"param.{JAPAN_RE_STOCK}", "score.japan", "price_peak.rare_earths"} <= set(
        a
    )
    assert a["first_turn.ban"].dtype == "Int64"
    assert sorted(a.variant.unique()) == ["ai", "japan passive"]
    # The seeds are shared by every point (common random numbers).
    assert a.groupby("point").seed.apply(tuple).nunique() == 1
    # Any row is reproduced from the notebook by the same call the workers make, and
    # `run_game(...).summary` is that very row: same columns, same values.
    for i in (3, 17):
        row = a.iloc[i]
        doctrines = {"japan": "passive"} if row.variant == "japan passive" else {}
        params = {ELASTICITY: row["param." + ELASTICITY], JAPAN_RE_STOCK: row["param." + JAPAN_RE_STOCK]}
        game = run_game("tutorial", int(row.seed), controllers=doctrines, params=params, turns=2)
        assert game.meta["world_hash"][-1] == row.world_hash
        mine = game.summary
        assert list(mine.columns) == list(a.columns)
        labelled = run_game(
            "tutorial",
            int(row.seed),
            controllers=doctrines,
            params=params,
            turns=2,
            point=int(row.point),
            replicate=int(row.replicate),
            variant=row.variant,
        ).summary
        pd.testing.assert_frame_equal(labelled, a.iloc[[i]].reset_index(drop=True))
        identity = ["run_id", "point", "replicate", "variant"]  # labels only: the rest is the game's
        pd.testing.assert_frame_equal(mine.drop(columns=identity), labelled.drop(columns=identity))


def test_a_stopped_sweep_resumes_to_the_same_tables(client, content: Content, tmp_path: Path):
    sweep = load_spec(write_spec(tmp_path, SPEC), content)
    whole = run_sweep(sweep, tmp_path / "whole", content, client=client)
    assert whole.complete
    out = tmp_path / "resumed"
    seen: list[tuple[int, int, bool]] = []  # (results so far, runs_done in meta.json, complete)

    def watch(o) -> None:
        meta = json.loads((out / "meta.json").read_text())
        seen.append((o.done + o.failed, meta["runs_done"], meta["complete"]))

    stopped = run_sweep(sweep, out, content, client=client, batch=2, stop_after=7, on_result=watch)
    assert stopped.stopped and 6 <= len(read_summary(out)) < 24
    # Progress reaches meta.json as parts are written, not only at the end of a session.
    assert [n for n, _, _ in seen] == list(range(1, 8)) and not any(c for _, _, c in seen)
    assert all(n - 1 <= done <= n for n, done, _ in seen) and seen[3][1] >= 4
    # A stop between the per-turn part and its summary part leaves an orphan: dropped on resume.
    orphan = out / "per_turn" / "part-000999.parquet"
    read_per_turn(out).head(3).to_parquet(orphan)
    resumed = run_sweep(sweep, out, content, client=client, batch=3)
    assert resumed.skipped == len(read_summary(out)) - resumed.done
    assert resumed.skipped >= 6 and resumed.done + resumed.skipped == 24 and not orphan.exists()
    whole_summary = sorted_frame(read_summary(tmp_path / "whole"))
    pd.testing.assert_frame_equal(sorted_frame(read_summary(out)), whole_summary)
    pd.testing.assert_frame_equal(read_per_turn(out), read_per_turn(tmp_path / "whole"))
    again = run_sweep(sweep, out, content, client=client)
    assert again.done == 0 and again.skipped == 24
    assert again.describe() == "24 runs, all 24 already done: nothing left to play"
    meta = json.loads((out / "meta.json").read_text())
    assert meta["runs_done"] == 24 and meta["complete"]


def test_several_runs_per_dask_task_give_the_same_tables_and_resume(client, content: Content, tmp_path: Path):
    sweep = load_spec(write_spec(tmp_path, SPEC), content)
    one = run_sweep(sweep, tmp_path / "one", content, client=client, chunk=1)
    out = tmp_path / "chunks"
    stopped = run_sweep(sweep, out, content, client=client, chunk=5, batch=4, stop_after=8)
    assert stopped.stopped and len(read_summary(out)) < 24
    resumed = run_sweep(sweep, out, content, client=client, chunk=5)
    assert one.done == 24 and resumed.done + resumed.skipped == 24 and resumed.failed == 0
    pd.testing.assert_frame_equal(
        sorted_frame(read_summary(out)), sorted_frame(read_summary(tmp_path / "one"))
    )
    pd.testing.assert_frame_equal(read_per_turn(out), read_per_turn(tmp_path / "one"))


def test_runs_per_task_spreads_the_cost_and_keeps_every_worker_busy():
    assert runs_per_task(10, 2) == 1  # a small sweep: one run a task
    assert runs_per_task(10_000, 2) == 16  # capped: a stop loses little, the bar moves
    assert runs_per_task(160, 2) == 10  # ~8 tasks a worker
    assert runs_per_task(0, 0) == 1


def test_failing_runs_are_recorded_and_the_rest_finish(client, content: Content, tmp_path: Path):
    # Each value is valid alone, but mine_years_min 15 with mine_years_max 12 breaks the
    # model's rule: every run of that point fails when its worker applies the parameters.
    spec = write_spec(
        tmp_path,
        'root_seed = 3\nseeds = 2\nscenarios = ["tutorial"]\nturns = 2\n[parameters.grid]\n'
        '"minerals.rare_earths.lead_times.mine_years_min" = [10, 15]\n'
        '"minerals.rare_earths.lead_times.mine_years_max" = [12, 20]\n',
    )
    sweep = load_spec(spec, content)
    # The test hook makes one more run raise on the worker.
    client.run(lambda: os.environ.update({FAIL_ENV: "p00003-r0001"}))
    try:
        outcome = run_sweep(sweep, tmp_path / "out", content, client=client)
    finally:
        client.run(lambda: os.environ.pop(FAIL_ENV, None))
    failures = read_failures(tmp_path / "out")
    assert list(failures.run_id) == ["p00002-r0000", "p00002-r0001", "p00003-r0001"]
    error = failures.error.iloc[0]
    assert error.startswith("ParamError: ") and error.endswith(": mine_years_min is above mine_years_max")
    assert "lead_times.mine_years_min" in error and "lead_times.mine_years_max" in error
    assert "injected failure" in failures.error.iloc[2] and "Traceback" in failures.traceback.iloc[2]
    assert outcome.done == 5 and outcome.failed == 3
    assert len(read_summary(tmp_path / "out")) == 5
    assert pd.read_parquet(tmp_path / "out" / "failures.parquet").run_id.tolist() == failures.run_id.tolist()
    # A rerun skips them; --retry-failed plays them again (the hook is gone: one succeeds).
    assert run_sweep(sweep, tmp_path / "out", content, client=client).done == 0
    retried = run_sweep(sweep, tmp_path / "out", content, client=client, retry_failed=True)
    assert retried.done == 1 and retried.failed == 2
    assert list(read_failures(tmp_path / "out").run_id) == ["p00002-r0000", "p00002-r0001"]


def test_a_folder_of_another_sweep_is_refused(client, content: Content, tmp_path: Path):
    sweep = load_spec(write_spec(tmp_path, SPEC.replace("turns = 2", "turns = 1")), content)
    run_sweep(sweep, tmp_path / "out", content, client=client, stop_after=1)
    other_text = SPEC.replace("root_seed = 11", "root_seed = 12")
    other = load_spec(write_spec(tmp_path, other_text, "b.toml"), content)
    with pytest.raises(SweepError, match="another spec"):
        run_sweep(other, tmp_path / "out", content, client=client)


def test_the_cli_runs_a_sweep_on_two_local_workers_resumes_and_reports(cli, tmp_path: Path):
    spec = write_spec(tmp_path, SPEC.replace("seeds = 3", "seeds = 2"))
    out = tmp_path / "out"
    result = cli("sweep", spec, "--out", out, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "16 runs, 0 already done, 16 played, 0 failed" in result.stdout
    assert "on 2 workers" in result.stdout
    meta = pd.read_json(out / "meta.json", typ="series")
    assert meta["complete"] and meta["runs_done"] == 16 and len(meta["content_hash"]) == 32
    again = cli("sweep", spec, "--out", out)
    assert "16 runs, all 16 already done: nothing left to play" in again.stdout
    assert "games/min" not in again.stdout
    report = cli("sweep-report", out)
    assert report.exit_code == 0, report.output
    names = {p.name for p in (out / "report").glob("*.png")}
    charts = ["scores", "shortfall", "price_peaks", "effect-1", "effect-2", "per_turn"]
    assert names == {f"{c}.png" for c in charts}
    assert cli("sweep-report", tmp_path).exit_code == 2


def test_the_scheduler_option_takes_the_same_path_on_a_running_cluster(cli, client, tmp_path: Path):
    spec = write_spec(tmp_path, SPEC.replace("seeds = 3", "seeds = 1").replace("turns = 2", "turns = 1"))
    result = cli("sweep", spec, "--out", tmp_path / "out", "--scheduler", client.scheduler.address)
    assert result.exit_code == 0, result.output
    assert "8 runs, 0 already done, 8 played, 0 failed" in result.stdout
    assert len(read_summary(tmp_path / "out")) == 8


# ---------------------------------------------------------------------------- the README's example


def test_the_example_sweep_varies_parameters_that_matter(content: Content):
    """examples/tutorial_sweep.toml (the README's example): each swept parameter, moved from
    its lowest to its highest value on the same seeds, moves the median outcome its chart shows."""
    root = Path(__file__).resolve().parents[1]
    sweep = load_spec(root / "examples" / "tutorial_sweep.toml", content)
    assert sweep.n_runs == 120 and [v.name for v in sweep.spec.variants] == ["ai", "japan passive"]
    seeds = sweep.seeds[:3]  # the charts show medians over seeds; one seed can sit in a tail
    grid = sweep.spec.parameters.grid
    outcome = {  # the parameter, and the outcome its chart shows moving
        JAPAN_RE_STOCK: "shortfall_mean.nation.japan.rare_earths",
        ELASTICITY: "shortfall_mean.mineral.rare_earths",
    }
    assert set(grid) == set(outcome)
    for path, column in outcome.items():
        low, high = (
            float(
                np.median(
                    [
                        run_game("tutorial", seed, controllers={"japan": "passive"}, params={path: v})
                        .summary[column]
                        .iloc[0]
                        for seed in seeds
                    ]
                )
            )
            for v in (min(grid[path]), max(grid[path]))
        )
        assert abs(high - low) > 0.1 * max(low, high), (path, low, high)  # a tenth of the outcome, or more
