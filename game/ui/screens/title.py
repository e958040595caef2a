"""Title, new game and briefing: how a player gets from the window to the map."""

from __future__ import annotations

import random

import pygame
import pygame_gui

from game import __version__
from game.ui.app import wrap
from game.ui.savelist import enable_autosave
from game.ui.screens.base import Builder, Centered, MapBackdrop, backs_out, esc, selected_id

DIFFICULTIES = [
    ("Easy: AI nations are slow to retaliate", "easy"),
    ("Normal", "normal"),
    ("Hard: AI nations play sharp", "hard"),
]


class TitleScreen(Centered):
    name = "title"

    def build(self) -> None:
        self.make_root()
        self.backdrop = MapBackdrop(self)
        b = Builder(self)
        col = self.column()
        u = b.u
        y = self.app.size[1] // 2 - u(250)
        b.label(pygame.Rect(col.x - 200, y, col.w + 400, u(80)), "LODESTONE", "@title")
        b.label(
            pygame.Rect(col.x - 200, y + u(78), col.w + 400, u(30)),
            "The contest for critical minerals",
            "@subtitle",
        )
        y += u(150)
        bw, bh = min(col.w, u(360)), u(48)
        x = col.centerx - bw // 2
        items = [
            ("New game", "Choose a scenario and a nation, then read your briefing", "#new"),
            ("Load game", "Continue a saved game or an autosave", "#load"),
            ("Replays", "Watch a saved game again turn by turn; write its after-action report", "#replay"),
            ("Settings", "Resolution, full screen, font size, colour-blind palette, sound", "#settings"),
            ("Quit", "Close Lodestone", "#quit"),
        ]
        self.buttons = {}
        for text, tip, oid in items:
            self.buttons[oid] = b.button(pygame.Rect(x, y, bw, bh), text, tip, "@menu", oid)
            y += bh + u(12)
        b.label(
            pygame.Rect(12, self.app.size[1] - u(30), u(600), u(24)),
            f"version {__version__} · map: Natural Earth",
            "@small",
        )

    def draw(self, surface: pygame.Surface) -> None:
        self.backdrop.draw(surface)

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            element = event.ui_element
            if element is self.buttons["#new"]:
                self.app.push(NewGameScreen(self.app))
            elif element is self.buttons["#load"]:
                self.app.open("load")
            elif element is self.buttons["#replay"]:
                self.app.open("load", replay=True)
            elif element is self.buttons["#settings"]:
                self.app.open("settings")
            elif element is self.buttons["#quit"]:
                self.app.running = False
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_n:
            self.app.push(NewGameScreen(self.app))
            return True
        return False


