"""The policies in force (export controls, tariffs, zones) and the route arrays they make.

Policies change a few times a game; routes are read every turn. So the book keeps the
policies as validated models and rebuilds the dense (mineral, origin, buyer) arrays only
when something changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from game.rules import ExportControl, FloorPaidBy, Instrument, Stage, Tariff, Zone
from game.world.digest import SequenceDigest, float_maps, json_bytes
from game.world.market.clearing import Routes

F64 = NDArray[np.float64]

OFFTAKE_PREMIUM = 0.05
"""Owners' offtake contracts price their own mines' ore this much (share of the reference
price) below spot: an owner nation's refiners get first call on its mines abroad."""
SAME_REGION_TRANSPORT = 0.5


@dataclass
class ActiveControl:
    spec: ExportControl
    imposed_turn: int
    baseline: dict[str, float] = field(default_factory=dict)
    """Licensing: each target's share of its purchases that came from the issuer before the
    first licence (what its importers apply to buy from the issuer, as a share of their needs)."""
    approval: dict[str, float] = field(default_factory=dict)
    """Licensing: the share of each target's applications approved this turn (the policy's
    rate moved by relations and the issuer's own needs; game.world.mechanisms.controls)."""
    licensed: dict[str, float] = field(default_factory=dict)
    """Licensing: tonnes each target may receive this turn (approval times applications)."""


