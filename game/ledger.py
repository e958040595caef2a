"""What a nation's orders did, and its national ledger: a reader over the world's public
state, the turn records and the order desk's log. It changes nothing.

The world keeps only the present (treasury, stockpiles, budgets) and per-turn arrays, so
the player's side takes a `Snapshot` before each turn; the difference with the state after
the turn is what the turn did. Where the world does not itemise something (an event's
grant), the ledger says so in a line named for it instead of leaving money untraced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from game.rules.diplomacy import Proposal
from game.rules.orders import (
    FundRnD,
    ImposeExportControl,
    Invest,
    Order,
    ProposeDeal,
    SetTariff,
    Stockpile,
    Subsidise,
)

SECTOR_NAMES = {
    "ev_batteries": "EV batteries",
    "grid_storage": "grid storage",
    "electronics": "electronics & semiconductors",
    "defence": "defence",
    "wind_solar": "wind & solar",
    "other": "other uses",
}
SPECIAL_NAMES = {
    "rare_earths": "rare earths",
    "pgm": "platinum-group metals",
}


def mineral_label(mineral: str) -> str:
    return SPECIAL_NAMES.get(mineral, mineral.replace("_", " "))


@dataclass
class Snapshot:
    """The nation's accounts before a turn."""

    turn: int
    treasury: float
    stockpile: np.ndarray  # (M,) t
    stock_budget: float
    subsidies_usd_m: float  # paid per turn by the programmes running
    proposals: dict[int, Proposal]

    @classmethod
    def take(cls, world: Any, nation: str) -> Snapshot:
        i = world.nation_ids.index(nation)
        return cls(
            turn=world.turn,
            treasury=float(world.treasury[i]),
            stockpile=np.array(world.stockpile[i], dtype=float),
            stock_budget=float(world.stock_budget[i]),
            subsidies_usd_m=float(sum(s.usd_m_per_turn for s in world.subsidies if s.issuer == i)),
            proposals=dict(world.diplomacy.proposals),
        )


@dataclass(frozen=True)
class Outcome:
    """One line of 'Your orders': the order as the player wrote it, and what came of it."""

    order: str
    result: str
    good: bool | None


@dataclass
class Spending:
    """Where the money went in one turn: named lines that add up to the treasury's move."""

    lines: list[tuple[str, float]] = field(default_factory=list)  # (what, USD m; + in, − out)
    before: float = 0.0
    after: float = 0.0


@dataclass
class MineralLedger:
    mineral: str
    need_by_sector: list[tuple[str, float, float]]  # (sector, need t, got t) this turn
    bought: list[tuple[str, float, float]]  # (source nation, t, origin price USD/t)
    you_paid: float  # USD/t, average for civil buyers at home
    world_average: float  # USD/t
    stockpile: float
    months_of_cover: float
    stock_target: float
    deals: list[str]
    programmes: list[str]
    projects: list[str]
    industry_stock: float = 0.0  # t of refined metal the country's manufacturers hold
    industry_stock_change: float = 0.0  # t, last quarter (restocking +, destocking -)


