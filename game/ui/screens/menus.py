"""Menus: Esc menu, help overlay, settings, load (and the replay list)."""

from __future__ import annotations

from pathlib import Path

import pygame
import pygame_gui

from game.saves import SaveError
from game.ui.app import Screen
from game.ui.savelist import describe_save, enable_autosave, list_saves
from game.ui.screens.base import Builder, Centered, backs_out, esc, overlay_root, selected_id
from game.ui.settings import FONT_SCALES, RESOLUTIONS, Settings

SHORTCUTS = [
    ("Enter", "End the turn (on the map); continue (in reports)"),
    ("Esc", "Menu; close a panel"),
    ("Ctrl+S", "Save the game"),
    ("F1 or H", "This help"),
    ("T / D / I / S", "Trade, Diplomacy, Industry, Stockpile panels"),
    ("1 – 8", "Select a mineral"),
    ("L", "Next map lens"),
    ("C", "Charts"),
    ("N", "National ledger: need, purchases, stocks, deals, spending"),
    ("R", "Reopen the last turn report (Left / Right arrows: older, newer)"),
    ("Mouse wheel, + / −", "Zoom the map (0 resets)"),
    ("Drag, arrow keys", "Pan the map"),
    ("Click a country", "Show it in the side panel"),
    ("E", "Export charts as PNG (charts, debrief)"),
]


class EscMenu(Screen):
    overlay = True
    name = "menu"

    def __init__(self, app, main) -> None:
        super().__init__(app)
        self.main = main

    def build(self) -> None:
        rect = overlay_root(self, 420, 470)
        b = Builder(self)
        u = b.u
        b.label(pygame.Rect(u(40), u(14), rect.w - u(80), u(36)), "Menu", "@heading")
        items = [
            ("resume", "Resume", "Back to the map (Esc)"),
            ("save", "Save game", "Save to your saves folder (Ctrl+S)"),
            ("load", "Load game", "Open a saved game"),
            ("debrief", "Debrief so far", "Outcome against your objectives and your decisions so far"),
            ("settings", "Settings", "Resolution, font size, palette, sound"),
            ("help", "Help", "Keyboard shortcuts (F1)"),
            ("title", "Quit to title", "Leave this game (save first: autosaves are kept every turn)"),
        ]
        self.buttons = {}
        y = u(62)
        bw = rect.w - u(80)
        for key, text, tip in items:
            self.buttons[key] = b.button(pygame.Rect(u(40), y, bw, u(44)), text, tip, "@menu", f"#{key}")
            y += u(52)

    def handle(self, event: pygame.event.Event) -> bool:
        if backs_out(event):
            self.app.pop()
            return True
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return False
        el = event.ui_element
        session = getattr(self.main, "session", None)

        if el is self.buttons["resume"]:
            self.app.pop()
        elif el is self.buttons["save"]:
            self.app.pop()
            self.main.save()
        elif el is self.buttons["load"]:
            self.app.act("guard", session, lambda: self.app.push(LoadScreen(self.app)), "load a game")
        elif el is self.buttons["debrief"]:
            self.app.pop()
            self.app.open("debrief", self.main.play, session)
        elif el is self.buttons["settings"]:
            self.app.push(SettingsScreen(self.app))
        elif el is self.buttons["help"]:
            self.app.push(HelpOverlay(self.app))
        elif el is self.buttons["title"]:
            if session is not None and session.hotseat:
                self.app.act("quit_room", session)
            else:
                self.app.reset(self.app.make("title"))
        return True


