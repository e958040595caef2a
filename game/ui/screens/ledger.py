"""The national ledger: per mineral, the player's need by sector, what it bought from whom
and at what price, its stockpile and months of cover, its deals, programmes and projects,
and where the treasury's money went last quarter, line by line."""

from __future__ import annotations

import pygame
import pygame_gui

from game.ledger import mineral_ledger
from game.ui.app import Screen
from game.ui.panels.fmt import price
from game.ui.play import Play
from game.ui.screens.base import Builder, backs_out, esc

GOLD = "#f0c65a"


class LedgerScreen(Screen):
    overlay = True
    name = "ledger"

    def __init__(self, app, play: Play, mineral: str | None = None) -> None:
        super().__init__(app)
        self.play = play
        self.mineral = mineral if mineral in play.obs.minerals else play.obs.minerals[0]

    def build(self) -> None:
        w, h = self.app.size
        u = lambda px: round(px * self.app.scale)  # noqa: E731
        pw, ph = min(w - u(40), u(1180)), min(h - u(40), u(780))
        root = self.make_root(pygame.Rect((w - pw) // 2, (h - ph) // 2, pw, ph), "#ledger")
        root.background_colour = pygame.Color(17, 27, 36)
        root.rebuild()
        b = Builder(self)
        pad = u(16)
        b.label(
            pygame.Rect(pad, pad, pw - 2 * pad - u(140), u(34)),
            f"National ledger · {self.play.name(self.play.nation)} · {self.play.date}",
            "@heading",
        )
        self.close = b.button(pygame.Rect(pw - pad - u(130), pad, u(130), u(36)), "Close (Esc)", "Back")
        minerals = self.play.obs.minerals
        bw = (pw - 2 * pad) // len(minerals) - u(4)
        self.tabs: dict[str, pygame_gui.elements.UIButton] = {}
        for k, m in enumerate(minerals):
            button = b.button(
                pygame.Rect(pad + k * (bw + u(4)), pad + u(44), bw, u(34)),
                self.play.names(m).capitalize(),
                f"The ledger of {self.play.names(m)} ({k + 1})",
            )
            if m == self.mineral:
                button.select()
            self.tabs[m] = button
        top = pad + u(86)
        col = (pw - 3 * pad) // 2
        left, right = self.texts()
        b.text(pygame.Rect(pad, top, col, ph - top - pad), left)
        b.text(pygame.Rect(2 * pad + col, top, col, ph - top - pad), right)

    def texts(self) -> tuple[str, str]:
        play = self.play
        led = mineral_ledger(play.world, play.obs, play.nation, self.mineral, play.names)
        head = lambda t: f"<font color='{GOLD}'><b>{esc(t)}</b></font>"  # noqa: E731
        left = [head(f"Need of {led.mineral} last quarter, by sector (tonnes)")]
        for sector, need, got in led.need_by_sector:
            if need > 0.05:
                left.append(f"{esc(sector)}: need {need:,.0f} t, got {got:,.0f} t ({got / need * 100:.0f} %)")
        total = sum(n for _, n, _ in led.need_by_sector)
        left.append(f"<b>Total need {total:,.0f} t a quarter</b>")
        left.append("")
        left.append(head("Bought by source (refined, last quarter)"))
        if not led.bought:
            left.append("<i>Nothing bought abroad or at home.</i>")
        for who, tonnes, origin in led.bought[:8]:
            left.append(f"{esc(who)}: {tonnes:,.0f} t at {price(origin)} (origin price)")
        left.append(
            f"Price: <b>you paid {price(led.you_paid)}</b> · world average {price(led.world_average)}"
        )
        left.append("")
        left.append(head("Stockpile"))
        cover = (
            "no need" if led.months_of_cover == float("inf") else f"{led.months_of_cover:,.1f} months of need"
        )
        left.append(f"{led.stockpile:,.0f} t ({cover}); target {led.stock_target:,.0f} t")
        moved = round(led.industry_stock_change)  # an int: never '-0'
        left.append(f"Industry stocks: {led.industry_stock:,.0f} t ({moved:+,d} t last quarter)")
        right = [head("Deals in force")]
        right += [esc(d) for d in led.deals] or ["<i>None on this mineral.</i>"]
        right.append("")
        right.append(head("Programmes"))
        right += [esc(p) for p in led.programmes] or ["<i>None on this mineral.</i>"]
        right.append("")
        right.append(head("Projects under construction"))
        right += [esc(p) for p in led.projects] or ["<i>None on this mineral.</i>"]
        right.append("")
        report = play.reports[-1] if play.reports else None
        right.append(head("Where the money went last quarter ($m)"))
        if report is None or report.spending is None:
            right.append("<i>No quarter played yet.</i>")
        else:
            sp = report.spending
            right.append(f"Treasury at the start: ${sp.before:,.0f}m")
            for what, usd in sp.lines:
                colour = "#7fd18b" if usd >= 0 else "#ff8a7a"
                right.append(f"{esc(what)}: <font color='{colour}'>{usd:+,.0f}</font>")
            right.append(f"<b>Treasury at the end: ${sp.after:,.0f}m</b>")
        return "<br>".join(left), "<br>".join(right)

    def handle(self, event: pygame.event.Event) -> bool:
        if backs_out(event, self.close) or (event.type == pygame.KEYDOWN and event.key == pygame.K_n):
            self.app.pop()
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for m, button in self.tabs.items():
                if event.ui_element is button:
                    self.mineral = m
                    self.rebuild()
            return True
        if event.type == pygame.KEYDOWN and pygame.K_1 <= event.key <= pygame.K_9:
            k = event.key - pygame.K_1
            if k < len(self.play.obs.minerals):
                self.mineral = self.play.obs.minerals[k]
                self.rebuild()
            return True
        return False