class LicenceBaselines(dict[tuple[str, str, str, str], float]):
    """(issuer, mineral, stage, target) -> the target's share of its purchases that came from
    the issuer before its first licence. Entries are only ever added (`setdefault`), so the
    digest encodes each key once, when it arrives; the values are read afresh every time."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[bytes] = []

    def digest(self) -> bytes:
        if len(self._keys) > len(self):  # something was taken out: start again
            self._keys = []
        for key in list(self)[len(self._keys) :]:
            self._keys.append("\x1f".join(key).encode() + b"\x1e")
        values = np.fromiter(self.values(), dtype=np.float64, count=len(self))
        return b"".join(self._keys) + values.tobytes()


@dataclass(frozen=True)
class Geography:
    """What route arrays are built from that does not change with policy."""

    nations: tuple[str, ...]
    minerals: tuple[str, ...]
    region: tuple[str, ...]
    transport_share: F64  # (M,) share of the reference price per international tonne

    def index(self, nation: str) -> int:
        return self.nations.index(nation)

    def distance(self) -> F64:
        """0 at home, 0.5 within a region, 1 between regions."""
        region = np.array(self.region)
        same_region = region[:, None] == region[None, :]
        d = np.where(same_region, SAME_REGION_TRANSPORT, 1.0)
        np.fill_diagonal(d, 0.0)
        return d


@dataclass
class PolicyBook:
    geo: Geography
    controls: list[ActiveControl] = field(default_factory=list)
    tariffs: list[Tariff] = field(default_factory=list)
    zones: dict[str, Zone] = field(default_factory=dict)
    version: int = 0
    _controls_digest: SequenceDigest[ExportControl] = field(
        default_factory=lambda: SequenceDigest(json_bytes), repr=False, compare=False
    )
    """The controls' part of the world hash, which costs only the controls changed since."""

    _caps: dict[Stage, tuple[tuple[int, int], F64]] = field(default_factory=dict, repr=False, compare=False)
    _grants: int = field(default=0, repr=False, compare=False)

    def changed(self) -> None:
        self.version += 1

    def granted(self) -> None:
        """Licences were granted afresh: the caps are to be read again."""
        self._grants += 1

    def digest(self) -> bytes:
        """The controls (with their licence baselines), tariffs and zones, for the world hash."""
        return (
            self._controls_digest.digest(a.spec for a in self.controls)
            + float_maps(a.baseline for a in self.controls)
            + float_maps(a.approval for a in self.controls)
            + float_maps(a.licensed for a in self.controls)
            + repr([x.model_dump_json() for x in self.tariffs]).encode()
            + repr([z.model_dump_json() for z in self.zones.values()]).encode()
        )

    def cap_owners(self, stage: Stage) -> list[tuple[ActiveControl, str | None]]:
        """Each cap group of a stage, in the order `routes` builds them: its control, and for
        a licence the target it covers (a quota covers all its targets together)."""
        owners: list[tuple[ActiveControl, str | None]] = []
        for active in self.controls:
            c = active.spec
            if c.stage != stage:
                continue
            if c.instrument == Instrument.QUOTA:
                owners.append((active, None))
            elif c.instrument == Instrument.LICENSING:
                owners.extend((active, self.geo.nations[t]) for t in self.targets_of(c))
        return owners

    def caps(self, stage: Stage) -> F64:
        """(G,) tonnes a turn each cap group of a stage may carry: a quota's share of its year,
        a licence's tonnes granted this turn. Licences move every turn while the routes stay,
        so the routes' caps are refreshed from here."""
        key = (self.version, self._grants)
        cached = self._caps.get(stage)
        if cached is not None and cached[0] == key:
            return cached[1]
        caps = np.array(
            [
                (a.spec.quota_tpy or 0.0) / 4 if target is None else a.licensed.get(target, 0.0)
                for a, target in self.cap_owners(stage)
            ],
            dtype=float,
        )
        self._caps[stage] = (key, caps)
        return caps

    def targets_of(self, control: ExportControl) -> list[int]:
        issuer = self.geo.index(control.issuer)
        if control.targets:
            return [self.geo.index(t) for t in control.targets]
        return [n for n in range(len(self.geo.nations)) if n != issuer]

    @staticmethod
    def discount(ref_price: F64, owned_share: F64, defence_nodes: bool) -> F64:
        """(M, N, B) price advantage an owner's buyers get from the mines and refineries it
        owns abroad (their offtake)."""
        discount = OFFTAKE_PREMIUM * ref_price[:, None, None] * owned_share
        return np.concatenate([discount, discount], axis=2) if defence_nodes else discount

    def routes(self, stage: Stage, ref_price: F64, owned_share: F64, defence_nodes: bool) -> Routes:
        """Dense route arrays for one stage. Buyers are nations, or (civil, defence) pairs."""
        n_nat, n_min = len(self.geo.nations), len(self.geo.minerals)
        n_buy = 2 * n_nat if defence_nodes else n_nat
        shape = (n_min, n_nat, n_buy)

        def buyers(nations: list[int], civil: bool = True, defence: bool = True) -> list[int]:
            if not defence_nodes:
                return nations
            return ([*nations] if civil else []) + ([n + n_nat for n in nations] if defence else [])

        def widen(a: F64) -> F64:  # (M, N, N) -> (M, N, B)
            return np.concatenate([a, a], axis=2) if defence_nodes else a

        open_ = np.ones(shape, dtype=bool)
        export_tax = np.zeros(shape)
        tariff = np.zeros(shape)
        floor = np.zeros(shape)
        fund_floor = np.zeros(shape)
        dist = self.geo.distance()
        transport = widen(self.geo.transport_share[:, None, None] * ref_price[:, None, None] * dist[None])
        discount = self.discount(ref_price, owned_share, defence_nodes)
        groups: list[NDArray[np.int64]] = []

        def routes_to(m: int, o: int, to: list[int]) -> NDArray[np.int64]:
            return (m * n_nat + o) * n_buy + np.array(sorted(set(to)), dtype=np.int64)

        minerals = self.geo.minerals

        for active in self.controls:
            c = active.spec
            if c.stage != stage:
                continue
            m, o = minerals.index(c.mineral), self.geo.index(c.issuer)
            targets = self.targets_of(c)
            if c.instrument == Instrument.BAN:
                open_[m, o, buyers(targets)] = False
            elif c.instrument == Instrument.END_USE:
                open_[m, o, buyers(targets, civil=False)] = False
            elif c.instrument == Instrument.EXPORT_TAX:
                b = buyers(targets)
                export_tax[m, o, b] = np.maximum(export_tax[m, o, b], (c.tax_pct or 0.0) / 100)
            elif c.instrument == Instrument.QUOTA:
                groups.append(routes_to(m, o, buyers(targets)))
            elif c.instrument == Instrument.LICENSING:
                groups.extend(routes_to(m, o, buyers([t])) for t in targets)

        for t in self.tariffs:
            if t.stage != stage:
                continue
            m, d = minerals.index(t.mineral), self.geo.index(t.issuer)
            origins = [self.geo.index(o) for o in t.origins] or [o for o in range(n_nat) if o != d]
            for b in buyers([d]):
                tariff[m, origins, b] = np.maximum(tariff[m, origins, b], t.rate_pct / 100)

        for z in self.zones.values():
            members = [self.geo.index(n) for n in z.members]
            outsiders = [n for n in range(n_nat) if n not in members]
            inside = np.ix_(range(n_min), members, buyers(members))
            tariff[inside] = 0.0
            for mineral, rate in z.external_tariff_pct.items():
                if mineral in minerals:
                    m = minerals.index(mineral)
                    block = np.ix_([m], outsiders, buyers(members))
                    tariff[block] = np.maximum(tariff[block], rate / 100)
            if stage == Stage.REFINED:
                for mineral, level in z.price_floor_usd_per_t.items():
                    if mineral in minerals:
                        block = np.ix_([minerals.index(mineral)], members, buyers(members))
                        paid = floor if z.floor_paid_by == FloorPaidBy.BUYERS else fund_floor
                        paid[block] = np.maximum(paid[block], level)

        return Routes(
            open=open_,
            transport=transport,
            export_tax=export_tax,
            tariff=tariff,
            floor=floor,
            fund_floor=fund_floor,
            discount=discount,
            cap_routes=tuple(groups),
            cap=self.caps(stage),
        )