class Names:
    """Display names for the ids a player must never read."""

    def __init__(self, content: Any, world: Any) -> None:
        self.content = content
        self.world = world
        self.table: dict[str, str] = {nid: spec.name for nid, spec in content.nations.items()}
        self.table.update({mid: mineral_label(mid) for mid in world.mineral_ids})
        self.table.update(SECTOR_NAMES)
        # firms (plant expansions are named after them): the name without its bracketed detail
        self.table.update({f.id: f.name.split(" (")[0] for f in getattr(content, "firms", ())})
        self.known: dict[int, Proposal] = {}
        """Every proposal seen so far (answers name them after they are gone from the world)."""
        self._key: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None

    def _compiled(self) -> re.Pattern[str]:
        """The id pattern, rebuilt when a zone is founded (zones have ids too)."""
        zones = tuple(sorted(self.world.policies.zones))
        if self._pattern is None or zones != self._key:
            for zid in zones:
                self.table[zid] = self.world.policies.zones[zid].name
            ids = [
                k
                for k in self.table
                if "_" in k or k in self.world.nation_ids or k in self.world.mineral_ids or k in zones
            ]
            ids.sort(key=len, reverse=True)  # 'south_korea' before any shorter id inside it
            self._pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in ids) + r")\b")
            self._key = zones
        return self._pattern

    def nation(self, nid: str) -> str:
        return self.table.get(nid, nid.replace("_", " "))

    def __call__(self, text: str, proposals: dict[int, Proposal] | None = None) -> str:
        """`text` with ids turned into names and 'proposal #N' into what was proposed."""
        self.known.update(self.world.diplomacy.proposals)
        proposals = {**self.known, **(proposals or {})}
        if proposals:
            text = re.sub(
                r"proposal #(\d+)",
                lambda m: self.proposal(proposals.get(int(m.group(1)))) or m.group(0),
                text,
            )
        text = self._compiled().sub(lambda m: self.table[m.group(1)], text)
        text = re.sub(
            r"String should match pattern '[^']*'",
            "use letters, digits and spaces, starting with a letter",
            text,
        )
        return text

    def proposal(self, p: Proposal | None) -> str:
        if p is None:
            return ""
        o = p.order
        who = f"{self.nation(p.sender)}'s"
        if isinstance(o, ProposeDeal):
            if o.deal.value == "memorandum":
                return f"{who} memorandum on {mineral_label(o.mineral)} (to {self.nation(p.to)})"
            return (
                f"{who} offtake proposal to {self.nation(p.to)} ({o.tonnes_per_turn:,.0f} t a quarter of "
                f"{o.stage.value} {mineral_label(o.mineral)}, {o.duration_turns} quarters)"
            )
        if isinstance(o, Invest):
            return f"{who} proposal to invest in {self.nation(o.country)} ({o.template.replace('_', ' ')})"
        return f"{who} invitation to {self.nation(p.to)} to join a zone"


def outcomes(
    world: Any,
    nation: str,
    before: Snapshot,
    describe: Any,
    costs: dict[str, float],
    names: Names,
) -> list[Outcome]:
    """What each of `nation`'s orders of the turn just resolved did, or why it was refused;
    then what each of its deals delivered."""
    turn = before.turn
    i = world.nation_ids.index(nation)
    records = [r for r in world.desk.log if r.turn == turn and r.issuer == nation and r.stage != "event"]
    record = world.records[-1] if world.records else None
    out: list[Outcome] = []
    for r in records:
        text = describe(r.order)
        if not r.accepted:
            out.append(Outcome(text, f"Refused: {names(r.reason, before.proposals)}", False))
            continue
        cost = costs.get(r.order.model_dump_json(), 0.0)
        did = _did(world, r.order, i, before, cost, names, record)
        out.append(Outcome(text, did, "cancelled" not in did))
    if record is not None:
        for d in world.diplomacy.deals_in_force(turn):
            t = d.terms
            if nation not in (t.buyer, t.seller) or t.deal.value != "offtake":
                continue
            m = world.mineral_ids.index(t.mineral)
            o, b = world.nation_ids.index(t.seller), world.nation_ids.index(t.buyer)
            flow = record.refined_flow if t.stage.value == "refined" else record.ore_flow
            got = min(t.tonnes_per_turn, float(flow[m, o, b]))
            other = t.seller if nation == t.buyer else t.buyer
            verb = "delivered" if nation == t.buyer else "you delivered"
            out.append(
                Outcome(
                    f"Deal with {names.nation(other)} ({mineral_label(t.mineral)})",
                    f"{verb} {got:,.0f} t of {t.tonnes_per_turn:,.0f} t this quarter; runs to "
                    f"{world.scenario.date_of(min(d.end_turn, world.scenario.turns) - 1)}",
                    got >= 0.95 * t.tonnes_per_turn,
                )
            )
    return out


