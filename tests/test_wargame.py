"""A wargame run headless: hot-seat teams, a facilitator who injects events, messages the
teams and rewinds, then the save and the after-action report."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from game.content import Content
from game.report.document import build_report, render_html
from game.saves import ControllerKind, ControllerSpec, read_save, write_save
from game.session import Game

TEAMS = ("japan", "united_states", "australia")
CUSTOM = {
    "kind": "inject_event",
    "custom": {
        "id": "facilitator_port_strike",
        "name": "Port strike in Queensland",
        "news": "Dockers strike at Gladstone: Australian lithium ore waits on the quay.",
        "source": "facilitator (exercise)",
        "effects": [
            {"type": "supply_shock", "mineral": "lithium", "stage": "ore", "country": "australia",
             "capacity_factor": 0.5, "duration_turns": 2},
        ],
    },
}  # fmt: skip


def team_orders(turn: int) -> dict[str, list[dict]]:
    """What each team decides, in secret, on a turn."""
    return {
        "japan": [{"kind": "stockpile", "issuer": "japan", "action": "buy", "mineral": "rare_earths",
                   "tonnes": 100 + 10 * turn, "budget_usd_m": 20}],
        "united_states": [{"kind": "message", "issuer": "united_states", "to": ["china"], "tone": "pressure",
                           "text": f"Turn {turn}: lift your licences."}],
        "australia": [{"kind": "fund_rnd", "issuer": "australia", "programme": "recycling",
                       "mineral": "lithium", "budget_usd_m": 10}] if turn % 2 == 0 else [],
    }  # fmt: skip


def play(game: Game, until: int) -> None:
    while game.turn < until:
        turn = game.turn
        for team in TEAMS:  # hot seat: each team in turn, blind to the others' queue
            seen = game.observe(team)
            assert all(o.sender == team for o in seen.outbox)
            for order in team_orders(turn)[team]:
                assert game.submit(order).accepted
        if turn == 1:
            assert game.facilitate({"kind": "inject_event", "event": "tut_lithium_ev_surge"}).accepted
            assert game.facilitate({"kind": "broadcast", "text": "Ministers meet next quarter."}).accepted
        if turn == 3:
            assert game.facilitate(CUSTOM).accepted
        game.play_turn()


def test_hot_seat_game_with_facilitator_replays_and_reports(content: Content, tmp_path: Path) -> None:
    specs = {n: ControllerSpec(kind=ControllerKind.HUMAN) for n in TEAMS}
    game = Game(content, "tutorial", seed=8, controllers=dict.fromkeys(TEAMS), specs=specs)
    play(game, 5)
    assert any(h.kind == "facilitator" for h in game.world.news)
    assert any("Ministers meet" in text for _, _, text in game.world.diplomacy.replies)
    game = game.rewind(3, note="the facilitator replays the strike turn")
    assert game.turn == 3 and len(game.branches) == 1
    play(game, 7)
    path = write_save(game.to_save(), tmp_path / "wargame.json")
    saved = read_save(path)
    assert saved.branches[0].from_turn == 3 and saved.branches[0].orders
    assert len(saved.facilitator) == 3
    again = Game.from_save(content, saved)
    assert again.world_hashes == game.world_hashes
    report = render_html(build_report(again))
    text: list[str] = []
    parser = HTMLParser()
    parser.handle_data = text.append  # type: ignore[method-assign]
    parser.feed(report)
    joined = " ".join(text)
    for team in ("Team Japan", "Team United States", "Team Australia"):
        assert team in joined
    assert "Port strike in Queensland" in joined


def test_facilitator_input_is_checked(content: Content) -> None:
    game = Game(content, "tutorial", seed=1)
    before = game.world.world_hash()
    assert "no event" in game.facilitate({"kind": "inject_event", "event": "no_such_event"}).reason
    assert "not a nation" in game.facilitate({"kind": "broadcast", "to": ["atlantis"], "text": "hi"}).reason
    assert "either" in game.facilitate({"kind": "inject_event"}).reason
    assert game.world.world_hash() == before
