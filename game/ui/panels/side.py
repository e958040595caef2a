"""The side panel's texts: the selected nation, the news feed, the tutorial's guidance,
and the hover card over a country. Each is built from the play's observation."""

from __future__ import annotations

import pygame

from game.ui import palette as pal
from game.ui.app import wrap
from game.ui.panels.fmt import INSTRUMENT_SHORT, money, price
from game.ui.play import Play, mineral_name
from game.ui.screens.base import esc


def nation_html(play: Play, i: int, mineral: str, scale: float) -> str:
    """The selected nation: who it is, its share of the mineral, and the controls it
    imposes or faces (for the player: supply, stockpile, treasury and projects)."""
    obs = play.obs
    nation = obs.nations[i]
    spec = play.content.nations[nation]
    m = obs.m(mineral)
    big = round(21 * scale)
    lines = [f"<font pixel_size={big}><b>{esc(spec.name)}</b></font>"]
    if nation == play.nation:
        lines.append("<font color='#f0c65a'>Your nation</font>")
    lines.append(f"<font color='#a9b6c3'>{esc(spec.summary)}</font>")
    lines.append(
        f"Alignment: {esc(obs.alignment[i].replace('_', ' '))} · doctrine: "
        f"{esc(obs.doctrine[i].replace('_', ' '))}"
    )
    mn = mineral_name(mineral)
    lines.append(
        f"<b>{mn}</b>: mines {obs.mine_share[m, i] * 100:.0f} %, refines "
        f"{obs.refine_share[m, i] * 100:.0f} % of the world; "
        f"{'you paid' if nation == play.nation else 'its buyers paid'} "
        f"{price(float(obs.refined_price[m, i]))} (refined)"
    )
    if nation == play.nation:
        fill = play.fill(obs)
        lines.append(
            f"Supplied {fill[m] * 100:.0f} % of need · stockpile {obs.stockpile[m]:,.0f} t "
            f"· treasury {money(obs.treasury_usd_m)}"
        )
        if obs.projects:
            proj = "; ".join(
                f"{mineral_name(p.mineral)} {p.kind} in {play.short_name(p.country)} ({p.turns_left} turns)"
                for p in obs.projects[:4]
            )
            lines.append(f"Building: {esc(proj)}")
    else:
        lines.append(
            f"Relations: you {obs.relations[i]:+.0f}, they {obs.regard[i]:+.0f} · "
            f"your {mn.lower()} imports from here: {obs.import_dependence()[m, i] * 100:.0f} %"
        )
    zones = [z.name for z in obs.zones if nation in z.members]
    if zones:
        lines.append(f"Zones: {esc(', '.join(zones))}")
    by = [c for c in obs.controls if c.issuer == nation]
    if by:
        txt = "; ".join(
            f"{INSTRUMENT_SHORT.get(c.instrument.value, c.instrument.value).lower()} "
            f"{mineral_name(c.mineral).lower()} "
            f"to {', '.join(play.short_name(t) for t in c.targets) or 'all'}"
            for c in by[:6]
        )
        lines.append(f"<font color='#ff8a7a'>Controls imposed:</font> {esc(txt)}")
    on = [c for c in obs.controls_on(nation) if c.issuer != nation]
    if on:
        faced = dict.fromkeys(f"{play.short_name(c.issuer)} {mineral_name(c.mineral).lower()}" for c in on)
        txt = "; ".join(list(faced)[:6])
        lines.append(f"<font color='#ff8a7a'>Controls faced:</font> {esc(txt)}")
    return "<br>".join(lines)


def guidance_html(g, turn: int) -> str:
    """The tutorial's prompt for this turn, and what the player just achieved."""
    step = g.current(turn)
    parts = ["<font color='#f0c65a'><b>Guidance</b></font> <font color='#a9b6c3'>(G hides)</font>"]
    if g.last_done:
        parts.append(f"<font color='#7fd18b'>Done: {esc(g.last_done)}</font>")
    if step is not None:
        parts.append(f"<b>Step {g.index + 1} of {len(g.steps)}.</b> {esc(step.prompt)}")
        if g.hinted and step.hint:
            parts.append(f"<font color='#ff8a7a'>Hint: {esc(step.hint)}</font>")
    elif g.finished:
        parts.append("You have used every lever of the tutorial. Play on to the end and read the debrief.")
    else:
        parts.append("Nothing more to do this turn: press End turn (Enter).")
    return "<br>".join(parts)


def news_html(play: Play) -> str:
    """Headlines newest first, then answers to the player's proposals."""
    obs = play.obs
    items = sorted(obs.news, key=lambda n: -n.turn)[:14]
    parts = ["<font color='#f0c65a'><b>News</b></font>"]
    for item in items:
        parts.append(
            f"<font color='#a9b6c3'>{esc(play.scenario.date_of(item.turn))}</font> "
            f"<b>{esc(play.names(item.headline))}</b><br>{esc(play.names(item.text))}"
        )
    for reply in obs.replies[:6]:
        parts.append(f"<font color='#ff8a7a'>{esc(play.names(reply))}</font>")
    if len(parts) == 1:
        parts.append("<i>Nothing has happened yet.</i>")
    return "<br><br>".join(parts)


def render_tooltip(app, play: Play, i: int, mineral: str) -> pygame.Surface:
    """The hover card, drawn once per nation, turn and mineral (text rendering is the
    costly part of a frame)."""
    obs = play.obs
    m = obs.m(mineral)
    nation = obs.nations[i]
    mn = mineral_name(mineral)
    lines = [
        (play.name(nation), True),
        (
            f"{mn}: mine share {obs.mine_share[m, i] * 100:.1f} %, refining share "
            f"{obs.refine_share[m, i] * 100:.1f} %",
            False,
        ),
        (
            f"{'You paid' if nation == play.nation else 'Its buyers paid'} "
            f"{price(float(obs.refined_price[m, i]))} (refined)",
            False,
        ),
    ]
    if nation != play.nation:
        lines.append(
            (
                f"Your imports from here: {obs.import_dependence()[m, i] * 100:.0f} % · "
                f"relations {obs.relations[i]:+.0f}",
                False,
            )
        )
    controls = [
        c for c in obs.controls if c.mineral == mineral and (c.issuer == nation or nation in c.targets)
    ]
    for c in controls[:4]:
        to = ", ".join(play.short_name(t) for t in c.targets) or "all"
        lines.append(
            (
                f"{play.short_name(c.issuer)}: {c.instrument.value.replace('_', ' ')} on "
                f"{c.stage.value} to {to}",
                False,
            )
        )
    if not controls:
        lines.append(("No export controls in force on this mineral", False))
    font, bold = app.font(13), app.font(14, bold=True)
    rendered = []
    for text, is_bold in lines:
        f = bold if is_bold else font
        for part in wrap(text, f, 420):
            rendered.append(f.render(part, True, pal.GOLD if is_bold else pal.TEXT))
    w = max(r.get_width() for r in rendered) + 20
    h = sum(r.get_height() for r in rendered) + 14
    card = pygame.Surface((w, h), pygame.SRCALPHA)
    card.fill((8, 13, 18, 238))
    pygame.draw.rect(card, pal.GOLD, card.get_rect(), 1, border_radius=3)
    y = 7
    for r in rendered:
        card.blit(r, (10, y))
        y += r.get_height()
    return card
