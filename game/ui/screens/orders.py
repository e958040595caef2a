"""Order panels: Trade, Diplomacy, Industry, Stockpile.

Each panel is a form per kind of order. Every change of a field asks the world what it
would say (`Game.world.check`: the same reason a script would get) and shows it with the
expected cost before the player submits; the orders queued this turn are listed with a
Withdraw button. Numbers that do not parse or fall out of range are refused here with a
message naming the field, and the game goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pygame
import pygame_gui

from game.ui.app import Screen
from game.ui.play import Play, mineral_name
from game.ui.screens.base import Builder, esc, fit, selected_id

TABS = [("trade", "Trade"), ("diplomacy", "Diplomacy"), ("industry", "Industry"), ("stockpile", "Stockpile")]
INSTRUMENTS = [
    ("Ban: route closed", "ban"),
    ("Quota: tonnes per year", "quota"),
    ("Licensing: a share passes", "licensing"),
    ("Export tax", "export_tax"),
    ("End-use: no defence buyers", "end_use"),
]
STAGES = [("Refined", "refined"), ("Ore / concentrate", "ore")]
TONES = [
    ("Summit", "summit"),
    ("Promise", "promise"),
    ("Reassure", "reassure"),
    ("Pressure", "pressure"),
    ("Protest", "protest"),
]
PROGRAMMES = [("Substitution", "substitution"), ("Recycling", "recycling")]


@dataclass
class FieldSpec:
    key: str
    label: str
    kind: str  # choice | number | text
    options: list[tuple[str, str]] = field(default_factory=list)
    default: str = ""
    tip: str = ""
    lo: float | None = None
    hi: float | None = None


@dataclass
class Action:
    id: str
    label: str
    fields: Callable[[], list[FieldSpec]]
    order: Callable[[dict[str, Any]], dict[str, Any]]
    about: str = ""


class BadInput(ValueError):
    """A field the player filled that cannot make an order; the message names it."""


class OrdersScreen(Screen):
    overlay = True
    name = "orders"

    def __init__(
        self, app, play: Play, tab: str = "trade", mineral: str | None = None, partner: str | None = None
    ) -> None:
        super().__init__(app)
        self.play = play
        self.tab = tab
        obs = play.obs
        others = [n for n in obs.nations if n != play.nation]
        self.values: dict[str, str] = {
            "mineral": mineral or obs.minerals[0],
            "partner": partner if partner in others else others[0],
            "target": partner if partner in others else "*",
        }
        self.action_by_tab = {t: self.actions(t)[0].id for t, _ in TABS}
        self.widgets: dict[str, Any] = {}
        self.status = (False, "", 0.0)

    # ---------------------------------------------------------------- form specs

    def nations(self, everyone: str | None = None, me: bool = False) -> list[tuple[str, str]]:
        obs = self.play.obs
        opts = [(self.play.name(n), n) for n in obs.nations if me or n != self.play.nation]
        return ([(everyone, "*")] if everyone else []) + opts

    def minerals(self) -> list[tuple[str, str]]:
        return [(mineral_name(m), m) for m in self.play.obs.minerals]

    def zones(self, mine: bool | None) -> list[tuple[str, str]]:
        obs = self.play.obs
        zs = [z for z in obs.zones if mine is None or (self.play.nation in z.members) == mine]
        return [(z.name, z.id) for z in zs] or [("(no zone)", "")]

    def templates(self) -> list[tuple[str, str]]:
        out = []
        for t in self.play.content.projects.values():
            if t.mineral not in self.play.obs.minerals:
                continue
            capex = t.capacity_tpy * t.capex_usd_per_tpy / 1e6
            lead = f"{t.lead_time_quarters_min}–{t.lead_time_quarters_max} q"
            out.append((f"{mineral_name(t.mineral)} {t.kind.value}: ${capex:,.0f}m, {lead}", t.id))
        return out

    def actions(self, tab: str) -> list[Action]:
        m = FieldSpec("mineral", "Mineral", "choice", self.minerals(), tip="Which mineral")
        stage = FieldSpec("stage", "Stage", "choice", STAGES, "refined", "Refined metal or ore/concentrate")
        partner = FieldSpec("partner", "Partner", "choice", self.nations(), tip="The other nation")
        if tab == "trade":
            return [
                Action(
                    "export_control",
                    "Impose an export control",
                    lambda: [
                        m,
                        stage,
                        FieldSpec(
                            "instrument",
                            "Instrument",
                            "choice",
                            INSTRUMENTS,
                            "ban",
                            "OECD export-restriction types",
                        ),
                        FieldSpec(
                            "target",
                            "Toward",
                            "choice",
                            self.nations("Everyone"),
                            "*",
                            "Whose imports it hits",
                        ),
                        *self._instrument_fields(),
                    ],
                    self._export_control,
                    "Cuts or taxes your producers' exports. Buyers lose supply and prices "
                    "move; the target resents it.",
                ),
                Action(
                    "lift_export_control",
                    "Lift export controls",
                    lambda: [
                        m,
                        FieldSpec("stage", "Stage", "choice", [("Any", "*"), *STAGES], "*"),
                        FieldSpec("instrument", "Instrument", "choice", [("All", "*"), *INSTRUMENTS], "*"),
                    ],
                    lambda v: {
                        "kind": "lift_export_control",
                        "mineral": v["mineral"],
                        **({"stage": v["stage"]} if v["stage"] != "*" else {}),
                        **({"instrument": v["instrument"]} if v["instrument"] != "*" else {}),
                    },
                    "Lifts your controls on a mineral: one stage and instrument, or all.",
                ),
                Action(
                    "tariff",
                    "Set an import tariff",
                    lambda: [
                        m,
                        stage,
                        FieldSpec(
                            "target", "From", "choice", self.nations("Everyone"), "*", "Which origin it taxes"
                        ),
                        FieldSpec(
                            "rate_pct",
                            "Rate (%)",
                            "number",
                            default="10",
                            tip="0 removes the tariff; up to 500",
                            lo=0,
                            hi=500,
                        ),
                    ],
                    lambda v: {
                        "kind": "tariff",
                        "mineral": v["mineral"],
                        "stage": v["stage"],
                        "origins": [] if v["target"] == "*" else [v["target"]],
                        "rate_pct": v["rate_pct"],
                    },
                    "Taxes imports from an origin: protects home producers, raises your buyers' costs.",
                ),
            ]
        if tab == "diplomacy":
            return [
                Action(
                    "propose_zone",
                    "Found a trade zone",
                    lambda: [
                        FieldSpec(
                            "zone_name",
                            "Zone name",
                            "text",
                            default="Critical Minerals Club",
                            tip="Shown to everyone",
                        ),
                        FieldSpec(
                            "partner", "Invite", "choice", self.nations(), tip="The first nation invited"
                        ),
                        m,
                        FieldSpec(
                            "tariff_pct",
                            "External tariff (%)",
                            "number",
                            default="10",
                            lo=0,
                            hi=100,
                            tip="Outsiders pay it on this mineral",
                        ),
                        FieldSpec(
                            "floor",
                            "Price floor ($/t, 0 none)",
                            "number",
                            default="0",
                            lo=0,
                            hi=1e8,
                            tip="Members buy from member producers at no less",
                        ),
                    ],
                    self._zone,
                    "Members trade at no tariff; outsiders pay the external tariff; a price "
                    "floor keeps member mines alive.",
                ),
                Action(
                    "invite_to_zone",
                    "Invite to a zone",
                    lambda: [FieldSpec("zone", "Zone", "choice", self.zones(True)), partner],
                    lambda v: {"kind": "invite_to_zone", "zone": v["zone"], "nation": v["partner"]},
                    "Asks another nation into one of your zones; it answers next turn.",
                ),
                Action(
                    "join_zone",
                    "Join a zone",
                    lambda: [FieldSpec("zone", "Zone", "choice", self.zones(False))],
                    lambda v: {"kind": "join_zone", "zone": v["zone"]},
                    "Joins a zone you were invited to.",
                ),
                Action(
                    "leave_zone",
                    "Leave a zone",
                    lambda: [FieldSpec("zone", "Zone", "choice", self.zones(True))],
                    lambda v: {"kind": "leave_zone", "zone": v["zone"]},
                    "Leaves a zone; the members resent it.",
                ),
                Action(
                    "offtake",
                    "Propose an offtake deal",
                    lambda: [
                        partner,
                        FieldSpec(
                            "role", "You are", "choice", [("Buyer", "buyer"), ("Seller", "seller")], "buyer"
                        ),
                        m,
                        stage,
                        FieldSpec("tonnes", "Tonnes per turn", "number", default="100", lo=0.001, hi=1e9),
                        FieldSpec("duration", "Duration (turns)", "number", default="8", lo=1, hi=200),
                        FieldSpec("discount", "Discount to market (%)", "number", default="0", lo=-50, hi=50),
                        FieldSpec(
                            "financing",
                            "Financing ($m)",
                            "number",
                            default="0",
                            lo=0,
                            hi=1e7,
                            tip="Paid by the buyer into a new plant in the seller's country",
                        ),
                    ],
                    self._offtake,
                    "A binding deal: the seller's producers deliver every turn at the market "
                    "price less the discount.",
                ),
                Action(
                    "memorandum",
                    "Propose a memorandum",
                    lambda: [partner, m],
                    lambda v: {
                        "kind": "propose_deal",
                        "deal": "memorandum",
                        "buyer": self.play.nation,
                        "seller": v["partner"],
                        "mineral": v["mineral"],
                    },
                    "Non-binding good will, and standing consent to each other's investments.",
                ),
                Action(
                    "message",
                    "Send a diplomatic message",
                    lambda: [
                        partner,
                        FieldSpec("tone", "Tone", "choice", TONES, "summit"),
                        FieldSpec("text", "Text", "text", default="", tip="Kept in the order log"),
                    ],
                    lambda v: {"kind": "message", "to": [v["partner"]], "tone": v["tone"], "text": v["text"]},
                    "Moves relations; binds nobody.",
                ),
            ]
        if tab == "industry":
            return [
                Action(
                    "invest",
                    "Invest in a plant",
                    lambda: [
                        FieldSpec(
                            "template",
                            "Project",
                            "choice",
                            self.templates(),
                            tip="Capital cost and lead time in quarters",
                        ),
                        FieldSpec(
                            "country",
                            "In",
                            "choice",
                            self.nations(me=True),
                            self.play.nation,
                            "At home, or in a partner (it must consent unless you have a memorandum)",
                        ),
                        FieldSpec("share", "Your share (%)", "number", default="100", lo=0.1, hi=100),
                    ],
                    lambda v: {
                        "kind": "invest",
                        "template": v["template"],
                        "country": v["country"],
                        "share_pct": v["share"],
                    },
                    "Builds capacity that comes online after the lead time, if it is not "
                    "delayed or cancelled.",
                ),
                Action(
                    "fund_rnd",
                    "Fund research",
                    lambda: [
                        FieldSpec("programme", "Programme", "choice", PROGRAMMES, "substitution"),
                        m,
                        FieldSpec("budget", "Budget ($m)", "number", default="200", lo=0.001, hi=1e5),
                    ],
                    lambda v: {
                        "kind": "fund_rnd",
                        "programme": v["programme"],
                        "mineral": v["mineral"],
                        "budget_usd_m": v["budget"],
                    },
                    "Pays now; may or may not pay off years later.",
                ),
                Action(
                    "subsidise",
                    "Subsidise a programme",
                    lambda: [
                        FieldSpec("programme", "Programme", "choice", PROGRAMMES, "recycling"),
                        m,
                        FieldSpec("per_turn", "$m per turn", "number", default="50", lo=0.001, hi=1e5),
                        FieldSpec("turns", "Turns", "number", default="8", lo=1, hi=200),
                    ],
                    lambda v: {
                        "kind": "subsidise",
                        "programme": v["programme"],
                        "mineral": v["mineral"],
                        "usd_m_per_turn": v["per_turn"],
                        "turns": int(v["turns"]),
                    },
                    "Certain, immediate, costly: less use of the mineral, or more recycling, "
                    "while the money lasts.",
                ),
            ]
        return [
            Action(
                "buy",
                "Buy into the stockpile",
                lambda: [
                    m,
                    FieldSpec("tonnes", "Tonnes", "number", default="100", lo=0, hi=1e9),
                    FieldSpec("budget", "Budget ($m)", "number", default="50", lo=0, hi=1e7),
                ],
                lambda v: {
                    "kind": "stockpile",
                    "action": "buy",
                    "mineral": v["mineral"],
                    "tonnes": v["tonnes"],
                    "budget_usd_m": v["budget"],
                },
                "Raises the target; bought over a few turns while the price is not too high.",
            ),
            Action(
                "release",
                "Release from the stockpile",
                lambda: [m, FieldSpec("tonnes", "Tonnes", "number", default="50", lo=0, hi=1e9)],
                lambda v: {
                    "kind": "stockpile",
                    "action": "release",
                    "mineral": v["mineral"],
                    "tonnes": v["tonnes"],
                },
                "Sells into your home market this turn.",
            ),
            Action(
                "share_stockpile",
                "Share stockpiles in a zone",
                lambda: [
                    FieldSpec("zone", "Zone", "choice", self.zones(True)),
                    FieldSpec("share", "Share (%)", "number", default="25", lo=0, hi=100),
                ],
                lambda v: {"kind": "share_stockpile", "zone": v["zone"], "share_pct": v["share"]},
                "Commits a share of your stockpiles to members in an emergency; 0 withdraws it.",
            ),
        ]

    def _instrument_fields(self) -> list[FieldSpec]:
        instrument = self.values.get("instrument", "ban")
        if instrument == "quota":
            return [FieldSpec("quota", "Quota (t/yr)", "number", default="1000", lo=0, hi=1e9)]
        if instrument == "licensing":
            return [FieldSpec("pass", "Licences granted (%)", "number", default="50", lo=0, hi=100)]
        if instrument == "export_tax":
            return [FieldSpec("tax", "Export tax (%)", "number", default="15", lo=0, hi=100)]
        return []

    def _export_control(self, v: dict[str, Any]) -> dict[str, Any]:
        order = {
            "kind": "export_control",
            "mineral": v["mineral"],
            "stage": v["stage"],
            "instrument": v["instrument"],
            "targets": [] if v["target"] == "*" else [v["target"]],
        }
        if "quota" in v:
            order["quota_tpy"] = v["quota"]
        if "pass" in v:
            order["pass_share"] = v["pass"] / 100
        if "tax" in v:
            order["tax_pct"] = v["tax"]
        return order

    def _zone(self, v: dict[str, Any]) -> dict[str, Any]:
        name = v["zone_name"].strip()
        slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:40] or "zone"
        order = {
            "kind": "propose_zone",
            "zone": slug,
            "name": name or "Zone",
            "invite": [v["partner"]],
            "external_tariff_pct": {v["mineral"]: v["tariff_pct"]},
        }
        if v["floor"] > 0:
            order["price_floor_usd_per_t"] = {v["mineral"]: v["floor"]}
        return order

    def _offtake(self, v: dict[str, Any]) -> dict[str, Any]:
        me, other = self.play.nation, v["partner"]
        buyer, seller = (me, other) if v["role"] == "buyer" else (other, me)
        return {
            "kind": "propose_deal",
            "deal": "offtake",
            "buyer": buyer,
            "seller": seller,
            "mineral": v["mineral"],
            "stage": v["stage"],
            "tonnes_per_turn": v["tonnes"],
            "duration_turns": int(v["duration"]),
            "discount_pct": v["discount"],
            "financing_usd_m": v["financing"],
        }

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
        row = u(40)
        label_w = col_w * 2 // 5
        for spec in self.specs.values():
            lab = b.label(pygame.Rect(pad, y, label_w, u(34)), spec.label)
            if spec.tip:
                lab.set_tooltip(spec.tip)
            rect = pygame.Rect(pad + label_w, y, col_w - label_w, u(34))
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
        self.about = b.text(
            pygame.Rect(pad, y + u(4), col_w, u(74)), f"<font color='#a9b6c3'>{esc(self.action.about)}</font>"
        )
        y += u(84)
        self.status_box = b.text(pygame.Rect(pad, y, col_w, u(84)), "")
        y += u(92)
        self.submit = b.button(
            pygame.Rect(pad, y, u(200), u(44)),
            "Submit order",
            "Queue the order for this turn (it applies when the turn ends)",
            "@primary",
            "#submit",
        )
        self.why = None
        if self.play.game.room is not None:  # a wargame: the team's own note for the hot-wash
            self.why = b.entry(
                pygame.Rect(pad + u(210), y + u(5), col_w - u(210), u(34)),
                "",
                "Why (optional; the hot-wash prints it)",
            )
            self.why.placeholder_text = "Why? (optional note)"
            self.why.rebuild()
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
                summary = p.summary()
                text = (
                    f"{self.play.name(p.sender)}: {summary.split(': ', 1)[-1]} (until "
                    f"{self.play.scenario.date_of(p.expires_turn)})"
                )
                short = f"{self.play.short_name(p.sender)}: {summary.split(': ', 1)[-1]}"
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
        return self.action.order(self.read())

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
            text += f" · costs <b>${cost:,.0f}m</b> when it applies" if cost else " · no cost to the treasury"
            text += f"<br><font color='#a9b6c3'>Treasury ${self.play.obs.treasury_usd_m:,.0f}m</font>"
        else:
            text = f"<font color='#ff8a7a'><b>Not possible:</b> {esc(reason)}</font>"
        self.status_box.set_text(text)
        return self.status

    def do_submit(self) -> bool:
        try:
            raw = self.order()
        except BadInput as exc:
            self.app.notify(str(exc), bad=True)
            self.validate()
            return False
        ok, reason, cost = self.play.submit(raw)
        if ok:
            if self.why is not None and self.why.get_text().strip():
                from game.ui.wargame import note_rationale

                note_rationale(self.play.game, self.play.nation, self.play.queued()[-1], self.why.get_text())
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
                        f"{'Accepted' if accept else 'Refused'} proposal #{proposal}"
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
