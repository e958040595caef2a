"""Events at work: what happens each turn (scheduled, conditional and random events, controls
expiring) and what each effect does to the world. When events fire is the engine's business
(`events.EventEngine`); what they change is written here, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from game.rules import Event
from game.rules import events as ev
from game.world.economy.demand import need_now
from game.world.economy.projects import Project
from game.world.mechanisms import controls
from game.world.mechanisms.desk import apply_order_effect
from game.world.mechanisms.events import Shock
from game.world.record import Happened
from game.world.state import SECTORS

if TYPE_CHECKING:
    from game.world.state import WorldState


def step_events(s: WorldState) -> None:
    """This turn's events: triggers read the world as last turn left it, before anything
    below changes it; shocks that ran out end; controls whose term has come expire; then the
    scheduled, conditional and random events apply, in that order."""
    draws = s.rng.random(s.events.draws_per_turn()).tolist()
    n_random = len(s.scenario.random_events)
    conditional = s.events.conditional(s, draws[n_random:])
    if s.events.expire(s.turn):
        apply_shocks(s)
    controls.expire(s)
    for event in s.events.scheduled(s.turn):
        apply_event(s, event, "scheduled")
    for event in conditional:
        apply_event(s, event, "conditional")
    for event in s.events.random(s.turn, draws[:n_random]):
        apply_event(s, event, "random")


def apply_event(s: WorldState, event: Event, kind: str) -> None:
    for effect in event.effects:
        apply_effect(s, effect, event.id)
    s.news.append(Happened(s.turn, event.id, event.name, event.news, kind))


def apply_effect(s: WorldState, effect: ev.Effect, source: str) -> None:
    match effect:
        case ev.SupplyShock() | ev.DemandShock() | ev.Technology():
            if effect.mineral in s.mineral_ids:
                s.events.shocks.append(Shock.of(effect, s.turn, source))
                apply_shocks(s)
        case ev.TreasuryChange():
            if effect.nation in s.nation_ids:
                s.treasury[s.nation_index[effect.nation]] += effect.change_usd_m
        case ev.OrderEffect() if effect.order.issuer in s.team_nations:
            _left_to_team(s, effect.order.issuer, effect.order.kind.replace("_", " "), source)
        case ev.ImposeControl() if effect.control.issuer in s.team_nations:
            c = effect.control
            what = f"impose a {c.instrument.value} on {c.stage.value} {c.mineral}"
            _left_to_team(s, c.issuer, what.replace("_", " "), source)
        case ev.LiftControl() if effect.issuer in s.team_nations:
            _left_to_team(s, effect.issuer, f"lift its controls on {effect.mineral}", source)
        case ev.OrderEffect():
            apply_order_effect(s, effect.order)
        case ev.ImposeControl():
            c = effect.control
            if c.mineral in s.mineral_ids and c.issuer in s.nation_ids:
                targets = [t for t in c.targets if t in s.nation_ids]
                if c.targets and not targets:
                    return
                controls.impose(s, c.model_copy(update={"targets": targets}))
        case ev.LiftControl():
            if effect.mineral in s.mineral_ids:
                controls.lift(s, effect.issuer, effect.mineral, effect.stage, effect.instrument)
        case ev.ImposeTariff():
            if effect.tariff.mineral in s.mineral_ids and effect.tariff.issuer in s.nation_ids:
                s.policies.tariffs.append(effect.tariff)
                s.policies.changed()
        case ev.FormZone():
            members = [n for n in effect.zone.members if n in s.nation_ids]
            if effect.zone.founder in members:
                s.policies.zones[effect.zone.id] = effect.zone.model_copy(update={"members": members})
                s.policies.changed()
        case ev.StockpileChange():
            if effect.nation in s.nation_ids and effect.mineral in s.mineral_ids:
                i, m = s.nation_index[effect.nation], s.mineral_index(effect.mineral)
                s.stock_target[i, m] += effect.target_tonnes
                s.stock_budget[i] += effect.budget_usd_m
        case ev.NewCapacity():
            template = s.content.projects[effect.template]
            ok = s.rng.random() < effect.success_probability
            if ok and template.mineral in s.mineral_ids and effect.country in s.nation_ids:
                owner = effect.owner if effect.owner in s.nation_ids else effect.country
                s.pipeline.add(
                    Project(
                        name=f"{template.id.replace('_', ' ')} in {s.display(effect.country)}",
                        kind=template.kind,
                        mineral=s.mineral_index(template.mineral),
                        country=s.nation_index[effect.country],
                        owner=s.nation_index[owner],
                        capacity=template.capacity_tpy / 4,
                        unit_cost=template.unit_cost_usd_per_t,
                        turns_left=max(effect.delay_turns, 1),
                        delay_probability=template.delay_probability,
                        cancel_hazard=0.0,
                        started=s.turn,
                    )
                )


def _left_to_team(s: WorldState, nation: str, what: str, source: str) -> None:
    """An event would set a team's policy: it becomes news (or a prompt to the team)."""
    name = s.display(nation)
    text = f"The scenario's '{source}' would have {name} {what}: Team {name} decides its own policy."
    s.news.append(Happened(s.turn, source, "Left to the team", text, "team"))
    if s.team_events == "prompt":
        s.diplomacy.replies.append((s.turn, nation, f"Facilitator: {text}"))


def apply_shocks(s: WorldState) -> None:
    """Recompute capacity, demand and recycling from the active shocks; what they moved goes
    to the turn's causes."""
    t = s.firms
    combined = s.events.multipliers(t, s.nation_ids, s.mineral_ids, len(SECTORS))
    shock, demand = combined.firm_shock, combined.demand
    moved_supply = shock != t.shock
    s.causes.supply_event += np.bincount(
        t.mineral[moved_supply] * len(s.nation_ids) + t.country[moved_supply],
        weights=(shock - t.shock)[moved_supply] * t.capacity[moved_supply],
        minlength=s.causes.supply_event.size,
    ).reshape(s.causes.supply_event.shape)
    s.causes.demand_event += ((demand - s.demand_shock) * need_now(s)).sum(axis=2)
    t.shock = shock
    s.demand_shock = demand
    s.eol_rate, s.eol_ceiling = s.events.recycling_rates(combined.recycling, s.eol_rate, s.eol_ceiling)
