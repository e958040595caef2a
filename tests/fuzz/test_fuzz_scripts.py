"""Broken order scripts and command-line options through `lodestone run`.

The base script is valid for the tutorial played 4 turns; each variant breaks one thing:
its TOML, its shape, an order's turn, kind, issuer, mineral, targets, zone or a number, or
the file itself (a folder, missing, a symlink loop, not UTF-8, `[/]` in its name). All must
be refused before the game starts (conftest makes starting it a failure)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from tests.fuzz.harness import Variant, count, run_variants, toml_value

BASE: list[dict[str, Any]] = [
    {
        "turn": 1,
        "kind": "stockpile",
        "issuer": "japan",
        "action": "buy",
        "mineral": "rare_earths",
        "tonnes": 500,
        "budget_usd_m": 60,
    },
    {
        "turn": 2,
        "kind": "export_control",
        "issuer": "china",
        "mineral": "rare_earths",
        "stage": "refined",
        "instrument": "ban",
        "targets": ["japan"],
    },
    {
        "turn": 1,
        "kind": "tariff",
        "issuer": "united_states",
        "mineral": "lithium",
        "stage": "refined",
        "origins": ["china"],
        "rate_pct": 10,
    },
    {
        "turn": 0,
        "kind": "propose_zone",
        "issuer": "united_states",
        "zone": "allies",
        "name": "Allies",
        "invite": ["japan"],
    },
    {"turn": 1, "kind": "join_zone", "issuer": "japan", "zone": "allies"},
]
STRANGERS = ["atlantis", "chile", "indonesia", "usa", "dr_congo"]


def toml_script(orders: list[dict[str, Any]]) -> str:
    return "".join(
        "[[orders]]\n" + "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in o.items()) + "\n"
        for o in orders
    )


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def broken_script(rng: random.Random) -> tuple[str, str, str | bytes]:
    """(how, field the message must name, the file's text)."""
    orders = copy.deepcopy(BASE)
    i = rng.randrange(len(orders))
    kind = rng.randrange(17)
    if kind == 0:
        tail = rng.choice(
            [
                "x = ",
                "[[orders]",
                'turn = "unterminated',
                "= 3",
                "a.b = 1\na = 2",
                "[[orders]]\nturn = 1\nturn = 2",
            ]
        )
        return f"TOML {tail!r}", "(toml)", toml_script(orders) + tail + "\n"
    if kind == 1:
        name = rng.choice(["settings", "order", "Orders", "meta", "x" + str(rng.randrange(99))])
        return f"section {name}", name, toml_script(orders) + f"[{name}]\na = 1\n"
    if kind == 2:
        value = rng.choice(["3", '"x"', "true", "{a = 1}", "[1, 2]", '["x"]'])
        field = "orders" if value in {"3", '"x"', "true", "{a = 1}"} else "orders[0]"
        return f"orders = {value}", field, f"orders = {value}\n"
    if kind == 3:
        del orders[i]["turn"]
        return f"orders[{i}] has no turn", f"orders[{i}]: turn", toml_script(orders)
    if kind == 4:
        orders[i]["turn"] = rng.choice([-1, -(10**6), "x", 1.5, 10_001, True])
        return f"orders[{i}].turn = {orders[i]['turn']!r}", "turn", toml_script(orders)
    if kind == 5:
        orders[i]["turn"] = rng.randrange(4, 10_000)
        return (
            f"orders[{i}] after the last turn",
            f"orders[{i}] ({orders[i]['kind']}): turn",
            toml_script(orders),
        )
    if kind == 6:
        orders[i]["kind"] = rng.choice(["nuke", "Stockpile", "", "[/]", "export-control"])
        return f"orders[{i}].kind = {orders[i]['kind']!r}", f"orders[{i}]", toml_script(orders)
    if kind == 7:
        orders[i]["issuer"] = rng.choice(STRANGERS)
        if orders[i]["kind"] == "propose_zone":
            return "zone founded by a stranger", f"orders[{i}] (propose_zone): issuer", toml_script(orders)
        return (
            f"orders[{i}] by {orders[i]['issuer']}",
            f"orders[{i}] ({orders[i]['kind']}): issuer",
            toml_script(orders),
        )
    if kind == 8:
        j = rng.choice([0, 1, 2])
        orders[j]["mineral"] = rng.choice(["galium", "cobalt", "gallium", "unobtainium"])
        return (
            f"mineral {orders[j]['mineral']}",
            f"orders[{j}] ({orders[j]['kind']}): mineral",
            toml_script(orders),
        )
    if kind == 9:
        orders[1]["targets"] = ["japan", rng.choice(STRANGERS)]
        return "unknown target", "orders[1] (export_control): targets[1]", toml_script(orders)
    if kind == 10:
        orders[1]["targets"] = ["china"]
        return "target is the issuer", "orders[1] (export_control): (order)", toml_script(orders)
    if kind == 11:
        orders[0]["tonnes"] = rng.choice([-1, -1e9, float("-inf"), "lots", [1]])
        return f"tonnes {orders[0]['tonnes']!r}", "orders[0] (stockpile): tonnes", toml_script(orders)
    if kind == 12:
        name = rng.choice(["extra", "priority", "nation_", "z" + str(rng.randrange(99))])
        orders[i][name] = 1
        return f"unknown field {name}", f"orders[{i}] ({orders[i]['kind']}): {name}", toml_script(orders)
    if kind == 13:
        orders[i]["issuer"] = rng.choice(["Japan", "[/]", "", "japan!", "x" * 65, 3])
        return (
            f"issuer {orders[i]['issuer']!r}",
            f"orders[{i}] ({orders[i]['kind']}): issuer",
            toml_script(orders),
        )
    if kind == 14:
        text = toml_script(orders).replace(
            '"mineral" = "rare_earths"', f'"mineral" = {deep(rng.choice([31, 40, 400, 3000]))}', 1
        )
        return "deep arrays", "(toml)", text
    if kind == 15:
        orders[4]["zone"] = rng.choice(["nowhere", "allies2", "z"])
        return f"zone {orders[4]['zone']}", "orders[4] (join_zone): zone", toml_script(orders)
    orders[3]["turn"] = rng.randrange(2, 4)
    return "joined before it was proposed", "orders[4] (join_zone): zone", toml_script(orders)


def test_broken_scripts_are_refused_before_the_game(tmp_path: Path) -> None:
    watched = tmp_path / "scripts"
    watched.mkdir()

    def make(rng: random.Random, i: int) -> tuple[Variant, list[str]]:
        args = ["run", "--scenario", "tutorial", "--turns", "4", "--out", str(watched / "out"), "--orders"]
        place = rng.randrange(12)
        if place == 0:
            folder = watched / f"script-{i}.toml"
            folder.mkdir()
            return Variant("a folder", folder.name, "(file)"), [*args, str(folder)]
        if place == 1:
            return Variant("missing", f"missing-{i}.toml", "(file)"), [
                *args,
                str(watched / f"missing-{i}.toml"),
            ]
        if place == 2:
            loop = watched / f"loop-{i}.toml"
            loop.symlink_to(loop.name)
            return Variant("symlink loop", loop.name, "(file)"), [*args, str(loop)]
        if place == 3:
            path = watched / f"latin1-{i}.toml"
            path.write_bytes(toml_script(BASE).encode() + b'"note" = "caf\xe9"\n')
            return Variant("not UTF-8", path.name, "(file)"), [*args, str(path)]
        how, field, text = broken_script(rng)
        name = f"script-{i}.toml"
        if place == 4:  # a folder named `[`: the path reads `…/[/]script-4.toml`, markup to rich
            name = f"[/]{name}"
            (watched / "[").mkdir(exist_ok=True)
        path = watched / name
        path.write_text(text, encoding="utf-8") if isinstance(text, str) else path.write_bytes(text)
        return Variant(how, name, field), [*args, str(path)]

    failures = list(run_variants("scripts", count(300), make, watched))
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} failures)"


