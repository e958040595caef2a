"""Saved games: round trips, bit-identical replays, corrupt files, atomic writes, forks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from agents.scripted import ScheduledOrder, ScriptedOrders
from game.content import Content
from game.rules.orders import ORDER_ADAPTER, ORDER_KINDS
from game.saves import (
    MAX_DEPTH,
    SCHEMA_VERSION,
    LoggedOrder,
    Save,
    SaveError,
    parse_save,
    read_save,
    write_save,
)
from game.session import Game

TURNS = 8

EVERY_KIND = [
    (0, {"kind": "message", "issuer": "japan", "to": ["china"], "tone": "protest", "text": "No."}),
    (0, {"kind": "propose_zone", "issuer": "united_states", "zone": "club", "name": "Club",
         "invite": ["japan"], "price_floor_usd_per_t": {"lithium": 150000}, "floor_paid_by": "fund",
         "emergency_sharing": True}),
    (0, {"kind": "export_control", "issuer": "china", "mineral": "rare_earths", "stage": "refined",
         "instrument": "quota", "quota_tpy": 50000, "targets": ["japan"]}),
    (0, {"kind": "tariff", "issuer": "japan", "mineral": "lithium", "stage": "refined", "origins": ["china"],
         "rate_pct": 20}),
    (0, {"kind": "propose_deal", "issuer": "japan", "buyer": "japan", "seller": "australia",
         "mineral": "lithium", "stage": "ore", "tonnes_per_turn": 500, "pricing": "fixed",
         "price_usd_per_t": 20000, "financing_usd_m": 50}),
    (0, {"kind": "invest", "issuer": "japan", "template": "rare_earths_refinery", "country": "australia"}),
    (0, {"kind": "stockpile", "issuer": "japan", "action": "buy", "mineral": "rare_earths", "tonnes": 800,
         "budget_usd_m": 80}),
    (0, {"kind": "subsidise", "issuer": "japan", "programme": "recycling", "mineral": "rare_earths",
         "usd_m_per_turn": 5, "turns": 4}),
    (0, {"kind": "fund_rnd", "issuer": "united_states", "programme": "substitution", "mineral": "rare_earths",
         "budget_usd_m": 300}),
    (1, {"kind": "join_zone", "issuer": "japan", "zone": "club"}),
    (1, {"kind": "invite_to_zone", "issuer": "united_states", "zone": "club", "nation": "australia"}),
    (1, {"kind": "respond", "issuer": "australia", "proposal": 1, "accept": True, "reason": "fine"}),
    (1, {"kind": "respond", "issuer": "australia", "proposal": 2, "accept": True}),
    (2, {"kind": "share_stockpile", "issuer": "japan", "zone": "club", "share_pct": 25}),
    (2, {"kind": "stockpile", "issuer": "japan", "action": "release", "mineral": "rare_earths",
         "tonnes": 10}),
    (3, {"kind": "lift_export_control", "issuer": "china", "mineral": "rare_earths"}),
    (4, {"kind": "leave_zone", "issuer": "japan", "zone": "club"}),
]  # fmt: skip


def scripted_game(content: Content, seed: int = 9) -> Game:
    """A tutorial game where three nations follow a script using every kind of order and
    China plays its AI doctrine."""
    script = [ScheduledOrder(turn=t, order=ORDER_ADAPTER.validate_python(o)) for t, o in EVERY_KIND]
    controllers = {n: ScriptedOrders(n, script) for n in ("japan", "united_states", "australia")}
    return Game(content, "tutorial", seed, controllers=controllers)


@pytest.fixture(scope="module")
def played(content: Content) -> Game:
    game = scripted_game(content)
    for _ in range(TURNS):
        game.play_turn()
    return game


def test_the_log_holds_every_kind_of_order_and_they_took_effect(played: Game) -> None:
    log = played.order_log()
    assert {o.order.kind for o in log} == set(ORDER_KINDS)
    refused = [r.reason for r in played.world.desk.log if not r.accepted]
    scripted = [r for r in played.world.desk.log if r.issuer != "china"]
    assert all(r.accepted for r in scripted), refused


def test_replay_of_a_60_turn_game_with_every_kind_of_order_is_bit_identical(
    content: Content, tmp_path: Path
) -> None:
    game = scripted_game(content, seed=21)
    for _ in range(60):
        game.play_turn()
    assert {o.order.kind for o in game.order_log()} == set(ORDER_KINDS)
    path = write_save(game.to_save(), tmp_path / "game.json")
    again = Game.from_save(content, read_save(path))
    assert len(again.world_hashes) == 60
    assert again.world_hashes == game.world_hashes
    assert again.world.world_hash() == game.world.world_hash()
    assert again.to_save() == game.to_save()


def test_saving_every_turn_and_continuing_changes_nothing(content: Content, tmp_path: Path) -> None:
    """Save after every turn of an AI-vs-AI game, load, continue: same world as never saving."""
    reference = Game(content, "tutorial", seed=4)
    for _ in range(TURNS):
        reference.play_turn()
    game = Game(content, "tutorial", seed=4)
    for _ in range(TURNS):
        game.autosave = (tmp_path, 3)
        game.play_turn()
        path = sorted(tmp_path.glob("autosave-*.json"))[-1]
        game = Game.from_save(content, read_save(path))
    assert game.world_hashes == reference.world_hashes
    assert len(list(tmp_path.glob("autosave-*.json"))) == 3


def test_a_fork_shares_history_and_then_diverges(played: Game) -> None:
    log = played.order_log()
    ban = ORDER_ADAPTER.validate_python(
        {"kind": "export_control", "issuer": "china", "mineral": "lithium", "stage": "refined",
         "instrument": "ban", "targets": ["japan"]}
    )  # fmt: skip
    at = 2
    same = played.fork(at)
    other = played.fork(at, replace_orders=[LoggedOrder(turn=at, order=ban)])
    for child in (same, other):
        while child.turn < TURNS:
            child.play_turn()
    assert same.world_hashes == played.world_hashes
    assert other.world_hashes[:at] == played.world_hashes[:at]
    assert other.world_hashes[at] != played.world_hashes[at]
    dropped = next(i for i, o in enumerate(log) if o.order.kind == "tariff")
    without = played.fork(0, drop=[dropped])
    while without.turn < TURNS:
        without.play_turn()
    assert "tariff" not in {o.order.kind for o in without.order_log()}
    assert without.world_hashes[0] != played.world_hashes[0]


def test_other_content_is_refused_unless_forced(played: Game, content: Content) -> None:
    foreign = played.to_save().model_copy(update={"content_hash": "0" * 32})
    with pytest.raises(SaveError, match="other content"):
        Game.from_save(content, foreign)
    assert Game.from_save(content, foreign, force=True).world_hashes == played.world_hashes


def test_a_replay_that_diverges_names_the_turn(played: Game, content: Content) -> None:
    hashes = list(played.world_hashes)
    hashes[3] = "f" * 32
    with pytest.raises(SaveError, match="from turn 3 on"):
        Game.from_save(content, played.to_save().model_copy(update={"world_hashes": hashes}))


def test_version_1_saves_are_migrated(played: Game) -> None:
    raw = json.loads(played.to_save().model_dump_json())
    raw["version"] = 1
    raw["log"] = [[o["turn"], o["order"]] for o in raw.pop("orders")]
    del raw["branches"]
    assert parse_save(json.dumps(raw)) == played.to_save()


def corruptions(text: str, rng: np.random.Generator) -> list[str | bytes]:
    data = text.encode()
    flips = []
    for _ in range(40):
        b = bytearray(data)
        for i in rng.integers(0, len(b), size=int(rng.integers(1, 4))):
            b[i] = int(rng.integers(0, 256))
        flips.append(bytes(b))
    raw = json.loads(text)
    wrong_types = [
        {**raw, "seed": "seven"},
        {**raw, "turn": -3},
        {**raw, "orders": {"not": "a list"}},
        {**raw, "orders": [{"turn": 0, "order": {"kind": "export_control", "issuer": 5}}]},
        {**raw, "controllers": {"japan": {"kind": "telepath"}}},
        {**raw, "version": 99},
        {**raw, "version": "2"},
        {**raw, "seed": 10**40},
        {**raw, "turn": 10**12},
        {**raw, "orders": [{"turn": 0, "order": {**raw["orders"][0]["order"], "tonnes": 1e308}}]},
        {k: v for k, v in raw.items() if k != "scenario"},
        [raw],
    ]
    deep = "[" * (MAX_DEPTH * 50) + "0" + "]" * (MAX_DEPTH * 50)
    return [
        *flips,
        *(data[: int(n)] for n in rng.integers(0, len(data), size=15)),
        *(json.dumps(w) for w in wrong_types),
        text[:-1] + ', "branches": [{"from_turn": 0, "note": ' + deep + "}]}",
        "[" * 100_000,
        b"\xff\xfe\x00garbage",
        "",
    ]


def test_corrupt_saves_give_one_clear_error_and_never_crash(played: Game, content: Content) -> None:
    text = played.to_save().model_dump_json()
    rng = np.random.default_rng(0)
    outcomes = {"error": 0, "loaded": 0}
    for bad in corruptions(text, rng):
        try:
            game = Game.from_save(content, parse_save(bad, "bad.json"))
        except SaveError as err:
            assert str(err).startswith("bad.json: ") or "<save>" in str(err)
            assert err.problem and err.advice
            outcomes["error"] += 1
        else:  # a flip that changed nothing that matters (e.g. inside a note) is harmless
            assert game.world_hashes == played.world_hashes[: game.turn]
            outcomes["loaded"] += 1
    assert outcomes["error"] > 50


def test_files_that_are_not_saves(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="no such file"):
        read_save(tmp_path / "missing.json")
    with pytest.raises(SaveError, match="folder"):
        read_save(tmp_path)


def test_an_interrupted_save_leaves_the_previous_one_intact(
    played: Game, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_save(played.to_save(), tmp_path / "game.json")
    before = path.read_bytes()

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies between writing the copy and renaming it

    monkeypatch.setattr(os, "replace", killed)
    later = played.to_save().model_copy(update={"turn": 1, "orders": [], "world_hashes": []})
    with pytest.raises(KeyboardInterrupt):
        write_save(later, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert read_save(path) == played.to_save()
    assert list(tmp_path.iterdir()) == [path]


def test_saves_are_versioned_json(played: Game, tmp_path: Path) -> None:
    path = write_save(played.to_save(), tmp_path / "g.json")
    raw = json.loads(path.read_text())
    assert raw["version"] == SCHEMA_VERSION == 3
    assert raw["scenario"] == "tutorial" and len(raw["world_hashes"]) == TURNS
    assert Save.model_validate(raw) == played.to_save()
