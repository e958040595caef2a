"""Preferential trade zones: found one, invite, join, leave, commit stockpiles; emergency
sharing of stockpiles between members; the fund that pays members' producers up to a floor.

What may be done is decided by the `*_refusal` functions over the zones in force and the fact
`invitations`: the desk's checks and the lab's masks call the same ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage, Zone
from game.rules.orders import InviteToZone, JoinZone, LeaveZone, ProposeZone, ShareStockpile
from game.world.economy.firms import suppliers_of
from game.world.mechanisms.base import Label, Lever, refuse, same
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing
    from game.world.state import WorldState

F64 = NDArray[np.float64]

EMERGENCY_FILL = 0.85
"""A zone member whose consumption fell below this share of its need is in an emergency."""


def _zone(world: WorldState, zone_id: str) -> Zone | None:
    return world.policies.zones.get(zone_id)


def invitations(s: WorldState) -> set[tuple[str, str]]:
    """(invited nation, zone) of every zone invitation waiting for an answer."""
    return {(p.to, p.order.zone) for p in s.diplomacy.proposals.values() if isinstance(p.order, InviteToZone)}


def found_refusal(
    s: WorldState, issuer: str, zone_id: str, invite: list[str] | tuple[str, ...], minerals: list[str]
) -> str | None:
    """Why `issuer` cannot found `zone_id` inviting `invite`, with tariffs or floors on
    `minerals`; None if it can."""
    if zone_id in s.policies.zones:
        return "a zone with this id already exists"
    if issuer in invite:
        return "the founder is a member already and need not be invited"
    for mineral in minerals:
        if mineral not in s.mineral_index_of:
            return f"{mineral} is not traded in this scenario"
    return None


def _check_propose(world: WorldState, o: ProposeZone) -> str | None:
    minerals = [*o.external_tariff_pct, *o.price_floor_usd_per_t]
    why = found_refusal(world, o.issuer, o.zone, o.invite, minerals)
    return None if why is None else refuse(world, o, f"found zone {o.zone}", why)


def _apply_propose(world: WorldState, o: ProposeZone) -> None:
    world.policies.zones[o.zone] = o.zone_rules()
    world.policies.changed()
    _resent_external_tariff(world, o.zone, o.issuer)
    for nation in o.invite:
        world.diplomacy.propose(
            world.turn, o.issuer, nation, InviteToZone(issuer=o.issuer, zone=o.zone, nation=nation)
        )
        world.diplomacy.act(world.turn, o.issuer, nation, "zone_invitation")


def _resent_external_tariff(world: WorldState, zone_id: str, member: str) -> None:
    """Outside suppliers of a new member resent the zone's external tariff."""
    zone = world.policies.zones[zone_id]
    for mineral in zone.external_tariff_pct:
        for origin in suppliers_of(world, member, mineral, Stage.REFINED):
            if origin not in zone.members:
                world.diplomacy.act(world.turn, member, origin, "external_tariff")


def invite_refusal(
    s: WorldState, zone: Zone | None, issuer: str, nation: str, invited: set[tuple[str, str]]
) -> str | None:
    """Why `issuer` cannot invite `nation` into `zone` (None: no such zone), with the
    `invitations` waiting; None if it can."""
    if zone is None:
        return "no such zone"
    if issuer not in zone.members:
        return "only members may invite"
    if nation in zone.members:
        return f"{s.display(nation)} is a member already"
    if (nation, zone.id) in invited:
        return "an invitation is already waiting for an answer"
    return None


def _invite_verb(o: InviteToZone, n: Label = same) -> str:
    return f"invite {n(o.nation)} into zone {n(o.zone)}"


def _check_invite(world: WorldState, o: InviteToZone) -> str | None:
    why = invite_refusal(world, _zone(world, o.zone), o.issuer, o.nation, invitations(world))
    return None if why is None else refuse(world, o, _invite_verb(o, world.label), why)


def _apply_invite(world: WorldState, o: InviteToZone) -> None:
    world.diplomacy.propose(world.turn, o.issuer, o.nation, o)
    world.diplomacy.act(world.turn, o.issuer, o.nation, "zone_invitation")


def join_refusal(zone: Zone | None, issuer: str, invited: set[tuple[str, str]]) -> str | None:
    """Why `issuer` cannot join `zone` (None: no such zone), with the `invitations` waiting;
    None if it can."""
    if zone is None:
        return "no such zone"
    if issuer in zone.members:
        return "it is a member already"
    if (issuer, zone.id) not in invited:
        return "not invited"
    return None


def _check_join(world: WorldState, o: JoinZone) -> str | None:
    why = join_refusal(_zone(world, o.zone), o.issuer, invitations(world))
    return None if why is None else refuse(world, o, f"join zone {world.label(o.zone)}", why)


def join(world: WorldState, nation: str, zone_id: str) -> None:
    """Admit `nation` (its invitation is consumed); shared by JoinZone and an accepted invitation."""
    zone = world.policies.zones[zone_id]
    invitation = world.diplomacy.invited(nation, zone_id)
    if invitation is not None:
        del world.diplomacy.proposals[invitation.id]
    world.policies.zones[zone_id] = zone.model_copy(update={"members": [*zone.members, nation]})
    world.policies.changed()
    for member in zone.members:
        world.diplomacy.act(world.turn, nation, member, "zone_joined")
        world.diplomacy.replies.append((world.turn, member, f"{world.display(nation)} joined {zone.name}."))
    _resent_external_tariff(world, zone_id, nation)


def _apply_join(world: WorldState, o: JoinZone) -> None:
    join(world, o.issuer, o.zone)


