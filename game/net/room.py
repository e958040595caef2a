"""The room's public picture of a hosted game, for spectators (`lodestone room HOST:PORT`).

Built on the host from the world, field by field, from what every team may read anyway
(the projector in the room shows the same): who refines each mineral and where it flows,
the controls in force, world-average prices, the news. Nothing here is a team's: no
observation, no queue, no score, no message, so a spectator's connection never carries a
secret even if the room's network is not private.
"""

from __future__ import annotations

import numpy as np

from game.net import protocol as p
from game.session import Game
from game.world.record import Happened

NEWS_KINDS_LEFT_OUT = ("firm",)
"""Firm-level chatter (investor lines) stays off the projector, as on the room view."""


def public_news(game: Game) -> list[Happened]:
    """The news the room sees: the last two quarters' (up to 14 items), without firm-level
    chatter and investors' commitments. The hot-seat room view and the feed show the same."""
    world = game.world
    last = max((item.turn for item in world.news), default=-1)
    return [
        item
        for item in world.news
        if item.turn >= last - 1 and item.kind not in NEWS_KINDS_LEFT_OUT and item.event != "investment"
    ][-14:]


def world_prices(game: Game) -> tuple[list[float], list[float]]:
    """(now, a quarter earlier): the world-average refined price paid, USD/t, by mineral."""
    world = game.world
    n = len(world.nation_ids)
    rows = [world.start_paid[:, :n].mean(axis=1)]
    rows += [r.refined_paid[:, :n].mean(axis=1) for r in world.records[-2:]]
    return [float(x) for x in rows[-1]], [float(x) for x in rows[-2 if len(rows) > 1 else -1]]


def room_feed(game: Game, teams: list[str], done: set[str], paused: bool, clock: str) -> p.RoomFeed:
    world = game.world
    obs = game.observe(teams[0])  # only its public fields are copied below
    price, before = world_prices(game)
    news = [p.PublicNews(turn=item.turn, name=item.name, news=item.news) for item in public_news(game)]
    controls = [
        p.PublicControl(
            issuer=c.issuer, mineral=c.mineral, instrument=c.instrument.value, targets=list(c.targets)
        )
        for c in obs.controls
    ]
    return p.RoomFeed(
        scenario=world.scenario.id,
        clock=clock,
        minerals=list(world.mineral_ids),
        nations=list(world.nation_ids),
        price=price,
        price_before=before,
        refine_share=np.asarray(obs.refine_share, dtype=float).tolist(),
        refined_flow=np.asarray(obs.refined_flow, dtype=float).tolist(),
        controls=controls,
        news=news,
        waiting=[t for t in teams if t not in done],
        paused=paused,
        over=game.over,
    )
