"""A guarded wargame's saves keep its secrets: the teams' queued orders, the facilitator's
log, rulings and the teams' notes are sealed under the PIN in every file the game writes
(save, autosave, the save made when the window closes); the right PIN gives all of it back
and replays bit-identically, a wrong one or none gets a clear refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.content import Content
from game.saves import SaveError, parse_save, read_save, write_save
from game.session import Game

pytest.importorskip("pygame")  # game.ui.wargame sits in the UI package (no window is opened)

from game.ui.savelist import describe_save
from game.ui.wargame import Wargame

PIN = "97531864"
TEAMS = ["japan", "australia"]
BUY = {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 4321.5, "budget_usd_m": 20}
RULING = "Lithium stockpiles are out of this exercise"
NOTE = "Hedge against a rare-earth ban before the summit"
MESSAGE = "Australia: the summit moved to Canberra"


def secret_room(content: Content) -> Wargame:
    """Two teams a quarter in; this quarter Japan queued a buy with a note, the facilitator
    vetoed another of its orders and sent Australia a message."""
    session = Wargame.new(content, "tutorial", TEAMS, seed=3, pin=PIN)
    session.game.play_turn()
    japan = session.play("japan")
    assert japan.submit(BUY)[0] and japan.submit({**BUY, "mineral": "lithium"})[0]
    session.set_rationale("japan", japan.queued()[0], NOTE)
    assert session.veto("japan", 1, RULING)[0]
    assert session.broadcast(MESSAGE, ["australia"])[0]
    return session


def assert_no_secret(data: bytes) -> None:
    for secret in (b"4321.5", RULING.encode(), NOTE.encode(), MESSAGE.encode(), PIN.encode()):
        assert secret not in data, secret
    assert b'"issuer"' not in data and b'"broadcast"' not in data  # no order, no facilitator action
    assert b"vetoed" not in data and b"rationale" not in data


def test_a_guarded_save_holds_no_secret_and_opens_whole_with_the_pin(content: Content, tmp_path: Path):
    session = secret_room(content)
    game = session.game
    path = write_save(game.to_save(), tmp_path / "room.json", game.sealer)
    data = path.read_bytes()
    assert_no_secret(data)
    head = json.loads(data)
    assert head["scenario"] == "tutorial" and head["turn"] == 1 and head["orders"] == []
    assert head["wargame"] is None and head["sealed"]["cipher"] == "AES-256-GCM"
    listed = describe_save(path, content)  # the load list still reads it
    assert listed.startswith("Tutorial") and "(turn 2 of 12)" in listed and "sealed (PIN)" in listed

    opened = read_save(path, PIN)
    assert opened == game.to_save()  # everything back, the queue of this quarter included
    assert opened.wargame.rulings[0].note == RULING and opened.wargame.rationales[0].note == NOTE
    again = Wargame.from_save(content, opened, PIN)
    assert again.game.world_hashes == game.world_hashes
    assert [o.tonnes for o in again.play("japan").queued()] == [4321.5]
    assert again.game.sealer is not None  # and its later saves are sealed too
    resaved = write_save(again.game.to_save(), tmp_path / "again.json", again.game.sealer)
    assert_no_secret(resaved.read_bytes())
    assert read_save(resaved, PIN) == opened


def test_wrong_pin_no_pin_and_tampering_are_clear_refusals(content: Content, tmp_path: Path):
    session = secret_room(content)
    path = write_save(session.game.to_save(), tmp_path / "room.json", session.game.sealer)
    with pytest.raises(SaveError, match="wrong PIN") as wrong:
        read_save(path, "12345678")
    assert "\n" not in str(wrong.value) and str(wrong.value).startswith(str(path))
    header = read_save(path)  # without the PIN: the header, which cannot be replayed
    assert header.sealed is not None and header.orders == [] and header.wargame is None
    with pytest.raises(SaveError, match="sealed under the facilitator's PIN"):
        Game.from_save(content, header)
    with pytest.raises(SaveError, match="sealed under the facilitator's PIN"):
        Wargame.from_save(content, header)

    raw = json.loads(path.read_text())
    for damage in (
        {"turn": 0},  # the header is bound to the ciphertext
        {"seed": 4},
        {"sealed": {**raw["sealed"], "data": raw["sealed"]["data"][:-8] + "AAAAAAA="}},
        {"sealed": {**raw["sealed"], "nonce": "0" * 24}},
        {"sealed": {**raw["sealed"], "data": "not base64 at all!"}},
    ):
        with pytest.raises(SaveError, match="damaged"):
            read_save(_write(tmp_path / "bad.json", {**raw, **damage}), PIN)


def test_autosaves_and_the_closing_save_are_sealed(content: Content, tmp_path: Path):
    session = secret_room(content)
    game = session.game
    game.autosave = (tmp_path / "auto", 5)
    closing = write_save(session.closing_save(), tmp_path / "closed.json", game.sealer)
    assert_no_secret(closing.read_bytes())
    queued = [o.order for o in read_save(closing, PIN).orders if o.turn == 1]
    assert [o.tonnes for o in queued] == [4321.5]  # nothing lost
    session.team_done("japan")
    session.team_done("australia")
    session.resolve()  # the quarter resolves and autosaves
    (auto,) = sorted((tmp_path / "auto").glob("autosave-*.json"))
    assert_no_secret(auto.read_bytes())
    assert Game.from_save(content, read_save(auto, PIN)).world_hashes == game.world_hashes
    rewound = session.rewind(1, "Replay the summit quarter")
    assert rewound[0] and session.game.sealer is game.sealer  # a rewind keeps sealing


def test_a_room_from_an_old_clear_save_seals_after_the_pin_is_typed(content: Content, tmp_path: Path):
    session = secret_room(content)
    clear = write_save(session.game.to_save(), tmp_path / "clear.json")  # as version 2 wrote it
    old = json.loads(clear.read_text()) | {"version": 2}
    old.pop("sealed")
    loaded = Wargame.from_save(content, parse_save(json.dumps(old)))
    assert loaded.game.sealer is None and not loaded.check_pin("1111")
    assert loaded.game.sealer is None and loaded.check_pin(PIN)
    path = write_save(loaded.game.to_save(), tmp_path / "now.json", loaded.game.sealer)
    assert_no_secret(path.read_bytes())


def test_replay_verify_opens_a_sealed_save_with_the_pin(content: Content, tmp_path: Path, cli, monkeypatch):
    session = Wargame.new(content, "tutorial", TEAMS, seed=5, pin=PIN)
    for _ in range(2):
        session.game.play_turn()
    path = write_save(session.game.to_save(), tmp_path / "room.json", session.game.sealer)
    refused = cli("replay", path)
    assert refused.exit_code == 2 and refused.exited_cleanly
    assert "sealed under the facilitator's PIN" in refused.stderr and "--pin" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    wrong = cli("replay", path, "--pin", "1234")
    assert wrong.exit_code == 2 and "wrong PIN" in wrong.stderr
    ok = cli("replay", path, "--pin", PIN)
    assert ok.exit_code == 0, ok.output
    assert "2 turns replayed" in ok.stdout and "every turn's world hash matches" in ok.stdout
    report = cli("report", path, "--out", tmp_path / "report")
    assert report.exit_code == 2 and "sealed under the facilitator's PIN" in report.stderr
    assert not (tmp_path / "report").exists()
    monkeypatch.setenv("LODESTONE_PIN", PIN)
    assert cli("replay", path).exit_code == 0


def _write(path: Path, raw: dict) -> Path:
    path.write_text(json.dumps(raw))
    return path


def test_a_networked_room_with_a_pin_is_sealed_too(content: Content, tmp_path: Path):
    from game.net.run import new_room_game

    game = new_room_game(content, "tutorial", TEAMS, seed=1, pin=PIN)
    assert game.sealer is not None and new_room_game(content, "tutorial", TEAMS).sealer is None
    assert game.submit({**BUY, "issuer": "japan"}).accepted
    path = write_save(game.to_save(), tmp_path / "net.json", game.sealer)
    assert_no_secret(path.read_bytes())
    assert read_save(path, PIN) == game.to_save()
