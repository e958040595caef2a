"""The replay viewer: a saved game, turn by turn.

The save is replayed once, in a worker thread, to its end (`Game.from_save` checks the world
hash of every turn on the way); everything shown for a turn is then read from that one
world: its per-turn records (production, flows, prices, scores), its news and its order
log. Scrubbing the timeline rebuilds nothing, so it is instant.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pygame
import pygame_gui

from game.session import Game
from game.ui import palette as pal
from game.ui.app import App, Screen
from game.ui.app import action as register_action
from game.ui.exports import write_game_report
from game.ui.mapview import Flow, MapView
from game.ui.play import Play, mineral_name
from game.ui.screens.base import Builder, esc, fit, selected_id
from game.ui.wargame import room_lines


class ReplayScreen(Screen):
    name = "replay"

    def __init__(self, app: App, path: Path, game: Game) -> None:
        super().__init__(app)
        self.path = path
        self.game = game
        world = game.world
        self.turns = len(world.records)
        self.turn = self.turns - 1
        self.mineral = world.mineral_ids[0]
        self.words = Play(game, world.nation_ids[0])  # names and order descriptions only
        nations = list(world.nation_ids)
        content = game.content
        self.view = MapView(app.world_map, nations, {n: content.nations[n].iso_a3 for n in nations})
        self.written: list[Path] = []

    # ---------------------------------------------------------------- layout

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        pad = u(12)
        sc = self.game.world.scenario
        title_w = w - u(420) - 2 * pad
        heading = self.app.font(22, bold=True)  # the @heading theme font, to fit the title
        title = fit(f"Replay · {sc.name} · {self.path.stem}", heading, title_w - u(10))
        b.label(pygame.Rect(pad, u(8), title_w, u(36)), title, "@heading").set_tooltip(str(self.path))
        self.close = b.button(pygame.Rect(w - pad - u(150), u(8), u(150), u(36)), "Close (Esc)", "Back")
        self.report = b.button(
            pygame.Rect(w - pad - u(150) - u(8) - u(220), u(8), u(220), u(36)),
            "Write report (R)",
            "The after-action report of this save (HTML and PDF)",
            "@primary",
        )
        top = u(52)
        bottom_h = u(56)
        self.left_w = min(u(300), w * 22 // 100)
        self.right_w = min(u(400), w * 30 // 100)
        minerals = [(mineral_name(m), m) for m in self.game.world.mineral_ids]
        self.mineral_menu = b.dropdown(
            pygame.Rect(pad, top, self.left_w - pad, u(34)),
            minerals,
            self.mineral,
            "Mineral shown on the map",
        )
        self.scores = b.text(
            pygame.Rect(pad, top + u(40), self.left_w - pad, h - top - u(40) - bottom_h - pad), ""
        )
        rx = w - self.right_w - pad
        self.side = b.text(pygame.Rect(rx, top, self.right_w, h - top - bottom_h - pad), "")
        # timeline
        y = h - bottom_h
        self.prev = b.button(pygame.Rect(pad, y + u(10), u(44), u(36)), "<", "Previous turn (Left)")
        self.next = b.button(pygame.Rect(pad + u(50), y + u(10), u(44), u(36)), ">", "Next turn (Right)")
        self.turn_label = b.label(pygame.Rect(pad + u(100), y + u(10), u(230), u(36)), "")
        sx = pad + u(336)
        self.slider = pygame_gui.elements.UIHorizontalSlider(
            pygame.Rect(sx, y + u(14), w - sx - pad, u(28)),
            self.turn,
            (0, max(1, self.turns - 1)),
            manager=self.manager,
            container=self.root,
        )
        self.view.set_rect(pygame.Rect(self.left_w + pad, top, rx - self.left_w - 2 * pad, y - top - pad))
        self.view.font = self.app.font(12, bold=True)
        self.view.small = self.app.font(11, bold=True)
        self.show()

    # ---------------------------------------------------------------- one turn

    def orders_of(self, turn: int) -> dict[str, list[str]]:
        """Each nation's orders of `turn`, as the order log has them (refusals marked)."""
        out: dict[str, list[str]] = {}
        for rec in self.game.world.desk.log:
            if rec.turn != turn or rec.stage == "event":
                continue
            line = self.words.describe(rec.order)
            if not rec.accepted:
                line += f" (refused: {rec.reason})"
            out.setdefault(rec.issuer, []).append(line)
        return out

    def side_html(self, turn: int) -> str:
        world = self.game.world
        sc = world.scenario
        name = self.words.name
        parts = [f"<font color='#f0c65a'><b>{esc(sc.date_of(turn))}: news</b></font>"]
        news = [n for n in world.news if n.turn == turn]
        parts += [f"<b>{esc(n.name)}</b>: {esc(n.news)}" for n in news] or ["<i>No news this quarter.</i>"]
        facilitated = [a for t, a in world.facilitator_log if t == turn]
        for action in facilitated:
            if action.kind == "broadcast":
                to = ", ".join(name(t) for t in action.to) or "every team"
                parts.append(f"<font color='#a9b6c3'>Facilitator to {esc(to)}:</font> {esc(action.text)}")
        room = self.game.room
        if room is not None:  # a wargame: the facilitator's rulings, schedule changes, rewinds
            parts += [
                f"<font color='#a9b6c3'>Facilitator:</font> {esc(x)}" for x in room_lines(self.game, turn)
            ]
        parts.append("<br><font color='#f0c65a'><b>Orders</b></font>")
        orders = self.orders_of(turn)
        humans = set(self.game.humans)
        for nation in world.nation_ids:
            if nation not in orders:
                continue
            who = " (team)" if nation in humans else ""
            parts.append(
                f"<b>{esc(name(nation))}{who}</b><br>" + "<br>".join(f"• {esc(x)}" for x in orders[nation])
            )
        if not orders:
            parts.append("<i>No orders this quarter.</i>")
        return "<br>".join(parts)

    def scores_html(self, turn: int) -> str:
        world = self.game.world
        rec = world.records[turn]
        m = world.mineral_index(self.mineral)
        n = len(world.nation_ids)
        price = float(rec.refined_paid[m, :n].mean())
        prev = float(world.records[turn - 1].refined_paid[m, :n].mean()) if turn > 0 else math.nan
        change = "" if math.isnan(prev) or prev <= 0 else f" ({price / prev * 100 - 100:+.0f} %)"
        lines = [
            f"<font color='#f0c65a'><b>{esc(mineral_name(self.mineral))}</b></font>",
            f"Price paid (world average): ${price:,.0f}/t{change}",
            "<br><font color='#f0c65a'><b>Scores and shortfall</b></font>",
        ]
        order = np.argsort(-rec.score) if rec.score.size else range(n)
        for i in order:
            need = rec.need[:, i, :].sum()
            short = rec.shortfall[:, i, :].sum() / need * 100 if need > 0 else 0.0
            score = f"{rec.score[i]:.1f}" if rec.score.size else "—"
            lines.append(f"{esc(self.words.short_name(world.nation_ids[i]))}: {score} · short {short:.0f} %")
        if self.written:
            lines.append(f"<br><font color='#7fd18b'>Report written to {esc(self.written[0].parent)}</font>")
        return "<br>".join(lines)

    def show(self) -> None:
        """Point every panel and the map at `self.turn`."""
        world = self.game.world
        sc = world.scenario
        turn = self.turn
        rec = world.records[turn]
        m = world.mineral_index(self.mineral)
        n = len(world.nation_ids)
        self.turn_label.set_text(f"Turn {turn + 1}/{self.turns} · {sc.date_of(turn)}")
        prod = rec.refined_production[m]
        total = prod.sum()
        shares = prod / total if total > 0 else np.zeros(n)
        top = max(float(shares.max()), 1e-9)
        palette = self.app.palette
        fills = [palette.seq(math.sqrt(s / top)) if s > 0.001 else pal.LAND_NEUTRAL for s in shares]
        flow = rec.refined_flow[m].copy()
        np.fill_diagonal(flow, 0.0)
        order = np.argsort(flow, axis=None)[::-1][:18]
        flows = [
            Flow(int(k // n), int(k % n), float(flow.flat[k]))
            for k in order
            if flow.flat[k] > max(1e-6, flow.max() * 0.01)
        ]
        self.view.flow_colour = palette.flow
        self.view.set_data(
            fills, flows, [], {i: self.words.short_name(x) for i, x in enumerate(world.nation_ids)}
        )
        self.scores.set_text(self.scores_html(turn))
        self.side.set_text(self.side_html(turn))
        if int(self.slider.get_current_value()) != turn:
            self.slider.set_current_value(turn)

    def scrub(self, turn: int) -> None:
        self.turn = int(min(max(turn, 0), self.turns - 1))
        self.show()

    # ---------------------------------------------------------------- input

    def write_report(self) -> None:
        result = write_game_report(self.app, self.game, self.path.stem)
        if isinstance(result, str):
            self.app.notify(result, bad=True, seconds=8)
            return
        self.written = result
        self.app.notify(f"Report written to {result[0].parent}", seconds=10)
        self.show()

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED and event.ui_element is self.slider:
            self.scrub(round(self.slider.get_current_value()))
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.mineral_menu:
            self.mineral = selected_id(self.mineral_menu)
            self.show()
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            el = event.ui_element
            if el is self.prev:
                self.scrub(self.turn - 1)
            elif el is self.next:
                self.scrub(self.turn + 1)
            elif el is self.report:
                self.write_report()
            elif el is self.close:
                self.app.pop()
            return True
        if event.type == pygame.KEYDOWN:
            steps = {pygame.K_LEFT: -1, pygame.K_RIGHT: 1, pygame.K_PAGEUP: -4, pygame.K_PAGEDOWN: 4}
            if event.key in steps:
                self.scrub(self.turn + steps[event.key])
            elif event.key == pygame.K_HOME:
                self.scrub(0)
            elif event.key == pygame.K_END:
                self.scrub(self.turns - 1)
            elif event.key == pygame.K_r:
                self.write_report()
            elif event.key == pygame.K_ESCAPE:
                self.app.pop()
            return True
        return self.view.handle(event) is not False

    def wants_mouse(self, pos: tuple[int, int]) -> bool:
        return self.view.rect.collidepoint(pos)

    def update(self, dt: float) -> None:
        self.view.update(dt)

    def draw(self, surface: pygame.Surface) -> None:
        self.view.draw(surface)


@register_action("open_replay")
def open_replay(app: App, path: Path, pin: str | None = None) -> None:
    """Replay a save in a worker thread, then show it; a corrupt, foreign or empty save
    is a message and nothing else changes. A sealed wargame opens with its `pin`."""
    from game.saves import SaveError, read_save

    def work() -> Game:
        return Game.from_save(app.content, read_save(path, pin))

    def done(game: Game | None, error: BaseException | None) -> None:
        if error is not None or game is None:
            text = str(error) if isinstance(error, SaveError) else f"{type(error).__name__}: {error}"
            app.notify(f"Could not replay {path.name}: {text}", bad=True, seconds=8)
            return
        if not game.world.records:
            app.notify(f"{path.name} has no turn played yet: nothing to replay.", bad=True, seconds=8)
            return
        app.replace(ReplayScreen(app, path, game))

    app.run_task("Replaying", work, done)
