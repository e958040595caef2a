"""The world's state is declared once (game.world.state), and the declaration is what the
world hash covers: state a phase adds must be declared, and declared state is hashed unless
its role says why not. These tests walk the declaration itself, so a field added tomorrow is
checked without a new test."""

from __future__ import annotations

import numpy as np
import pytest

from game.content import Content
from game.session import Game
from game.world.market.stored import RouteRows
from game.world.model import WorldModel
from game.world.state import HASHED, Role, WorldState, declared


@pytest.fixture(scope="module")
def world(content: Content) -> WorldModel:
    """Four AI turns of the default scenario; tests change the state and put it back."""
    game = Game(content, "ministerial-2026", seed=3)
    for _ in range(4):
        game.play_turn()
    return game.world


def test_nothing_undeclared_can_be_stored_on_the_state(world: WorldModel) -> None:
    s = world.state
    assert not hasattr(s, "__dict__")  # slotted: no attribute outside the declaration
    with pytest.raises(AttributeError):
        s.handed_over = 1  # type: ignore[attr-defined]


def test_every_field_says_what_it_is() -> None:
    for f in declared():
        assert isinstance(f.metadata["role"], Role), f.name
        assert f.metadata["doc"].strip(), f"{f.name} has no description"
        if f.metadata["saved"]:
            assert f.metadata["role"] in HASHED, f"{f.name} is saved but not hashed"


def _poke(value: object) -> tuple[object, object]:
    """A copy of an array-like field with one number changed (and the original)."""
    if isinstance(value, RouteRows):  # routes stored by rows: change one stored entry
        rows, _ = _poke(value.rows)
        return RouteRows(value.shape, value.cells, rows), value  # type: ignore[arg-type]
    if isinstance(value, np.ndarray):
        changed = value.copy()
        flat = changed.reshape(-1)
        if changed.dtype == bool:
            flat[0] = not flat[0]
        else:
            flat[flat.size // 2] += 1
        return changed, value
    if isinstance(value, int):
        return value + 1, value
    raise TypeError(type(value))


@pytest.mark.parametrize(
    "name",
    [
        f.name
        for f in declared(Role.STATE)
        if f.name not in ("firms", "last_flow")  # containers of arrays: below
    ],
)
def test_each_hashed_array_moves_the_hash(world: WorldModel, name: str) -> None:
    s = world.state
    before = world.world_hash()
    changed, original = _poke(getattr(s, name))
    setattr(s, name, changed)
    try:
        assert world.world_hash() != before, f"{name} is declared hashed but the hash missed it"
    finally:
        setattr(s, name, original)
    assert world.world_hash() == before


def test_every_firm_column_and_every_stage_of_last_flow_moves_the_hash(world: WorldModel) -> None:
    s = world.state
    before = world.world_hash()
    for column, values in zip([f for f in s.firms.__dataclass_fields__], s.firms.state_arrays(), strict=True):
        changed, original = _poke(values)
        setattr(s.firms, column, changed)
        assert world.world_hash() != before, column
        setattr(s.firms, column, original)
    for stage, flow in list(s.last_flow.items()):
        changed, original = _poke(flow)
        s.last_flow[stage] = changed  # type: ignore[assignment]
        assert world.world_hash() != before, stage
        s.last_flow[stage] = original  # type: ignore[assignment]
    assert world.world_hash() == before


@pytest.mark.parametrize("name", [f.name for f in declared(Role.LEDGER)])
def test_each_ledger_is_part_of_the_hash(world: WorldModel, name: str) -> None:
    """Leaving a ledger out of the hash would show here: the hash is computed again with the
    ledger replaced by an empty one of its kind, and must differ."""
    s = world.state
    before = world.world_hash()
    value = getattr(s, name)
    stand_in = {
        "policies": None,
        "pipeline": None,
        "diplomacy": None,
        "events": None,
        "desk": None,
        "scorer": None,
        "rng": np.random.default_rng(12345),
    }.get(name, "empty")
    if stand_in == "empty":
        stand_in = type(value)()
        if not value:  # an empty ledger has nothing to miss; make it hold something
            pytest.skip(f"{name} is empty in this game")
    elif stand_in is None:
        stand_in = _Digest(b"stand-in")
    setattr(s, name, stand_in)
    try:
        assert world.world_hash() != before, f"{name} is declared hashed but the hash missed it"
    finally:
        setattr(s, name, value)
    assert world.world_hash() == before


class _Digest:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def digest(self) -> bytes:
        return self.data


def test_a_turn_changes_only_declared_state_and_the_model_shows_every_field(world: WorldModel) -> None:
    for f in declared():
        assert getattr(world, f.name) is getattr(world.state, f.name), f.name
    assert isinstance(world.state, WorldState)


def test_firms_are_agents_grouped_by_kind_and_views_on_the_table(world: WorldModel) -> None:
    """Mesa's AgentSet of each kind of firm is the table's rows of that kind, new plants
    included (finished projects add rows and agents), and reads the table's numbers."""
    from agents.firms import KIND_CODE, Miner, Recycler, Refiner

    t = world.state.firms
    for cls in (Miner, Refiner, Recycler):
        agents = world.agents_by_type[cls]
        rows = np.flatnonzero(t.kind == KIND_CODE[cls.kind])
        assert sorted(a.row for a in agents) == rows.tolist()
        assert agents.agg("capacity", sum) == pytest.approx(float(t.capacity[rows].sum()))
    assert len(world.firm_agents) == len(t) > len(world.state.content.firms) // 2


def test_a_finished_world_is_freed(content: Content) -> None:
    """Nothing global keeps a world alive once its game is dropped (Mesa 3.3's agent id
    counters did: a sweep worker grew by a world per game)."""
    import gc
    import weakref

    game = Game(content, "tutorial", seed=0)
    game.play_turn()
    ref = weakref.ref(game.world)
    del game
    gc.collect()
    assert ref() is None