class NewGameScreen(Centered):
    """Scenario, nation (with its one-line situation), difficulty and seed; or, for a
    wargame, several nations for hot-seat teams and the facilitator's PIN."""

    name = "new_game"
    column_width = 980

    def __init__(self, app) -> None:
        super().__init__(app)
        content = app.content
        self.scenario = next(iter(content.scenarios))
        if "ministerial-2026" in content.scenarios:
            self.scenario = "ministerial-2026"
        self.nation = content.scenarios[self.scenario].default_player
        self.level = "normal"
        self.seed = str(random.Random().randrange(10_000))
        self.hotseat = False
        self.teams: list[str] = []
        self.pin = ""

    def build(self) -> None:
        self.make_root()
        self.backdrop = MapBackdrop(self)
        content = self.app.content
        b = Builder(self)
        u = b.u
        col = self.column()
        _w, h = self.app.size
        top = max(u(30), h // 2 - u(330))
        panel = b.panel(pygame.Rect(col.x, top, col.w, min(h - 2 * top, u(660))))
        pb = Builder(self, panel)
        pw, ph = panel.get_container().get_rect().size
        pad = u(20)
        pb.label(pygame.Rect(pad, pad, pw - 2 * pad, u(36)), "New game", "@heading")
        left_w = (pw - 3 * pad) // 2
        y = pad + u(50)
        pb.label(pygame.Rect(pad, y, left_w, u(24)), "Scenario")
        scenarios = [(s.name, s.id) for s in content.scenarios.values()]
        self.scenario_menu = pb.dropdown(
            pygame.Rect(pad, y + u(26), left_w, u(34)),
            scenarios,
            self.scenario,
            "The starting situation and its timeline",
        )
        sc = content.scenarios[self.scenario]
        self.scenario_text = pb.text(
            pygame.Rect(pad, y + u(68), left_w, u(150)),
            f"<b>{esc(sc.name)}</b>: {esc(sc.date_of(0))} to {esc(sc.date_of(sc.turns - 1))}, "
            f"{sc.turns} quarterly turns.<br>"
            f"{esc(sc.description)}",
        )
        y2 = y + u(230)
        pb.label(pygame.Rect(pad, y2, left_w, u(24)), "Difficulty")
        self.level_menu = pb.dropdown(
            pygame.Rect(pad, y2 + u(26), left_w, u(34)),
            DIFFICULTIES,
            self.level,
            "How sharply the AI nations play",
        )
        pb.label(pygame.Rect(pad, y2 + u(72), left_w, u(24)), "Seed")
        self.seed_entry = pb.entry(
            pygame.Rect(pad, y2 + u(98), u(160), u(34)),
            self.seed,
            "Same scenario, seed and orders give the same game",
        )
        self.seed_entry.set_allowed_characters("numbers")
        pin_x = pad + u(180)
        pb.label(pygame.Rect(pin_x, y2 + u(72), left_w - u(180), u(24)), "Facilitator PIN (optional)")
        self.pin_entry = pb.entry(
            pygame.Rect(pin_x, y2 + u(98), u(140), u(34)),
            self.pin,
            "Asked before the facilitator console opens (F9), so teams cannot peek",
        )
        self.pin_entry.set_allowed_characters("numbers")
        self.pin_entry.set_text_length_limit(8)
        x2 = 2 * pad + left_w
        pb.label(
            pygame.Rect(x2, y, left_w - u(150), u(24)),
            "Teams (two or more)" if self.hotseat else "Your nation",
        )
        self.hotseat_button = pb.button(
            pygame.Rect(x2 + left_w - u(150), y - u(4), u(150), u(30)),
            "Hot-seat: on" if self.hotseat else "Hot-seat: off",
            "Several teams on this machine, each behind a hand-over screen (a wargame or a class)",
            oid="#hotseat",
        )
        if self.hotseat:
            self.hotseat_button.select()
            pool = list(sc.playable) + [n for n in sc.nations if n not in sc.playable]
            names = [(content.nations[n].name, n) for n in pool]
            chosen = [o for o in names if o[1] in self.teams]
        else:
            names = [(content.nations[n].name, n) for n in sc.playable]
            chosen = next(o for o in names if o[1] == self.nation)
        list_h = min(u(30) * len(names) + 8, ph - y - u(26) - u(260))
        self.nation_list = pygame_gui.elements.UISelectionList(
            pygame.Rect(x2, y + u(30), left_w, list_h),
            names,
            manager=self.manager,
            container=panel,
            allow_multi_select=self.hotseat,
            default_selection=chosen or None,
        )
        self.nation_text = pb.text(
            pygame.Rect(x2, y + u(38) + list_h, left_w, ph - (y + u(38) + list_h) - u(80)), ""
        )
        self._nation_text()
        bw = u(180)
        self.start = pb.button(
            pygame.Rect(pw - pad - bw, ph - pad - u(48), bw, u(48)),
            "Start",
            "Begin with your briefing (Enter)",
            "@primary",
            "#start",
        )
        self.back = pb.button(
            pygame.Rect(pad, ph - pad - u(48), u(140), u(48)),
            "Back",
            "Return to the title (Esc)",
            oid="#back",
        )

    def _nation_text(self) -> None:
        if self.hotseat:
            names = ", ".join(self.app.content.nations[t].name for t in self.teams) or "none yet"
            self.nation_text.set_text(
                f"<b>Teams: {esc(names)}</b><br>Each team plays behind a hand-over screen that hides "
                "what the others saw and queued; the quarter resolves when the last team ends its "
                "turn. The facilitator console opens with F9 (behind the PIN if you set one). "
                "Nations without a team play by their AI doctrine."
            )
            return
        spec = self.app.content.nations[self.nation]
        sc = self.app.content.scenarios[self.scenario]
        brief = sc.briefings.get(self.nation)
        extra = f"<br><br><i>{esc(brief.title)}</i>" if brief else ""
        self.nation_text.set_text(f"<b>{esc(spec.name)}</b><br>{esc(spec.summary)}{extra}")

    def draw(self, surface: pygame.Surface) -> None:
        self.backdrop.draw(surface)

    def _keep_entries(self) -> None:
        self.seed = self.seed_entry.get_text()
        self.pin = self.pin_entry.get_text()

    def set_hotseat(self, on: bool, teams: list[str] | None = None) -> None:
        """Switch between one player and hot-seat teams (the list becomes a multi-select)."""
        self.hotseat = on
        self.teams = list(teams) if teams is not None else ([self.nation] if on else [])
        self._keep_entries()
        self.rebuild()

    def start_game(self) -> None:
        from game.ui.play import Play

        text = self.seed_entry.get_text().strip() or "0"
        try:
            seed = int(text)
            if not 0 <= seed < 2**63:
                raise ValueError
        except ValueError:
            self.app.notify(f"The seed must be a whole number from 0 up; '{text}' is not.", bad=True)
            return
        self.pin = self.pin_entry.get_text().strip()
        if self.hotseat:
            from game.ui.wargame import Wargame

            if len(self.teams) < 2:
                self.app.notify("Pick two or more nations for the teams (or turn hot-seat off).", bad=True)
                return
            teams = [n for n in self.app.content.scenarios[self.scenario].nations if n in self.teams]
            session = Wargame.new(self.app.content, self.scenario, teams, self.level, seed, self.pin)
            enable_autosave(self.app.home, session.game)
            self.app.reset(self.app.make("hand_over", session))
            return
        play = Play.new(self.app.content, self.scenario, self.nation, self.level, seed)
        enable_autosave(self.app.home, play.game)
        self.app.push(BriefingScreen(self.app, play, pin=self.pin))

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is self.scenario_menu:
                self.scenario = selected_id(self.scenario_menu)
                self.nation = self.app.content.scenarios[self.scenario].default_player
                self.teams = []
                self._keep_entries()
                self.rebuild()
            elif event.ui_element is self.level_menu:
                self.level = selected_id(self.level_menu)
            return True
        lists = (pygame_gui.UI_SELECTION_LIST_NEW_SELECTION, pygame_gui.UI_SELECTION_LIST_DROPPED_SELECTION)
        if event.type in lists and event.ui_element is self.nation_list and self.hotseat:
            self.teams = [o[1] for o in self.nation_list.get_multi_selection(include_object_id=True)]
            self._nation_text()
            return True
        if event.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION and event.ui_element is self.nation_list:
            chosen = self.nation_list.get_single_selection(include_object_id=True)
            if chosen:
                self.nation = chosen[1]
                self._nation_text()
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element is self.start:
                self.start_game()
            elif event.ui_element is self.hotseat_button:
                self.set_hotseat(not self.hotseat)
            elif event.ui_element is self.back:
                self.app.pop()
            return True
        if event.type == pygame.KEYDOWN:
            typing = self.seed_entry.is_focused or self.pin_entry.is_focused
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and not typing:
                self.start_game()
                return True
            if event.key == pygame.K_ESCAPE:
                self.app.pop()
                return True
        return False


class BriefingScreen(Centered):
    """The nation's briefing: situation, objectives, levers, first advice."""

    name = "briefing"
    column_width = 1000

    def __init__(self, app, play, pin: str = "") -> None:
        super().__init__(app)
        self.play = play
        self.pin = pin

    def build(self) -> None:
        self.make_root()
        self.backdrop = MapBackdrop(self)
        b = Builder(self)
        u = b.u
        col = self.column()
        h = self.app.size[1]
        top = max(u(24), h // 2 - u(360))
        play = self.play
        sc = play.scenario
        spec = play.content.nations[play.nation]
        brief = sc.briefings.get(play.nation)
        b.label(pygame.Rect(col.x, top, col.w, u(40)), f"{spec.name}: briefing", "@heading")
        b.label(pygame.Rect(col.x, top + u(40), col.w, u(26)), f"{sc.name} · {sc.date_of(0)}", "@small")
        weights = sc.objectives_for(play.nation, spec.doctrine)
        from game.ui.play import PART_LABELS

        parts = [(getattr(weights, k), v) for k, v in PART_LABELS.items() if getattr(weights, k, 0) > 0]
        total = sum(w for w, _ in parts) or 1
        score = ", ".join(
            f"{name.lower()} {w / total * 100:.0f} %" for w, name in sorted(parts, reverse=True)
        )
        if brief is not None:
            body = (
                f"<b>{esc(brief.title)}</b><br><br>"
                f"<font color='#f0c65a'><b>Situation</b></font><br>{esc(brief.situation)}<br><br>"
                f"<font color='#f0c65a'><b>Objectives</b></font><br>{esc(brief.objectives)}<br><br>"
                f"<font color='#f0c65a'><b>Your levers</b></font><br>{esc(brief.levers)}<br><br>"
                f"<font color='#f0c65a'><b>First advice</b></font><br>{esc(brief.advice)}<br><br>"
            )
        else:
            body = f"{esc(spec.summary)}<br><br>"
        body += f"<font color='#a9b6c3'>Your score weighs: {esc(score)}.</font>"
        suggested = list(brief.suggested[:3]) if brief is not None else []
        box_h = h - top - u(70) - u(90) - len(suggested) * u(40)
        b.text(pygame.Rect(col.x, top + u(72), col.w, box_h), body)
        self.suggestions = []
        y = top + u(78) + box_h
        for k, suggestion in enumerate(suggested):
            button = b.button(
                pygame.Rect(col.x, y, col.w, u(34)),
                f"Queue the advice: {suggestion.label}",
                "Queue this order for your first turn (you can withdraw it in its panel)",
                oid=f"#advice_{k}",
            )
            self.suggestions.append((button, suggestion))
            y += u(40)
        box_h += len(suggested) * u(40)
        self.go = b.button(
            pygame.Rect(col.right - u(220), top + u(82) + box_h, u(220), u(50)),
            "Take office",
            "Open the map and play your first turn (Enter)",
            "@primary",
            "#go",
        )
        self.back = b.button(
            pygame.Rect(col.x, top + u(82) + box_h, u(140), u(50)), "Back", "Choose another nation (Esc)"
        )

    def draw(self, surface: pygame.Surface) -> None:
        self.backdrop.draw(surface)

    def take_advice(self, button, suggestion) -> None:
        ok, reason, cost = self.play.submit(suggestion.order)
        if ok:
            button.disable()
            self.app.notify(f"Queued: {suggestion.label}" + (f" (${cost:,.0f}m)" if cost else ""))
        else:
            self.app.notify(f"Refused: {reason}", bad=True)

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for button, suggestion in self.suggestions:
                if event.ui_element is button:
                    self.take_advice(button, suggestion)
                    return True
        go = (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.go) or (
            event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER)
        )
        if go:
            from game.ui.wargame import Wargame

            session = Wargame(self.play.game, [self.play.nation], self.pin, plays=[self.play])
            self.app.reset(self.app.make("main", self.play, session))
            return True
        if backs_out(event, self.back):
            self.app.pop()
            return True
        return False


__all__ = ["BriefingScreen", "NewGameScreen", "TitleScreen", "wrap"]
