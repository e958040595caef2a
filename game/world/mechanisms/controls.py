"""Export controls, every OECD instrument (ban, quota, licensing, export tax, end use): their
orders, putting them in force and lifting them, and their expiry.

What may be imposed or lifted is decided by `impose_refusal` and `lift_refusal` over the facts
`terms_in_force` and `controlled`: the desk's checks and the lab's masks call the same two."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import ExportControl, Instrument, Stage
from game.rules.orders import ImposeExportControl, LiftExportControl
from game.rules.policies import ControlTerms, control_terms
from game.world.economy.firms import capacity_of, reference_flow, trading_partners
from game.world.market.routes import ActiveControl
from game.world.mechanisms.base import Label, Lever, refuse, same
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.state import WorldState

F64 = NDArray[np.float64]


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
                    {t: v for t, v in active.approval.items() if t in remaining},
                    {t: v for t, v in active.licensed.items() if t in remaining},
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
    instrument and targets). Licensing remembers what each target applied for."""
    key = (control.issuer, control.mineral, control.stage, control.instrument, tuple(control.targets))
    s.policies.controls = [
        a
        for a in s.policies.controls
        if (a.spec.issuer, a.spec.mineral, a.spec.stage, a.spec.instrument, tuple(a.spec.targets)) != key
    ]
    active = ActiveControl(control, s.turn)
    if control.instrument == Instrument.LICENSING:
        # What a target's importers apply for is the share of their needs they bought from
        # the issuer before any licence: measured the first time the route is licensed and
        # kept, so replacing one licence by another does not compound the restriction.
        m, o = s.mineral_index(control.mineral), s.nation_index[control.issuer]
        flow = s.last_flow[control.stage].row(m, o)
        if not flow.any():  # before the first turn: what the route would carry at reference
            flow = reference_flow(s, control.stage, m, o)
        wanted = wanted_of(s, control.stage, m)
        for t in s.policies.targets_of(control):
            key = (control.issuer, control.mineral, control.stage.value, s.nation_ids[t])
            share = min(float(flow[t]) / wanted[t], 1.0) if wanted[t] > 0 else 0.0
            s.licence_baseline.setdefault(key, share)
            active.baseline[s.nation_ids[t]] = s.licence_baseline[key]
        grant_licences(s, active, wanted)
    s.policies.controls.append(active)
    s.policies.changed()


APPLICATION_HEADROOM = 0.2
"""Importers apply for this much more than they expect to buy from the issuer: approvals are
slow and uncertain, and an unused licence costs little (model assumption). So a licence
approved in full leaves room: what passes then follows the price, not the paperwork."""
RELATION_PULL = 0.5
"""Approvals move by this share of the policy's rate per 100 points the issuer's relations
with a target stand above (more) or below (fewer) their baseline (model assumption)."""
OWN_NEED_PULL = 2.0
"""Approvals fall by this share of the policy's rate per unit of the issuer's own industry's
shortfall share beyond the rest of the world's: an issuer short at home keeps its metal
(model assumption)."""
EXPORTERS_PULL = 0.5
"""Approvals rise by this share of the policy's rate per unit the issuer's home price has
fallen below its start: licences that glut the home market cost the issuer's own refiners,
who press for approvals (model assumption)."""


def wanted_of(s: WorldState, stage: Stage, m: int) -> F64:
    """(N,) tonnes a turn each nation's buyers want of a stage at the going price: what they
    bought last turn, wherever from, and (refined) what they could not get. Before any
    trade, the need at the reference price."""
    wanted = s.last_flow[stage].by_buyer()[m]  # bought last turn, wherever from
    if not wanted.any():
        return np.asarray(s.base_need[m].sum(axis=1), dtype=float)
    if stage == Stage.REFINED:
        wanted = wanted + s.shortfall[m].sum(axis=1)
    return np.asarray(wanted, dtype=float)


def approvals_for(s: WorldState, control: ExportControl, targets: list[int]) -> F64:
    """The share of each target's applications the issuer approves now: its policy's rate,
    more for friends and fewer for rivals than the relations it started from, fewer while its
    own industry goes short, more while its refiners' home market is glutted. A rate of 0
    stays 0 (a halt is a halt)."""
    i, m = s.nation_index[control.issuer], s.mineral_index(control.mineral)
    mood = (s.relations[i, targets] - s.diplomacy.baseline[i, targets]) / 100
    need = s.need[m].sum(axis=1)
    short_share = np.divide(s.shortfall[m].sum(axis=1), need, out=np.zeros_like(need), where=need > 0)
    others = (short_share.sum() - short_share[i]) / max(len(short_share) - 1, 1)
    # short at home beyond what the rest of the world goes without: a problem of its own
    short = max(0.0, float(short_share[i] - others))
    # a home market glutted by the metal the licences hold back: its refiners press to export
    start = float(s.start_paid[m, i]) if s.start_paid.size else 0.0
    glut = max(0.0, 1.0 - float(s.refined_paid[m, i]) / start) if start > 0 else 0.0
    own = (1 - OWN_NEED_PULL * short) * (1 + EXPORTERS_PULL * glut)
    rate = (control.approval_rate or 0.0) * (1 + RELATION_PULL * mood) * own
    return np.clip(rate, 0.0, 1.0)


