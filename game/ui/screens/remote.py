"""A team's window on a hosted wargame (`lodestone join HOST:PORT --team japan`).

It shows only what the host sent this team: its own observation (the map of the chosen
mineral with flows and the controls on its routes, prices and supply, its news and
replies), its own queue, the clock and who has ended the quarter, and the facilitator's
messages as they arrive. Orders are entered in the game's own order panels (Trade,
Diplomacy, Industry, Stockpile) over a `RemotePlay`: the form is checked against the order
schema here, and the host checks the order with the same order desk as at the table and
says why when it refuses one. End turn asks first (Y), as at the table.
"""

from __future__ import annotations

import math

import numpy as np
import pygame
import pygame_gui

from game.net.remote import RemoteSeat
from game.ui import palette as pal
from game.ui.app import App, Screen
from game.ui.context import RemotePlay
from game.ui.mapview import Flow, MapView, RouteControl
from game.ui.play import mineral_name
from game.ui.screens.base import Builder, esc, selected_id

PANELS = [("trade", "Trade (T)"), ("diplomacy", "Diplomacy (D)"), ("industry", "Industry (I)"),
          ("stockpile", "Stockpile (S)")]  # fmt: skip
KEYS = {pygame.K_t: "trade", pygame.K_d: "diplomacy", pygame.K_i: "industry", pygame.K_s: "stockpile"}


