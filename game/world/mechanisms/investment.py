"""Investment that nations order: a plant at home, or abroad with the host's consent, and the
capacity a deal's financing builds. (What the market builds on its own is
`game.world.economy.investment`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules import FirmKind, Stage
from game.rules.orders import Invest, ProposeDeal
from game.world.economy.projects import Project, cancel_hazard, lead_time
from game.world.mechanisms.base import Lever, refuse

if TYPE_CHECKING:
    from game.world.state import WorldState


def investment_cost(world: WorldState, o: Invest) -> float:
    t = world.content.projects.get(o.template)
    return 0.0 if t is None else t.capex_usd_m(o.share_pct)


def _needs_consent(world: WorldState, o: Invest) -> bool:
    return o.country != o.issuer and not world.diplomacy.memorandum_between(o.issuer, o.country, world.turn)


def _invest_verb(o: Invest) -> str:
    return f"invest in {o.template.replace('_', ' ')} in {o.country}"


def _check_invest(world: WorldState, o: Invest) -> str | None:
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


def check_funds(world: WorldState, o: Invest) -> str | None:
    cost = investment_cost(world, o)
    if cost > world.treasury[world.nation_ids.index(o.issuer)] + 1e-9:
        return refuse(world, o, _invest_verb(o), f"it costs ${cost:,.0f}m, more than its treasury")
    return None


def _invest_cost(world: WorldState, o: Invest) -> float:
    return 0.0 if _needs_consent(world, o) else investment_cost(world, o)


def _apply_invest(world: WorldState, o: Invest) -> None:
    if _needs_consent(world, o):
        world.diplomacy.propose(world.turn, o.issuer, o.country, o)
    else:
        start_investment(world, o, paid=True)


def start_investment(world: WorldState, o: Invest, paid: bool = False) -> None:
    """Start the plant (the issuer pays now unless `paid`)."""
    i = world.nation_ids.index(o.issuer)
    if not paid:
        world.treasury[i] -= investment_cost(world, o)
    template = world.content.projects[o.template]
    owner = o.issuer if o.share_pct > 50 else o.country
    _start(world, o.template, o.country, owner, template.capacity_tpy / 4)
    if o.country != o.issuer:
        world.diplomacy.act(world.turn, o.issuer, o.country, "investment")


def finance_capacity(world: WorldState, terms: ProposeDeal) -> None:
    """A deal's financing builds capacity in the seller's country, owned by the buyer."""
    kind = FirmKind.MINE if terms.stage == Stage.ORE else FirmKind.REFINERY
    template = world.content.projects.get(f"{terms.mineral}_{kind.value}")
    if template is None:
        return
    tpy = terms.financing_usd_m * 1e6 / template.capex_usd_per_tpy
    _start(world, template.id, terms.seller, terms.buyer, tpy / 4)


def _start(world: WorldState, template_id: str, country: str, owner: str, capacity: float) -> None:
    template = world.content.projects[template_id]
    world.pipeline.add(
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


LEVERS = {Invest: Lever(10, _invest_verb, _check_invest, _apply_invest, _invest_cost)}
