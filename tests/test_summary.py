"""The sweep's summary measures read straight from the world: first turns of key orders
agree with their definition on the orders' JSON (the form the order log is saved in)."""

from __future__ import annotations

import json

import numpy as np

from game.content import Content
from game.lab.baselines import sample_valid
from game.lab.envs import LodestoneParallelEnv
from game.lab.summary import FIRST_TURNS, first_turns
from game.world.model import WorldModel


def _first_turns_from_json(world: WorldModel) -> dict[str, int | None]:
    """The definition: each accepted record's JSON, as `lodestone replay` reads the log."""
    found: dict[str, int | None] = dict.fromkeys(FIRST_TURNS)
    for record in sorted(world.desk.log, key=lambda r: (r.turn, r.seq)):
        if not record.accepted:
            continue
        body = json.loads(record.json())
        kind = body["kind"]
        keys = []
        if kind == "export_control":
            keys += ["ban"] if body["instrument"] == "ban" else []
            keys.append("export_control")
        elif kind == "propose_zone":
            keys.append("zone")
        elif kind == "propose_deal":
            keys.append("deal")
        elif kind == "stockpile":
            keys.append(f"stockpile_{body['action']}")
        elif kind in ("lift_export_control", "tariff", "invest"):
            keys.append(kind)
        for key in keys:
            if found[key] is None:
                found[key] = record.turn
    return found


def test_first_turns_agree_with_the_order_log_json(content: Content):
    env = LodestoneParallelEnv("tutorial", content=content)
    for seed in (0, 1):
        _, infos = env.reset(seed=seed)
        rng = np.random.default_rng(seed)
        while env.agents:
            actions = {
                n: sample_valid(infos[n]["action_mask"], env.layouts[n].nvec, rng, 0.4) for n in env.agents
            }
            _, _, _, _, infos = env.step(actions)
        assert env.game is not None
        world = env.game.world
        found = first_turns(world)
        assert found == _first_turns_from_json(world)
        assert sum(turn is not None for turn in found.values()) >= 6, found  # most kinds happened
