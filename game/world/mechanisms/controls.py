"""Export controls, every OECD instrument (ban, quota, licensing, export tax, end use): their
orders, putting them in force and lifting them, and their expiry.

What may be imposed or lifted is decided by `impose_refusal` and `lift_refusal` over the facts
`terms_in_force` and `controlled`: the desk's checks and the lab's masks call the same two."""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules import ExportControl, Instrument, Stage
from game.rules.orders import ImposeExportControl, LiftExportControl
from game.rules.policies import ControlTerms, control_terms
from game.world.economy.firms import capacity_of, reference_flow, trading_partners
from game.world.market.routes import ActiveControl
from game.world.mechanisms.base import Label, Lever, refuse, same
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.state import WorldState


def _control_verb(o: ImposeExportControl, n: Label = same) -> str:
    whom = f" to {', '.join(n(t) for t in o.targets)}" if o.targets else ""
    return f"impose a {o.instrument.value.replace('_', ' ')} on {o.stage.value} {n(o.mineral)}{whom}"


def terms_in_force(s: WorldState) -> set[ControlTerms]:
    """The terms of every control in force (`control_terms`)."""
    return {control_terms(a.spec) for a in s.policies.controls}


def controlled(s: WorldState) -> dict[tuple[str, str, Stage], list[ActiveControl]]:
    """The controls in force by (issuer, mineral, stage), in force order: under each key,
    `matching_controls` of that issuer, mineral and stage (any instrument), for all at once."""
    by_issue: dict[tuple[str, str, Stage], list[ActiveControl]] = {}
    for a in s.policies.controls:
        by_issue.setdefault((a.spec.issuer, a.spec.mineral, a.spec.stage), []).append(a)
    return by_issue


def impose_refusal(
    s: WorldState,
    mineral: str,
    stage: Stage,
    capacity: float,
    terms: ControlTerms,
    in_force: set[ControlTerms],
) -> str | None:
    """Why a control with these `terms` cannot be imposed by a nation with `capacity` tonnes
    a turn of `mineral` at `stage` (`capacity_of`), with `in_force` (`terms_in_force`); None
    if it can."""
    if capacity <= 0:
        what = "mines" if stage == Stage.ORE else "refineries"
        return f"it has no {s.label(mineral)} {what} whose exports it could control"
    if terms in in_force:
        return "the same control is already in force"
    return None


def _check_control(world: WorldState, o: ImposeExportControl) -> str | None:
    capacity = capacity_of(world, o.issuer, o.mineral, o.stage)
    why = impose_refusal(world, o.mineral, o.stage, capacity, control_terms(o), terms_in_force(world))
    return None if why is None else refuse(world, o, _control_verb(o, world.label), why)


def _apply_control(world: WorldState, o: ImposeExportControl) -> None:
    impose(world, o.control())
    targets = o.targets or [n for n in trading_partners(world, o.issuer, o.mineral, o.stage)]
    scale = 1.0 if o.targets else 0.5
    for target in targets:
        world.diplomacy.act(world.turn, o.issuer, target, o.instrument.value, scale)
    return None


def _lift_verb(o: LiftExportControl, n: Label = same) -> str:
    return f"lift controls on {n(o.mineral)}" + (
        f" for {', '.join(n(t) for t in o.targets)}" if o.targets else ""
    )


def lift_refusal(matching: list[ActiveControl], targets: list[str]) -> str | None:
    """Why the `matching` controls (`matching_controls`) cannot be lifted for `targets` (all
    of them when empty); None if they can."""
    if not matching:
        return "no such control is in force"
    if targets and not any(set(targets) & set(a.spec.targets) for a in matching):
        if any(not a.spec.targets for a in matching):
            return "the control applies to everyone: lift it whole"
        return "no such control is in force"
    return None


def _check_lift(world: WorldState, o: LiftExportControl) -> str | None:
    matching = matching_controls(world, o.issuer, o.mineral, o.stage, o.instrument)
    why = lift_refusal(matching, o.targets)
    return None if why is None else refuse(world, o, _lift_verb(o, world.label), why)