def _did(world: Any, o: Order, i: int, before: Snapshot, cost: float, names: Names, record: Any) -> str:
    paid = f" for ${cost:,.0f}m" if cost else ""
    if isinstance(o, Stockpile):
        m = world.mineral_ids.index(o.mineral)
        moved = float(world.stockpile[i, m] - before.stockpile[m])
        price = float(record.refined_paid[m, i]) if record is not None else 0.0
        if o.action.value == "buy":
            bought = max(moved, 0.0)
            return (
                f"set aside ${o.budget_usd_m:,.0f}m; bought {bought:,.0f} t this quarter for "
                f"${bought * price / 1e6:,.1f}m (you paid ${price:,.0f}/t); the rest is bought over "
                f"the next quarters while the price is not too high; stock now "
                f"{float(world.stockpile[i, m]):,.0f} t"
            )
        return f"released {max(-moved, 0.0):,.0f} t at ${price:,.0f}/t (you paid)"
    if isinstance(o, ProposeDeal):
        mine = [p for p in world.diplomacy.proposals.values() if p.sender == o.issuer and p.order == o]
        who = names.nation(o.counterparty)
        return f"offer sent to {who}{paid}; {who} answers next quarter" + (
            f" (until {world.scenario.date_of(mine[0].expires_turn)})" if mine else ""
        )
    if isinstance(o, Invest):
        return _invested(world, o, before, paid, names)
    if isinstance(o, Subsidise):
        return f"programme running: ${o.usd_m_per_turn:,.0f}m a quarter for {o.turns} quarters"
    if isinstance(o, FundRnD):
        return f"research funded{paid}; the result is known when it ends"
    if isinstance(o, ImposeExportControl | SetTariff):
        return _trade_effect(world, o, i, paid, names)
    if o.kind == "respond":
        p = before.proposals.get(o.proposal)
        what = names.proposal(p) or "the proposal"
        return f"you {'accepted' if o.accept else 'refused'} {what}"
    return f"in force{paid}"


def _trade_effect(world: Any, o: Any, i: int, paid: str, names: Names) -> str:
    """A control or tariff in force, with the tonnes it bears on: the player's exports to
    the targets (a control) or imports from the origins (a tariff), last quarter and this."""
    if len(world.records) < 2:
        return f"in force{paid}"
    m = world.mineral_ids.index(o.mineral)
    ore = o.stage.value == "ore"
    before, after = (r.ore_flow if ore else r.refined_flow for r in world.records[-2:])
    others = [k for k in range(len(world.nation_ids)) if k != i]
    if isinstance(o, ImposeExportControl):
        far = [world.nation_ids.index(t) for t in o.targets] or others
        was, now = float(before[m, i, far].sum()), float(after[m, i, far].sum())
        to = ", ".join(names.nation(t) for t in o.targets) or "everyone"
        what = f"your {o.stage.value} {mineral_label(o.mineral)} exports to {to}"
    else:
        far = [world.nation_ids.index(t) for t in o.origins] or others
        was, now = float(before[m, far, i].sum()), float(after[m, far, i].sum())
        frm = ", ".join(names.nation(t) for t in o.origins) or "everyone"
        what = f"your {o.stage.value} {mineral_label(o.mineral)} imports from {frm}"
    return f"in force{paid}: {what} {was:,.0f} t last quarter, {now:,.0f} t this quarter"


def _invested(world: Any, o: Invest, before: Snapshot, paid: str, names: Names) -> str:
    """Where the plant an Invest order started stands after the turn: building (and when it
    is due), or already cancelled; an investment abroad without consent is a proposal."""
    if not paid and o.country != o.issuer:
        return f"proposed to {names.nation(o.country)}; the plant starts if it consents"
    label = o.template.replace("_", " ")
    for p in world.pipeline.projects:
        if p.started == before.turn and p.name.startswith(f"{label} in {names.nation(o.country)}"):
            due = world.scenario.date_of(min(before.turn + p.turns_left, world.scenario.turns - 1))
            return f"plant started{paid}; due online in {p.turns_left} quarters (about {due}) unless delayed"
    for h in world.news:
        if h.turn == before.turn and h.event == "project" and label in h.news and "cancelled" in h.news:
            return (
                f"plant started{paid}, then cancelled this quarter (permits or local opposition); "
                "the money is spent"
            )
    return f"plant started{paid}"