class HelpOverlay(Screen):
    overlay = True
    name = "help"

    def build(self) -> None:
        rect = overlay_root(self, 760, 620)
        b = Builder(self)
        u = b.u
        b.label(pygame.Rect(u(20), u(14), rect.w - u(40), u(36)), "How to play", "@heading")
        rows = "".join(f"<b>{esc(k)}</b> — {esc(v)}<br>" for k, v in SHORTCUTS)
        text = (
            "You steer one nation's resource diplomacy, one quarter per turn. Pick a mineral on the left, "
            "read the map through a lens, open an order panel, check the order (the panel "
            "tells you if the world "
            "would accept it and what it costs), submit, then End turn. The turn report tells "
            "you what changed "
            "and why; your score (top bar) weighs the objectives of your briefing.<br><br>"
            f"<font color='#f0c65a'><b>Shortcuts</b></font><br>{rows}"
        )
        b.text(pygame.Rect(u(20), u(56), rect.w - u(40), rect.h - u(56) - u(70)), text)
        self.close = b.button(
            pygame.Rect(rect.w - u(160), rect.h - u(58), u(140), u(42)), "Close", "Back (Esc)"
        )

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.close) or (
            event.type == pygame.KEYDOWN
            and event.key in (pygame.K_ESCAPE, pygame.K_F1, pygame.K_h, pygame.K_RETURN)
        ):
            self.app.pop()
            return True
        return False


class SettingsScreen(Centered):
    overlay = True
    name = "settings"

    def __init__(self, app) -> None:
        super().__init__(app)
        s = app.settings
        self.draft = Settings(
            s.width, s.height, s.fullscreen, s.font_scale, s.colour_blind, s.sound, s.projector
        )

    def build(self) -> None:
        rect = overlay_root(self, 620, 520)
        b = Builder(self)
        u = b.u
        d = self.draft
        b.label(pygame.Rect(u(24), u(14), rect.w - u(48), u(36)), "Settings", "@heading")
        lw = u(200)
        fw = rect.w - lw - u(60)
        y = u(64)
        res = [(f"{w} × {h}", f"{w}x{h}") for w, h in RESOLUTIONS]
        current = f"{d.width}x{d.height}"
        if current not in [r[1] for r in res]:
            res.insert(0, (f"{d.width} × {d.height}", current))
        b.label(pygame.Rect(u(24), y, lw, u(34)), "Resolution")
        self.res = b.dropdown(
            pygame.Rect(u(24) + lw, y, fw, u(34)),
            res,
            current,
            "Window size (the window can also be resized)",
        )
        y += u(48)
        b.label(pygame.Rect(u(24), y, lw, u(34)), "Font scale")
        scales = [(f"{s:.2f}×", f"{s}") for s in FONT_SCALES]
        start = min(FONT_SCALES, key=lambda s: abs(s - d.font_scale))
        self.scale = b.dropdown(
            pygame.Rect(u(24) + lw, y, fw, u(34)),
            scales,
            f"{start}",
            "Text and widget size (1.5× or more on 4K)",
        )
        y += u(48)
        self.toggles: dict[str, pygame_gui.elements.UIButton] = {}
        for key, text, tip in (
            ("fullscreen", "Full screen", "Use the whole screen"),
            ("colour_blind", "Colour-blind-safe palette", "Map and charts avoid red/green contrasts"),
            ("sound", "Sound", "Button clicks"),
            ("projector", "Projector mode", "Large text, one map lens at a time, simpler side panels"),
        ):
            b.label(pygame.Rect(u(24), y, lw + fw - u(130), u(34)), text)
            self.toggles[key] = b.button(
                pygame.Rect(rect.w - u(36) - u(110), y, u(110), u(34)), "", tip, oid=f"#toggle_{key}"
            )
            y += u(48)
        self._toggle_text()
        self.apply = b.button(
            pygame.Rect(rect.w - u(184), rect.h - u(62), u(160), u(44)),
            "Apply",
            "Save and apply",
            "@primary",
            "#apply",
        )
        self.cancel = b.button(
            pygame.Rect(u(24), rect.h - u(62), u(140), u(44)), "Cancel", "Back without changes (Esc)"
        )

    def _toggle_text(self) -> None:
        for key, button in self.toggles.items():
            on = getattr(self.draft, key)
            button.set_text("On" if on else "Off")
            button.select() if on else button.unselect()

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is self.res:
                w, h = selected_id(self.res).split("x")
                self.draft.width, self.draft.height = int(w), int(h)
            elif event.ui_element is self.scale:
                self.draft.font_scale = float(selected_id(self.scale))
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for key, button in self.toggles.items():
                if event.ui_element is button:
                    setattr(self.draft, key, not getattr(self.draft, key))
                    self._toggle_text()
                    return True
            if event.ui_element is self.apply:
                draft = self.draft
                self.app.pop()
                self.app.apply_settings(draft)
                self.app.notify("Settings saved.")
            elif event.ui_element is self.cancel:
                self.app.pop()
            return True
        if backs_out(event):
            self.app.pop()
            return True
        return False


