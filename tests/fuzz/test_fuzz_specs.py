"""Broken sweep specs through `lodestone sweep SPEC`.

The base spec is valid (grid, Latin-hypercube sample, doctrines, inline orders); each
variant breaks one thing: its TOML, a field's type or range, a parameter path, the size of
the sweep, the script it names, its orders, or the file itself. All must be refused before
any run starts (conftest makes starting one a failure)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from game.content import Content
from game.lab.sweep_spec import load_spec
from tests.fuzz.harness import Variant, count, run_variants, toml_value

BASE: dict[str, Any] = {
    "root_seed": 2026,
    "seeds": 2,
    "scenarios": ["tutorial"],
    "turns": 4,
    "parameters": {
        "grid": {"nations.china.treasury_usd_m": [500, 2000]},
        "sample": {"n": 3, "ranges": {"minerals.rare_earths.market.demand_elasticity": [0.2, 0.4]}},
    },
    "controllers": {
        "level": "normal",
        "doctrines": {"japan": "passive"},
        "orders": [
            {
                "turn": 1,
                "kind": "stockpile",
                "issuer": "japan",
                "action": "buy",
                "mineral": "rare_earths",
                "tonnes": 500,
                "budget_usd_m": 60,
            }
        ],
    },
    "outputs": {"per_turn": False},
}


def spec_text(spec: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in spec.items())


def test_the_base_spec_is_valid(fuzz_content: Content, tmp_path: Path) -> None:
    """Otherwise every variant would fail for the base's fault, not its own."""
    (tmp_path / "spec.toml").write_text(spec_text(BASE))
    assert load_spec(tmp_path / "spec.toml", fuzz_content).n_runs == 2 * 3 * 2


def broken_spec(rng: random.Random, folder: Path, i: int) -> tuple[str, str, str]:
    """(how, field the message must name, the spec's text); may make files in `folder`."""
    s = copy.deepcopy(BASE)
    kind = rng.randrange(19)
    if kind == 0:
        tail = rng.choice(["x = ", "[parameters", 'a = "open', "= 1", "seeds = 3"])
        return f"TOML {tail!r}", "(toml)", spec_text(s) + tail + "\n"
    if kind == 1:
        key = rng.choice(["seed", "scenario", "params", "output", "x" + str(rng.randrange(99))])
        s[key] = 1
        return f"unknown key {key}", key, spec_text(s)
    if kind == 2:
        s["seeds"] = rng.choice([0, -1, "x", 2_000_000, 1.5, [2]])
        return f"seeds = {s['seeds']!r}", "seeds", spec_text(s)
    if kind == 3:
        s["scenarios"] = rng.choice([[], ["nope"], 3, "tutorial", ["tutorial", "[/]"], [3]])
        return f"scenarios = {s['scenarios']!r}", "scenarios", spec_text(s)
    if kind == 4:
        path = rng.choice(["minerals.nope.x", "nations.china.nope", "firms", "scenario.turns.x", "[/]", ""])
        s["parameters"]["grid"][path] = [1]
        return f"grid path {path!r}", f"parameters.grid.{path}", spec_text(s)
    if kind == 5:
        s["parameters"]["grid"]["nations.china.treasury_usd_m"] = rng.choice([[], "x", 3, [[1]]])
        return "grid values", "parameters.grid.nations.china.treasury_usd_m", spec_text(s)
    if kind == 6:
        s["parameters"]["sample"]["n"] = rng.choice([0, -3, 1_000_001, "x", 2.5])
        return f"n = {s['parameters']['sample']['n']!r}", "parameters.sample.n", spec_text(s)
    if kind == 7:
        s["parameters"]["sample"]["n"] = rng.randrange(50_001, 1_000_001)
        return "a sweep too big to list", "parameters", spec_text(s)
    if kind == 8:
        s["parameters"]["sample"]["ranges"]["minerals.rare_earths.market.demand_elasticity"] = [0.4, 0.2]
        return "low above high", "parameters.sample.ranges.minerals.rare_earths", spec_text(s)
    if kind == 9:
        target = folder / f"script-{i}"
        how = rng.randrange(3)
        if how == 0:
            target.mkdir()
        elif how == 1:
            target.symlink_to(target.name)
        s["controllers"]["script"] = target.name
        return f"controllers.script {('folder', 'loop', 'missing')[how]}", "controllers.script", spec_text(s)
    if kind == 10:
        s["controllers"]["doctrines"]["japan"] = rng.choice(["chaos", "", 3, "Passive"])
        return "unknown doctrine", "controllers.doctrines.japan", spec_text(s)
    if kind == 11:
        s["controllers"]["doctrines"] = {rng.choice(["atlantis", "chile", "indonesia"]): "passive"}
        return "doctrine of a stranger", "controllers", spec_text(s)
    if kind == 12:
        s["controllers"]["orders"][0]["mineral"] = rng.choice(["galium", "cobalt", "unobtainium"])
        return "order with an unknown mineral", "controllers.orders[0] (stockpile): mineral", spec_text(s)
    if kind == 13:
        s["turns"] = rng.choice([0, 401, "x", -1, 1.5])
        return f"turns = {s['turns']!r}", "turns", spec_text(s)
    if kind == 14:
        s["variants"] = [{"name": "a"}, {"name": "a", "level": "hard"}]
        return "two variants named alike", "variants", spec_text(s)
    if kind == 15:
        depth = rng.choice([40, 300, 3000])
        text = spec_text(s).replace("[500, 2000]", "[" * depth + "]" * depth, 1)
        return f"nested {depth}", "(toml)", text
    if kind == 16:
        s["root_seed"] = rng.choice([-1, 2**63, "x"])
        return f"root_seed = {s['root_seed']!r}", "root_seed", spec_text(s)
    if kind == 17:
        path = "nations.china.treasury_usd_m"
        s["parameters"]["sample"]["ranges"][path] = [100, 200]
        return "a path both in the grid and in the sample", "parameters", spec_text(s)
    s["controllers"]["extra_orders"] = [
        {
            "turn": rng.choice([1, 99]),
            "kind": "stockpile",
            "issuer": rng.choice(["atlantis", "japan"]),
            "action": "buy",
            "mineral": "lithium",
            "tonnes": 5,
            "budget_usd_m": 1,
        }
    ]
    if s["controllers"]["extra_orders"][0] == BASE["controllers"]["orders"][0] or (
        s["controllers"]["extra_orders"][0]["turn"] == 1
        and s["controllers"]["extra_orders"][0]["issuer"] == "japan"
    ):
        s["controllers"]["extra_orders"][0]["turn"] = 4
    return "extra order never valid", "controllers.extra_orders[0] (stockpile)", spec_text(s)


def test_broken_specs_exit_2_naming_file_and_field(tmp_path: Path) -> None:
    watched = tmp_path / "specs"
    watched.mkdir()

    def make(rng: random.Random, i: int) -> tuple[Variant, list[str]]:
        out = ["--out", str(watched / "out")]
        place = rng.randrange(15)
        if place == 0:
            folder = watched / f"spec-{i}.toml"
            folder.mkdir()
            return Variant("spec is a folder", folder.name, "(file)"), ["sweep", str(folder), *out]
        if place == 1:
            return Variant("no spec", f"gone-{i}.toml", "(file)"), [
                "sweep",
                str(watched / f"gone-{i}.toml"),
                *out,
            ]
        how, field, text = broken_spec(rng, watched, i)
        path = watched / f"spec-{i}.toml"
        path.write_text(text, encoding="utf-8")
        return Variant(how, path.name, field), ["sweep", str(path), *out]

    failures = list(run_variants("specs", count(150), make, watched))
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} failures)"
