"""Preferential trade zones: found one, invite, join, leave, commit stockpiles; emergency
sharing of stockpiles between members; the fund that pays members' producers up to a floor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from game.rules import Stage, Zone
from game.rules.orders import InviteToZone, JoinZone, LeaveZone, ProposeZone, ShareStockpile
from game.world.economy.firms import suppliers_of
from game.world.mechanisms.base import Lever, refuse
from game.world.record import Happened

if TYPE_CHECKING:
    from game.world.market.clearing import Clearing
    from game.world.state import WorldState

F64 = NDArray[np.float64]

EMERGENCY_FILL = 0.85
"""A zone member whose consumption fell below this share of its need is in an emergency."""


def _zone(world: WorldState, zone_id: str) -> Zone | None:
    return world.policies.zones.get(zone_id)


def _check_propose(world: WorldState, o: ProposeZone) -> str | None:
    verb = f"found zone {o.zone}"
    if o.zone in world.policies.zones:
        return refuse(world, o, verb, "a zone with this id already exists")
    if o.issuer in o.invite:
        return refuse(world, o, verb, "the founder is a member already and need not be invited")
    for mineral in [*o.external_tariff_pct, *o.price_floor_usd_per_t]:
        if mineral not in world.mineral_ids:
            return refuse(world, o, verb, f"{mineral} is not traded in this scenario")
    return None


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


def _check_invite(world: WorldState, o: InviteToZone) -> str | None:
    verb = f"invite {world.display(o.nation)} into zone {o.zone}"
    zone = _zone(world, o.zone)
    if zone is None:
        return refuse(world, o, verb, "no such zone")
    if o.issuer not in zone.members:
        return refuse(world, o, verb, "only members may invite")
    if o.nation in zone.members:
        return refuse(world, o, verb, f"{world.display(o.nation)} is a member already")
    if world.diplomacy.invited(o.nation, o.zone):
        return refuse(world, o, verb, "an invitation is already waiting for an answer")
    return None


def _apply_invite(world: WorldState, o: InviteToZone) -> None:
    world.diplomacy.propose(world.turn, o.issuer, o.nation, o)
    world.diplomacy.act(world.turn, o.issuer, o.nation, "zone_invitation")


def _check_join(world: WorldState, o: JoinZone) -> str | None:
    verb = f"join zone {o.zone}"
    zone = _zone(world, o.zone)
    if zone is None:
        return refuse(world, o, verb, "no such zone")
    if o.issuer in zone.members:
        return refuse(world, o, verb, "it is a member already")
    if world.diplomacy.invited(o.issuer, o.zone) is None:
        return refuse(world, o, verb, "not invited")
    return None


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


def _check_leave(world: WorldState, o: LeaveZone) -> str | None:
    zone = _zone(world, o.zone)
    if zone is None or o.issuer not in zone.members:
        return refuse(world, o, f"leave zone {o.zone}", "it is not a member")
    return None


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
    verb = f"commit stockpiles to zone {o.zone}"
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
    LeaveZone: Lever(5, lambda o: f"leave zone {o.zone}", _check_leave, _apply_leave),
    JoinZone: Lever(6, lambda o: f"join zone {o.zone}", _check_join, _apply_join),
    ProposeZone: Lever(7, lambda o: f"found zone {o.zone}", _check_propose, _apply_propose),
    InviteToZone: Lever(8, lambda o: f"invite {o.nation} into zone {o.zone}", _check_invite, _apply_invite),
    ShareStockpile: Lever(11, lambda o: f"commit stockpiles to zone {o.zone}", _check_share, _apply_share),
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
