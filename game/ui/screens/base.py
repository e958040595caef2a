"""Small builders so every screen lays out widgets the same way, scaled by the font setting."""

from __future__ import annotations

import html

import numpy as np
import pygame
import pygame_gui
from pygame_gui.core import ObjectID

from game.ui import palette as pal
from game.ui.app import App, Screen


def backs_out(event: pygame.event.Event, button=None) -> bool:
    """Esc, or the screen's own close, back or cancel `button`: what leaves a screen."""
    if button is not None and event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is button:
        return True
    return event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE


def esc(text: str) -> str:
    """Text safe inside a pygame-gui HTML text box."""
    return html.escape(str(text), quote=False)


class Builder:
    """Creates widgets inside a screen's root panel; `u(px)` scales a size by the font scale."""

    def __init__(
        self, screen: Screen, container: pygame_gui.core.IContainerLikeInterface | None = None
    ) -> None:
        self.screen = screen
        self.app: App = screen.app
        self.container = container or screen.root

    def u(self, px: float) -> int:
        return round(px * self.app.scale)

    def button(
        self, rect: pygame.Rect, text: str, tip: str, cls: str = "", oid: str = "", container=None
    ) -> pygame_gui.elements.UIButton:
        return pygame_gui.elements.UIButton(
            rect,
            text,
            manager=self.app.manager,
            container=container or self.container,
            tool_tip_text=tip,
            object_id=ObjectID(oid or None, cls or None),
        )

    def label(
        self, rect: pygame.Rect, text: str, cls: str = "", container=None
    ) -> pygame_gui.elements.UILabel:
        return pygame_gui.elements.UILabel(
            rect,
            text,
            manager=self.app.manager,
            container=container or self.container,
            object_id=ObjectID(None, cls or None),
        )

    def text(
        self, rect: pygame.Rect, html_text: str, container=None, oid: str = ""
    ) -> pygame_gui.elements.UITextBox:
        return pygame_gui.elements.UITextBox(
            html_text,
            rect,
            manager=self.app.manager,
            container=container or self.container,
            object_id=ObjectID(oid or None, None),
        )

    def panel(self, rect: pygame.Rect, container=None) -> pygame_gui.elements.UIPanel:
        return pygame_gui.elements.UIPanel(
            rect, manager=self.app.manager, container=container or self.container
        )

    def dropdown(
        self, rect: pygame.Rect, options: list[tuple[str, str]], start: str, tip: str = "", container=None
    ) -> pygame_gui.elements.UIDropDownMenu:
        start_opt = next((o for o in options if o[1] == start), options[0])
        menu = pygame_gui.elements.UIDropDownMenu(
            options, start_opt, rect, manager=self.app.manager, container=container or self.container
        )
        if tip:
            menu.set_tooltip(tip)
        return menu

    def entry(
        self, rect: pygame.Rect, value: str, tip: str = "", container=None
    ) -> pygame_gui.elements.UITextEntryLine:
        box = pygame_gui.elements.UITextEntryLine(
            rect, manager=self.app.manager, container=container or self.container, initial_text=value
        )
        if tip:
            box.set_tooltip(tip)
        return box


def fit(text: str, font: pygame.font.Font, width: int) -> str:
    """`text`, cut with an ellipsis so it fits in `width` pixels (the full text goes in a tooltip)."""
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "…")[0] > width:
        text = text[:-1]
    return text.rstrip() + "…"


def selected_id(menu: pygame_gui.elements.UIDropDownMenu) -> str:
    opt = menu.selected_option
    return opt[1] if isinstance(opt, tuple) else opt


class Centered(Screen):
    """A screen whose content sits in a centred column (title, new game, menus)."""

    column_width = 560

    def column(self) -> pygame.Rect:
        w, h = self.app.size
        cw = min(w - 80, round(self.column_width * self.app.scale))
        return pygame.Rect((w - cw) // 2, 0, cw, h)


def overlay_root(screen: Screen, width: int, height: int) -> pygame.Rect:
    """A centred dialog panel `width`×`height` (scaled, kept inside the window) as the root."""
    w, h = screen.app.size
    s = screen.app.scale
    rect = pygame.Rect(0, 0, min(w - 60, round(width * s)), min(h - 60, round(height * s)))
    rect.center = (w // 2, h // 2)
    root = screen.make_root(rect, "#menu")
    root.background_colour = pygame.Color(17, 27, 36)
    root.rebuild()
    return rect


class MapBackdrop:
    """The world, dimmed, behind menus: a strategy game should open on its map."""

    def __init__(self, screen: Screen) -> None:
        from game.ui.mapview import MapView

        app = screen.app
        content = app.content
        nations = list(content.nations)
        self.view = MapView(app.world_map, nations, {n: content.nations[n].iso_a3 for n in nations})
        rng = np.random.default_rng(3)
        seq = app.palette
        self.view.set_data(
            [pal._ramp((pal.LAND_NEUTRAL, seq.seq(0.55)), float(rng.uniform(0, 0.5))) for _ in nations],
            [],
            [],
            {},
        )

    def draw(self, surface: pygame.Surface) -> None:
        self.view.set_rect(surface.get_rect())
        self.view.draw(surface)
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((8, 14, 20, 150))
        surface.blit(shade, (0, 0))