class RemoteTeamScreen(Screen):
    name = "remote_team"

    def __init__(self, app: App, seat: RemoteSeat) -> None:
        super().__init__(app)
        self.seat = seat
        obs = seat.observation
        self.mineral = obs.minerals[0]
        self.play = RemotePlay(seat, app.content, seat.scenario)
        nations = list(obs.nations)
        content = app.content
        iso = {n: content.nations[n].iso_a3 for n in nations if n in content.nations}
        self.view = MapView(app.world_map, nations, iso)
        self.shown = (-1, 0, None)
        self.notified = 0
        """Facilitator's notices told so far: counted apart from what the screen last drew,
        since a notice can arrive on the network thread while the screen redraws."""
        self.confirming = False

    def build(self) -> None:
        self.make_root()
        b = Builder(self)
        u = b.u
        w, h = self.app.size
        pad, row = u(12), u(34)
        self.header = b.label(pygame.Rect(pad, u(8), w - u(360), u(36)), "", "@heading")
        self.end_button = b.button(
            pygame.Rect(w - pad - u(160), u(8), u(160), u(36)), "End turn", "Ask first (then Y)", "@primary"
        )
        self.quit_button = b.button(
            pygame.Rect(w - pad - u(330), u(8), u(160), u(36)), "Leave", "Close this window (the seat waits)"
        )
        top = u(52)
        side = min(u(330), w * 26 // 100)
        self.left = b.text(pygame.Rect(pad, top, side, h - top - pad - u(150)), "")
        self.right = b.text(pygame.Rect(w - side - pad, top, side, h - top - pad), "")
        minerals = [(mineral_name(m), m) for m in self.seat.observation.minerals]
        y = h - pad - u(146)
        self.mineral_menu = b.dropdown(pygame.Rect(pad, y, side, row), minerals, self.mineral, "Mineral")
        self.withdraw_button = b.button(
            pygame.Rect(pad, y + row + u(4), side, row),
            "Withdraw last order",
            "Take back your last order",
        )
        mid_x = side + 2 * pad
        mid_w = w - 2 * side - 4 * pad
        self.view.set_rect(pygame.Rect(mid_x, top, mid_w, h - top - pad - u(90)))
        self.view.font = self.app.font(12, bold=True)
        self.view.small = self.app.font(12, bold=True)
        y = h - pad - u(80)
        gap = u(8)
        bw = (mid_w - 3 * gap) // 4
        self.panel_buttons = {
            key: b.button(
                pygame.Rect(mid_x + k * (bw + gap), y, bw, row + u(6)),
                label,
                "Enter an order: the host checks it when you submit",
                "@primary" if k == 0 else "",
            )
            for k, (key, label) in enumerate(PANELS)
        }
        self.answer = b.label(pygame.Rect(mid_x, y + row + u(12), mid_w, u(28)), "", "@small")
        self.show()

    # ---------------------------------------------------------------- what this team sees

    def show(self) -> None:
        seat = self.seat
        obs = seat.observation
        status = seat.status
        clock = f"{obs.date} · turn {obs.turn + 1}"
        if status is not None:
            if status.seconds_left is not None:
                left = math.ceil(status.seconds_left)
                clock += f" · {left // 60:02d}:{left % 60:02d} left" if left > 0 else " · time is up"
            if status.paused:
                clock += " · PAUSED"
        self.header.set_text(f"Team {self._name(obs.nation)} · {clock}")
        self.end_button.set_text("Waiting…" if seat.ended else "End turn")
        m = obs.m(self.mineral)
        score = "—" if math.isnan(obs.score) else f"{obs.score:.1f}"
        lines = [
            f"<b>Score</b> {score} · treasury ${obs.treasury_usd_m:,.0f}m",
            "<br><font color='#f0c65a'><b>Minerals</b></font>",
        ]
        short, need = obs.shortfall.sum(axis=1), obs.need.sum(axis=1)
        for k, mineral in enumerate(obs.minerals):
            fill = 100 * (1 - short[k] / need[k]) if need[k] > 0 else 100.0
            name = esc(mineral_name(mineral))
            if mineral == self.mineral:
                name = f"<font color='#f0c65a'><b>{name}</b></font>"
            lines.append(f"{name}: ${obs.refined_price[k, obs.me]:,.0f}/t · supplied {fill:.0f} %")
        ended = status.ended if status is not None else []
        lines.append("<br><font color='#f0c65a'><b>This quarter</b></font>")
        lines.append("Ended: " + (esc(", ".join(self._name(t) for t in ended)) or "nobody yet"))
        self.left.set_text("<br>".join(lines))
        right = ["<font color='#f0c65a'><b>Your orders this quarter</b></font>"]
        right += [f"• {esc(self.play.describe(o))}" for o in self.play.queued()] or ["<i>none</i>"]
        if seat.notices:
            right.append("<br><font color='#f0c65a'><b>From the facilitator</b></font>")
            right += [esc(n) for n in seat.notices[-5:]]
        right.append("<br><font color='#f0c65a'><b>News and replies</b></font>")
        right += [f"<b>{esc(n.headline)}</b>: {esc(n.text)}" for n in obs.news[-6:]]
        right += [esc(r) for r in obs.replies[-6:]]
        self.right.set_text("<br>".join(right))
        verdict = seat.last_verdict
        if seat.error:
            self.answer.set_text(seat.error)
        elif verdict is not None:
            self.answer.set_text("Accepted." if verdict.accepted else f"Refused: {verdict.reason}"[:200])
        shares = obs.refine_share[m]
        top = max(float(shares.max()), 1e-9)
        palette = self.app.palette
        fills = [palette.seq(math.sqrt(x / top)) if x > 0.001 else pal.LAND_NEUTRAL for x in shares]
        flow = np.array(obs.refined_flow[m], dtype=float)
        np.fill_diagonal(flow, 0.0)
        n = len(obs.nations)
        order = np.argsort(flow, axis=None)[::-1][:16]
        flows = [Flow(int(k // n), int(k % n), float(flow.flat[k])) for k in order
                 if flow.flat[k] > max(1e-6, flow.max() * 0.01)]  # fmt: skip
        one = lambda c: obs.n(c.targets[0]) if len(c.targets) == 1 else None  # noqa: E731
        controls = [
            RouteControl(obs.n(c.issuer), one(c), c.instrument.value)
            for c in obs.controls
            if c.mineral == self.mineral and obs.find_nation(c.issuer) is not None
            and (len(c.targets) != 1 or obs.find_nation(c.targets[0]) is not None)
        ]  # fmt: skip
        self.view.flow_colour = palette.flow
        self.view.player = obs.me
        self.view.set_data(fills, flows, controls, {obs.me: self._name(obs.nation)})
        self.shown = (seat.version, len(seat.notices), status)

    def _name(self, nation: str) -> str:
        spec = self.app.content.nations.get(nation)
        return spec.name if spec else nation

    # ---------------------------------------------------------------- input

    def update(self, dt: float) -> None:
        self.view.update(dt)
        seat = self.seat
        notices = list(seat.notices)  # the network thread appends to it
        for notice in notices[self.notified :]:
            self.app.notify(f"Facilitator: {notice}", seconds=12)
        self.notified = len(notices)
        if self.shown != (seat.version, len(notices), seat.status):
            self.show()

    def draw(self, surface: pygame.Surface) -> None:
        self.view.draw(surface)

    def open_orders(self, tab: str) -> None:
        """The game's order panel, over this team's seat (orders go to the host)."""
        if self.seat.ended:
            self.app.notify("Your turn has ended: wait for the next quarter.", bad=True)
            return
        self.app.open("orders", self.play, tab, self.mineral)

    def ask_end(self) -> None:
        if self.seat.ended:
            return
        self.confirming = True
        self.app.notify(f"End the turn with {len(self.seat.queued)} order(s) queued? Press Y to confirm.")

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is self.mineral_menu:
                self.mineral = selected_id(self.mineral_menu)
            self.show()
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            el = event.ui_element
            for key, button in self.panel_buttons.items():
                if el is button:
                    self.open_orders(key)
            if el is self.end_button:
                self.ask_end()
            elif el is self.withdraw_button and self.seat.queued:
                self.seat.withdraw(len(self.seat.queued) - 1)
            elif el is self.quit_button:
                self.seat.close()
                self.app.running = False
            return True
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.ask_end()
            elif event.key in KEYS and not self.confirming:
                self.open_orders(KEYS[event.key])
            elif event.key == pygame.K_y and self.confirming:
                self.confirming = False
                self.seat.end_turn()
            else:
                self.confirming = False
            return True
        return self.view.handle(event) is not False

    def wants_mouse(self, pos: tuple[int, int]) -> bool:
        return self.view.rect.collidepoint(pos)


def launch_remote(address: str, team: str, token: str | None = None, pin: str | None = None) -> None:
    """`lodestone join` with a display: take the seat, then open the team's window."""
    from game.ui.app import create_app
    from game.ui.settings import Settings

    seat = RemoteSeat(address, team, token, pin)
    welcome = seat.connect()
    settings, _ = Settings.load()
    settings.clamp()
    app = create_app(settings)
    app.notify(f"Seated as {team}. Token to rejoin after a lost connection: {welcome.token}", seconds=30)
    print(f"token for {team} (to rejoin): {welcome.token}")
    try:
        app.run(RemoteTeamScreen(app, seat))
    finally:
        seat.close()
