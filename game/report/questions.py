"""Discussion questions for the end of a class, written from what happened in the game.

Each question points at one thing students saw (the price that moved most, the act that
mattered most, the nation hurt most, a zone that formed or failed, a stockpile drawn down)
and asks why, or what else could have been done. Three to five questions, most telling first.
"""

from __future__ import annotations

import numpy as np

from game.report.chains import Chain
from game.rules import Sector
from game.world.model import WorldModel

MAX_QUESTIONS = 5
SECTOR_WORDS = {"ev_batteries": "EV batteries", "wind_solar": "wind and solar", "other": "other uses"}


def discussion_questions(world: WorldModel, chains: list[Chain]) -> list[str]:
    sc = world.scenario
    n = len(world.nation_ids)
    records = world.records
    questions: list[str] = []
    if chains:
        c = chains[0]
        mineral = c.mineral.replace("_", " ")
        questions.append(
            f"In {sc.date_of(c.turn)}, {c.act_words(world)} took effect. Why did the price of "
            f"{mineral} in {world.display(c.target)} move so much, and who gained from it?"
        )
    index = np.array([r.refined_paid[:, :n].mean(axis=1) / world.ref_price for r in records])
    t, m = np.unravel_index(int(np.argmax(index)), index.shape)  # (turn, mineral) of the highest price
    peaked = world.mineral_ids[int(m)].replace("_", " ")
    questions.append(
        f"The {peaked} price peaked at {index[t, m]:.1f}× its reference in {sc.date_of(records[t].turn)}. "
        f"What pushed it there, and what brought it back (or why did it not come back)?"
    )
    short = np.array([r.shortfall.sum(axis=(0, 2)) for r in records])  # (T, N)
    need = np.array([r.need.sum(axis=(0, 2)) for r in records])
    share = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
    worst = int(np.argmax(share.max(axis=0)))
    if share[:, worst].max() > 0.02:
        t_worst = int(np.argmax(share[:, worst]))
        sectors = records[t_worst].shortfall[:, worst].sum(axis=0)
        key = list(Sector)[int(np.argmax(sectors))].value
        sector = SECTOR_WORDS.get(key, key.replace("_", " "))
        who, pct = world.display(world.nation_ids[worst]), 100 * share[t_worst, worst]
        questions.append(
            f"{who} went short of {pct:.0f} % of what it needed in {sc.date_of(records[t_worst].turn)}, "
            f"most in {sector}. Which of its levers (stockpiles, deals, investment, a zone) would have "
            f"helped soonest, and at what cost?"
        )
    zones = list(world.policies.zones.values())
    if zones:
        z = max(zones, key=lambda zone: len(zone.members))
        outside = [world.display(x) for x in world.nation_ids if x not in z.members][:3]
        questions.append(
            f"{z.name} ended with {len(z.members)} members. Why did {', '.join(outside) or 'no one'} stay "
            f"outside, and did the zone make its members more secure or only more expensive?"
        )
    else:
        questions.append("No trade zone formed. What would a zone have had to offer for nations to join it?")
    questions.append(
        "Investments take years to come online. Which decisions made in the first year paid off by the "
        "end, and which came too late?"
    )
    return questions[:MAX_QUESTIONS]
