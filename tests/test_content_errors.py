"""Broken content is reported as `file: field: problem`, by load_content and by `lodestone validate`.

Every case corrupts ONE file of a private copy of the real content, then checks that the
problem names that file, the field, and says what is wrong, with no traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from game.content import Content, ContentError, Problem, load_content

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py; it returns a conftest.CliResult

LINE = re.compile(r"^(?P<file>\S+\.toml): (?P<field>.+?): (?P<message>.+)$")
"""A problem line as users see it: file, field path, message (paths here hold no spaces)."""

SUMMARY = re.compile(r"^(\d+) problem\(s\)$")


# ---------------------------------------------------------------------------- helpers


def replace_once(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the single occurrence of `old` in root/rel (fails loudly if the content moved on)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: expected {old!r} exactly once, found {text.count(old)}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(root: Path, rel: str, extra: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def same_file(shown: str, expected: Path) -> bool:
    """A reported file (relative to the cwd, or absolute) is `expected`."""
    return Path(shown).resolve() == expected.resolve()


def problems_of(root: Path) -> list[Problem]:
    with pytest.raises(ContentError) as info:
        load_content(root)
    problems = info.value.problems
    assert problems, "ContentError without problems"
    # str(ContentError) is the report: one `file: field: problem` line per problem
    assert str(info.value).splitlines() == [str(p) for p in problems]
    return problems


def problem_lines(result: Any) -> list[re.Match[str]]:
    """Check the shape of a failing `lodestone validate` run and return its parsed problem lines."""
    assert result.exit_code == 2, result.output
    assert result.exited_cleanly, f"uncaught {result.exception!r}"
    assert "Traceback" not in result.output
    lines = result.lines
    assert lines, "no output"
    summary = SUMMARY.match(lines[-1])
    assert summary, f"last line is not the problem count: {lines[-1]!r}"
    parsed = []
    for line in lines[:-1]:
        match = LINE.match(line)
        assert match, f"not a `file: field: problem` line: {line!r}"
        parsed.append(match)
    assert int(summary.group(1)) == len(parsed)
    return parsed


# ---------------------------------------------------------------------------- one bad file each

CASES = [
    pytest.param(
        "firms/gallium.toml", "capacity_tpy = 338\n", 'capacity_tpy = "lots"\n',
        "firm[0] (cn_ga_chalco).capacity_tpy", r"input should be a valid number.*, got 'lots'",
        id="wrong-type-firm-capacity",
    ),
    pytest.param(
        "nations/japan.toml", "treasury_usd_m = 8000", 'treasury_usd_m = "lots"',
        "treasury_usd_m", r"input should be a valid number.*, got 'lots'",
        id="wrong-type-nation-treasury",
    ),
    pytest.param(
        "nations/japan.toml", '\nregion = "east_asia"\n', "\n",
        "region", r"required field is missing",
        id="missing-required-field",
    ),
    pytest.param(
        "minerals/gallium.toml", 'symbol = "Ga"\n', 'symbol = "Ga"\ncolour = "red"\n',
        "colour", r"unknown field \(not in the schema\)",
        id="unknown-field",
    ),
    pytest.param(
        "firms/gallium.toml", 'country = "china"\nowner = "china"\ncapacity_tpy = 338',
        'country = "atlantis"\nowner = "china"\ncapacity_tpy = 338',
        "firm[0] (cn_ga_chalco).country", r"unknown nation 'atlantis'",
        id="dangling-firm-country",
    ),
    pytest.param(
        "scenarios/tutorial.toml", 'event = "tut_price_lesson"', 'event = "tut_no_such_event"',
        "schedule[0].event", r"unknown event 'tut_no_such_event'",
        id="dangling-scheduled-event",
    ),
    pytest.param(
        "nations/japan.toml", "\ngallium = 3.6\n", "\ngallium = -3\n",
        "demand.defence.gallium", r"must be >= 0, got -3",
        id="negative-tonnage",
    ),
    pytest.param(
        "minerals/gallium.toml", "ev_batteries = 3, other = 15 }", "ev_batteries = 3, other = 35 }",
        "end_use", r"end-use shares must add up to 100 %, got 120",
        id="end-use-shares-over-100",
    ),
    pytest.param(
        "minerals/gallium.toml", "russia = 1, japan = 0.5", "russia = 11, japan = 0.5",
        "reference_shares", r"mine shares add up to 110 %, over 100 %",
        id="reference-mine-shares-over-100",
    ),
    pytest.param(
        "firms/gallium.toml", None, "\n[[firm]\nid = \n",
        "(toml)", r"not valid TOML: .+",
        id="unparsable-toml",
    ),
    pytest.param(
        "scenarios/tutorial.toml", 'id = "tutorial"', 'id = "tutorial-2"',
        "id", r"must match the file name 'tutorial', got 'tutorial-2'",
        id="scenario-id-does-not-match-file-name",
    ),
    pytest.param(
        "nations/japan.toml", 'id = "japan"', 'id = "nippon"',
        "id", r"must match the file name 'japan', got 'nippon'",
        id="nation-id-does-not-match-file-name",
    ),
    pytest.param(
        "firms/lithium.toml", 'id = "au_li_greenbushes"', 'id = "cn_ga_chalco"',
        "firm[0] (cn_ga_chalco).id", r"duplicate id 'cn_ga_chalco'",
        id="duplicate-firm-id-across-files",
    ),
    pytest.param(
        "scenarios/tutorial.toml", "[objectives.japan]\nsupply_security = 50",
        "[objectives.japan]\nsupply_security = -50",
        "objectives.japan.supply_security", r"must be >= 0, got -50",
        id="negative-objective-weight",
    ),
    pytest.param(
        "scenarios/tutorial.toml", None,
        '\n[objectives.atlantis]\nrevenue = 1\nsource = "model assumption"\n',
        "objectives.atlantis", r"unknown nation 'atlantis'",
        id="objectives-of-unknown-nation",
    ),
    pytest.param(
        "scenarios/tutorial.toml", None,
        '\n[objectives.india]\nrevenue = 1\nsource = "model assumption"\n',
        "objectives.india", r"not one of this scenario's nations",
        id="objectives-of-nation-not-in-scenario",
    ),
    pytest.param(
        "scenarios/tutorial.toml", None,
        '\n[objectives.australia_x]\nrevenue = 0\nsource = "model assumption"\n',
        "objectives.australia_x", r"at least one weight must be positive \(of supply_security, .*\)",
        id="objectives-all-weights-zero",
    ),
    pytest.param(
        "scenarios/tutorial.toml", "sectors = { defence = 3 }", "sectors = { defense = 3 }",
        "objectives.united_states.sectors.defense", r"must be one of .*'defence'.*, got 'defense'",
        id="objectives-unknown-sector",
    ),
]  # fmt: skip


def corrupt(root: Path, rel: str, old: str | None, new: str) -> Path:
    if old is None:
        append(root, rel, new)
    else:
        replace_once(root, rel, old, new)
    return root / rel


@pytest.mark.parametrize(("rel", "old", "new", "field", "message"), CASES)
def test_load_content_names_file_field_and_problem(
    content_copy: Path, rel: str, old: str | None, new: str, field: str, message: str
) -> None:
    path = corrupt(content_copy, rel, old, new)
    problems = problems_of(content_copy)
    hits = [p for p in problems if same_file(p.file, path) and p.field == field]
    assert hits, f"no problem on {rel} at {field!r}; got:\n" + "\n".join(map(str, problems))
    assert any(re.fullmatch(message, p.message) for p in hits), [p.message for p in hits]
    assert all(p.file.endswith(rel) for p in problems if same_file(p.file, path))


@pytest.mark.parametrize(("rel", "old", "new", "field", "message"), CASES)
def test_cli_validate_prints_file_field_problem_and_exits_2(
    cli: Cli, content_copy: Path, rel: str, old: str | None, new: str, field: str, message: str
) -> None:
    path = corrupt(content_copy, rel, old, new)
    lines = problem_lines(cli("validate", content_copy))
    hits = [m for m in lines if same_file(m["file"], path) and m["field"] == field]
    assert hits, f"no line for {rel} at {field!r}"
    assert any(re.fullmatch(message, m["message"]) for m in hits), [m["message"] for m in hits]


def test_negative_tonnage_message_is_exactly_as_documented(cli: Cli, content_copy: Path) -> None:
    replace_once(content_copy, "nations/japan.toml", "\ngallium = 3.6\n", "\ngallium = -3\n")
    lines = problem_lines(cli("validate", content_copy))
    japan = [m.group(0) for m in lines if same_file(m["file"], content_copy / "nations/japan.toml")]
    assert len(japan) == 1, japan
    file, rest = japan[0].split(": ", 1)
    assert file.endswith("nations/japan.toml")
    assert rest == "demand.defence.gallium: must be >= 0, got -3"


def test_every_problem_in_a_batch_is_reported_at_once(content_copy: Path) -> None:
    """A content author fixes a whole batch per run: three broken files, three problems reported."""
    replace_once(content_copy, "firms/gallium.toml", "capacity_tpy = 338\n", 'capacity_tpy = "lots"\n')
    replace_once(content_copy, "minerals/gallium.toml", 'symbol = "Ga"\n', 'symbol = "Ga"\ncolour = "red"\n')
    replace_once(content_copy, "scenarios/tutorial.toml", 'event = "tut_price_lesson"', 'event = "tut_nope"')
    reported = {(Path(p.file).name, Path(p.file).parent.name, p.field) for p in problems_of(content_copy)}
    assert ("gallium.toml", "firms", "firm[0] (cn_ga_chalco).capacity_tpy") in reported
    assert ("gallium.toml", "minerals", "colour") in reported
    assert ("tutorial.toml", "scenarios", "schedule[0].event") in reported


# ---------------------------------------------------------------------------- validate: real content, paths


def test_validate_real_content_exits_0_with_one_line_summary(cli: Cli, content: Content) -> None:
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert len(result.lines) == 1, result.stdout
    summary = result.lines[0]
    assert summary.startswith("content valid")
    assert f"{len(content.minerals)} minerals" in summary
    assert f"{len(content.nations)} nations" in summary
    assert f"{len(content.firms)} firms" in summary
    assert content.content_hash[:12] in summary


def test_validate_summary_is_one_line_in_an_80_column_pipe(cli: Cli) -> None:
    result = cli("validate", columns=80)
    assert result.exit_code == 0
    assert len(result.lines) == 1, result.stdout


def _break_two_files(root: Path) -> tuple[Path, Path]:
    firm_file = corrupt(root, "firms/gallium.toml", "capacity_tpy = 338\n", 'capacity_tpy = "lots"\n')
    nation_file = corrupt(root, "nations/japan.toml", '\nregion = "east_asia"\n', "\n")
    return firm_file, nation_file


def test_validate_one_file_reports_only_that_files_problems(cli: Cli, content_copy: Path) -> None:
    firm_file, nation_file = _break_two_files(content_copy)

    lines = problem_lines(cli("validate", firm_file))
    assert [(m["field"]) for m in lines] == ["firm[0] (cn_ga_chalco).capacity_tpy"]
    assert all(same_file(m["file"], firm_file) for m in lines)

    # the nation's missing field also makes every reference to 'japan' dangle elsewhere:
    # validating the nation file shows its own problem only
    lines = problem_lines(cli("validate", nation_file))
    assert [(m["field"], m["message"]) for m in lines] == [("region", "required field is missing")]
    assert all(same_file(m["file"], nation_file) for m in lines)


def test_validate_one_clean_file_in_a_broken_folder_passes(cli: Cli, content_copy: Path) -> None:
    _break_two_files(content_copy)
    result = cli("validate", content_copy / "minerals" / "lithium.toml")
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    assert "problems elsewhere" in result.stdout


def test_validate_one_file_by_path_relative_to_cwd(
    cli: Cli, content_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_two_files(content_copy)
    monkeypatch.chdir(content_copy.parent)
    lines = problem_lines(cli("validate", Path("content/firms/gallium.toml")))
    assert [m["field"] for m in lines] == ["firm[0] (cn_ga_chalco).capacity_tpy"]
    assert lines[0]["file"] == "content/firms/gallium.toml"


def test_validate_one_file_by_path_with_dotdot(cli: Cli, content_copy: Path) -> None:
    firm_file, _ = _break_two_files(content_copy)
    relative = Path(os.path.relpath(firm_file, Path.cwd()))
    assert relative.parts[0] == ".."  # tmp_path lies outside the cwd
    lines = problem_lines(cli("validate", relative))
    assert [m["field"] for m in lines] == ["firm[0] (cn_ga_chalco).capacity_tpy"]


def test_validate_missing_path_exits_2_with_a_clear_message(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_content"
    result = cli("validate", missing)
    assert result.exit_code == 2
    assert result.exited_cleanly, repr(result.exception)
    assert "Traceback" not in result.output
    assert "no_such_content" in result.stderr
    assert "does not exist" in result.stderr


def test_validate_a_folder_without_content_fails(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("validate", empty)
    assert result.exit_code == 2, result.output


def test_one_broken_nation_is_reported_once_not_at_every_reference(content_copy: Path) -> None:
    nation_file = corrupt(content_copy, "nations/japan.toml", '\nregion = "east_asia"\n', "\n")
    problems = problems_of(content_copy)
    assert [p for p in problems if not same_file(p.file, nation_file)] == []


def test_console_script_reports_problems_without_traceback(content_copy: Path) -> None:
    """The installed `lodestone` entry point, as a user runs it."""
    script = Path(sys.executable).with_name("lodestone")
    assert script.exists(), f"{script} not installed: pip install -e ."
    corrupt(content_copy, "nations/japan.toml", "\ngallium = 3.6\n", "\ngallium = -3\n")
    run = subprocess.run(
        [str(script), "validate", str(content_copy)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stdout + run.stderr
    assert f"{content_copy / 'nations/japan.toml'}: demand.defence.gallium: must be >= 0, got -3" in (
        run.stdout.splitlines()
    )


# ---------------------------------------------------------------------------- scenarios


def test_scenarios_lists_ids_dates_and_playable_nations(cli: Cli, content: Content) -> None:
    result = cli("scenarios")
    assert result.exit_code == 0, result.output
    for sid in ("ministerial-2026", "tutorial"):
        row = next((line for line in result.lines if f" {sid} " in line), None)
        assert row is not None, f"no row for {sid}:\n{result.stdout}"
        s = content.scenario(sid)
        assert "2026 Q1" in row
        assert s.date_of(s.turns - 1) in row
        for nation in s.playable:
            assert content.nations[nation].name in row, f"{sid}: {nation} missing"
    assert "Japan" in result.stdout and "United States" in result.stdout


def test_scenarios_shows_full_ids_at_80_columns(cli: Cli) -> None:
    result = cli("scenarios", columns=80)
    assert result.exit_code == 0
    assert "ministerial-2026" in result.stdout


# ---------------------------------------------------------------------------- mutation test

MUTATED_FILES = [
    "minerals/gallium.toml",
    "nations/japan.toml",
    "firms/lithium.toml",
    "events/timeline_2026.toml",
    "events/random.toml",
    "scenarios/tutorial.toml",
    "projects.toml",
]


def _unknown_top_level_field(text: str) -> tuple[str, str, str]:
    # prepended, so it is a top-level key whatever table the file ends in
    return "bogus_field = 1\n" + text, "bogus_field", "unknown field (not in the schema)"


def _repeated_key(text: str) -> tuple[str, str, str]:
    # the first `id = ...` line twice in the same table: TOML forbids redefining a key
    match = re.search(r"^id = .*\n", text, flags=re.MULTILINE)
    assert match, "file has no id line"
    return text[: match.end()] + match.group(0) + text[match.end() :], "(toml)", "not valid TOML"


MUTATIONS: dict[str, Callable[[str], tuple[str, str, str]]] = {
    "unknown-top-level-field": _unknown_top_level_field,
    "repeated-key": _repeated_key,
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("rel", MUTATED_FILES)
def test_mutating_any_content_file_makes_validate_name_it(
    cli: Cli, content_copy: Path, rel: str, mutation: str
) -> None:
    path = content_copy / rel
    text, field, message = MUTATIONS[mutation](path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")

    lines = problem_lines(cli("validate", content_copy))
    mine = [m for m in lines if same_file(m["file"], path)]
    assert mine, f"validate did not name {rel}"
    assert any(m["field"] == field and m["message"].startswith(message) for m in mine), [
        m.group(0) for m in mine
    ]


def test_problem_inside_an_events_zone_table_names_the_zone_table(content_copy: Path) -> None:
    rel = "events/timeline_2026.toml"
    path = corrupt(content_copy, rel, 'founder = "united_states"\n', 'founder = "united_states"\nbogus = 1\n')
    fields = [p.field for p in problems_of(content_copy) if same_file(p.file, path)]
    assert len(fields) == 1, fields
    assert fields[0].endswith(".effects[0].zone.bogus"), fields
