"""The window, the stack of screens and the frame loop.

A game is a stack of screens (after Tuxemon's state machine): the title at the bottom, the
main map above it, overlays (order panels, the Esc menu, help, messages) pushed on top.
Only the top screen gets input; an overlay is drawn over a dimmed snapshot of the screen
beneath, so the map is not redrawn while a panel is open and no click leaks through.

Screens never import each other. Every `Screen` subclass that names itself (`name =
"main"`) is registered under that name when its module loads, and a screen opens another by
name: `app.open("turn_report", play, report)` (`app.make` builds without pushing). Steps that
are more than one push (finish a wargame, open a replay) are registered with `@action(name)`
and run with `app.act(name, ...)`. The screen modules are imported once, on first use.

Work that takes time (resolving a turn, loading a save) runs in a worker thread: the
world has no pygame in it, so it is safe there, and the window keeps drawing a
"resolving…" overlay meanwhile. Its result is handed back on the main thread.
"""

from __future__ import annotations

import importlib
import json
import math
import pkgutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pygame
import pygame_gui

from game.ui import palette as pal
from game.ui.settings import Settings, user_dir

MIN_SIZE = (1280, 720)
INPUT_EVENTS = [pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP]
PROJECTOR_SCALE = 1.4


def asset(name: str) -> Path:
    import lodestone_assets

    return Path(resources.files(lodestone_assets) / name)  # type: ignore[arg-type]


def gui_font_path(bold: bool = False) -> str:
    """pygame-gui's bundled Noto Sans, so drawn text matches the widgets."""
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return str(resources.files("pygame_gui.data") / name)


def scaled_theme(scale: float) -> dict[str, Any]:
    """The theme file with every font size multiplied by the font-scale setting."""
    theme = json.loads(asset("theme.json").read_text(encoding="utf-8"))
    for block in theme.values():
        font = block.get("font") if isinstance(block, dict) else None
        if font and "size" in font:
            font["size"] = str(max(8, round(int(font["size"]) * scale)))
    return theme


SCREENS: dict[str, type[Screen]] = {}
"""Every named screen class, by name (filled as the screen modules load)."""
ACTIONS: dict[str, Callable[..., Any]] = {}
"""Named steps between screens that are more than one push (see `action`)."""
_LOADED: list[bool] = []


