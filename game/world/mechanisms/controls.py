"""Trade levers: export controls (every OECD instrument) and import tariffs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from game.rules import ExportControl, Stage, Tariff
from game.rules.orders import ImposeExportControl, LiftExportControl, SetTariff
from game.world.market.routes import ActiveControl
from game.world.mechanisms.base import Lever, refuse

if TYPE_CHECKING:
    from game.world.model import WorldModel


def _control_verb(o: ImposeExportControl) -> str:
    whom = f" to {', '.join(o.targets)}" if o.targets else ""
    return f"impose a {o.instrument.value.replace('_', ' ')} on {o.stage.value} {o.mineral}{whom}"


def _check_control(world: WorldModel, o: ImposeExportControl) -> str | None:
    verb = _control_verb(o)
    if world.capacity_of(o.issuer, o.mineral, o.stage) <= 0:
        what = "mines" if o.stage == Stage.ORE else "refineries"
        return refuse(world, o, verb, f"it has no {o.mineral} {what} whose exports it could control")
    if any(_terms(a.spec) == _terms(o) for a in world.policies.controls):
        return refuse(world, o, verb, "the same control is already in force")
    return None


def _terms(c: ExportControl | ImposeExportControl) -> tuple[object, ...]:
    return (
        c.issuer,
        c.mineral,
        c.stage,
        c.instrument,
        sorted(c.targets),
        c.quota_tpy,
        c.pass_share,
        c.tax_pct,
    )


def _apply_control(world: WorldModel, o: ImposeExportControl) -> None:
    world.impose_control(o.control())
    targets = o.targets or [n for n in world.trading_partners(o.issuer, o.mineral, o.stage)]
    scale = 1.0 if o.targets else 0.5
    for target in targets:
        world.diplomacy.act(world.turn, o.issuer, target, o.instrument.value, scale)
    return None


def _check_lift(world: WorldModel, o: LiftExportControl) -> str | None:
    verb = f"lift controls on {o.mineral}" + (f" for {', '.join(o.targets)}" if o.targets else "")
    matching = world.matching_controls(o.issuer, o.mineral, o.stage, o.instrument)
    if not matching:
        return refuse(world, o, verb, "no such control is in force")
    if o.targets:
        aimed = [a for a in matching if set(o.targets) & set(a.spec.targets)]
        if not aimed:
            everyone = any(not a.spec.targets for a in matching)
            why = (
                "the control applies to everyone: lift it whole"
                if everyone
                else "no such control is in force"
            )
            return refuse(world, o, verb, why)
    return None


def _apply_lift(world: WorldModel, o: LiftExportControl) -> None:
    lifted = world.matching_controls(o.issuer, o.mineral, o.stage, o.instrument)
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
    world.lift_controls(o.issuer, o.mineral, o.stage, o.instrument)
    targets = sorted({t for a in lifted for t in a.spec.targets}) or world.trading_partners(
        o.issuer, o.mineral, lifted[0].spec.stage
    )
    for target in targets:
        world.diplomacy.act(world.turn, o.issuer, target, "lift_control")


def _same_tariff(t: Tariff, o: SetTariff) -> bool:
    return (t.issuer, t.mineral, t.stage, sorted(t.origins)) == (
        o.issuer,
        o.mineral,
        o.stage,
        sorted(o.origins),
    )


def _tariff_verb(o: SetTariff) -> str:
    return f"set a {o.rate_pct:g} % tariff on {o.stage.value} {o.mineral}"


def _check_tariff(world: WorldModel, o: SetTariff) -> str | None:
    verb = _tariff_verb(o) if o.rate_pct > 0 else f"remove its tariff on {o.mineral}"
    if o.issuer in o.origins:
        return refuse(world, o, verb, "a nation does not levy tariffs on its own goods")
    existing = [t for t in world.policies.tariffs if _same_tariff(t, o)]
    if o.rate_pct == 0 and not existing:
        return refuse(world, o, verb, "no such tariff is in force")
    if o.rate_pct > 0 and any(t.rate_pct == o.rate_pct for t in existing):
        return refuse(world, o, verb, "the same tariff is already in force")
    return None


def _apply_tariff(world: WorldModel, o: SetTariff) -> None:
    before = max((t.rate_pct for t in world.policies.tariffs if _same_tariff(t, o)), default=0.0)
    world.policies.tariffs = [t for t in world.policies.tariffs if not _same_tariff(t, o)]
    if o.rate_pct > 0:
        world.policies.tariffs.append(
            Tariff(issuer=o.issuer, mineral=o.mineral, stage=o.stage, origins=o.origins, rate_pct=o.rate_pct)
        )
    world.policies.changed()
    origins = o.origins or world.suppliers_of(o.issuer, o.mineral, o.stage)
    change = o.rate_pct - before
    kind = "tariff" if change > 0 else "remove_tariff"
    for origin in origins:
        world.diplomacy.act(world.turn, o.issuer, origin, kind, min(abs(change) / 25.0, 2.0))


LEVERS = {
    LiftExportControl: Lever(
        1,
        lambda o: f"lift controls on {o.mineral}" + (f" for {', '.join(o.targets)}" if o.targets else ""),
        _check_lift,
        _apply_lift,
    ),
    SetTariff: Lever(2, _tariff_verb, _check_tariff, _apply_tariff),
    ImposeExportControl: Lever(3, _control_verb, _check_control, _apply_control),
}
