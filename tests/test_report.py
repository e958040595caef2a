"""`lodestone report`: the after-action report of a saved game."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.scripted import ScheduledOrder, ScriptedOrders
from game.cli import app
from game.content import Content
from game.rules.orders import ORDER_ADAPTER
from game.saves import ControllerKind, ControllerSpec, write_save
from game.session import Game

BAN = {"kind": "export_control", "issuer": "china", "mineral": "rare_earths", "stage": "refined",
       "instrument": "ban", "targets": ["japan"]}  # fmt: skip
JOIN = {"kind": "propose_zone", "issuer": "japan", "zone": "magnets", "name": "Magnet Alliance", "invite": []}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.images = 0

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and dict(attrs).get("src", "").startswith("data:image/png;base64,"):
            self.images += 1


@pytest.fixture(scope="module")
def save_path(content: Content, tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = [
        ScheduledOrder(turn=1, order=ORDER_ADAPTER.validate_python(BAN)),
        ScheduledOrder(turn=2, order=ORDER_ADAPTER.validate_python(JOIN)),
    ]
    game = Game(
        content,
        "tutorial",
        seed=2,
        controllers={"china": ScriptedOrders("china", script), "japan": None},
        specs={"japan": ControllerSpec(kind=ControllerKind.HUMAN)},
    )
    for turn in range(6):
        if turn == 2:
            game.submit(JOIN)  # the human team's order
        game.play_turn()
    return write_save(game.to_save(), tmp_path_factory.mktemp("save") / "game.json")


def test_report_names_every_team_and_parses(save_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(save_path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    parser = _Text()
    parser.feed((tmp_path / "report.html").read_text())
    text = " ".join(parser.text)
    for team in ("China", "Japan", "Australia", "United States"):
        assert team in text
    assert "Team Japan" in text
    assert parser.images >= 4
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "prices.png").stat().st_size > 10_000


def test_the_ban_leads_the_causal_chains(save_path: Path, tmp_path: Path) -> None:
    CliRunner().invoke(app, ["report", str(save_path), "--out", str(tmp_path)])
    parser = _Text()
    parser.feed((tmp_path / "report.html").read_text())
    text = " ".join(parser.text)
    chains = text.split("What mattered most")[1].split("Outcomes against objectives")[0]
    assert "China's ban on refined rare earths to Japan" in chains
    assert "rare-earth price paid in Japan +" in chains and "→" in chains
    # the move told in signed points that add up to it (each point rounded on its own)
    move = re.search(r"paid in Japan ([+-]\d+) % that quarter \(([^)]*)\)", chains)
    parts = [int(x) for x in re.findall(r"([+-]\d+) pts", move.group(2))]
    assert abs(sum(parts) - int(move.group(1))) <= len(parts)
    assert "% of the move" not in text
    assert "not measured as caused" in text  # what followed is never joined by an arrow


def test_the_report_shows_names_not_ids(save_path: Path, tmp_path: Path) -> None:
    CliRunner().invoke(app, ["report", str(save_path), "--out", str(tmp_path)])
    parser = _Text()
    parser.feed((tmp_path / "report.html").read_text())
    text = " ".join(parser.text).split("Who played", 1)[1]
    leaks = re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    assert not leaks, leaks[:5]


def test_report_of_a_bad_save_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{]")
    result = CliRunner().invoke(app, ["report", str(tmp_path / "bad.json"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output and "Traceback" not in result.output


def test_the_class_gets_three_to_five_questions_about_this_game(save_path: Path, tmp_path: Path) -> None:
    CliRunner().invoke(app, ["report", str(save_path), "--out", str(tmp_path)])
    page = (tmp_path / "report.html").read_text()
    section = page.split("Questions for discussion")[1].split("<h2>")[0]
    questions = section.count("<li>")
    assert 3 <= questions <= 5
    assert "rare earths" in section and "?" in section
