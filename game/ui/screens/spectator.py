"""The room view as its own client (`lodestone room HOST:PORT`): the projector of a hosted
game on any machine of the room.

It draws only the host's public room feed (game.net.room): the map of who refines a
mineral and where it flows with the controls on its routes, world-average prices, news,
the clock, who has not ended the quarter and a pause. It holds no world and no team's
observation, so there is nothing private it could show.
"""

from __future__ import annotations

import pygame
import pygame_gui

from game.net import protocol as p
from game.net.remote import RemoteRoom
from game.ui.app import App, Screen
from game.ui.mapview import MapView
from game.ui.panels.roommap import draw_mineral
from game.ui.play import SHORT_NAMES, mineral_name
from game.ui.screens.base import Builder, esc


class RoomClientScreen(Screen):
    """The projector, fed by the host: one mineral at a time (keys 1–9; it cycles on its own)."""

    name = "room_client"
    CYCLE_SECONDS = 12.0

    def __init__(self, app: App, room: RemoteRoom) -> None:
        super().__init__(app)
        self.room = room
        feed = room.feed
        assert feed is not None, "connect first"
        self.nations = list(feed.nations)
        self.mineral = feed.minerals[0]
        content = app.content
        iso = {n: content.nations[n].iso_a3 for n in self.nations if n in content.nations}
        self.view = MapView(app.world_map, self.nations, iso)
        self.elapsed = 0.0
        self.auto = True
        self.shown = -1

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        pad = u(12)
        self.clock = b.label(pygame.Rect(pad, u(8), w - u(200) - pad, u(40)), "", "@heading")
        self.quit = b.button(pygame.Rect(w - pad - u(170), u(10), u(170), u(36)), "Leave (Esc)", "Close")
        top = u(56)
        side = min(u(320), w * 24 // 100)
        self.prices = b.text(pygame.Rect(pad, top, side, h - top - pad), "")
        self.news = b.text(pygame.Rect(w - side - pad, top, side, h - top - pad), "")
        self.view.set_rect(pygame.Rect(side + 2 * pad, top, w - 2 * side - 4 * pad, h - top - pad))
        self.view.font = self.app.font(14, bold=True)
        self.view.small = self.app.font(12, bold=True)
        self.show()

    def _name(self, nation: str) -> str:
        spec = self.app.content.nations.get(nation)
        return SHORT_NAMES.get(nation) or (spec.name if spec else nation)

    def public_html(self, feed: p.RoomFeed) -> tuple[str, str]:
        """(prices and the quarter, news), from the feed only."""
        lines = ["<font color='#f0c65a'><b>Prices (world average, refined)</b></font>"]
        for mineral, now, before in zip(feed.minerals, feed.price, feed.price_before, strict=True):
            change = f" ({now / before * 100 - 100:+.0f} %)" if before > 0 and now != before else ""
            name = esc(mineral_name(mineral))
            if mineral == self.mineral:
                name = f"<font color='#f0c65a'><b>{name} (on the map)</b></font>"
            lines.append(f"{name}: ${now:,.0f}/t{change}")
        lines.append("<br><font color='#f0c65a'><b>This quarter</b></font>")
        waiting = ", ".join(self._name(t) for t in feed.waiting)
        lines.append(f"Waiting for: {esc(waiting)}" if waiting else "Every team has ended its turn.")
        if feed.paused:
            lines.append("<font color='#ff8a7a'><b>PAUSED</b> by the facilitator</font>")
        if self.room.error:
            lines.append(f"<font color='#ff8a7a'>{esc(self.room.error)}</font>")
        sc = self.app.content.scenarios.get(feed.scenario)
        date = sc.date_of if sc is not None else str
        items = [
            f"<font color='#a9b6c3'>{esc(date(n.turn))}</font> <b>{esc(n.name)}</b>: {esc(n.news)}"
            for n in reversed(feed.news)
        ]
        return "<br>".join(lines), "<font color='#f0c65a'><b>News</b></font><br>" + (
            "<br><br>".join(items) or "<i>Nothing has happened yet.</i>"
        )

    def show(self) -> None:
        feed = self.room.feed
        assert feed is not None
        self.shown = self.room.version
        sc = self.app.content.scenarios.get(feed.scenario)
        self.clock.set_text(f"{sc.name if sc else feed.scenario} · {feed.clock}")
        prices, news = self.public_html(feed)
        self.prices.set_text(prices)
        self.news.set_text(news)
        m = feed.minerals.index(self.mineral)
        controls = [(c.issuer, c.targets, c.instrument) for c in feed.controls if c.mineral == self.mineral]
        draw_mineral(
            self.view,
            self.app.palette,
            feed.nations,
            feed.refine_share[m],
            feed.refined_flow[m],
            controls,
            self._name,
        )

    def update(self, dt: float) -> None:
        self.view.update(dt)
        self.elapsed += dt
        if self.auto and self.elapsed >= self.CYCLE_SECONDS:  # the projector walks the minerals
            minerals = self.room.feed.minerals
            self.mineral = minerals[(minerals.index(self.mineral) + 1) % len(minerals)]
            self.elapsed = 0.0
            self.show()
        elif self.shown != self.room.version:
            self.show()

    def draw(self, surface: pygame.Surface) -> None:
        self.view.draw(surface)

    def handle(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.quit) or (
            event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE
        ):
            self.room.close()
            self.app.running = False
            return True
        if event.type == pygame.KEYDOWN and pygame.K_1 <= event.key <= pygame.K_9:
            minerals = self.room.feed.minerals
            i = event.key - pygame.K_1
            if i < len(minerals):
                self.mineral, self.auto = minerals[i], False
                self.show()
            return True
        return self.view.handle(event) is not False

    def wants_mouse(self, pos: tuple[int, int]) -> bool:
        return self.view.rect.collidepoint(pos)


def launch_room(address: str) -> None:
    """`lodestone room HOST:PORT`: watch a hosted game on this machine's screen."""
    from game.ui.app import create_app
    from game.ui.settings import Settings

    room = RemoteRoom(address)
    try:
        room.connect()
    except BaseException:
        room.close()
        raise
    settings, _ = Settings.load()
    settings.clamp()
    app = create_app(settings)
    try:
        app.run(RoomClientScreen(app, room))
    finally:
        room.close()