def _apply_lift(world: WorldState, o: LiftExportControl) -> None:
    lifted = matching_controls(world, o.issuer, o.mineral, o.stage, o.instrument)
    if o.targets:  # narrow the controls aimed at those nations; the rest stay as they are
        for active in lifted:
            if not set(o.targets) & set(active.spec.targets):
                continue
            remaining = [t for t in active.spec.targets if t not in o.targets]
            place = world.policies.controls.index(active)
            if remaining:  # kept in its place: the order of controls is part of the routes
                world.policies.controls[place] = ActiveControl(
                    active.spec.model_copy(update={"targets": remaining}),
                    active.imposed_turn,
                    {t: v for t, v in active.baseline.items() if t in remaining},
                )
            else:
                del world.policies.controls[place]
        world.policies.changed()
        for target in o.targets:
            world.diplomacy.act(world.turn, o.issuer, target, "lift_control")
        return
    lift(world, o.issuer, o.mineral, o.stage, o.instrument)
    targets = sorted({t for a in lifted for t in a.spec.targets}) or trading_partners(
        world, o.issuer, o.mineral, lifted[0].spec.stage
    )
    for target in targets:
        world.diplomacy.act(world.turn, o.issuer, target, "lift_control")


LEVERS = {
    LiftExportControl: Lever(1, _lift_verb, _check_lift, _apply_lift),
    ImposeExportControl: Lever(3, _control_verb, _check_control, _apply_control),
}


def matching_controls(
    s: WorldState, issuer: str, mineral: str, stage: Stage | None, instrument: Instrument | None
) -> list[ActiveControl]:
    """The controls in force of this issuer on this mineral (of this stage and instrument, if given)."""
    return [
        a
        for a in s.policies.controls
        if a.spec.issuer == issuer
        and a.spec.mineral == mineral
        and (stage is None or a.spec.stage == stage)
        and (instrument is None or a.spec.instrument == instrument)
    ]


def impose(s: WorldState, control: ExportControl) -> None:
    """Put an export control in force (replacing one with the same issuer, mineral, stage,
    instrument and targets). Licensing remembers the flow each target had."""
    key = (control.issuer, control.mineral, control.stage, control.instrument, tuple(control.targets))
    s.policies.controls = [
        a
        for a in s.policies.controls
        if (a.spec.issuer, a.spec.mineral, a.spec.stage, a.spec.instrument, tuple(a.spec.targets)) != key
    ]
    active = ActiveControl(control, s.turn)
    if control.instrument == Instrument.LICENSING:
        # pass_share is relative to uncontrolled trade: a route's baseline is measured
        # the first time it is licensed and kept, so replacing one licence by another
        # does not compound the restriction.
        m, o = s.mineral_index(control.mineral), s.nation_index[control.issuer]
        flow = s.last_flow[control.stage].row(m, o)
        if not flow.any():  # before the first turn: what the route would carry at reference
            flow = reference_flow(s, control.stage, m, o)
        for t in s.policies.targets_of(control):
            key = (control.issuer, control.mineral, control.stage.value, s.nation_ids[t])
            s.licence_baseline.setdefault(key, float(flow[t]))
            active.baseline[s.nation_ids[t]] = s.licence_baseline[key]
    s.policies.controls.append(active)
    s.policies.changed()


def lift(s: WorldState, issuer: str, mineral: str, stage: Stage | None, instrument: Instrument | None) -> int:
    """Lift the matching controls; returns how many."""
    before = len(s.policies.controls)
    lifted = matching_controls(s, issuer, mineral, stage, instrument)
    s.policies.controls = [a for a in s.policies.controls if a not in lifted]
    if len(s.policies.controls) != before:
        s.policies.changed()
    return before - len(s.policies.controls)


def expire(s: WorldState) -> None:
    """Controls whose term has come end, with a line of news each."""
    expired = [
        a for a in s.policies.controls if a.spec.expires and s.scenario.turn_of(a.spec.expires) <= s.turn
    ]
    for a in expired:
        s.policies.controls.remove(a)
        s.news.append(
            Happened(
                s.turn,
                "expiry",
                "Control expires",
                f"{s.display(a.spec.issuer)}'s {a.spec.instrument.value} on "
                f"{a.spec.mineral} ({a.spec.stage.value}) expires.",
                "expiry",
            )
        )
    if expired:
        s.policies.changed()