def action(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn(app, ...)` under `name`, for `App.act(name, ...)`."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        ACTIONS[name] = fn
        return fn

    return register


def load_screens() -> None:
    """Import every module of `game.ui.screens` once, so that each registers its screens."""
    if _LOADED:
        return
    import game.ui.screens as package

    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
    _LOADED.append(True)


class Screen:
    """One state of the game. Subclasses build their widgets in `build` (called on entry
    and again after a resize or a font-scale change) inside `self.root`."""

    overlay = False
    """Drawn over a snapshot of the screen below instead of replacing it."""
    name = "screen"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            return  # a base class (Centered): nothing to open by name
        known = SCREENS.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"two screens are named {name!r}: {known.__qualname__} and {cls.__qualname__}")
        SCREENS[name] = cls

    def __init__(self, app: App) -> None:
        self.app = app
        self.root: pygame_gui.elements.UIPanel | None = None

    @property
    def manager(self) -> pygame_gui.UIManager:
        return self.app.manager

    def make_root(
        self, rect: pygame.Rect | None = None, object_id: str = "#root"
    ) -> pygame_gui.elements.UIPanel:
        """A panel holding every widget of this screen, so leaving kills them all at once."""
        rect = rect or pygame.Rect((0, 0), self.app.size)
        self.root = pygame_gui.elements.UIPanel(
            rect,
            starting_height=1 + 2 * len(self.app.stack),
            manager=self.manager,
            object_id=pygame_gui.core.ObjectID(object_id, "@transparent"),
        )
        self.root.background_colour = pygame.Color(0, 0, 0, 0)
        self.root.rebuild()
        return self.root

    def build(self) -> None:
        self.make_root()

    def teardown(self) -> None:
        if self.root is not None:
            self.root.kill()
            self.root = None

    def rebuild(self) -> None:
        self.teardown()
        self.build()

    def handle(self, event: pygame.event.Event) -> bool:
        """React to an event; True if it was used."""
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        """Draw what sits under the widgets (map, backgrounds)."""

    def draw_over(self, surface: pygame.Surface) -> None:
        """Draw what sits over the widgets (map tooltips)."""

    def resumed(self) -> None:
        """The screen above was closed."""

    def wants_mouse(self, pos: tuple[int, int]) -> bool:
        """True where the screen itself (a map) takes the mouse even though its root panel,
        which lies under everything, told the UI manager it was clicked."""
        return False


@dataclass
class Toast:
    text: str
    bad: bool
    until: float


class App:
    """Owns the window, the UI manager, the settings and the screen stack."""

    def __init__(
        self, settings: Settings | None = None, home: Path | None = None, headless: bool = False
    ) -> None:
        t0 = time.perf_counter()
        self.home = home or user_dir()
        loaded, note = (settings, "") if settings is not None else Settings.load(self.home)
        self.settings = loaded
        self.headless = headless
        pygame.init()
        pygame.display.set_caption("Lodestone")
        self.window = self._open_window()
        self.manager = self._make_manager()
        self.clock = pygame.time.Clock()
        self.stack: list[Screen] = []
        self.snapshots: list[pygame.Surface] = []
        self.toasts: list[Toast] = []
        self.running = True
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}
        self._later: list[Callable[[], None]] = []
        self._task: (
            tuple[threading.Thread, list[Any], Callable[[Any, BaseException | None], None], str] | None
        ) = None
        self._click: pygame.mixer.Sound | None = None
        self.windows: list[Any] = []
        """Other windows beside this one (the room view on a projector): each `owns` its
        events, `handle`s them, and `step`s once a frame after this window is drawn."""
        self.watchers: dict[str, Callable[[App], None]] = {}
        """Checks run every frame whatever screen is on top (a hot-seat turn timer that
        runs out under an open order form), by name so a screen adds one only once."""
        self._init_sound()
        self.content = None
        self.started_in = time.perf_counter() - t0
        if note:
            self.notify(note, bad=True)

    # ---------------------------------------------------------------- window

    @property
    def size(self) -> tuple[int, int]:
        return self.window.get_size()

    @property
    def scale(self) -> float:
        """The size of text and widgets: the font-scale setting, times the window's size
        against the 1280x720 the layouts are drawn for (1.5 at 1920x1080, so a big screen
        is not a small game in its corner), enlarged in projector mode so the back of a
        classroom can read the screen."""
        return min(
            2.5,
            self.settings.font_scale
            * self.window_scale
            * (PROJECTOR_SCALE if self.settings.projector else 1.0),
        )

    @property
    def window_scale(self) -> float:
        w, h = self.size
        return max(1.0, min(w / MIN_SIZE[0], h / MIN_SIZE[1]))

    @property
    def palette(self) -> pal.Palette:
        return pal.palette(self.settings.colour_blind)

    def _open_window(self) -> pygame.Surface:
        flags = pygame.FULLSCREEN if self.settings.fullscreen else pygame.RESIZABLE
        window = pygame.display.set_mode(self.settings.resolution, flags)
        return window

    def _make_manager(self) -> pygame_gui.UIManager:
        """A UI manager with the scaled theme and the bold/italic faces text boxes use
        preloaded (loading a face mid-frame stalls and warns)."""
        self._theme_scale = self.scale
        manager = pygame_gui.UIManager(self.size, scaled_theme(self.scale))
        sizes = {max(8, round(px * self.scale)) for px in (13, 14, 15, 21)} | {18, 24}
        manager.preload_fonts(
            [
                {"name": "noto_sans", "point_size": s, "style": style}
                for s in sorted(sizes)
                for style in ("bold", "italic")
            ]
        )
        return manager

    def apply_settings(self, settings: Settings) -> None:
        """Re-open the window and re-theme the widgets; every screen rebuilds itself."""
        settings.clamp()
        old = self.settings
        self.settings = settings
        if (old.resolution, old.fullscreen) != (settings.resolution, settings.fullscreen):
            self.window = self._open_window()
        self.manager = self._make_manager()
        self._fonts.clear()
        self._init_sound()
        for screen in self.stack:
            screen.root = None  # the old manager's widgets go with it
        self._rebuild_all()
        try:
            settings.save(self.home)
        except OSError as exc:
            self.notify(f"Could not save settings: {exc}", bad=True)

    def _resized(self, size: tuple[int, int]) -> None:
        w, h = max(size[0], MIN_SIZE[0]), max(size[1], MIN_SIZE[1])
        if self.window.get_size() != (w, h):  # below the minimum, or a size asked for by an event
            self.window = pygame.display.set_mode((w, h), pygame.RESIZABLE)
        self.settings.width, self.settings.height = w, h
        if self._theme_scale != self.scale:  # fonts follow the window: a new theme
            self.manager = self._make_manager()
            self._fonts.clear()
            for screen in self.stack:
                screen.root = None
        else:
            self.manager.set_window_resolution((w, h))
        self._rebuild_all()

    def _rebuild_all(self) -> None:
        for screen in self.stack:
            screen.teardown()
        for i, screen in enumerate(self.stack):
            screen.build()
            if i < len(self.stack) - 1 and screen.root is not None:
                screen.root.hide()
        # snapshots of screens below overlays are stale after a resize: redraw them
        self.snapshots = [self._render_snapshot(i) for i in range(len(self.stack) - 1)]

    def _render_snapshot(self, index: int) -> pygame.Surface:
        surface = pygame.Surface(self.size)
        surface.fill(pal.OCEAN)
        self.stack[index].draw(surface)
        return surface

    def font(self, size: int, bold: bool = False) -> pygame.font.Font:
        """A Noto Sans font at `size` points times the font-scale setting (cached)."""
        px = max(8, round(size * self.scale))
        key = (px, bold)
        if key not in self._fonts:
            self._fonts[key] = pygame.font.Font(gui_font_path(bold), px)
        return self._fonts[key]

    def _init_sound(self) -> None:
        """A soft click for buttons, synthesised (the game ships no audio files)."""
        self._click = None
        if not self.settings.sound:
            return
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=22050, size=-16, channels=1)
            rate = pygame.mixer.get_init()[0]
            n = int(rate * 0.035)
            samples = bytearray()
            for i in range(n):
                v = int(3000 * math.sin(2 * math.pi * 660 * i / rate) * (1 - i / n) ** 2)
                samples += v.to_bytes(2, "little", signed=True)
            self._click = pygame.mixer.Sound(buffer=bytes(samples))
        except (pygame.error, TypeError, ValueError):
            self._click = None

    def click_sound(self) -> None:
        if self._click is not None and self.settings.sound:
            self._click.play()

    # ---------------------------------------------------------------- stack

    @property
    def top(self) -> Screen | None:
        return self.stack[-1] if self.stack else None

    def push(self, screen: Screen) -> Screen:
        if self.stack:
            below = self.stack[-1]
            snap = self.window.copy() if screen.overlay else pygame.Surface((1, 1))
            self.snapshots.append(snap)
            if below.root is not None:
                below.root.hide()
        self.stack.append(screen)
        screen.build()
        return screen

    def pop(self) -> None:
        if not self.stack:
            return
        self.stack.pop().teardown()
        if self.snapshots:
            self.snapshots.pop()
        if self.stack:
            top = self.stack[-1]
            if top.root is None:
                top.build()
            top.root.show()
            top.resumed()

    def replace(self, screen: Screen) -> Screen:
        """Swap the top screen (title → new game) keeping what is beneath."""
        if self.stack:
            self.stack.pop().teardown()
            if self.snapshots:
                self.snapshots.pop()
        if self.stack and self.stack[-1].root is not None:
            self.stack[-1].root.hide()
            self.snapshots.append(self.window.copy())
        self.stack.append(screen)
        screen.build()
        return screen

    def reset(self, screen: Screen) -> Screen:
        """Empty the stack and start again from `screen` (back to the title, into a game)."""
        while self.stack:
            self.stack.pop().teardown()
        self.snapshots.clear()
        self.stack.append(screen)
        screen.build()
        return screen

    def find(self, kind: type | str) -> Any:
        """The topmost screen of a class, or of a registered name."""
        for screen in reversed(self.stack):
            if screen.name == kind if isinstance(kind, str) else isinstance(screen, kind):
                return screen
        return None

    # ---------------------------------------------------------------- the registry

    def make(self, name: str, *args: Any, **kwargs: Any) -> Screen:
        """Build the screen registered as `name` (not yet shown)."""
        load_screens()
        try:
            kind = SCREENS[name]
        except KeyError:
            raise KeyError(f"no screen is named {name!r}; known: {', '.join(sorted(SCREENS))}") from None
        return kind(self, *args, **kwargs)

    def open(self, name: str, *args: Any, **kwargs: Any) -> Screen:
        """Push the screen registered as `name`."""
        return self.push(self.make(name, *args, **kwargs))

    def act(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the step registered as `name` with `@action`."""
        load_screens()
        return ACTIONS[name](self, *args, **kwargs)

    # ---------------------------------------------------------------- messages

    def notify(self, text: str, bad: bool = False, seconds: float = 5.0) -> None:
        """A message at the top of the window (an error must never end the game)."""
        self.toasts.append(Toast(text, bad, time.monotonic() + seconds))
        self.toasts = self.toasts[-4:]

    @property
    def messages(self) -> list[str]:
        return [t.text for t in self.toasts]

    # ---------------------------------------------------------------- background work

    @property
    def busy(self) -> bool:
        return self._task is not None

    def run_task(
        self, label: str, work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]
    ) -> None:
        """Run `work` in a worker thread; `done(result, error)` runs on the main thread."""
        box: list[Any] = []

        def target() -> None:
            try:
                box.append((work(), None))
            except BaseException as exc:  # handed to `done`, shown to the player
                box.append((None, exc))

        thread = threading.Thread(target=target, name=f"lodestone-{label}", daemon=True)
        self._task = (thread, box, done, label)
        thread.start()

    def later(self, work: Callable[[], None]) -> None:
        """Run `work` at the start of the next frame: what the player is waiting for is
        drawn first, what can wait a frame (a screen under an overlay) follows."""
        self._later.append(work)

    def _poll_task(self) -> None:
        if self._task is None:
            return
        thread, box, done, _ = self._task
        if thread.is_alive():
            return
        self._task = None
        # Keys and clicks made while the world resolved were meant for the waiting screen,
        # not for what the result opens (Enter must not close the new report unseen).
        pygame.event.clear(INPUT_EVENTS)
        result, error = box[0] if box else (None, RuntimeError("the task ended without a result"))
        done(result, error)

    def wait(self, timeout: float = 30.0) -> None:
        """Step frames until the background task is done (tests, benchmarks)."""
        end = time.monotonic() + timeout
        while self.busy and time.monotonic() < end:
            self.step()
        self.step()

    # ---------------------------------------------------------------- loop

    def step(self, events: list[pygame.event.Event] | None = None) -> float:
        """One frame: events, update, draw. Returns the frame's dt in seconds."""
        if self._task is not None:
            # the worker thread needs the interpreter: draw the overlay at ~10 fps and wait
            # for it in between (joining, so that its result shows the moment it is ready)
            self._task[0].join(0.1)
        dt = self.clock.tick(0 if self.headless else 60) / 1000.0
        later, self._later = self._later, []
        for work in later:
            work()
        self._poll_task()
        for event in pygame.event.get() if events is None else events:
            self._dispatch(event)
        for watch in list(self.watchers.values()):
            if not self.busy:
                watch(self)
        self.manager.update(dt)
        if self.top is not None:
            self.top.update(dt)
        self._draw()
        for other in list(self.windows):
            other.step(dt)
        return dt

    def _dispatch(self, event: pygame.event.Event) -> None:
        for other in self.windows:
            if other.owns(event):
                other.handle(event)
                return
        # With a second window open, closing this one is no QUIT for SDL: it is the game's.
        closing = event.type == pygame.WINDOWCLOSE and bool(self.windows)
        if event.type == pygame.QUIT or closing:
            self._save_on_close()
            self.running = False
            return
        if event.type == pygame.VIDEORESIZE and not self.settings.fullscreen:
            self._resized((event.w, event.h))
            return
        if self.busy:  # the world is resolving: the map waits
            return
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            self.click_sound()
        used = self.manager.process_events(event)
        mouse = event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEWHEEL)
        pos = getattr(event, "pos", None) or pygame.mouse.get_pos()
        if used and mouse and not (self.top is not None and self.top.wants_mouse(pos)):
            # the widgets used it; the map beneath must not also see it
            if self.top is not None and event.type == pygame.MOUSEBUTTONUP:
                self.top.handle(event)
            return
        if self.top is not None:
            self.top.handle(event)

    def _save_on_close(self) -> None:
        """Closing the window mid-game keeps the game: it is saved first (orders queued
        this turn included), and the next start's load list shows it."""
        main = self.find("main")
        if main is None or main.play.over or self.busy:
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"closed-{main.play.scenario.id}-{main.play.nation}-{stamp}.json"
        main.save(self.home / "saves" / name)  # a failure is a message, and the window closes

    def _draw(self) -> None:
        surface = self.window
        surface.fill(pal.OCEAN)
        top = self.top
        if top is not None and top.overlay and self.snapshots:
            surface.blit(self.snapshots[-1], (0, 0))
            shade = pygame.Surface(self.size, pygame.SRCALPHA)
            shade.fill((5, 10, 15, 140))
            surface.blit(shade, (0, 0))
        if top is not None:
            top.draw(surface)
        self.manager.draw_ui(surface)
        if top is not None:
            top.draw_over(surface)
        self._draw_toasts(surface)
        if self.busy:
            self._draw_busy(surface)
        pygame.display.flip()

    def _draw_toasts(self, surface: pygame.Surface) -> None:
        now = time.monotonic()
        self.toasts = [t for t in self.toasts if t.until > now]
        font = self.font(15)
        y = self.size[1] - round(90 * self.scale)  # above the map's bottom bar
        for toast in reversed(self.toasts):
            colour = self.palette.bad if toast.bad else self.palette.good
            lines = wrap(toast.text, font, min(900, self.size[0] - 80))
            h = 14 + font.get_linesize() * len(lines)
            w = max(font.size(line)[0] for line in lines) + 32
            box = pygame.Rect(0, y - h, w, h)
            box.centerx = self.size[0] // 2
            panel = pygame.Surface(box.size, pygame.SRCALPHA)
            panel.fill((10, 16, 22, 235))
            surface.blit(panel, box)
            pygame.draw.rect(surface, colour, box, 2, border_radius=4)
            for i, line in enumerate(lines):
                surface.blit(
                    font.render(line, True, pal.TEXT), (box.x + 16, box.y + 7 + i * font.get_linesize())
                )
            y -= h + 8

    def _draw_busy(self, surface: pygame.Surface) -> None:
        shade = pygame.Surface(self.size, pygame.SRCALPHA)
        shade.fill((5, 10, 15, 150))
        surface.blit(shade, (0, 0))
        label = self._task[3] if self._task else ""
        text = self.font(26, bold=True).render(f"{label}…", True, pal.GOLD)
        rect = text.get_rect(center=(self.size[0] // 2, self.size[1] // 2))
        surface.blit(text, rect)
        t = time.monotonic()
        for i in range(12):
            a = 2 * math.pi * i / 12 + t * 4
            alpha = int(255 * ((i / 12) ** 2))
            c = (*pal.GOLD, alpha)
            dot = pygame.Surface((10, 10), pygame.SRCALPHA)
            pygame.draw.circle(dot, c, (5, 5), 4)
            surface.blit(dot, (rect.centerx + 60 * math.cos(a) - 5, rect.bottom + 70 + 28 * math.sin(a) - 5))

    def run(self, first: Screen | None = None) -> None:
        if first is not None:
            self.reset(first)
        while self.running:
            self.step()
        pygame.quit()


def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """Greedy word wrap for text drawn outside pygame-gui."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}".strip()
            if font.size(trial)[0] <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def create_app(settings: Settings | None = None, home: Path | None = None, headless: bool = False) -> App:
    """The window with the title screen up: content, map and theme loaded."""
    from game.content import load_content
    from game.ui.geo import load_world_map

    t0 = time.perf_counter()
    app = App(settings, home, headless)
    app.content = load_content()
    app.world_map = load_world_map()
    app.reset(app.make("title"))
    app.step([])
    app.started_in = time.perf_counter() - t0
    # The market solver is compiled on first use after installing (then loaded from a disk
    # cache): do it while the player is on the title screen, not when they start a game.
    threading.Thread(target=_warm_up, name="lodestone-warm-up", daemon=True).start()
    return app


def _warm_up() -> None:
    from game.session import warm_up

    warm_up()


def launch(
    width: int | None = None,
    height: int | None = None,
    fullscreen: bool | None = None,
    font_scale: float | None = None,
) -> None:
    """`lodestone play`: command-line options override the saved settings for this run."""
    settings, note = Settings.load()
    if width and height:
        settings.width, settings.height = width, height
    if fullscreen is not None:
        settings.fullscreen = fullscreen
    if font_scale:
        settings.font_scale = font_scale
    settings.clamp()
    app = create_app(settings)
    if note:
        app.notify(note, bad=True)
    app.run()
