"""A game: a world plus who decides for each nation, and the log that reproduces it.

Every nation is played by a controller (an AI doctrine, a script, an RL policy) or by
someone who submits orders from outside (a human at the UI, an external agent): for those
the controller is None. Each turn the controllers are asked in scenario order, their
orders go through the same desk as anyone's, then the world resolves the turn.

The world is rebuilt from a save by replaying the order log; AI controllers are driven
through the same turns (their decisions discarded) so that whatever they remember is
exactly what it was, and a loaded game continues as if it had never stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import ValidationError

from agents.controller import Controller, Level
from agents.doctrines import make_controller
from agents.observation import Observation
from game import __version__
from game.content import Content, event_problems
from game.rules.facilitator import FACILITATOR_ADAPTER, Broadcast, FacilitatorAction
from game.rules.orders import Order
from game.rules.scenarios import Scenario, ScheduledEvent
from game.saves import (
    Branch,
    ControllerKind,
    ControllerSpec,
    LoggedAction,
    LoggedOrder,
    Reseed,
    Room,
    Save,
    SaveError,
    ScheduleEdit,
    SealKey,
    require_open,
    rolling_autosave,
)
from game.world.market import warm_up as warm_up  # for the UI, which sees the core only here
from game.world.mechanisms.desk import Verdict
from game.world.model import WorldModel


def ai_spec(content: Content, nation: str, level: Level = Level.NORMAL) -> ControllerSpec:
    return ControllerSpec(
        kind=ControllerKind.AI, doctrine=content.nations[nation].doctrine, level=level.value
    )


class Game:
    def __init__(
        self,
        content: Content,
        scenario: str,
        seed: int = 0,
        controllers: Mapping[str, Controller | None] | None = None,
        level: Level = Level.NORMAL,
        specs: Mapping[str, ControllerSpec] | None = None,
    ) -> None:
        """Every nation plays its content doctrine at `level`, unless `controllers` gives it
        another controller (None: its orders come from outside). `specs` says how to record
        the controllers in a save; given without `controllers`, it builds them."""
        self.content = content
        self.seed = seed
        self.world = WorldModel(content, scenario, seed=seed)
        nations = self.world.nation_ids
        # The world's view of content: the scenario's doctrines and, in a historical scenario,
        # its start year's prices, firms and demand (game.world.calibration).
        self.specs: dict[str, ControllerSpec] = {n: ai_spec(self.world.content, n, level) for n in nations}
        self.specs.update(specs or {})
        self.controllers: dict[str, Controller | None] = {
            n: self._build(n, spec) for n, spec in self.specs.items() if n in nations
        }
        strangers = sorted(set(controllers or {}) - set(nations))
        if strangers:
            raise ValueError(f"controllers given for nations not in {scenario}: {', '.join(strangers)}")
        for nation, controller in (controllers or {}).items():
            self.controllers[nation] = controller
            if nation not in (specs or {}) and self.specs[nation].kind == ControllerKind.AI:
                kind = ControllerKind.HUMAN if controller is None else ControllerKind.EXTERNAL
                self.specs[nation] = ControllerSpec(kind=kind)
        self.controller_errors: list[tuple[int, str, str]] = []
        self.world_hashes: list[str] = []
        self.scripted: dict[int, list[Order]] = {}
        """Orders fixed in advance by turn (a fork's later human orders, a script)."""
        self.reseeded: Reseed | None = None
        self.branches: list[Branch] = []
        self.autosave: tuple[Path, int] | None = None
        """(folder, how many to keep): when set, every turn ends with a rolling autosave."""
        self.room: Room | None = None
        """A wargame's room: its teams decide their own policy, its facilitator changed the
        inject schedule or the length (see `set_room`); None for any other game."""
        self.sealer: SealKey | None = None
        """A guarded room's key (from the facilitator's PIN): its saves and autosaves are
        written sealed, so no file in reach of a team's seat holds the room's secrets."""

    def _build(self, nation: str, spec: ControllerSpec, seed: int | None = None) -> Controller | None:
        if spec.kind != ControllerKind.AI:
            return None
        doctrine = spec.doctrine or self.world.content.nations[nation].doctrine
        return make_controller(
            doctrine, nation, Level(spec.level), self.seed if seed is None else seed, self.world.content
        )

    def reseed(self, seed: int) -> None:
        """From this turn on, chance (the world's and the AI's) comes from `seed`."""
        self.world.rng = np.random.default_rng(seed)
        for nation, spec in self.specs.items():
            if spec.kind == ControllerKind.AI and nation in self.controllers:
                self.controllers[nation] = self._build(nation, spec, seed)
        self.reseeded = Reseed(turn=self.world.turn, seed=seed)

    # ---------------------------------------------------------------- a wargame's room

    def set_room(self, room: Room | None) -> None:
        """Make this game a wargame's: the world leaves the teams' policies to them and plays
        the facilitator's inject schedule. Everything here is in the save, so a replay (which
        sets the same room before its first turn) does exactly the same."""
        self.room = room
        self.world.team_nations = frozenset(room.teams if room else ())
        self.world.team_events = room.team_events if room else "news"
        self.apply_schedule()

    def apply_schedule(self) -> None:
        """The scenario's schedule with the facilitator's changes made so far (up to this
        turn), handed to the world's event engine (the one place that reads it each turn)."""
        edits = [e for e in (self.room.schedule if self.room else ()) if e.turn <= self.world.turn]
        base = self.world.scenario
        schedule = edited_schedule(base, edits)
        if schedule != list(self.world.events.scenario.schedule):
            self.world.events.scenario = base.model_copy(update={"schedule": schedule})

    @property
    def length(self) -> int:
        """Turns this game lasts: the scenario's, or the facilitator's shorter length."""
        turns = self.world.scenario.turns
        return min(turns, self.room.turns) if self.room and self.room.turns else turns

    # ---------------------------------------------------------------- playing

    @property
    def turn(self) -> int:
        return self.world.turn

    @property
    def over(self) -> bool:
        return self.world.turn >= self.length

    def submit(self, order: Order | dict | str) -> Verdict:
        return self.world.submit(order)

    def facilitate(self, action: FacilitatorAction | dict) -> Verdict:
        """A facilitator's event or message, applied at the start of the next turn. A composed
        event is checked against the scenario here, before it is queued: the effect code
        trusts the ids it is given (an unknown template or origin would fail mid-turn)."""
        try:
            parsed = FACILITATOR_ADAPTER.validate_python(action) if isinstance(action, dict) else action
        except ValidationError:
            return self.world.facilitate(action)  # the world words the schema's refusal
        for field, problem in _action_problems(parsed, self.content, self.world.scenario.id)[:1]:
            return Verdict(False, f"{field}: {problem}")
        return self.world.facilitate(parsed)

    def rewind(self, to_turn: int, note: str = "") -> Game:
        """The game as it stood at the start of `to_turn`: a new game replayed from the log,
        with everything played from that turn on kept in the save as a discarded branch."""
        if not 0 <= to_turn <= self.turn:
            raise ValueError(f"can only rewind to a turn already reached (0..{self.turn}), not {to_turn}")
        save = self.to_save()
        branch = Branch(
            from_turn=to_turn,
            orders=[o for o in save.orders if o.turn >= to_turn],
            facilitator=[a for a in save.facilitator if a.turn >= to_turn],
            world_hashes=save.world_hashes[to_turn:],
            note=note,
        )
        kept = save.model_copy(
            update={
                "turn": to_turn,
                "orders": [o for o in save.orders if o.turn < to_turn],
                "facilitator": [a for a in save.facilitator if a.turn < to_turn],
                "world_hashes": save.world_hashes[:to_turn],
                "branches": [*save.branches, branch],
                "wargame": save.wargame
                and save.wargame.model_copy(
                    update={"schedule": [e for e in save.wargame.schedule if e.turn < to_turn]}
                ),
            }
        )
        rewound = Game.from_save(self.content, kept)
        rewound.autosave = self.autosave
        rewound.sealer = self.sealer
        return rewound

    def observe(self, nation: str) -> Observation:
        """What `nation` may see (for its player, its script or its agent)."""
        return self.world.observe(nation)

    @property
    def humans(self) -> list[str]:
        return [n for n, spec in self.specs.items() if spec.kind == ControllerKind.HUMAN]

    def ask_controllers(self, only: Iterable[str] | None = None) -> None:
        """Let each controller (in scenario order) decide and submit its orders."""
        chosen = set(self.world.nation_ids if only is None else only)
        for nation in self.world.nation_ids:
            controller = self.controllers.get(nation)
            if controller is None or nation not in chosen:
                continue
            try:
                orders = controller.decide(self.world.observe(nation))
            except Exception as err:  # a broken script must not end the game
                self.controller_errors.append((self.world.turn, nation, f"{type(err).__name__}: {err}"))
                continue
            for order in orders:
                self.world.submit(order)

    def end_turn(self) -> None:
        self.world.step()
        self.world_hashes.append(self.world.records[-1].world_hash)
        if self.autosave is not None:
            rolling_autosave(self.to_save(), *self.autosave, seal_with=self.sealer)

    def play_turn(self) -> None:
        """Submit the orders scripted for this turn, ask every controller, resolve the turn."""
        for order in self.scripted.pop(self.world.turn, []):
            self.world.submit(order)
        self.ask_controllers()
        self.end_turn()

    def fork(
        self,
        at_turn: int,
        replace_orders: Iterable[LoggedOrder] = (),
        drop: Iterable[int] = (),
        reseed: int | None = None,
    ) -> Game:
        """A new game that shares this one's history before `at_turn` and diverges from it.

        Turn `at_turn` is played with this game's orders for that turn, less the log entries
        whose indices are in `drop`, plus `replace_orders` for that turn. After it, AI nations
        decide afresh (they react to the new world), while the orders of human, scripted and
        external nations stay as logged (with `replace_orders` for later turns added): what a
        person planned does not change because the counterfactual did. With `reseed`, chance
        is drawn anew from the fork turn on (to compare branches over many seeds)."""
        if not 0 <= at_turn <= self.turn:
            raise ValueError(f"can only fork at a turn already reached (0..{self.turn}), not {at_turn}")
        replace = list(replace_orders)
        if any(r.turn < at_turn for r in replace):
            raise ValueError("replacement orders must be for the fork turn or later")
        dropped = set(drop)
        log = [o for i, o in enumerate(self.order_log()) if i not in dropped]
        ai = {n for n, spec in self.specs.items() if spec.kind == ControllerKind.AI}
        child = Game(self.content, self.world.scenario.id, self.seed, specs=self.specs)
        child.sealer = self.sealer
        if self.room is not None:
            child.set_room(self.room)
        history = [o for o in log if o.turn <= at_turn] + [r for r in replace if r.turn == at_turn]
        by_turn = _by_turn((o.turn, o.order) for o in history)
        played = at_turn + 1 if at_turn < self.turn else at_turn  # the fork turn may not be played yet
        if self.reseeded is not None and self.reseeded.turn < at_turn:
            raise ValueError("this game was reseeded before the fork turn; fork its parent instead")
        # The facilitator's later actions answered the played line: a fork keeps those before it.
        actions = _by_turn((a.turn, a.action) for a in self.facilitator_log())
        for turn in range(played):
            if turn == at_turn and reseed is not None:
                child.reseed(reseed)
            if child.room is not None:
                child.apply_schedule()
            child.replay_turn(by_turn.get(turn, []), actions.get(turn, []))
        if reseed is not None and played == at_turn:
            child.reseed(reseed)
        later = [o for o in log if o.turn > at_turn and o.order.issuer not in ai]
        upcoming = [o for o in history if o.turn >= played] + later + [r for r in replace if r.turn > at_turn]
        for logged in upcoming:
            child.scripted.setdefault(logged.turn, []).append(logged.order)
        return child

    # ---------------------------------------------------------------- the log

    def order_log(self) -> list[LoggedOrder]:
        """Every order submitted, in submission order, then those still queued for this turn;
        event effects are left out (a replay regenerates them from the events)."""
        records = sorted((r for r in self.world.desk.log if r.stage != "event"), key=lambda r: r.seq)
        done = [LoggedOrder(turn=r.turn, order=r.order) for r in records]
        waiting = [LoggedOrder(turn=self.world.turn, order=o) for _, o in self.world.desk.queued]
        return done + waiting

    def facilitator_log(self) -> list[LoggedAction]:
        done = [LoggedAction(turn=t, action=a) for t, a in self.world.facilitator_log]
        return done + [LoggedAction(turn=self.world.turn, action=a) for a in self.world.facilitator_queue]

    def to_save(self) -> Save:
        return Save(
            scenario=self.world.scenario.id,
            content_hash=self.content.content_hash,
            seed=self.seed,
            package_version=__version__,
            controllers=self.specs,
            turn=self.world.turn,
            orders=self.order_log(),
            facilitator=self.facilitator_log(),
            world_hashes=list(self.world_hashes),
            branches=list(self.branches),
            reseed=self.reseeded,
            wargame=self.room,
        )

    @classmethod
    def from_save(
        cls,
        content: Content,
        save: Save,
        force: bool = False,
        until_turn: int | None = None,
        on_turn: Callable[[Game], None] | None = None,
        strict: bool = False,
    ) -> Game:
        """Rebuild a game by replaying its log (to `until_turn`, default all of it), checking
        the world hash every turn. Raises SaveError on a foreign content hash (unless
        `force`), an unknown scenario, a facilitator action the game would have refused, or
        a replay that does not match the save.
        `strict` (`replay --verify`) also refuses a save that has no recorded hash for a turn
        it replays (stripping the hashes must not make a tampered save pass) and one that
        claims more turns than its scenario has (the lab may play past the end; a save to
        verify may not). A sealed save must have been opened with its PIN first."""
        require_open(save)
        if save.scenario not in content.scenarios:
            raise SaveError("<save>", f"scenario: {save.scenario!r} is not installed", "Install its content.")
        length = content.scenarios[save.scenario].turns
        if strict and save.turn > length:
            raise SaveError(
                "<save>",
                f"turn: {save.turn} turns played, but {save.scenario} has {length}, so it cannot be "
                "verified against the scenario",
                "Replay without --verify to rebuild it anyway.",
            )
        end = save.turn if until_turn is None else min(until_turn, save.turn)
        if strict and len(save.world_hashes) != save.turn:
            raise SaveError(
                "<save>",
                f"world_hashes: {len(save.world_hashes)} recorded for {save.turn} turns played, so "
                "the replay cannot be checked",
                "Use the save as the game wrote it, or replay without --verify.",
            )
        if save.content_hash != content.content_hash and not force:
            raise SaveError(
                "<save>",
                "content_hash: it was made with other content (content hash differs)",
                "Use the content it was made with, or load with force to accept a different game.",
            )
        nations = content.scenarios[save.scenario].nations
        for nation in save.controllers:
            if nation not in nations:
                raise SaveError(
                    "<save>",
                    f"controllers.{nation}: not a nation of {save.scenario} (the save is damaged)",
                    "Load an earlier autosave.",
                )
        try:
            game = cls(content, save.scenario, save.seed, specs=save.controllers)
        except ValueError as exc:  # a controller for a nation not in the scenario
            raise SaveError(
                "<save>", f"controllers: {exc} (the save is damaged)", "Load an earlier autosave."
            ) from None
        game.branches = list(save.branches)
        game._check_logged_actions(save)
        if save.wargame is not None:
            game._check_room(save)
            game.set_room(save.wargame)
        by_turn = _by_turn((o.turn, o.order) for o in save.orders)
        actions = _by_turn((a.turn, a.action) for a in save.facilitator)
        for turn in range(end):
            if save.reseed is not None and save.reseed.turn == turn:
                game.reseed(save.reseed.seed)
            if game.room is not None:
                game.apply_schedule()
            game.replay_turn(by_turn.get(turn, []), actions.get(turn, []))
            expected = save.world_hashes[turn] if turn < len(save.world_hashes) else None
            if expected is not None and expected != game.world_hashes[-1] and not force:
                raise SaveError(
                    "<save>",
                    f"world_hashes[{turn}]: replaying it gives another world from turn {turn} on "
                    "(hash mismatch)",
                    "The game's code or content changed since it was saved; load with force to accept.",
                )
            if on_turn:
                on_turn(game)
        if end == save.turn:  # saved mid-turn: what was queued waits again
            game._queue(by_turn.get(end, []), actions.get(end, []))
        return game

    def _check_logged_actions(self, save: Save) -> None:
        """Facilitator actions the game would refuse never reach a save it wrote: one that is
        there was put there by hand, and is named rather than replayed."""
        for i, logged in enumerate(save.facilitator):
            if logged.turn > save.turn:
                raise SaveError(
                    "<save>",
                    f"facilitator[{i}].turn: {logged.turn} is after the turn saved ({save.turn}); "
                    "the save is damaged",
                    "Load an earlier autosave.",
                )
            for field, problem in _action_problems(logged.action, self.content, save.scenario)[:1]:
                raise SaveError(
                    "<save>",
                    f"facilitator[{i}].action.{field}: {problem} (the save is damaged)",
                    "Load an earlier autosave.",
                )

    def _check_room(self, save: Save) -> None:
        """A wargame's room names teams of the scenario and injects of the library: anything
        else was put there by hand, and is named rather than replayed."""
        room = save.wargame
        assert room is not None
        nations = self.content.scenarios[save.scenario].nations
        problems = [
            (f"wargame.teams[{i}]", f"{team!r} is not a nation of {save.scenario}")
            for i, team in enumerate(room.teams)
            if team not in nations
        ] + [
            (f"wargame.schedule[{i}].event", f"no event {edit.event!r} in the library")
            for i, edit in enumerate(room.schedule)
            if edit.event not in self.content.events
        ]
        for field, problem in problems[:1]:
            raise SaveError(
                "<save>", f"{field}: {problem} (the save is damaged)", "Load an earlier autosave."
            )

    def replay_turn(self, orders: Iterable[Order], actions: Iterable[FacilitatorAction] = ()) -> None:
        """Play one turn from logged orders and facilitator actions. AI controllers still
        decide (so their memory advances exactly as it did), but what reaches the world is the log."""
        for nation, controller in self.controllers.items():
            if controller is not None:
                try:
                    controller.decide(self.world.observe(nation))
                except Exception as err:
                    self.controller_errors.append((self.world.turn, nation, f"{type(err).__name__}: {err}"))
        self._queue(orders, actions)
        self.end_turn()

    def _queue(self, orders: Iterable[Order], actions: Iterable[FacilitatorAction]) -> None:
        for action in actions:
            self.world.facilitate(action)
        for order in orders:
            self.world.submit(order)


def _action_problems(action: FacilitatorAction, content: Content, scenario: str) -> list[tuple[str, str]]:
    """(field, problem) for what WorldModel.facilitate would refuse in a logged action."""
    nations = content.scenarios[scenario].nations
    if isinstance(action, Broadcast):
        return [
            (f"to[{j}]", f"{n!r} is not a nation of {scenario}")
            for j, n in enumerate(action.to)
            if n not in nations
        ]
    if action.event is not None:
        return (
            [] if action.event in content.events else [("event", f"no event {action.event!r} in the library")]
        )
    assert action.custom is not None
    return [
        (f"custom.{field}", problem) for field, problem in event_problems(action.custom, content, scenario)
    ]


def edited_schedule(scenario: Scenario, edits: Iterable[ScheduleEdit]) -> list[ScheduledEvent]:
    """The scenario's scheduled events after the facilitator's edits, in the order made."""
    entries = list(scenario.schedule)
    for edit in edits:
        if edit.action in ("disable", "reschedule"):
            match = next((e for e in entries if e.event == edit.event and e.date == edit.was), None)
            if match is not None:
                entries.remove(match)
        if edit.action in ("reschedule", "add") and edit.date is not None:
            entries.append(ScheduledEvent(event=edit.event, date=edit.date))
    return entries


T = TypeVar("T")


def _by_turn(entries: Iterable[tuple[int, T]]) -> dict[int, list[T]]:
    """Logged entries grouped by the turn they belong to, in log order."""
    grouped: dict[int, list[T]] = {}
    for turn, entry in entries:
        grouped.setdefault(turn, []).append(entry)
    return grouped
