"""Order panels: Trade, Diplomacy, Industry, Stockpile.

Each panel is a form per kind of order. Every change of a field asks the world what it
would say (`Game.world.check`: the same reason a script would get) and shows it with the
expected cost before the player submits; the orders queued this turn are listed with a
Withdraw button. Numbers that do not parse or fall out of range are refused here with a
message naming the field, and the game goes on.
"""

from __future__ import annotations

from typing import Any

import pygame
import pygame_gui

from game.preview import preview
from game.ui import forms
from game.ui.app import Screen
from game.ui.context import OrderContext
from game.ui.forms import TABS, WHY, Action, BadInput, Form
from game.ui.forms.scale import check_scale, preview_html, scale_html
from game.ui.screens.base import Builder, esc, fit, selected_id


class OrdersScreen(Screen):
    overlay = True
    name = "orders"

    def __init__(
        self,
        app,
        play: OrderContext,
        tab: str = "trade",
        mineral: str | None = None,
        partner: str | None = None,
    ) -> None:
        super().__init__(app)
        self.play = play
        self.tab = tab
        obs = play.obs
        # closest first: a new zone or deal starts with a friend, not with the rival
        others = sorted(
            (n for n in obs.nations if n != play.nation), key=lambda n: -float(obs.relations[obs.n(n)])
        )
        self.values: dict[str, str] = {
            "mineral": mineral or obs.minerals[0],
            "partner": partner if partner in others else others[0],
            "target": partner if partner in others else "*",
        }
        self.form = Form(play, self.values)
        self.action_by_tab = {t: self.actions(t)[0].id for t, _ in TABS}
        self.widgets: dict[str, Any] = {}
        self.status = (False, "", 0.0)
        self.warning = ""
        self.previewed = ""

    @property
    def why(self) -> pygame_gui.elements.UITextEntryLine | None:
        """The team's "Why?" note field (wargames only; see forms.WHY)."""
        return self.widgets.get(WHY.key)

    def actions(self, tab: str) -> list[Action]:
        return forms.actions(self.form, tab)

    # ---------------------------------------------------------------- layout

    @property
    def action(self) -> Action:
        acts = self.actions(self.tab)
        return next((a for a in acts if a.id == self.action_by_tab[self.tab]), acts[0])

    def build(self) -> None:
        w, h = self.app.size
        u = lambda px: round(px * self.app.scale)  # noqa: E731
        pw, ph = min(w - u(60), u(1180)), min(h - u(60), u(760))
        root = self.make_root(pygame.Rect((w - pw) // 2, (h - ph) // 2, pw, ph), "#orders")
        root.background_colour = pygame.Color(17, 27, 36)
        root.rebuild()
        b = Builder(self)
        pad = u(16)
        x = pad
        self.tab_buttons = {}
        for key, text in TABS:
            button = b.button(
                pygame.Rect(x, pad, u(130), u(38)), text, f"{text} orders ({text[0]})", oid=f"#tab_{key}"
            )
            button.select() if key == self.tab else None
            self.tab_buttons[key] = button
            x += u(136)
        self.close = b.button(
            pygame.Rect(pw - pad - u(120), pad, u(120), u(38)), "Close (Esc)", "Back to the map"
        )
        col_w = (pw - 3 * pad) // 2
        y = pad + u(54)
        acts = self.actions(self.tab)
        b.label(pygame.Rect(pad, y, col_w, u(24)), "Order")
        self.action_menu = b.dropdown(
            pygame.Rect(pad, y + u(24), col_w, u(34)),
            [(a.label, a.id) for a in acts],
            self.action.id,
            "Which kind of order",
        )
        y += u(66)
        self.widgets = {}
        self.specs = {s.key: s for s in self.action.fields()}
        # Submit sits at the panel's foot, the verdict and the note above it; the fields share
        # what is left (eight fields at 1280x720 must not push Submit off the panel).
        submit_y = ph - pad - u(44)
        status_h, about_h = u(84), u(100)
        room = submit_y - u(8) - status_h - u(8) - about_h - u(4) - y
        n = max(len(self.specs), 1)
        if room / n < u(32):
            about_h = max(u(56), about_h - (u(32) * n - room))
            room = submit_y - u(8) - status_h - u(8) - about_h - u(4) - y
        row = max(u(26), min(u(40), room // n))
        field_h = min(u(34), row - u(3))
        label_w = col_w * 2 // 5
        for spec in self.specs.values():
            lab = b.label(pygame.Rect(pad, y, label_w, field_h), spec.label)
            if spec.tip:
                lab.set_tooltip(spec.tip)
            rect = pygame.Rect(pad + label_w, y, col_w - label_w, field_h)
            current = self.values.get(spec.key, spec.default)
            if spec.kind == "choice":
                ids = [o[1] for o in spec.options]
                if current not in ids:
                    current = spec.default if spec.default in ids else ids[0]
                self.values[spec.key] = current
                self.widgets[spec.key] = b.dropdown(rect, spec.options, current, spec.tip or spec.label)
            else:
                if spec.key not in self.values:
                    self.values[spec.key] = spec.default
                tip = spec.tip or spec.label
                if spec.lo is not None:
                    tip += f" ({spec.lo:g} to {spec.hi:,.0f})"
                self.widgets[spec.key] = b.entry(rect, self.values[spec.key], tip)
            y += row
        about = f"<font color='#a9b6c3'>{esc(self.action.about)}</font>"
        if "mineral" in self.specs:
            scale = scale_html(self.play, self.values["mineral"], self.values.get("stage", "refined"))
            about = f"{scale}<br>{about}"
        top = min(y + u(6), submit_y - u(8) - status_h - u(8) - about_h)
        self.about = b.text(pygame.Rect(pad, top, col_w, submit_y - u(16) - status_h - top), about)
        self.status_box = b.text(pygame.Rect(pad, submit_y - u(8) - status_h, col_w, status_h), "")
        self.submit = b.button(
            pygame.Rect(pad, submit_y, u(200), u(44)),
            "Submit order",
            "Queue the order for this turn (it applies when the turn ends)",
            "@primary",
            "#submit",
        )
        self.preview_button = b.button(
            pygame.Rect(pad + u(210), submit_y, u(200), u(44)),
            "Preview (F5)",
            "Resolve next quarter on a fork with and without this order, and compare (takes a few seconds)",
            oid="#preview",
        )
        if self.action.id == "message" or self.play.remote:  # a remote team has no world to fork
            self.preview_button.disable()
        # right column: queued orders and (diplomacy) the inbox
        x2 = 2 * pad + col_w
        yq = pad + u(54)
        b.label(pygame.Rect(x2, yq, col_w, u(34)), "Orders queued this turn", "@heading")
        yq += u(38)
        self.withdraw_buttons: list[pygame_gui.elements.UIButton] = []
        queued = self.play.queued()
        if not queued:
            b.label(pygame.Rect(x2, yq, col_w, u(26)), "None yet.", "@small")
            yq += u(30)
        for i, order in enumerate(queued[:8]):
            cost = self.play.check_cost(order)
            text = self.play.describe(order) + (f" · ${cost:,.0f}m" if cost else "")
            lab = b.label(
                pygame.Rect(x2, yq, col_w - u(110), u(30)), fit(text, self.app.font(15), col_w - u(116))
            )
            lab.set_tooltip(esc(text))
            self.withdraw_buttons.append(
                b.button(
                    pygame.Rect(x2 + col_w - u(104), yq, u(104), u(30)),
                    "Withdraw",
                    "Take this order back",
                    "@danger",
                    f"#withdraw_{i}",
                )
            )
            yq += u(34)
        self.answer_buttons: list[tuple[pygame_gui.elements.UIButton, int, bool]] = []
        if self.tab == "diplomacy":
            yq += u(10)
            b.label(pygame.Rect(x2, yq, col_w, u(34)), "Proposals to answer", "@heading")
            yq += u(38)
            inbox = self.play.obs.inbox
            if not inbox:
                b.label(pygame.Rect(x2, yq, col_w, u(26)), "None waiting.", "@small")
                yq += u(30)
            for p in inbox[:5]:
                summary = self.play.names.proposal(p)
                text = f"{summary} (until {self.play.scenario.date_of(p.expires_turn)})"
                short = summary
                lab = b.label(
                    pygame.Rect(x2, yq, col_w - u(200), u(30)), fit(short, self.app.font(15), col_w - u(206))
                )
                lab.set_tooltip(esc(text))
                acc = b.button(
                    pygame.Rect(x2 + col_w - u(196), yq, u(94), u(30)), "Accept", "Accept this proposal"
                )
                ref = b.button(
                    pygame.Rect(x2 + col_w - u(98), yq, u(94), u(30)), "Refuse", "Refuse it", "@danger"
                )
                self.answer_buttons += [(acc, p.id, True), (ref, p.id, False)]
                yq += u(34)
            yq += u(10)
            obs = self.play.obs
            ranked = sorted(
                (float(obs.relations[i]), n) for i, n in enumerate(obs.nations) if n != self.play.nation
            )
            rel = ", ".join(f"{self.play.short_name(n)} {r:+.0f}" for r, n in ranked[-4:][::-1])
            low = ", ".join(f"{self.play.short_name(n)} {r:+.0f}" for r, n in ranked[:3])
            b.text(
                pygame.Rect(x2, yq, col_w, max(u(60), ph - yq - pad)),
                f"<b>Relations</b><br>Closest: {esc(rel)}<br>Coolest: {esc(low)}",
            )
        self.validate()

    # ---------------------------------------------------------------- behaviour

    def read(self) -> dict[str, Any]:
        """The form's values, numbers parsed and range-checked (BadInput names the field)."""
        values: dict[str, Any] = {}
        for key, spec in self.specs.items():
            raw = self.values.get(key, spec.default)
            if spec.kind == "number":
                try:
                    number = float(str(raw).replace(",", "").strip())
                except ValueError:
                    raise BadInput(f"{spec.label}: '{raw}' is not a number") from None
                if (
                    number != number
                    or (spec.lo is not None and number < spec.lo)
                    or (spec.hi is not None and number > spec.hi)
                ):
                    raise BadInput(f"{spec.label} must be between {spec.lo:g} and {spec.hi:,.0f}, not {raw}")
                values[key] = number
            else:
                values[key] = raw
        return values

    def order(self) -> dict[str, Any]:
        values = self.read()
        self.warning = check_scale(self.play, self.action.id, values)
        return self.action.order(values)

    def validate(self) -> tuple[bool, str, float]:
        try:
            raw = self.order()
        except BadInput as exc:
            self.status = (False, str(exc), 0.0)
        else:
            self.status = self.play.check(raw)
        ok, reason, cost = self.status
        if ok:
            text = "<font color='#7fd18b'><b>Valid.</b></font>"
            abroad = self.action.id in ("invest", "offtake") and self.values.get(
                "country", self.values.get("partner")
            ) not in (None, self.play.nation)
            if self.play.remote:
                text += " · the host checks it and prices it when you submit"
            elif cost:
                text += f" · costs <b>${cost:,.0f}m</b> when it applies"
            elif abroad and self.action.id == "invest":
                text += " · paid only if the partner consents (proposed first)"
            else:
                text += " · no cost to the treasury"
            text += f"<br><font color='#a9b6c3'>Treasury ${self.play.obs.treasury_usd_m:,.0f}m</font>"
            if self.warning:
                text += f"<br><font color='#f0c65a'>{esc(self.warning)}</font>"
        else:
            text = f"<font color='#ff8a7a'><b>Not possible:</b> {esc(reason)}</font>"
        self.status_box.set_text(text)
        return self.status

    def do_preview(self) -> None:
        """Resolve the next quarter with and without the order on forks, in the background;
        the answer replaces the verdict under the form."""
        try:
            raw = self.order()
        except BadInput as exc:
            self.app.notify(str(exc), bad=True)
            return
        if self.play.remote:
            return
        order = self.play.parse(raw)
        if isinstance(order, str):
            self.app.notify(self.play.names(order), bad=True)
            return
        mineral = raw.get("mineral")
        game, nation = self.play.game, self.play.nation

        def done(result, error) -> None:
            if error is not None:
                self.app.notify(f"The preview failed: {type(error).__name__}: {error}", bad=True)
                return
            self.previewed = preview_html(self.play, result, mineral)
            if self.root is not None:
                self.about.set_text(self.previewed)

        self.app.run_task("Previewing next quarter", lambda: preview(game, nation, order), done)

    def do_submit(self) -> bool:
        try:
            raw = self.order()
        except BadInput as exc:
            self.app.notify(str(exc), bad=True)
            self.validate()
            return False
        note = self.why.get_text() if self.why is not None else ""
        ok, reason, cost = self.play.submit(raw, note)
        if ok:
            self.values.pop(WHY.key, None)  # the note was this order's: the next starts blank
            self.app.notify(
                f"Queued: {self.play.describe(self.play.queued()[-1])}"
                + (f" (${cost:,.0f}m)" if cost else "")
            )
            self.rebuild()
        else:
            self.app.notify(f"Refused: {reason}", bad=True)
            self.validate()
        return ok

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element is self.action_menu:
                self.action_by_tab[self.tab] = selected_id(self.action_menu)
                self.rebuild()
                return True
            for key, widget in self.widgets.items():
                if event.ui_element is widget:
                    self.values[key] = selected_id(widget)
                    if key == "instrument":
                        self.rebuild()
                    else:
                        self.validate()
                    return True
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED:
            for key, widget in self.widgets.items():
                if event.ui_element is widget:
                    self.values[key] = widget.get_text()
                    self.validate()
                    return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            el = event.ui_element
            for key, button in self.tab_buttons.items():
                if el is button:
                    self.switch(key)
                    return True
            if el is self.close:
                self.app.pop()
            elif el is self.submit:
                self.do_submit()
            elif el is self.preview_button:
                self.do_preview()
            for i, button in enumerate(self.withdraw_buttons):
                if el is button:
                    order = self.play.withdraw(i)
                    if order is not None:
                        self.app.notify(f"Withdrawn: {self.play.describe(order)}")
                    self.rebuild()
            for button, proposal, accept in self.answer_buttons:
                if el is button:
                    ok, reason, _ = self.play.submit(
                        {"kind": "respond", "proposal": proposal, "accept": accept}
                    )
                    self.app.notify(
                        f"{'Accepted' if accept else 'Refused'}: "
                        f"{self.play.names.proposal(self.play.proposal(proposal))}"
                        if ok
                        else f"Refused: {reason}",
                        bad=not ok,
                    )
                    self.rebuild()
            return True
        if event.type == pygame.KEYDOWN:
            focused = any(
                isinstance(w, pygame_gui.elements.UITextEntryLine) and w.is_focused
                for w in self.widgets.values()
            )
            if event.key == pygame.K_ESCAPE:
                self.app.pop()
                return True
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.do_submit()
                return True
            if event.key == pygame.K_F5:
                self.do_preview()
                return True
            if not focused:
                keys = {
                    pygame.K_t: "trade",
                    pygame.K_d: "diplomacy",
                    pygame.K_i: "industry",
                    pygame.K_s: "stockpile",
                }
                if event.key in keys:
                    self.switch(keys[event.key])
                    return True
        return False

    def switch(self, tab: str) -> None:
        self.tab = tab
        self.rebuild()

    def set_field(self, key: str, value: str) -> None:
        """Set a field as the player would (tests and scripted tours)."""
        self.values[key] = value
        widget = self.widgets.get(key)
        if isinstance(widget, pygame_gui.elements.UITextEntryLine):
            widget.set_text(value)
        if key in ("instrument",) or isinstance(widget, pygame_gui.elements.UIDropDownMenu):
            self.rebuild()
        else:
            self.validate()

    def choose_action(self, action: str) -> None:
        self.action_by_tab[self.tab] = action
        self.rebuild()


__all__ = ["OrdersScreen"]
