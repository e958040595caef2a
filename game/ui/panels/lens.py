"""Map lenses: what colours the countries, the legend that reads them, and the flows and
controls drawn on the map for the selected mineral."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from game.ui import palette as pal
from game.ui.mapview import Flow, RouteControl
from game.ui.panels.fmt import INSTRUMENT_SHORT
from game.ui.play import Play, mineral_name

LENSES = [
    ("refining", "Refining share", "Share of world refined output of the selected mineral, by country"),
    ("mining", "Mining share", "Share of world mine output of the selected mineral, by country"),
    (
        "dependence",
        "Your dependence",
        "Share of your refined imports of the mineral coming from each supplier",
    ),
    ("relations", "Relations", "How your government regards each nation (−100 hostile … +100 close ally)"),
    ("zones", "Zones", "Preferential trade zones: members share a colour"),
]
NEUTRAL = ("rest_of_world",)
"""Aggregates drawn as neutral land whatever the lens: 'Rest of world' is many countries,
not one refiner, and shading its polygons would say otherwise."""

Legend = tuple[str, list[tuple[pal.Colour, str]]]


@dataclass
class LensView:
    fills: list[pal.Colour]
    legend: Legend
    flows: list[Flow]
    controls: list[RouteControl]
    labels: dict[int, str]


def lens_view(play: Play, lens: str, mineral: str, palette: pal.Palette) -> LensView:
    """Fills, legend, flows and controls of `lens` for `mineral`, from the play's observation."""
    obs = play.obs
    m = obs.m(mineral)
    n = len(obs.nations)
    me = obs.me
    legend: Legend = ("", [])
    fills: list[pal.Colour] = [pal.LAND_NEUTRAL] * n
    dep = obs.import_dependence()[m]
    if lens in ("refining", "mining"):
        shares = (obs.refine_share if lens == "refining" else obs.mine_share)[m]
        top = max(float(shares.max()), 1e-9)
        fills = [palette.seq(math.sqrt(s / top)) if s > 0.001 else pal.LAND_NEUTRAL for s in shares]
        legend = (
            f"{'Refining' if lens == 'refining' else 'Mining'} share of world "
            f"{mineral_name(mineral).lower()}",
            [(palette.seq(math.sqrt(f)), f"{top * f * 100:.0f} %") for f in (0.05, 0.25, 0.5, 1.0)],
        )
    elif lens == "dependence":
        top = max(float(dep.max()), 1e-9)
        fills = [palette.seq(math.sqrt(s / top)) if s > 0.001 else pal.LAND_NEUTRAL for s in dep]
        fills[me] = pal.PLAYER
        legend = (
            f"Share of your {mineral_name(mineral).lower()} imports",
            [(palette.seq(math.sqrt(f)), f"{top * f * 100:.0f} %") for f in (0.05, 0.25, 0.5, 1.0)]
            + [(pal.PLAYER, "you")],
        )
    elif lens == "relations":
        fills = [palette.div(float(r) / 100) for r in obs.relations]
        fills[me] = pal.PLAYER
        legend = (
            "Your relations",
            [(palette.div(v / 100), f"{v:+d}") for v in (-100, -50, 0, 50, 100)],
        )
    elif lens == "zones":
        items = []
        for zi, zone in enumerate(obs.zones):
            for member in zone.members:
                if member in obs.nations and fills[obs.n(member)] == pal.LAND_NEUTRAL:
                    fills[obs.n(member)] = palette.cat(zi)
            items.append((palette.cat(zi), zone.name[:44]))
        legend = ("Trade zones", items or [(pal.LAND_NEUTRAL, "no zones yet")])
    flow = (obs.ore_flow if lens == "mining" else obs.refined_flow)[m].copy()
    np.fill_diagonal(flow, 0.0)
    if lens == "dependence":
        mask = np.zeros_like(flow)
        mask[:, me] = 1
        flow *= mask
    order = np.argsort(flow, axis=None)[::-1][:18]
    flows = [
        Flow(int(k // n), int(k % n), float(flow.flat[k]))
        for k in order
        if flow.flat[k] > max(1e-6, flow.max() * 0.01)
    ]
    controls = []
    for c in obs.controls:
        if c.mineral != mineral or c.issuer not in obs.nations:
            continue
        label = INSTRUMENT_SHORT.get(c.instrument.value, c.instrument.value)
        if c.stage.value == "ore":
            label += " ore"
        issuer = obs.n(c.issuer)
        if not c.targets:
            controls.append(RouteControl(issuer, None, label))
        for t in c.targets:
            if t in obs.nations:
                controls.append(RouteControl(issuer, obs.n(t), label))
    labels = {i: play.short_name(nation) for i, nation in enumerate(obs.nations)}
    for i, nation in enumerate(obs.nations):
        if nation in NEUTRAL and i != me:
            fills[i] = pal.LAND_NEUTRAL
    return LensView(fills, legend, flows, controls, labels)


def render_legend(app, legend: Legend, flows: bool) -> pygame.Surface:
    """The legend card of the map lens (rendered once per lens, mineral and scale)."""
    title, items = legend
    font = app.font(12)
    bold = app.font(12, bold=True)
    row = font.get_linesize()
    width = max([bold.size(title)[0]] + [font.size(t)[0] + 26 for _, t in items]) + 20
    if flows:
        width = max(width, font.size("trade flow (width: tonnes)")[0] + 42)
    height = 10 + row * (len(items) + 1) + 6 + (row if flows else 0)
    card = pygame.Surface((width, height), pygame.SRCALPHA)
    card.fill((10, 16, 22, 210))
    card.blit(bold.render(title, True, pal.GOLD), (10, 6))
    y = 6 + row
    for colour, text in items:
        pygame.draw.rect(card, colour, (10, y + 3, 16, row - 6))
        card.blit(font.render(text, True, pal.TEXT), (32, y))
        y += row
    if flows:
        pygame.draw.line(card, app.palette.flow, (10, y + row // 2), (26, y + row // 2), 3)
        card.blit(font.render("trade flow (width: tonnes)", True, pal.TEXT), (32, y))
    return card