def grant_licences(s: WorldState, active: ActiveControl, wanted: F64) -> None:
    """This turn's approvals and the tonnes they license, per target."""
    c = active.spec
    targets = s.policies.targets_of(c)
    rates = approvals_for(s, c, targets).tolist()
    applied = wanted[targets] * (1 + APPLICATION_HEADROOM)
    for t, rate, asked in zip(targets, rates, applied.tolist(), strict=True):
        name = s.nation_ids[t]
        active.approval[name] = rate
        active.licensed[name] = rate * active.baseline.get(name, 0.0) * asked
    s.policies.granted()


def settle_start_licences(s: WorldState) -> None:
    """The licences in force at the start keep the grants the spin-up cleared under: the
    spin-up matches demand outside China to the reference prices, which moves what each
    target wants; each target's application share is restated so that the first turn's
    grant, from the matched demand, is the one the start's prices were found under."""
    for active in s.policies.controls:
        c = active.spec
        if c.instrument != Instrument.LICENSING:
            continue
        wanted = wanted_of(s, c.stage, s.mineral_index(c.mineral))
        for target, granted in active.licensed.items():
            per_share = active.approval.get(target, 0.0) * float(wanted[s.nation_index[target]])
            if per_share <= 0:
                continue
            share = granted / (per_share * (1 + APPLICATION_HEADROOM))
            active.baseline[target] = share
            s.licence_baseline[(c.issuer, c.mineral, c.stage.value, target)] = share


def step_licences(s: WorldState) -> None:
    """Each turn, licences are granted afresh: approvals follow relations and the issuer's
    own needs, applications follow what importers want at the going price. An approval that
    moved on a licence that bound last turn goes to the turn's causes."""
    licences = [a for a in s.policies.controls if a.spec.instrument == Instrument.LICENSING]
    if not licences:
        return
    moved: list[tuple[ActiveControl, int, int, F64, F64]] = []
    wanted: dict[tuple[Stage, int], F64] = {}
    for active in licences:
        c = active.spec
        m = s.mineral_index(c.mineral)
        if (c.stage, m) not in wanted:
            wanted[c.stage, m] = wanted_of(s, c.stage, m)
        was = np.fromiter(active.approval.values(), dtype=float, count=len(active.approval))
        grant_licences(s, active, wanted[c.stage, m])
        now = np.fromiter(active.approval.values(), dtype=float, count=len(active.approval))
        if c.stage == Stage.REFINED and len(was) == len(now) and (was != now).any():
            moved.append((active, m, s.nation_index[c.issuer], was, now))
    if moved:
        _note_approvals_moved(s, moved)


def _note_approvals_moved(s: WorldState, moved: list[tuple[ActiveControl, int, int, F64, F64]]) -> None:
    """Approvals that moved on licences that bound last turn, to the turn's causes: the share
    of each target's supply its licences carried, cut (+) or widened (-) by as much."""
    last = s.last_clearing.get(Stage.REFINED)
    if last is None or s.cleared_under is None or s.cleared_under[0] != s.policies.version:
        return  # the policies changed since: what changed goes to export controls
    owners = s.policies.cap_owners(Stage.REFINED)  # the groups of the last clearing, in order
    if len(owners) != len(last.binding):
        return
    bound: dict[int, list[bool]] = {}
    for (a, _), binds in zip(owners, last.binding.tolist(), strict=True):
        bound.setdefault(id(a), []).append(bool(binds))
    flow = s.last_flow[Stage.REFINED]
    by_buyer = flow.by_buyer()
    n_nat = len(s.nation_ids)
    for active, m, o, was, now in moved:
        targets = np.array([s.nation_index[name] for name in active.approval], dtype=np.intp)
        binds = np.array(bound.get(id(active), []), dtype=bool)
        if len(binds) != len(targets):
            continue
        bought = by_buyer[m, targets]
        cut = np.where(was > 0, 1 - now / np.where(was > 0, was, 1.0), -1.0)
        use = binds & (was != now) & (bought > 0) & (targets < n_nat)
        carried = np.divide(flow.row(m, o)[targets], bought, out=np.zeros_like(bought), where=bought > 0)
        np.add.at(s.causes.licence_approvals[m], targets[use], (carried * cut)[use])


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