def leave_refusal(zone: Zone | None, issuer: str) -> str | None:
    """Why `issuer` cannot leave `zone` (None: no such zone); None if it can."""
    return "it is not a member" if zone is None or issuer not in zone.members else None


def _check_leave(world: WorldState, o: LeaveZone) -> str | None:
    why = leave_refusal(_zone(world, o.zone), o.issuer)
    return None if why is None else refuse(world, o, f"leave zone {world.label(o.zone)}", why)


def _apply_leave(world: WorldState, o: LeaveZone) -> None:
    zone = world.policies.zones[o.zone]
    others = [m for m in zone.members if m != o.issuer]
    if o.issuer == zone.founder:  # the zone dissolves: its invitations and commitments go too
        del world.policies.zones[o.zone]
        for p in list(world.diplomacy.proposals.values()):
            if isinstance(p.order, InviteToZone) and p.order.zone == o.zone:
                del world.diplomacy.proposals[p.id]
        for key in [k for k in world.share_commitment if k[0] == o.zone]:
            del world.share_commitment[key]
    else:
        world.policies.zones[o.zone] = zone.model_copy(update={"members": others})
        world.share_commitment.pop((o.zone, o.issuer), None)
    world.policies.changed()
    for member in others:
        world.diplomacy.act(world.turn, o.issuer, member, "zone_left")


def _check_share(world: WorldState, o: ShareStockpile) -> str | None:
    verb = f"commit stockpiles to zone {world.label(o.zone)}"
    zone = _zone(world, o.zone)
    if zone is None or o.issuer not in zone.members:
        return refuse(world, o, verb, "it is not a member of that zone")
    if not zone.emergency_sharing:
        return refuse(world, o, verb, "the zone's rules have no emergency sharing")
    if world.share_commitment.get((o.zone, o.issuer), 0.0) == o.share_pct / 100:
        return refuse(world, o, verb, "that commitment is already in force")
    return None


def _apply_share(world: WorldState, o: ShareStockpile) -> None:
    if o.share_pct > 0:
        world.share_commitment[(o.zone, o.issuer)] = o.share_pct / 100
    else:
        world.share_commitment.pop((o.zone, o.issuer), None)


LEVERS = {
    LeaveZone: Lever(5, lambda o, n=same: f"leave zone {n(o.zone)}", _check_leave, _apply_leave),
    JoinZone: Lever(6, lambda o, n=same: f"join zone {n(o.zone)}", _check_join, _apply_join),
    ProposeZone: Lever(7, lambda o, n=same: f"found zone {o.zone}", _check_propose, _apply_propose),
    InviteToZone: Lever(8, _invite_verb, _check_invite, _apply_invite),
    ShareStockpile: Lever(
        11, lambda o, n=same: f"commit stockpiles to zone {n(o.zone)}", _check_share, _apply_share
    ),
}


def emergency_sharing(s: WorldState) -> None:
    """Zones with emergency sharing: members who committed a share of their stockpiles hand
    it to a member whose consumption fell below EMERGENCY_FILL last turn."""
    need = s.need.sum(axis=2).T  # (N, M) last turn's need
    for zone_id in sorted(s.policies.zones):
        zone = s.policies.zones[zone_id]
        if not zone.emergency_sharing:
            continue
        members = [s.nation_index[n] for n in zone.members]
        commit = np.array([s.share_commitment.get((zone_id, n), 0.0) for n in zone.members])
        short = s.consumption_fill[members] < EMERGENCY_FILL  # (k, M)
        gap = np.where(short, need[members] * (EMERGENCY_FILL - s.consumption_fill[members]), 0.0)
        if not gap.any():
            continue
        offer = np.where(short, 0.0, commit[:, None] * s.stockpile[members])  # (k, M)
        moved = np.minimum(offer.sum(axis=0), gap.sum(axis=0))  # (M,)
        give = offer * np.divide(moved, offer.sum(axis=0), out=np.zeros_like(moved), where=moved > 0)
        take = gap * np.divide(moved, gap.sum(axis=0), out=np.zeros_like(moved), where=moved > 0)
        s.stockpile[members] += take - give
        for k, m in zip(*np.nonzero(take > 0), strict=True):
            for j in np.flatnonzero(give[:, m] > 0):
                s.diplomacy.act(s.turn, zone.members[j], zone.members[k], "stockpile_shared")
            s.news.append(
                Happened(
                    s.turn,
                    f"sharing_{zone_id}",
                    "Emergency sharing",
                    f"{zone.name} members release {take[k, m]:,.0f} t of {s.mineral_ids[m]} "
                    f"to {s.display(zone.members[k])}.",
                    "zone",
                )
            )


def fund_payments(s: WorldState, refined: Clearing) -> F64:
    """(N,) USD m each member pays into zone funds that pay members' producers up to the floor
    (shared by the members in proportion to GDP)."""
    n_nat = len(s.nation_ids)
    paid = np.zeros(n_nat)
    for zone_id in sorted(s.policies.zones):
        zone = s.policies.zones[zone_id]
        if zone.floor_paid_by.value != "fund" or not zone.price_floor_usd_per_t:
            continue
        members = np.array([s.nation_index[n] for n in zone.members])
        buyers = np.concatenate([members, members + n_nat])
        bill = 0.0
        for mineral, level in zone.price_floor_usd_per_t.items():
            if mineral in s.mineral_ids:
                m = s.mineral_index(mineral)
                gap = np.maximum(level - refined.price[m, members], 0.0)
                bill += float((refined.flow[m][np.ix_(members, buyers)].sum(axis=1) * gap).sum())
        paid[members] += bill / 1e6 * s.gdp_usd_bn[members] / s.gdp_usd_bn[members].sum()
    return paid
