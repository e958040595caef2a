"""The world's state, every array and ledger declared once.

`WorldState` is a slotted dataclass: nothing can be stored on it that is not declared here, so
no phase can hand data to another through an attribute nobody declared. Each field says what
it is (`Role`), its shape in the world's dimensions (M minerals, N nations, S sectors, F firms,
P score parts, G cap groups), and whether the world hash covers it and the save file carries
it. `world_hash` iterates the declaration: state added here is hashed unless it says why not.

Roles:
- CONFIG: fixed when the world is built, from content, scenario and seed (a save names all
  three, so the hash need not cover them).
- STATE: arrays that change during the game; hashed, in declaration order.
- LEDGER: objects that keep records (controls, deals, projects, queued orders); hashed through
  their own `digest()`, which costs only what changed since the last turn.
- MEMO: caches and warm starts; a replay rebuilds them exactly, and they change how fast a
  result is found, not the result (`last_rent` is the solver's warm start: from another start
  the solve lands within its tolerance, not on the same bits, which the hash of the prices
  would then show).
- OUTPUT: what the game reports (records, news); derived from the hashed state.
- TURN: the current turn's gatherings, reset when a turn starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from game.rules import Sector
from game.world.digest import RowDigest

if TYPE_CHECKING:
    from agents.firms import FirmTable
    from game.content import Content
    from game.rules import Scenario, Stage
    from game.rules.facilitator import FacilitatorAction
    from game.world.economy.investment import MarketTemplates
    from game.world.economy.projects import Pipeline
    from game.world.market.clearing import Clearing, Routes
    from game.world.market.routes import LicenceBaselines, PolicyBook
    from game.world.market.stored import RouteRows
    from game.world.mechanisms.desk import OrderDesk
    from game.world.mechanisms.diplomacy import Diplomacy
    from game.world.mechanisms.events import EventEngine, Happened
    from game.world.mechanisms.programmes import Research, Subsidy
    from game.world.record import Causes, TurnRecord
    from game.world.scoring import Scorer

F64 = NDArray[np.float64]
SECTORS: tuple[Sector, ...] = tuple(Sector)


class Role(Enum):
    CONFIG = "config"
    STATE = "state"
    LEDGER = "ledger"
    MEMO = "memo"
    OUTPUT = "output"
    TURN = "turn"


HASHED = (Role.STATE, Role.LEDGER)


Encode = Callable[["WorldState", Any], "bytes | memoryview | np.ndarray"]
"""How a hashed field goes into the world hash (given the state, for the memos it keeps)."""


def _plain(s: WorldState, value: Any) -> bytes | memoryview | np.ndarray:
    """An array's own buffer (no copy when contiguous), an int's digits, a ledger's digest."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    if isinstance(value, int):
        return str(value).encode()
    return value.digest()


def _rows(s: WorldState, value: F64) -> bytes:
    return s.use_history_digest.digest(value)  # a turn writes one row of 160


def _stage_routes(s: WorldState, value: dict) -> bytes:
    """Routes stored by rows, stage by stage: what each holds (market.stored.RouteRows)."""
    return b"".join(value[k].digest() for k in sorted(value, key=str))


def _float_map(s: WorldState, value: dict) -> bytes:
    # keys and values in insertion order, which is deterministic (a repr of the sorted
    # items costs ten times as much for a long game)
    keys = "\x1f".join(map(str, value)).encode()
    return keys + np.fromiter(value.values(), dtype=np.float64, count=len(value)).tobytes()


def _actions(s: WorldState, value: list) -> bytes:
    return repr([a.model_dump_json() for a in value]).encode()


def _logged_actions(s: WorldState, value: list) -> bytes:
    return repr([(t, a.model_dump_json()) for t, a in value]).encode()


def _programmes(s: WorldState, value: list) -> bytes:
    return repr([x.state() for x in value]).encode()


def _generator(s: WorldState, value: np.random.Generator) -> bytes:
    return repr(value.bit_generator.state).encode()


