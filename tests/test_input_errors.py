"""Bad input fails cleanly and as early as it can: a strict `replay --verify`, order scripts
checked against the scenario before the game, refused orders counted after a run, stale temp
files of killed saves removed, malformed version-1 saves and composed facilitator events
named, and CLI output that neither wraps nor reads user text as rich markup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from game.cli import app
from game.content import Content
from game.saves import SaveError, parse_save, write_save
from game.session import Game

BAN = """
[[orders]]
turn = 1
kind = "export_control"
issuer = "china"
mineral = "rare_earths"
stage = "refined"
instrument = "ban"
targets = ["japan"]
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory, content: Content) -> dict:
    game = Game(content, "tutorial", seed=2)
    for _ in range(3):
        game.play_turn()
    return json.loads(game.to_save().model_dump_json())


def replay(path: Path, *flags: str):
    return CliRunner().invoke(app, ["replay", str(path), *flags])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.update(world_hashes=[]), "world_hashes: 0 recorded for 3 turns played"),
        (lambda s: s.update(world_hashes=s["world_hashes"][:2]), "world_hashes: 2 recorded for 3 turns"),
        (
            lambda s: s.update(turn=20, world_hashes=s["world_hashes"] + ["0" * 32] * 17),
            "turn: 20 turns played, but tutorial has 12",
        ),
    ],
    ids=["no-hashes", "fewer-hashes", "past-the-scenario"],
)
def test_verify_refuses_a_save_it_cannot_check(saved: dict, tmp_path: Path, change, expected: str) -> None:
    save = json.loads(json.dumps(saved))
    change(save)
    (tmp_path / "game.json").write_text(json.dumps(save))
    result = replay(tmp_path / "game.json", "--verify")
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "matches" not in result.output


def test_a_tampered_save_without_hashes_does_not_verify(saved: dict, tmp_path: Path) -> None:
    save = json.loads(json.dumps(saved))
    save["seed"] += 1  # another game ...
    save["world_hashes"] = []  # ... whose hashes were stripped so nothing could contradict it
    (tmp_path / "game.json").write_text(json.dumps(save))
    assert replay(tmp_path / "game.json", "--verify").exit_code == 2
    # without --verify it replays what it says, and says it did not check
    unchecked = replay(tmp_path / "game.json", "--no-verify")
    assert unchecked.exit_code == 0 and "hashes not checked" in unchecked.output


def test_a_composed_event_naming_what_the_scenario_lacks_is_refused(content: Content) -> None:
    game = Game(content, "tutorial", seed=1)
    event = {"id": "x", "name": "X", "news": "n", "source": "test"}
    tariff = {
        "issuer": "japan",
        "mineral": "rare_earths",
        "stage": "refined",
        "origins": ["chile"],
        "rate_pct": 5,
    }
    effects = {
        "effects[0].template": {
            "type": "new_capacity",
            "template": "nope",
            "country": "japan",
            "owner": "japan",
        },
        "effects[0].tariff.origins[0]": {"type": "tariff", "tariff": tariff},
        "effects[0].target_tonnes": {
            "type": "stockpile",
            "nation": "japan",
            "mineral": "rare_earths",
            "target_tonnes": 1e300,
        },
    }
    for field, effect in effects.items():
        verdict = game.facilitate({"kind": "inject_event", "custom": {**event, "effects": [effect]}})
        assert not verdict.accepted and f"custom.{field}" in verdict.reason
    assert game.world.facilitator_queue == []
    game.play_turn()


@pytest.mark.parametrize(
    ("log", "field"),
    [
        (3, "log"),
        (None, "log"),
        ({"a": 1}, "log"),
        ([3], "log.0"),
        ([[0, 1, 2]], "log.0"),
        ([[0, 7]], "orders.0.order"),
    ],
)
def test_a_malformed_version_1_log_is_a_damaged_save(saved: dict, log, field: str) -> None:
    old = {k: v for k, v in saved.items() if k != "orders"} | {"version": 1, "log": log}
    with pytest.raises(SaveError) as info:
        parse_save(json.dumps(old), "old.json")
    assert info.value.problem.startswith(f"{field}:"), info.value.problem


