"""Broken saves and broken facilitator actions through `lodestone replay SAVE --verify`.

Each variant starts from a real two-turn save (orders, a library event and a broadcast from
the facilitator) and breaks one thing: its JSON, a field's type or range, an order, the old
version-1 log, the hashes, the turn count, the content hash, or a facilitator action that
names what the scenario does not have."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from game.content import Content
from game.session import Game
from tests.fuzz.harness import Variant, count, run_variants

TURNS = 2
WRONG = [None, True, [], {}, "x", -1, 1.5, [[1]], {"a": 1}]


@pytest.fixture(scope="module")
def base_save(fuzz_content: Content) -> dict[str, Any]:
    game = Game(fuzz_content, "tutorial", seed=3)
    game.submit(
        {
            "kind": "stockpile",
            "issuer": "japan",
            "action": "buy",
            "mineral": "rare_earths",
            "tonnes": 500,
            "budget_usd_m": 60,
        }
    )
    game.submit(
        {
            "kind": "tariff",
            "issuer": "united_states",
            "mineral": "lithium",
            "stage": "refined",
            "origins": ["china"],
            "rate_pct": 10,
        }
    )
    assert game.facilitate({"kind": "broadcast", "text": "Markets are nervous."}).accepted
    game.play_turn()
    assert game.facilitate({"kind": "inject_event", "event": next(iter(fuzz_content.events))}).accepted
    game.play_turn()
    save = json.loads(game.to_save().model_dump_json())
    assert len(save["orders"]) >= 2 and len(save["facilitator"]) == 2 and len(save["world_hashes"]) == TURNS
    return save


def custom_event(effects: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "inject_event",
        "custom": {
            "id": "composed",
            "name": "Composed",
            "news": "Something happened.",
            "source": "fuzz",
            "effects": effects,
        },
    }


def bad_effect(rng: random.Random) -> tuple[str, dict[str, Any], str]:
    """An effect naming something the tutorial does not have, or moving an absurd amount."""
    stranger = rng.choice(["atlantis", "chile", "indonesia", "dr_congo", "zz_" + str(rng.randrange(999))])
    mineral = rng.choice(["galium", "unobtainium", "cobalt", "gallium"])  # cobalt, gallium: not in tutorial
    huge = rng.choice([1e9, 1e15, 1e300, float("inf")])
    options = [
        (
            "template",
            {
                "type": "new_capacity",
                "template": rng.choice(["nope", "mine_x", "cobalt_minex"]),
                "country": "japan",
                "owner": "japan",
            },
            "template",
        ),
        (
            "origin",
            {
                "type": "tariff",
                "tariff": {
                    "issuer": "japan",
                    "mineral": "rare_earths",
                    "stage": "refined",
                    "origins": [stranger],
                    "rate_pct": 10,
                },
            },
            "tariff.origins[0]",
        ),
        (
            "nation",
            {"type": "stockpile", "nation": stranger, "mineral": "rare_earths", "target_tonnes": 10},
            "nation",
        ),
        (
            "mineral",
            {
                "type": "supply_shock",
                "mineral": mineral,
                "stage": "ore",
                "country": "australia",
                "capacity_factor": 0.5,
                "duration_turns": 2,
            },
            "mineral",
        ),
        (
            "tonnage",
            {"type": "stockpile", "nation": "japan", "mineral": "rare_earths", "target_tonnes": huge},
            "target_tonnes",
        ),
        (
            "budget",
            {"type": "stockpile", "nation": "japan", "mineral": "lithium", "budget_usd_m": huge},
            "budget_usd_m",
        ),
        (
            "target",
            {
                "type": "export_control",
                "control": {
                    "issuer": "china",
                    "mineral": "rare_earths",
                    "stage": "refined",
                    "instrument": "ban",
                    "targets": [stranger],
                },
            },
            "control.targets[0]",
        ),
        (
            "owner",
            {"type": "new_capacity", "template": "lithium_mine", "country": "australia", "owner": stranger},
            "owner",
        ),
    ]
    return rng.choice(options)


def mutate(save: dict[str, Any], rng: random.Random) -> tuple[str, str, bytes]:
    """Break one thing of `save`: (how, the field the message must name, the file's bytes)."""
    s = copy.deepcopy(save)
    how, field, raw = _break(s, rng)
    return how, field, raw if raw is not None else json.dumps(s).encode()


def _break(s: dict[str, Any], rng: random.Random) -> tuple[str, str, bytes | None]:
    """Break `s` in place (or give the bytes to write instead)."""
    kind = rng.randrange(17)
    if kind == 0:
        text = json.dumps(s)
        return "truncated", "(json)", text[: rng.randrange(len(text) - 1)].encode()
    if kind == 1:
        return (
            "top level not an object",
            "(json)",
            json.dumps(rng.choice([[], 3, "save", None, [s]])).encode(),
        )
    if kind == 2:
        key = rng.choice(["scenario", "content_hash", "seed", "package_version", "controllers", "turn"])
        del s[key]
        return f"no {key}", key, None
    if kind == 3:
        key, values = rng.choice(
            [
                ("scenario", [3, [], "Has Caps", "[/]", "", "no-such-scenario", None]),
                ("seed", [-1 - rng.randrange(10**6), 2**64 + rng.randrange(99), "abc", 1.5, None, 1e400]),
                ("turn", [-1, 10_001 + rng.randrange(10**6), "x", None, 2.5]),
                ("controllers", [[], 3, "ai", {"atlantis": {"kind": "ai"}}, {"japan": {"kind": "robot"}}]),
                ("version", [0, -3, 3 + rng.randrange(99), "2", None, True, 1.5]),
                ("content_hash", ["0" * 32, "", 7, None]),
                ("branches", [3, "x", [3], {"a": 1}]),
                ("orders", [3, "x", {"a": 1}, [3], [None]]),
            ]
        )
        s[key] = rng.choice(values)
        return f"{key} = {s[key]!r}", key, None
    if kind == 4:
        i = rng.randrange(len(s["orders"]))
        entry = s["orders"][i]
        how = rng.randrange(6)
        if how == 0:
            entry["turn"] = rng.choice([-1, "x", None, 10_001])
        elif how == 1:
            entry["order"]["kind"] = rng.choice(["nuke", "", 3, None, "[/]"])
        elif how == 2:
            entry["order"] = rng.choice([3, "x", None, []])
        elif how == 3:
            del entry["order"]["issuer"]
        elif how == 4:
            entry["order"]["issuer"] = rng.choice(["Japan", "[/]", "", 3, "x" * 65])
        else:
            entry["order"][rng.choice(["extra", "mineral", "issuer"])] = [[[[1]]]]
        return f"orders[{i}] broken ({how})", f"orders.{i}", None
    if kind == 5:
        i = rng.randrange(len(s["facilitator"]) + 1)
        name, effect, field = bad_effect(rng)
        s["facilitator"].insert(i, {"turn": rng.randrange(TURNS), "action": custom_event([effect])})
        return f"facilitator event: {name}", f"facilitator[{i}].action.custom.effects[0].{field}", None
    if kind == 6:
        i = rng.randrange(len(s["facilitator"]) + 1)
        how = rng.randrange(3)
        if how == 0:
            action = {"kind": "inject_event", "event": rng.choice(["no_such_event", "ree_ban_x"])}
            field = "action.event"
        elif how == 1:
            action = {"kind": "broadcast", "to": ["japan", rng.choice(["atlantis", "chile"])], "text": "hi"}
            field = "action.to[1]"
        else:
            action = {"kind": rng.choice(["rewind", "nuke", 3]), "text": "x"}
            field = f"facilitator.{i}.action"
        s["facilitator"].insert(i, {"turn": rng.randrange(TURNS), "action": action})
        return f"facilitator action {how}", field if how == 2 else f"facilitator[{i}].{field}", None
    if kind == 7:
        keep = rng.randrange(TURNS)
        s["world_hashes"] = s["world_hashes"][:keep]
        return f"{keep} hashes kept", "world_hashes", None
    if kind == 8:
        t = rng.randrange(TURNS)
        s["world_hashes"][t] = f"{rng.getrandbits(128):032x}"
        return f"hash of turn {t} changed", f"world_hashes[{t}]", None
    if kind == 9:
        extra = rng.randrange(1, 400)
        s["turn"] = 12 + extra
        s["world_hashes"] += ["0" * 32] * (s["turn"] - len(s["world_hashes"]))
        return f"turn {s['turn']} past the scenario", "turn", None
    if kind == 10:
        depth = rng.choice([41, 60, 500, 5000, 100_000])
        key = rng.choice(["orders", "branches", "note", "controllers"])
        s[key] = json.loads("[" * min(depth, 900) + "]" * min(depth, 900)) if depth < 900 else None
        if depth >= 900:
            s["branches"] = "DEEP"
            text = json.dumps(s).replace('"DEEP"', "[" * depth + "]" * depth)
            return f"nested {depth}", "(json)", text.encode()
        return f"nested {depth}", "(json)", None
    if kind == 11:
        s["version"] = 1
        s.pop("orders")
        s["log"] = rng.choice([3, None, {"a": 1}, "x", [3], [[1]], [[0, 1, 2]], [None], [[0, {"kind": "x"}]]])
        field = (
            "log"
            if not isinstance(s["log"], list)
            else ("log.0" if s["log"][0] != [0, {"kind": "x"}] else "orders.0")
        )
        return f"version 1 log {s['log']!r}", field, None
    if kind == 12:
        s["content_hash"] = f"{rng.getrandbits(128):032x}"
        return "other content", "content_hash", None
    if kind == 13:
        return "not UTF-8", "(json)", b"\xff\xfe" + bytes(rng.randrange(256) for _ in range(40))
    if kind == 14:
        i = rng.randrange(len(s["facilitator"]))
        s["facilitator"][i]["turn"] = TURNS + 1 + rng.randrange(50)
        return "facilitator action after the save's turn", f"facilitator[{i}].turn", None
    if kind == 15:
        s["reseed"] = rng.choice([3, "x", {"turn": -1, "seed": 1}, {"turn": 0, "seed": -5}, []])
        return f"reseed {s['reseed']!r}", "reseed", None
    s["controllers"]["japan"] = rng.choice(
        [{"kind": "ai", "doctrine": "chaos"}, {"kind": "ai", "level": "god"}, {"kind": 3}, [], None]
    )
    return f"controller {s['controllers']['japan']!r}", "controllers.japan", None


def test_broken_saves_exit_2_naming_file_and_field(base_save: dict[str, Any], tmp_path: Path) -> None:
    watched = tmp_path / "saves"
    watched.mkdir()
    (watched / "good.json").write_text(json.dumps(base_save))  # a neighbour that must stay as it was

    def make(rng: random.Random, i: int) -> tuple[Variant, list[str]]:
        how, field, raw = mutate(base_save, rng)
        path = watched / f"save-{i}.json"
        path.write_bytes(raw)
        return Variant(how, path.name, field), ["replay", str(path), "--verify"]

    failures = list(run_variants("saves", count(600), make, watched))
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} failures)"