def test_bad_options_exit_2_naming_the_option(tmp_path: Path) -> None:
    watched = tmp_path / "options"
    watched.mkdir()
    (watched / "a-file").write_text("not a folder")

    def make(rng: random.Random, i: int) -> tuple[Variant, list[str]]:
        kind = rng.randrange(7)
        base = ["run", "--scenario", "tutorial", "--out", str(watched / "out")]
        if kind == 0:
            turns = rng.choice([0, -1, -(10**9), 13, 60, 10**12])
            return Variant(f"--turns {turns}", "--turns", "--turns"), [*base, "--turns", str(turns)]
        if kind == 1:
            seed = rng.choice([-1, -(2**70), 2**63, 2**64 + 5])
            return Variant(f"--seed {seed}", "--seed", "--seed"), [*base, "--seed", str(seed)]
        if kind == 2:
            value = rng.choice(["abc", "1.5", "", "[/]"])
            option = rng.choice(["--seed", "--turns"])
            return Variant(f"{option} {value!r}", option, option), [*base, option, value]
        if kind == 3:
            scenario = rng.choice(["[/]", "nope", "Tutorial", "", "[bold]x"])
            args = ["run", "--scenario", scenario, "--out", str(watched / "out")]
            return Variant(f"--scenario {scenario!r}", "--scenario", "--scenario"), args
        if kind == 4:
            out = watched / "a-file" / rng.choice(["", "sub", "sub/deeper"])
            return Variant("--out under a file", "--out", "--out"), [
                "run",
                "--scenario",
                "tutorial",
                "--out",
                str(out),
            ]
        if kind == 5:
            save = watched / rng.choice(["[/]missing.json", "nope.json", "a-file", "[bold]x.json"])
            field = "(json)" if save.name == "a-file" else "(file)"
            return Variant("replay of no save", save.name, field), ["replay", str(save)]
        option = rng.choice(["--workers", "--batch"])
        return Variant(f"{option} 0", option, option), ["sweep", str(watched / "a-file"), option, "0"]

    failures = list(run_variants("options", count(100), make, watched))
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} failures)"