def _declare(
    role: Role, shape: str, doc: str, saved: bool = False, default: Any = None, encode: Encode = _plain
) -> Any:
    meta = {"role": role, "shape": shape, "doc": doc, "saved": saved, "encode": encode}
    if default is None:
        return field(metadata=meta)
    return field(default_factory=default, metadata=meta)


def config(shape: str, doc: str, default: Any = None) -> Any:
    return _declare(Role.CONFIG, shape, doc, default=default)


def state(shape: str, doc: str, encode: Encode = _plain) -> Any:
    return _declare(Role.STATE, shape, doc, encode=encode)


def ledger(doc: str, saved: bool = False, encode: Encode = _plain) -> Any:
    return _declare(Role.LEDGER, "", doc, saved, encode=encode)


def memo(doc: str, default: Any) -> Any:
    return _declare(Role.MEMO, "", doc, default=default)


def output(doc: str, default: Any) -> Any:
    return _declare(Role.OUTPUT, "", doc, default=default)


@dataclass(slots=True, eq=False, kw_only=True)
class WorldState:
    """Everything a world is, besides the Mesa model that runs it (see module docstring)."""

    # ---------------------------------------------------------------- config
    content: Content = config("", "the content as calibrated to the scenario's start year")
    scenario: Scenario = config("", "the scenario played")
    seed: int = config("", "the seed of the model's generator")
    nation_ids: tuple[str, ...] = config("(N,)", "nations in scenario order")
    mineral_ids: tuple[str, ...] = config("(M,)", "minerals in scenario order")
    nation_index: dict[str, int] = config("", "nation id -> index")
    mineral_index_of: dict[str, int] = config("", "mineral id -> index")
    ref_price: F64 = config("(M,)", "reference refined price, USD/t")
    ore_share: F64 = config("(M,)", "ore's share of the refined price")
    civil_eps: F64 = config("(M,)", "civil demand's short-run price elasticity")
    substitution_eps: F64 = config("(M,)", "long-run substitution elasticity")
    growth_per_turn: F64 = config("(M, S)", "demand growth factor per turn, by sector")
    demand_scale: F64 = config("(M,)", "content demand -> demand that balances the start")
    base_need: F64 = config("(M, N, S)", "need at the start, t per turn at the reference price")
    pipeline_growth: F64 = config("(M,)", "capacity growth per turn while the 2026 pipeline lasts")
    market_invests: NDArray[np.bool_] = config("(M,)", "the market commissions capacity itself")
    eol_lag: NDArray[np.int64] = config("(M,)", "turns from use to end of life")
    budget_income: F64 = config("(N,)", "policy budget topped up each turn, USD m")
    gdp_usd_bn: F64 = config("(N,)", "GDP, shares zone funds")
    market_templates: list[MarketTemplates] = config("per kind", "what the market builds on its own")
    inventory_cover: F64 = config("(M,)", "manufacturers' target stock, quarters of civil use")
    ore_inventory_cover: F64 = config("(M,)", "refiners' target ore stock, quarters of their run")
    start_paid: F64 = config("(M, 2N)", "prices of the spun-up start", default=lambda: np.zeros((0, 0)))
    start_flow: dict[Stage, F64] = config("(M, N, N) per stage", "trade of the spun-up start", default=dict)
    team_nations: frozenset[str] = config(
        "",
        "nations a human team plays (a wargame): events never impose or lift their export controls "
        "nor give their orders; game.session sets it from the save's room, so a replay does the same",
        default=frozenset,
    )
    team_events: str = config(
        "", "what such an event becomes: 'news', or 'prompt' to the team", default=lambda: "news"
    )

    # ---------------------------------------------------------------- hashed arrays
    turn: int = state("", "turns resolved so far")
    firms: FirmTable = state("(F,) columns", "every firm's numbers (agents are views on rows)")
    ore_price: F64 = state("(M, N)", "ore origin price")
    refined_price: F64 = state("(M, N)", "refined origin price")
    ore_paid: F64 = state("(M, N)", "what each country's refiners paid for ore")
    refined_paid: F64 = state("(M, 2N)", "what buyers paid, civil then defence")
    expected_refined: F64 = state("(M, N)", "refined price firms expect (adaptive)")
    expected_ore: F64 = state("(M, N)", "ore price firms expect (adaptive)")
    stockpile: F64 = state("(N, M)", "public stockpiles, t")
    stock_target: F64 = state("(N, M)", "stockpile targets, t")
    stock_budget: F64 = state("(N,)", "stockpile budgets, USD m")
    treasury: F64 = state("(N,)", "treasuries, USD m")
    growth_index: F64 = state("(M, S)", "demand growth so far")
    demand_shock: F64 = state("(M, N, S)", "demand factor of the events in force")
    substitution: F64 = state("(M, N)", "need kept after substitution away from dear minerals")
    price_memory: F64 = state("(M, N)", "slow average of price / reference")
    invest_backlog: F64 = state("(3, M, N)", "market investment committed, not yet launched")
    eol_rate: F64 = state("(M,)", "end-of-life collection rate")
    eol_ceiling: F64 = state("(M,)", "ceiling of the collection rate")
    use_history: F64 = state("(160, M, N)", "ring buffer of use, the feed of recyclers", _rows)
    shortfall: F64 = state("(M, N, S)", "need not met last turn")
    consumption: F64 = state("(M, N, S)", "what each sector consumed last turn")
    consumption_fill: F64 = state("(N, M)", "share of need met last turn (stockpiles react to it)")
    forced_release: F64 = state("(N, M)", "stockpile releases ordered for this turn")
    subsidy_cut: F64 = state("(M, N, S)", "need left after subsidised substitution")
    rnd_substitution: F64 = state("(M, N)", "need left after research breakthroughs")
    rnd_recycling: F64 = state("(M, N)", "collection boost from research")
    eol_boost: F64 = state("(M, N)", "collection boost from subsidies and research")
    trade_revenue: F64 = state("(N,)", "tariff and export-tax revenue last turn, USD m")
    zone_fund_paid: F64 = state("(N,)", "paid into zone funds last turn, USD m")
    score: F64 = state("(N,)", "score 0..100 (NaN before turn 1)")
    score_parts: F64 = state("(N, P)", "score parts")
    last_flow: dict[Stage, RouteRows] = state(
        "(M, N, N) by rows, per stage",
        "last turn's bilateral flows, stored for the origins that shipped",
        _stage_routes,
    )
    refined_nodes_flow: RouteRows = state(
        "(M, N, 2N) by rows", "last turn's refined flows by buyer node, stored for the cells that sold"
    )
    stock_net: F64 = state("(M, N)", "stockpile buying less release last turn")
    stock_delta: F64 = state("(M, N)", "stockpile change last turn")
    need: F64 = state("(M, N, S)", "this turn's need, fixed when demand moves")
    inventory: F64 = state("(M, N)", "manufacturers' commercial stocks of refined metal, t")
    inventory_target: F64 = state("(M, N)", "the stock manufacturers want this turn, t")
    inventory_expected: F64 = state("(M, N)", "civil price manufacturers expect (adaptive)")
    inventory_normal: F64 = state("(M, N)", "slow average of the civil price, what they take as normal")
    inventory_change: F64 = state("(M, N)", "manufacturers' stock change last turn, t")
    ore_inventory: F64 = state("(M, N)", "refiners' stocks of ore, t contained")
    ore_inventory_change: F64 = state("(M, N)", "refiners' ore stock change last turn, t")

    # ---------------------------------------------------------------- ledgers
    policies: PolicyBook = ledger("export controls, tariffs and zones in force")
    licence_baseline: LicenceBaselines = ledger(
        "flow a licensed route carried before its first licence (the base of pass shares)"
    )
    pipeline: Pipeline = ledger("projects under construction")
    diplomacy: Diplomacy = ledger("relations, proposals, deals, acts, replies")
    events: EventEngine = ledger("shocks in force and what has fired")
    subsidies: list[Subsidy] = ledger("subsidy programmes running", encode=_programmes)
    research: list[Research] = ledger("research programmes running", encode=_programmes)
    share_commitment: dict[tuple[str, str], float] = ledger(
        "stockpile shares pledged to zones", encode=_float_map
    )
    desk: OrderDesk = ledger("orders queued for the next turn and the order log", saved=True)
    facilitator_queue: list[FacilitatorAction] = ledger("facilitator actions for next turn", True, _actions)
    facilitator_log: list[tuple[int, FacilitatorAction]] = ledger(
        "facilitator actions applied", True, _logged_actions
    )
    scorer: Scorer = ledger("score weights and baselines, and the history")
    rng: np.random.Generator = ledger("the model's seeded generator", encode=_generator)

    # ---------------------------------------------------------------- memos, outputs, the turn
    last_rent: dict[Stage, dict[tuple[bytes, int], float]] = memo("rent warm start by cap group", dict)
    solve_scratch: dict[Stage, dict[str, NDArray]] = memo(
        "the solve's dense work arrays per stage, zeroed and reused each clearing", dict
    )
    last_clearing: dict[Stage, Clearing] = memo("the latest clearing of each stage (analysis)", dict)
    cleared_under: tuple[int, dict[Stage, Routes]] | None = memo(
        "policy version and routes of the last clearing (what policy changes are measured against)",
        lambda: None,
    )
    routes_cache: dict[Stage, tuple[int, int, Routes]] = memo("routes by (policy version, firms)", dict)
    rows_cache: dict[Stage, tuple[FirmTable, int, dict[tuple[int, int], NDArray[np.int64]]]] = memo(
        "firm rows by (mineral, country) per stage", dict
    )
    public_view: tuple[tuple[int, int], dict] | None = memo("observations' shared part", lambda: None)
    use_history_digest: RowDigest = memo("use_history's hash, row by row", RowDigest)
    spun_rounds: int = memo("which spin-up round is clearing (0: a turn)", int)
    records: list[TurnRecord] = output("one record per turn resolved", list)
    news: list[Happened] = output("what happened, for news feeds and tables", list)
    firm_names: list[tuple[str, str]] = output("(id, name) of each firm row", list)
    messages: list[tuple[int, str, str, str, str]] = output(
        "diplomatic messages (turn, from, to, tone, text)", list
    )
    causes: Causes = _declare(Role.TURN, "(M, N) each", "this turn's quantity shifts (game.world.explain)")

    # ---------------------------------------------------------------- lookups
    def mineral_index(self, mineral: str) -> int:
        return self.mineral_index_of[mineral]

    def display(self, nation_id: str) -> str:
        """A nation's name for messages ('Japan'), or the id itself if it is not in the scenario."""
        spec = self.content.nations.get(nation_id)
        return spec.name if spec else nation_id

    def label(self, some_id: str) -> str:
        """What a message calls a nation ('United States'), a mineral ('rare earths', lower
        case inside a sentence) or a zone (its name): the world writes reasons players and
        logs read as they are, not ids a front-end must rewrite. Anything else as it is."""
        nation = self.content.nations.get(some_id)
        if nation is not None:
            return nation.name
        mineral = self.content.minerals.get(some_id)
        if mineral is not None:
            name = mineral.name
            return name[:1].lower() + name[1:] if name[1:2].islower() else name
        zone = self.policies.zones.get(some_id)
        return zone.name if zone is not None else some_id

    @property
    def relations(self) -> F64:
        """(N, N) how each nation (row) regards each other (column), −100..100."""
        return self.diplomacy.relations


def declared(role: Role | None = None) -> tuple[Field, ...]:
    """The declaration, in order (of one role if given)."""
    return tuple(f for f in fields(WorldState) if role is None or f.metadata["role"] == role)


def world_hash(s: WorldState) -> str:
    """blake2b over every hashed field of the declaration, in order.

    It runs at the end of every turn, so it reads arrays in place and takes the ledgers that
    mostly stay put from digests that cost only what changed (game.world.digest). All are
    pure functions of the state: a replay in a fresh process hashes to the same."""
    h = hashlib.blake2b(digest_size=16)
    for name, encode in _HASHED:
        h.update(encode(s, getattr(s, name)))
    return h.hexdigest()


_HASHED = tuple((f.name, f.metadata["encode"]) for f in fields(WorldState) if f.metadata["role"] in HASHED)


__all__ = ["HASHED", "SECTORS", "Role", "WorldState", "declared", "world_hash"]