def test_stale_temp_files_are_removed_at_the_next_save(content: Content, tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    killed = tmp_path / f".game.json.{pid}.k1ll3d.tmp"  # a writer that was killed
    old = tmp_path / ".game.json.x7f3q.tmp"  # the older naming, left long ago
    live = tmp_path / f".game.json.{os.getppid()}.wr1t1ng.tmp"  # a live writer's, just made
    other = tmp_path / f".autosave-0001.json.{pid}.abc.tmp"  # another file's: not this save's business
    for path in (killed, old, live, other):
        path.write_text("{half a save")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    write_save(Game(content, "tutorial", seed=1).to_save(), tmp_path / "game.json")
    assert not killed.exists() and not old.exists()
    assert live.exists() and other.exists()
    assert json.loads((tmp_path / "game.json").read_text())["scenario"] == "tutorial"


def run(tmp_path: Path, script: str, *extra: str):
    (tmp_path / "orders.toml").write_text(script)
    return CliRunner().invoke(
        app,
        ["run", "--scenario", "tutorial", "--turns", "4", "--orders", str(tmp_path / "orders.toml"),
         "--out", str(tmp_path / "out"), *extra],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('mineral = "rare_earths"', 'mineral = "galium"', "mineral: 'galium' is not a mineral of scenario"),
        ('targets = ["japan"]', 'targets = ["usa"]', "targets[0]: 'usa' is not a nation of scenario"),
        ('issuer = "china"', 'issuer = "atlantis"', "issuer: 'atlantis' is not a nation of scenario"),
        ('targets = ["japan"]', 'targets = ["china"]', "(order): a nation cannot target its own exports"),
        ("turn = 1", "turn = 9", "turn: turn 9 is never played (the game's last turn is 3)"),
    ],
)
def test_a_script_is_checked_against_the_scenario_before_the_game(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    result = run(tmp_path, BAN.replace(old, new))
    assert result.exit_code == 2, result.output
    assert f"orders.toml: orders[0] (export_control): {expected}" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_orders_naming_a_folder_or_an_unknown_section_are_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--scenario", "tutorial", "--orders", str(tmp_path)])
    assert result.exit_code == 2 and result.stderr.strip() == f"{tmp_path}: (file): is a folder, not a file"
    result = run(tmp_path, BAN + "\n[settings]\nx = 1\n")
    assert result.exit_code == 2
    assert "orders.toml: settings: unknown section; a script has only [[orders]] tables" in result.stderr


def test_the_run_summary_counts_refused_orders_with_their_reasons(tmp_path: Path) -> None:
    again = BAN + BAN.replace("turn = 1", "turn = 2")  # the same ban twice: the second is refused
    lifted = again + BAN.replace("turn = 1", "turn = 3").replace('"export_control"', '"lift_export_control"')
    lift_again = lifted + BAN.replace("turn = 1", "turn = 3").replace(
        '"export_control"', '"lift_export_control"'
    )
    result = run(tmp_path, lift_again)
    assert result.exit_code == 0, result.output
    assert "refused orders: 2 of the script's 4" in result.stderr
    reasons = [line for line in result.stderr.splitlines() if line.startswith("  turn ")]
    assert reasons[0].startswith("  turn 2, china export_control:") and "already in force" in reasons[0]
    assert reasons[1].startswith("  turn 3, china lift_export_control:")


def test_the_run_summary_names_nations_and_minerals_as_players_read_them(tmp_path: Path) -> None:
    """The world writes its reasons with display names: the summary of a refused ban on
    rare earths toward the United States says 'rare earths' and 'United States', never the
    ids `rare_earths` or `united_states` (nothing rewrites the reason on its way out)."""
    ban = BAN.replace('targets = ["japan"]', 'targets = ["united_states"]')
    result = run(tmp_path, ban + ban.replace("turn = 1", "turn = 2"))
    assert result.exit_code == 0, result.output
    refused = [line for line in result.stderr.splitlines() if line.startswith("  turn 2, china ")]
    assert len(refused) == 1, result.stderr
    reason = refused[0].split(": ", 1)[1]
    assert reason == (
        "China cannot impose a ban on refined rare earths to United States: "
        "the same control is already in force"
    )


def test_user_text_is_never_read_as_markup(tmp_path: Path) -> None:
    (tmp_path / "[bold]x[").mkdir()
    path = tmp_path / "[bold]x[/]game.json"  # the folder `[bold]x[` and the file `]game.json`
    result = replay(path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{tmp_path}/[bold]x[/]game.json: (file): no such file" in result.stderr
    result = CliRunner().invoke(app, ["run", "--scenario", "[/]x"])
    assert result.exit_code == 2 and "--scenario: unknown scenario '[/]x'" in result.stderr


def lodestone(*args: str, columns: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = columns
    script = Path(sys.executable).with_name("lodestone")
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_output_does_not_depend_on_the_terminal_width(tmp_path: Path) -> None:
    """As a user runs it, piped: no COLUMNS (rich assumes 80) or a narrow one."""
    long_name = tmp_path / ("a-rather-long-folder-name-" * 4) / "orders.toml"
    long_name.parent.mkdir()
    long_name.write_text(BAN.replace('targets = ["japan"]', 'targets = ["a_nation_that_does_not_exist"]'))
    outputs = []
    for columns in (None, "60"):
        bad = lodestone(
            "run", "--scenario", "tutorial", "--orders", str(long_name), columns=columns, cwd=tmp_path
        )
        listing = lodestone("scenarios", columns=columns, cwd=tmp_path)
        assert bad.returncode == 2 and listing.returncode == 0
        outputs.append((bad.stderr, listing.stdout))
    assert outputs[0] == outputs[1]
    (line,) = outputs[0][0].splitlines()  # one problem, one whole line
    assert line.startswith(str(long_name)) and line.endswith("is not a nation of scenario 'tutorial'")


def test_a_save_with_a_controller_for_a_stranger_is_damaged(saved: dict, tmp_path: Path) -> None:
    save = json.loads(json.dumps(saved))
    save["controllers"] = {"atlantis": {"kind": "ai"}}
    (tmp_path / "game.json").write_text(json.dumps(save))
    result = replay(tmp_path / "game.json")
    assert (
        result.exit_code == 2 and "game.json: controllers.atlantis: not a nation of tutorial" in result.stderr
    )


def test_a_projects_file_that_is_a_symlink_loop_is_named(content_copy: Path) -> None:
    projects = content_copy / "projects.toml"
    projects.unlink()
    projects.symlink_to(projects.name)
    result = CliRunner().invoke(app, ["validate", str(content_copy)])
    assert result.exit_code == 2
    assert any(line.endswith("projects.toml: (file): cannot be read (Too many levels of symbolic links)")
               for line in result.stdout.splitlines()), result.stdout  # fmt: skip