def spending(world: Any, nation: str, before: Snapshot, costs: dict[str, float], describe: Any) -> Spending:
    """The treasury's move over the turn just resolved, line by line."""
    i = world.nation_ids.index(nation)
    turn = before.turn
    out = Spending(before=before.treasury, after=float(world.treasury[i]))
    for r in world.desk.log:
        if r.turn == turn and r.issuer == nation and r.accepted and r.stage != "event":
            cost = costs.get(r.order.model_dump_json(), 0.0)
            if cost:
                out.lines.append((describe(r.order), -cost))
    subsidies = before.subsidies_usd_m + sum(
        r.order.usd_m_per_turn
        for r in world.desk.log
        if r.turn == turn and r.issuer == nation and r.accepted and isinstance(r.order, Subsidise)
    )
    if subsidies:
        out.lines.append(("Subsidy programmes this quarter", -subsidies))
    record = world.records[-1] if world.records else None
    if record is not None:
        released = np.maximum(before.stockpile - world.stockpile[i], 0.0)
        sales = float((released * record.refined_paid[:, i]).sum()) / 1e6
        if sales > 0.05:
            out.lines.append(("Stockpile releases sold at home", sales))
    out.lines.append(("Policy budget from the finance ministry", float(world.budget_income[i])))
    if world.trade_revenue[i]:
        out.lines.append(("Tariff and export-tax revenue", float(world.trade_revenue[i])))
    if world.zone_fund_paid[i]:
        out.lines.append(("Zone price-floor fund", -float(world.zone_fund_paid[i])))
    rest = out.after - out.before - sum(v for _, v in out.lines)
    if abs(rest) >= 0.5:
        out.lines.append(("Events, and programmes the treasury could not pay", rest))
    return out


def mineral_ledger(world: Any, obs: Any, nation: str, mineral: str, names: Names) -> MineralLedger:
    """The player's position in one mineral after the last turn."""
    i = world.nation_ids.index(nation)
    m = world.mineral_ids.index(mineral)
    record = world.records[-1] if world.records else None
    from agents.observation import SECTORS

    if record is not None:
        need = record.need[m, i]
        got = record.consumption[m, i]
        flow = record.refined_flow[m, :, i]
        origin = record.refined_price[m]
        you_paid = float(record.refined_paid[m, i])
        world_avg = float(record.refined_paid[m, : len(world.nation_ids)].mean())
    else:
        need = obs.need[m]
        got = need - obs.shortfall[m]
        flow = np.zeros(len(world.nation_ids))
        origin = np.zeros(len(world.nation_ids))
        you_paid = float(world.start_paid[m, i])
        world_avg = float(world.start_paid[m, : len(world.nation_ids)].mean())
    sectors = [
        (SECTOR_NAMES.get(s.value, s.value), float(need[k]), float(got[k])) for k, s in enumerate(SECTORS)
    ]
    bought = [
        (
            "home producers" if o == i else names.nation(world.nation_ids[o]),
            float(flow[o]),
            float(origin[o]),
        )
        for o in np.argsort(-flow)
        if flow[o] > 0.5
    ]
    total_need = float(np.sum(need))
    stock = float(world.stockpile[i, m])
    cover = stock / total_need * 3 if total_need > 0 else float("inf")
    deals = []
    for d in world.diplomacy.deals_in_force(world.turn):
        t = d.terms
        if t.mineral == mineral and nation in (t.buyer, t.seller) and t.deal.value == "offtake":
            other = names.nation(t.seller if nation == t.buyer else t.buyer)
            role = "from" if nation == t.buyer else "to"
            until = world.scenario.date_of(min(d.end_turn, world.scenario.turns) - 1)
            deals.append(f"{t.tonnes_per_turn:,.0f} t a quarter {role} {other} until {until}")
    programmes = [
        f"{s.programme.value} subsidy ${s.usd_m_per_turn:,.0f}m a quarter, {s.turns_left} quarters left"
        for s in world.subsidies
        if s.issuer == i and s.mineral == m
    ] + [
        f"{r.programme.value} research ${r.budget_usd_m:,.0f}m, result in {r.turns_left} quarters"
        for r in world.research
        if r.issuer == i and r.mineral == m
    ]
    # the pipeline itself, not the observation's list: that one leaves out expansions of
    # plants that already run, which are most of what a player's Invest orders build
    projects = []
    for p in world.pipeline.projects:
        if p.owner != i or p.mineral != m:
            continue
        label = names(p.name) or p.kind.value
        if " in " not in label:
            label += f" in {names.nation(world.nation_ids[p.country])}"
        projects.append(f"{label}: +{p.capacity * 4:,.0f} t/yr, online in {p.turns_left} quarters")
    return MineralLedger(
        mineral=mineral_label(mineral),
        need_by_sector=sectors,
        bought=bought,
        you_paid=you_paid,
        world_average=world_avg,
        stockpile=stock,
        months_of_cover=cover,
        stock_target=float(world.stock_target[i, m]),
        deals=deals,
        programmes=programmes,
        projects=projects,
        industry_stock=float(world.inventory[m, i]),
        industry_stock_change=float(record.inventory_change[m, i]) if record is not None else 0.0,
    )
