"""Investment that nations order: a plant at home, or abroad with the host's consent, and the
capacity a deal's financing builds. (What the market builds on its own is
`game.world.economy.investment`.)

What may be ordered is decided by `invest_refusal` over `investment_cost`, the fact
`memoranda` (whether the host must consent) and the treasury: the desk's check and the lab's
masks call the same ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules import FirmKind, Stage
from game.rules.orders import DealKind, Invest, ProposeDeal
from game.world.economy.projects import Project, cancel_hazard, lead_time
from game.world.mechanisms.base import Label, Lever, refuse, same, within

if TYPE_CHECKING:
    from game.world.state import WorldState


def investment_cost(world: WorldState, o: Invest) -> float:
    t = world.content.projects.get(o.template)
    return 0.0 if t is None else t.capex_usd_m(o.share_pct)


def memoranda(s: WorldState) -> set[frozenset[str]]:
    """The pairs of nations with a memorandum in force: investment between them needs no consent."""
    return {
        frozenset((d.terms.buyer, d.terms.seller))
        for d in s.diplomacy.deals_in_force(s.turn)
        if d.terms.deal == DealKind.MEMORANDUM
    }


def needs_consent(issuer: str, country: str, signed: set[frozenset[str]]) -> bool:
    """Whether the host `country` must consent (a proposal), with the `memoranda` `signed`."""
    return country != issuer and frozenset((issuer, country)) not in signed


def _needs_consent(world: WorldState, o: Invest) -> bool:
    return needs_consent(o.issuer, o.country, memoranda(world))


def _invest_verb(o: Invest, n: Label = same) -> str:
    return f"invest in {o.template.replace('_', ' ')} in {n(o.country)}"


def invest_refusal(
    s: WorldState, template_id: str, consent: bool, cost: float, treasury: float, pending: bool = False
) -> str | None:
    """Why a nation holding `treasury` cannot invest in `template_id` at `cost`
    (`investment_cost`), where the host must `consent` or not, and the same proposal is
    `pending` or not; None if it can (an investment at home is charged by the desk, with the
    orders the nation queued)."""
    template = s.content.projects.get(template_id)
    if template is None:
        return f"there is no project template {template_id}"
    if template.mineral not in s.mineral_index_of:
        return f"{template.mineral} is not traded in this scenario"
    if consent:
        if pending:
            return "the same proposal is already waiting for an answer"
        return funds_refusal(cost, treasury)  # charged when the host consents
    return None


def funds_refusal(cost: float, treasury: float) -> str | None:
    return None if within(cost, treasury) else f"it costs ${cost:,.0f}m, more than its treasury"


def _check_invest(world: WorldState, o: Invest) -> str | None:
    consent = _needs_consent(world, o)
    pending = consent and any(p.order == o for p in world.diplomacy.pending(sender=o.issuer))
    treasury = float(world.treasury[world.nation_index[o.issuer]])
    why = invest_refusal(world, o.template, consent, investment_cost(world, o), treasury, pending)
    return None if why is None else refuse(world, o, _invest_verb(o, world.label), why)


def check_funds(world: WorldState, o: Invest) -> str | None:
    why = funds_refusal(investment_cost(world, o), float(world.treasury[world.nation_index[o.issuer]]))
    return None if why is None else refuse(world, o, _invest_verb(o, world.label), why)


def _invest_cost(world: WorldState, o: Invest) -> float:
    return 0.0 if _needs_consent(world, o) else investment_cost(world, o)


def _apply_invest(world: WorldState, o: Invest) -> None:
    if _needs_consent(world, o):
        world.diplomacy.propose(world.turn, o.issuer, o.country, o)
    else:
        start_investment(world, o, paid=True)


def start_investment(world: WorldState, o: Invest, paid: bool = False) -> None:
    """Start the plant (the issuer pays now unless `paid`)."""
    i = world.nation_index[o.issuer]
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
            country=world.nation_index[country],
            owner=world.nation_index[owner],
            capacity=capacity,
            unit_cost=template.unit_cost_usd_per_t,
            turns_left=lead_time(template, float(world.rng.random())),
            delay_probability=template.delay_probability,
            cancel_hazard=cancel_hazard(template),
            started=world.turn,
        )
    )


LEVERS = {Invest: Lever(10, _invest_verb, _check_invest, _apply_invest, _invest_cost)}