class LoadScreen(Centered):
    """Saved games and autosaves, newest first. As a replay list, a save opens in the
    replay viewer; a hot-seat save loads with all its teams."""

    overlay = True
    name = "load"

    def __init__(self, app, replay: bool = False) -> None:
        super().__init__(app)
        self.replay = replay

    def build(self) -> None:
        rect = overlay_root(self, 820, 600)
        b = Builder(self)
        u = b.u
        title = "Replays" if self.replay else "Load a game"
        b.label(pygame.Rect(u(24), u(14), rect.w - u(48), u(36)), title, "@heading")
        note = (
            "Watch a saved game turn by turn (arrow keys scrub the timeline) and write its report."
            if self.replay
            else f"From {self.app.home / 'saves'} and the autosaves."
        )
        b.label(pygame.Rect(u(24), u(50), rect.w - u(48), u(24)), note, "@small")
        self.paths = list_saves(self.app.home)
        items = [(describe_save(p, self.app.content), str(i)) for i, p in enumerate(self.paths)]
        self.list = pygame_gui.elements.UISelectionList(
            pygame.Rect(u(24), u(82), rect.w - u(48), rect.h - u(82) - u(80)),
            items or [("(no saved games yet)", "-1")],
            manager=self.manager,
            container=self.root,
        )
        self.open = b.button(
            pygame.Rect(rect.w - u(184), rect.h - u(62), u(160), u(44)),
            "Open",
            "Load the selected save",
            "@primary",
            "#open",
        )
        self.cancel = b.button(pygame.Rect(u(24), rect.h - u(62), u(140), u(44)), "Back", "Close (Esc)")

    def load(self, path: Path, pin: str | None = None) -> bool:
        """Load a save; a corrupt or foreign file shows its message and nothing else changes.
        A sealed wargame asks for the facilitator's PIN first (its record needs it)."""
        from game.saves import pin_matches, read_save
        from game.ui.wargame import Wargame

        if pin is None:
            try:
                sealed = read_save(path).sealed
            except SaveError as exc:
                doing = "replay" if self.replay else "load"
                self.app.notify(f"Could not {doing} {path.name}: {exc}", bad=True, seconds=8)
                return False
            if sealed is not None:
                self.app.open(
                    "pin", None, what="open this wargame",
                    check=lambda text: pin_matches(sealed.pin, text),
                    opened=lambda text: self.load(path, text),
                )  # fmt: skip
                return True
        if self.replay:
            self.app.act("open_replay", path, pin)
            return True

        def work():
            return Wargame.from_save(self.app.content, read_save(path, pin), pin or "")

        def done(session, error) -> None:
            if error is not None:
                text = str(error) if isinstance(error, SaveError) else f"{type(error).__name__}: {error}"
                self.app.notify(f"Could not load {path.name}: {text}", bad=True, seconds=8)
                return

            def go() -> None:
                enable_autosave(self.app.home, session.game, loaded_from=path)
                if session.hotseat:
                    self.app.reset(self.app.make("hand_over", session))
                else:
                    self.app.reset(self.app.make("main", session.play(session.teams[0]), session))
                self.app.notify(f"Loaded {path.name} at {session.play(session.teams[0]).date}")

            if pin is not None:  # the PIN that opened the file opens the room
                go()
            else:
                self.app.act("guard", session, go, "open this wargame")  # its PIN came with it

        self.app.run_task("Loading", work, done)
        return True

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.open:
                chosen = self.list.get_single_selection(include_object_id=True)
                if not chosen or chosen[1] == "-1":
                    self.app.notify("Choose a save first.", bad=True)
                else:
                    self.load(self.paths[int(chosen[1])])
            elif event.ui_element is self.cancel:
                self.app.pop()
            return True
        if backs_out(event):
            self.app.pop()
            return True
        return False
