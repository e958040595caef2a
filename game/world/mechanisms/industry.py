"""Industry levers: invest in plants, buy and release stockpiles, subsidise, fund research."""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules import FirmKind, Sector, Stage
from game.rules.orders import FundRnD, Invest, ProposeDeal, Stockpile, StockpileAction, Subsidise
from game.world.economy.projects import Project, cancel_hazard, lead_time
from game.world.mechanisms.base import Lever, refuse
from game.world.mechanisms.programmes import RND_TURNS, Research, Subsidy

if TYPE_CHECKING:
    from game.world.model import WorldModel


# ---------------------------------------------------------------- investment


def investment_cost(world: WorldModel, o: Invest) -> float:
    t = world.content.projects.get(o.template)
    return 0.0 if t is None else t.capex_usd_per_tpy * t.capacity_tpy / 1e6 * o.share_pct / 100


def _needs_consent(world: WorldModel, o: Invest) -> bool:
    return o.country != o.issuer and not world.diplomacy.memorandum_between(o.issuer, o.country, world.turn)


def _invest_verb(o: Invest) -> str:
    return f"invest in {o.template.replace('_', ' ')} in {o.country}"


def _check_invest(world: WorldModel, o: Invest) -> str | None:
    verb = _invest_verb(o)
    template = world.content.projects.get(o.template)
    if template is None:
        return refuse(world, o, verb, f"there is no project template {o.template}")
    if template.mineral not in world.mineral_ids:
        return refuse(world, o, verb, f"{template.mineral} is not traded in this scenario")
    if _needs_consent(world, o):
        if any(p.order == o for p in world.diplomacy.pending(sender=o.issuer)):
            return refuse(world, o, verb, "the same proposal is already waiting for an answer")
        return check_funds(world, o)  # charged when the host consents
    return None


def check_funds(world: WorldModel, o: Invest) -> str | None:
    cost = investment_cost(world, o)
    if cost > world.treasury[world.nation_ids.index(o.issuer)] + 1e-9:
        return refuse(world, o, _invest_verb(o), f"it costs ${cost:,.0f}m, more than its treasury")
    return None


def _invest_cost(world: WorldModel, o: Invest) -> float:
    return 0.0 if _needs_consent(world, o) else investment_cost(world, o)


def _apply_invest(world: WorldModel, o: Invest) -> None:
    if _needs_consent(world, o):
        world.diplomacy.propose(world.turn, o.issuer, o.country, o)
    else:
        start_investment(world, o, paid=True)


def start_investment(world: WorldModel, o: Invest, paid: bool = False) -> None:
    """Start the plant (the issuer pays now unless `paid`)."""
    i = world.nation_ids.index(o.issuer)
    if not paid:
        world.treasury[i] -= investment_cost(world, o)
    template = world.content.projects[o.template]
    owner = o.issuer if o.share_pct > 50 else o.country
    _start(world, o.template, o.country, owner, template.capacity_tpy / 4)
    if o.country != o.issuer:
        world.diplomacy.act(world.turn, o.issuer, o.country, "investment")


def finance_capacity(world: WorldModel, terms: ProposeDeal) -> None:
    """A deal's financing builds capacity in the seller's country, owned by the buyer."""
    kind = FirmKind.MINE if terms.stage == Stage.ORE else FirmKind.REFINERY
    template = world.content.projects.get(f"{terms.mineral}_{kind.value}")
    if template is None:
        return
    tpy = terms.financing_usd_m * 1e6 / template.capex_usd_per_tpy
    _start(world, template.id, terms.seller, terms.buyer, tpy / 4)


def _start(world: WorldModel, template_id: str, country: str, owner: str, capacity: float) -> None:
    template = world.content.projects[template_id]
    world.pipeline.projects.append(
        Project(
            name=f"{template.id.replace('_', ' ')} in {world.display(country)} ({world.display(owner)})",
            kind=template.kind,
            mineral=world.mineral_index(template.mineral),
            country=world.nation_ids.index(country),
            owner=world.nation_ids.index(owner),
            capacity=capacity,
            unit_cost=template.unit_cost_usd_per_t,
            turns_left=lead_time(template, float(world.rng.random())),
            delay_probability=template.delay_probability,
            cancel_hazard=cancel_hazard(template),
            started=world.turn,
        )
    )


