"""The world hash sees every change of the state it covers, also the parts it takes from memos
(game.world.digest): replays are checked against it turn by turn, so a change it missed would
let a replay that went another way pass. The tests change one kind of state at a time the
way a memo could miss (in place, in the middle of a list, back and forth), check that the hash
moves, undo the change and check that the hash comes back."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from game.content import Content
from game.rules import Instrument
from game.session import Game
from game.world.mechanisms.events import Shock
from game.world.model import WorldModel


@pytest.fixture(scope="module")
def game(content: Content) -> Game:
    """Eight AI turns of the default scenario: dozens of deals, pending proposals, licences
    with their baselines, shocks in force and a hundred projects under way. Tests change the
    world and put it back as it was."""
    played = Game(content, "ministerial-2026", seed=0)  # a seed whose first 8 turns have all of it
    for _ in range(8):
        played.play_turn()
    w = played.world
    assert len(w.diplomacy.deals) > 3 and len(w.diplomacy.proposals) > 1 and w.events.shocks
    assert any(a.baseline for a in w.policies.controls) and len(w.pipeline.projects) > 10
    return played


@pytest.fixture
def world(game: Game) -> WorldModel:
    return game.world


def test_a_deal_ended_early_signed_or_amended_changes_the_hash(world: WorldModel) -> None:
    d = world.diplomacy
    before = world.world_hash()
    k = len(d.deals) // 2
    deal = d.deals[k]
    d.end(deal)  # broken by its seller: leaves the middle of the list
    assert world.world_hash() != before
    d.deals.insert(k, deal)
    assert world.world_hash() == before
    d.deals[k] = deal.model_copy(update={"end_turn": deal.end_turn + 1})
    assert world.world_hash() != before
    d.deals[k] = deal
    assert world.world_hash() == before
    signed = d.sign(world.turn, deal.terms)
    d.next_id -= 1  # only the list grows
    assert world.world_hash() != before
    d.end(signed)
    assert world.world_hash() == before


def test_a_proposal_answered_or_made_changes_the_hash(world: WorldModel) -> None:
    d = world.diplomacy
    before = world.world_hash()
    pending = dict(d.proposals)
    first = next(iter(pending))
    del d.proposals[first]
    assert world.world_hash() != before
    d.proposals.clear()
    d.proposals.update(pending)
    assert world.world_hash() == before
    d.next_id += 1
    assert world.world_hash() != before
    d.next_id -= 1
    assert world.world_hash() == before


def test_a_project_slipping_or_leaving_the_pipeline_changes_the_hash(world: WorldModel) -> None:
    pipeline = world.pipeline
    saved = copy.deepcopy(pipeline)
    before = world.world_hash()
    k = len(pipeline) // 2
    pipeline.columns["turns_left"][k] += 1  # in place, as Pipeline.advance counts down
    assert world.world_hash() != before
    pipeline.columns["turns_left"][k] -= 1
    assert world.world_hash() == before
    keep = np.ones(len(pipeline), dtype=bool)
    keep[k] = False
    pipeline._keep(keep)  # leaves the middle of the pipeline
    assert world.world_hash() != before
    world.state.pipeline = pipeline = copy.deepcopy(saved)
    assert world.world_hash() == before
    pipeline.columns["cancel_hazard"][k] += 0.01  # a number no later state shows until the project ends
    assert world.world_hash() != before
    world.state.pipeline = saved
    assert world.world_hash() == before


def test_an_act_noticed_changes_the_hash(world: WorldModel) -> None:
    """Observations read recent acts back (the AI weighs who did what to whom), so they are
    state even where the relations they moved are put back."""
    d = world.diplomacy
    before = world.world_hash()
    k = len(d.acts) // 2
    act = d.acts.pop(k)
    assert world.world_hash() != before
    d.acts.insert(k, act)
    assert world.world_hash() == before
    d.acts.append(act.model_copy(update={"turn": world.turn}))
    assert world.world_hash() != before
    d.acts.pop()
    assert world.world_hash() == before


def test_a_control_narrowed_or_its_licence_baseline_changed_moves_the_hash(world: WorldModel) -> None:
    controls = world.policies.controls
    before = world.world_hash()
    k, active = next((k, a) for k, a in enumerate(controls) if a.baseline)
    assert active.spec.instrument == Instrument.LICENSING
    spec = active.spec
    active.spec = spec.model_copy(update={"approval_rate": (spec.approval_rate or 0.0) / 2})
    assert world.world_hash() != before
    active.spec = spec
    assert world.world_hash() == before
    target = next(iter(active.baseline))
    tonnes = active.baseline[target]
    active.baseline[target] = tonnes + 1.0  # the dict itself, in place
    assert world.world_hash() != before
    active.baseline[target] = tonnes
    assert world.world_hash() == before
    del controls[k]
    assert world.world_hash() != before
    controls.insert(k, active)
    assert world.world_hash() == before


def test_any_row_of_the_use_history_moves_the_hash(world: WorldModel) -> None:
    """The ring buffer is written a row a turn; a change in any other row counts the same,
    also one only the bits see (0.0 against -0.0)."""
    history = world.use_history
    before = world.world_hash()
    row = (world.turn + 80) % len(history)  # a row this turn did not write
    value = history[row, 0, 0]
    history[row, 0, 0] = np.nextafter(value, np.inf)
    assert world.world_hash() != before
    history[row, 0, 0] = 0.0
    zero = world.world_hash()
    history[row, 0, 0] = -0.0
    assert world.world_hash() != zero
    history[row, 0, 0] = value
    assert world.world_hash() == before


def test_a_shock_starting_or_ending_changes_the_hash(world: WorldModel) -> None:
    shocks = world.events.shocks
    before = world.world_hash()
    shock = shocks[0]
    shocks.append(Shock(shock.effect, shock.until_turn + 4, shock.event))
    assert world.world_hash() != before
    shocks.pop()
    assert world.world_hash() == before
    del shocks[0]
    assert world.world_hash() != before
    shocks.insert(0, shock)
    assert world.world_hash() == before


def test_the_hash_from_memos_is_the_hash_from_scratch(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A game played without hashing (so that the memos start cold at the end) hashes like
    the same game hashed every turn, also after deals broke in the middle of the list."""
    warm, cold = Game(content, "ministerial-2026", seed=2), Game(content, "ministerial-2026", seed=2)
    for _ in range(6):
        warm.play_turn()
    with monkeypatch.context() as patch:
        patch.setattr(WorldModel, "world_hash", lambda self: "")
        for _ in range(6):
            cold.play_turn()
    assert cold.world.world_hash() == warm.world.world_hash()
    for w in (warm.world, cold.world):
        w.diplomacy.end(w.diplomacy.deals[3])
    before = warm.world.world_hash()
    for w in (warm.world, cold.world):
        w.diplomacy.end(w.diplomacy.deals[1])
        w.use_history[5] += 1.0
    assert before != warm.world.world_hash() == cold.world.world_hash()
