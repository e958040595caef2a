"""The room view in a window of its own, for the projector, beside the game's window.

In hot seat the teams take turns at one machine while the room watches a projector: the
director opens this second window from the console (pygame-ce's `pygame.Window`) and drags
it to the projector. It shows the same public view as the room screen (the map of one
mineral, public prices, the news, the clock; nothing private) and keeps showing it while
the teams' screens and their hand-overs come and go in the main window.

The window has its own UI manager, scaled for the back of a room. The room screen is
built against a small stand-in for the App (`WindowHost`: its size, scale, manager and
fonts are this window's; content, map and palette are the game's), so the one screen
serves both windows. The App routes this window's events here and steps it every frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame
import pygame_gui

from game.ui import palette as pal
from game.ui.app import MIN_SIZE, PROJECTOR_SCALE, SCREENS, gui_font_path, load_screens, scaled_theme

if TYPE_CHECKING:
    from game.ui.app import App, Screen
    from game.ui.wargame import Wargame

TITLE = "Lodestone · room view"
SIZE = (1280, 720)


class WindowHost:
    """What a screen asks of its App, answered for the room window: this window's size,
    scale, UI manager and fonts; the game's content, map, palette and messages."""

    def __init__(self, app: App, room: RoomWindow) -> None:
        self.app = app
        self.room = room
        self.stack: list[Screen] = []
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}
        self.manager = self._make_manager()

    def __getattr__(self, name: str) -> Any:  # content, world_map, palette, settings, home …
        return getattr(self.app, name)

    @property
    def size(self) -> tuple[int, int]:
        return self.room.window.size

    @property
    def scale(self) -> float:
        """Projector-sized: the room reads this window from the back of the room."""
        w, h = self.size
        window = max(1.0, min(w / MIN_SIZE[0], h / MIN_SIZE[1]))
        return min(2.5, self.app.settings.font_scale * window * PROJECTOR_SCALE)

    def _make_manager(self) -> pygame_gui.UIManager:
        manager = pygame_gui.UIManager(self.size, scaled_theme(self.scale))
        sizes = {max(8, round(px * self.scale)) for px in (13, 14, 15, 21)} | {18, 24}
        manager.preload_fonts(
            [
                {"name": "noto_sans", "point_size": s, "style": st}
                for s in sorted(sizes)
                for st in ("bold", "italic")
            ]
        )
        return manager

    def font(self, size: int, bold: bool = False) -> pygame.font.Font:
        px = max(8, round(size * self.scale))
        if (px, bold) not in self._fonts:
            self._fonts[(px, bold)] = pygame.font.Font(gui_font_path(bold), px)
        return self._fonts[(px, bold)]

    def pop(self) -> None:
        """The room screen's Back (or Esc): close this window."""
        self.room.close()

    def notify(self, text: str, bad: bool = False, seconds: float = 5.0) -> None:
        self.app.notify(text, bad, seconds)


class RoomWindow:
    """The second window and the room screen in it."""

    def __init__(self, app: App, session: Wargame, size: tuple[int, int] = SIZE) -> None:
        self.app = app
        self.session = session
        self.window = pygame.Window(TITLE, size, resizable=True)
        self.window.minimum_size = (960, 540)
        self.closed = False
        self.host = WindowHost(app, self)
        load_screens()
        self.screen = SCREENS["room"](self.host, session)
        self.screen.build()
        self._built_for = self.size
        self.screen.close.set_text("Close window")
        self.screen.close.set_tooltip("Close the room view (Esc)")

    @property
    def size(self) -> tuple[int, int]:
        return self.window.size

    def owns(self, event: pygame.event.Event) -> bool:
        """Whether `event` is this window's: SDL's for it, or a widget's of its manager."""
        if getattr(event, "window", None) is self.window:
            return True
        element = getattr(event, "ui_element", None)
        return element is not None and getattr(element, "ui_manager", None) is self.host.manager

    def handle(self, event: pygame.event.Event) -> None:
        """An event of this window (the App routes them here)."""
        if event.type == pygame.WINDOWCLOSE:
            self.close()
            return
        if event.type in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            return  # the next step lays the screen out again
        if getattr(event, "ui_element", None) is not None:  # a widget of this window spoke
            self.screen.handle(event)
            return
        used = self.host.manager.process_events(event)
        if not used or event.type == pygame.KEYDOWN:
            self.screen.handle(event)

    def step(self, dt: float) -> None:
        """One frame: follow a resize, let the screen tick (the clock, the mineral it
        walks through), draw into the window and show it."""
        if self.closed:
            return
        if self.size != self._built_for:
            self.host.manager = self.host._make_manager()
            self.host._fonts.clear()
            self.screen.root = None
            self.screen.build()
            self.screen.close.set_text("Close window")
            self._built_for = self.size
        self.host.manager.update(dt)
        self.screen.update(dt)
        self.render(self.window.get_surface())
        self.window.flip()

    def render(self, surface: pygame.Surface) -> pygame.Surface:
        """Draw the room view into `surface` (the window's own, or any other of its size)."""
        surface.fill(pal.OCEAN)
        self.screen.draw(surface)
        self.host.manager.draw_ui(surface)
        return surface

    def raise_(self) -> None:
        self.window.show()
        self.window.focus()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.screen.teardown()
        self.window.destroy()
        self.app.windows = [w for w in self.app.windows if w is not self]


def open_room_window(app: App, session: Wargame) -> RoomWindow | None:
    """Open the room view in its own window (or raise the one already open for this game);
    None, with a message, if this system cannot open a second window."""
    for room in app.windows:
        if isinstance(room, RoomWindow) and room.session is session:
            room.raise_()
            return room
    for room in [w for w in app.windows if isinstance(w, RoomWindow)]:
        room.close()  # another game's room view
    try:
        room = RoomWindow(app, session)
    except (pygame.error, AttributeError) as exc:  # no multi-window support here
        app.notify(f"Could not open the room window ({exc}): showing the room view here.", bad=True)
        return None
    app.windows.append(room)
    return room


def close_room_windows(app: App) -> None:
    for room in [w for w in app.windows if isinstance(w, RoomWindow)]:
        room.close()