# ---------------------------------------------------------------- stockpiles


def _stock_verb(o: Stockpile) -> str:
    return (
        f"{o.action.value} {o.mineral} {'for' if o.action == StockpileAction.BUY else 'from'} its stockpile"
    )


def _check_stockpile(world: WorldModel, o: Stockpile) -> str | None:
    verb = _stock_verb(o)
    i, m = world.nation_ids.index(o.issuer), world.mineral_index(o.mineral)
    if o.action == StockpileAction.BUY:
        if o.tonnes <= 0 or o.budget_usd_m <= 0:
            return refuse(world, o, verb, "a purchase needs both tonnes and a budget above 0")
        return None
    if o.budget_usd_m:
        return refuse(world, o, verb, "a release takes no budget")
    held = world.stockpile[i, m] - world.forced_release[i, m]
    if o.tonnes <= 0 or o.tonnes > held + 1e-9:
        return refuse(world, o, verb, f"it holds {max(held, 0):,.0f} t to release")
    return None


def _apply_stockpile(world: WorldModel, o: Stockpile) -> None:
    i, m = world.nation_ids.index(o.issuer), world.mineral_index(o.mineral)
    if o.action == StockpileAction.BUY:
        world.stock_budget[i] += o.budget_usd_m
        world.stock_target[i, m] += o.tonnes
    else:
        world.forced_release[i, m] += o.tonnes


def _stock_cost(world: WorldModel, o: Stockpile) -> float:
    return o.budget_usd_m if o.action == StockpileAction.BUY else 0.0


# ---------------------------------------------------------------- programmes


def _check_subsidy(world: WorldModel, o: Subsidise) -> str | None:
    i, m = world.nation_ids.index(o.issuer), world.mineral_index(o.mineral)
    sector = None if o.sector is None else list(Sector).index(o.sector)
    if o.usd_m_per_turn > world.treasury[i] + 1e-9:
        return refuse(
            world, o, f"subsidise {o.mineral} {o.programme.value}", "its treasury cannot pay the first turn"
        )
    for s in world.subsidies:
        if (s.issuer, s.programme, s.mineral, s.sector) == (i, o.programme, m, sector):
            return refuse(
                world,
                o,
                f"subsidise {o.mineral} {o.programme.value}",
                f"one is running ({s.turns_left} turns left)",
            )
    return None


def _apply_subsidy(world: WorldModel, o: Subsidise) -> None:
    world.subsidies.append(
        Subsidy(
            issuer=world.nation_ids.index(o.issuer),
            programme=o.programme,
            mineral=world.mineral_index(o.mineral),
            sector=None if o.sector is None else list(Sector).index(o.sector),
            usd_m_per_turn=o.usd_m_per_turn,
            turns_left=o.turns,
        )
    )


def _check_rnd(world: WorldModel, o: FundRnD) -> str | None:
    return None


def _apply_rnd(world: WorldModel, o: FundRnD) -> None:
    world.research.append(
        Research(
            issuer=world.nation_ids.index(o.issuer),
            programme=o.programme,
            mineral=world.mineral_index(o.mineral),
            budget_usd_m=o.budget_usd_m,
            turns_left=RND_TURNS,
        )
    )


LEVERS = {
    Invest: Lever(10, _invest_verb, _check_invest, _apply_invest, _invest_cost),
    Stockpile: Lever(12, _stock_verb, _check_stockpile, _apply_stockpile, _stock_cost),
    Subsidise: Lever(
        13,
        lambda o: f"subsidise {o.mineral} {o.programme.value}",
        _check_subsidy,
        _apply_subsidy,  # paid turn by turn by the programme, from this turn on
    ),
    FundRnD: Lever(
        14,
        lambda o: f"fund {o.mineral} {o.programme.value} research",
        _check_rnd,
        _apply_rnd,
        lambda w, o: o.budget_usd_m,
    ),
}
