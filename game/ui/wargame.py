"""The room's side of a game: hot-seat teams, the facilitator, the tutorial's guidance.

Like `game.ui.play`, nothing here draws: screens go through these objects, tests drive
them directly, and the turn resolves in a worker thread.

A hot-seat game is one `Game` with several human nations. Each team has its own `Play`
(its observation, its queue, its reports) over the shared game; a team's screen only ever
asks its own `Play`, so what another team queued is never on it. The world resolves once,
when the last team ends its turn, and each team's report waits until the team sits down
again behind the hand-over screen.
"""

from __future__ import annotations

from game.content import Content
from game.saves import ControllerKind, ControllerSpec, Save, SaveError
from game.session import Game, Level
from game.ui.play import Play, TurnReport, mineral_name
from game.ui.tutorial import Guidance, Step  # noqa: F401  (Step: moved, still importable here)

SUPPLY_RANGE = (0.0, 1.0)
"""A supply shock leaves this share of capacity (the core's SupplyShock.capacity_factor)."""
DEMAND_RANGE = (0.0, 10.0)
"""A demand shock multiplies demand by this (the core's DemandShock.factor)."""
DURATION_RANGE = (1, 400)


class Wargame:
    """Teams (human nations, in seat order) around one game, and what the facilitator did."""

    def __init__(self, game: Game, teams: list[str], pin: str = "", plays: list[Play] | None = None) -> None:
        """`plays`: the teams' existing plays (a one-player game gets a console too)."""
        if not teams:
            raise ValueError("a wargame needs at least one team")
        self.game = game
        self.teams = list(teams)
        self.pin = pin
        given = {p.nation: p for p in plays or []}
        self.plays: dict[str, Play] = {t: given.get(t) or Play(game, t) for t in self.teams}
        self.done: set[str] = set()
        """Teams that ended this turn (their orders wait, secret, for the others)."""
        self.pending: dict[str, TurnReport] = {}
        """Each team's report of the last resolution, until the team has seen it."""
        self.paused = False
        self.revealed = False
        """The facilitator chose to see the contents of the teams' queued orders."""
        self.ended = False
        self.log: list[str] = []
        """What the facilitator did, in words, for the console."""
        self.guides: dict[str, Guidance | None] = {}

    # ---------------------------------------------------------------- making one

    @classmethod
    def new(
        cls,
        content: Content,
        scenario: str,
        teams: list[str],
        level: str = "normal",
        seed: int = 0,
        pin: str = "",
    ) -> Wargame:
        specs = {t: ControllerSpec(kind=ControllerKind.HUMAN) for t in teams}
        game = Game(
            content, scenario, seed, controllers=dict.fromkeys(teams), level=Level(level), specs=specs
        )
        return cls(game, teams, pin)

    @classmethod
    def from_save(cls, content: Content, save: Save, pin: str = "") -> Wargame:
        game = Game.from_save(content, save)
        if not game.humans:
            raise SaveError(
                "<save>", "it has no human player (an AI-only run)", "Open it as a replay instead."
            )
        return cls(game, game.humans, pin)

    @property
    def hotseat(self) -> bool:
        return len(self.teams) > 1

    # ---------------------------------------------------------------- seats

    def play(self, team: str) -> Play:
        return self.plays[team]

    @property
    def current(self) -> str:
        """The team whose turn it is to sit down (the first that has not ended this turn)."""
        return next((t for t in self.teams if t not in self.done), self.teams[0])

    def team_done(self, team: str) -> bool:
        """Mark a team's turn ended; True when every team has (time to resolve)."""
        self.done.add(team)
        return self.done >= set(self.teams)

    def resolve(self) -> dict[str, TurnReport]:
        """Resolve the turn once for every team (safe in a worker thread)."""
        before = {t: p.obs for t, p in self.plays.items()}
        self.game.play_turn()
        reports = {t: self.plays[t].after_turn(before[t]) for t in self.teams}
        self.pending = dict(reports)
        self.done.clear()
        return reports

    def guide(self, team: str) -> Guidance | None:
        """The team's tutorial guidance (kept across turns and hand-overs), if the scenario has one."""
        if team not in self.guides:
            self.guides[team] = Guidance.for_scenario(self.game.world.scenario.id)
        return self.guides[team]

    def take_report(self, team: str) -> TurnReport | None:
        return self.pending.pop(team, None)

    def can_end_turn(self) -> tuple[bool, str]:
        if self.paused:
            return False, "The facilitator has paused the game: wait before ending your turn."
        if self.ended:
            return False, "The facilitator has ended the game."
        return True, ""

    def queued_counts(self) -> dict[str, int]:
        return {t: len(self.plays[t].queued()) for t in self.teams}

    # ---------------------------------------------------------------- facilitator

    def check_pin(self, text: str) -> bool:
        return not self.pin or text.strip() == self.pin

    def inject_library(self, event_id: str) -> tuple[bool, str]:
        verdict = self.game.facilitate({"kind": "inject_event", "event": event_id})
        if verdict.accepted:
            name = self.game.world.content.events[event_id].name
            self.log.append(f"{self.game.world.scenario.date_of(self.turn_index)}: injected '{name}'")
            return True, f"'{name}' will happen at the start of next turn."
        return False, verdict.reason

    def inject_custom(
        self,
        effect: str,
        mineral: str,
        country: str,
        size: str,
        duration: str,
        headline: str,
        news: str,
        stage: str = "refined",
    ) -> tuple[bool, str]:
        """Compose an event from the console's fields: a supply shock (capacity of a
        country's firms falls to `size`) or a demand shock (demand multiplied by `size`).
        Every field is checked here first so the facilitator reads which one is wrong."""
        lo, hi = SUPPLY_RANGE if effect == "supply_shock" else DEMAND_RANGE
        what = "capacity factor" if effect == "supply_shock" else "demand factor"
        try:
            factor = float(size.strip().replace(",", "."))
        except ValueError:
            return False, f"Size: '{size}' is not a number (the {what}, {lo:g} to {hi:g})."
        if not lo <= factor <= hi:
            return False, f"Size: the {what} must be between {lo:g} and {hi:g}, not {factor:g}."
        try:
            turns = int(duration.strip())
        except ValueError:
            return False, f"Duration: '{duration}' is not a whole number of turns."
        if not DURATION_RANGE[0] <= turns <= DURATION_RANGE[1]:
            return False, f"Duration: between {DURATION_RANGE[0]} and {DURATION_RANGE[1]} turns, not {turns}."
        world = self.game.world
        if mineral not in world.mineral_ids:
            return False, f"Mineral: {mineral} is not in this scenario."
        if effect == "supply_shock" and country not in world.nation_ids:
            return False, "Country: a supply shock needs the country whose mines or refineries fail."
        headline = (
            headline.strip()
            or f"{mineral_name(mineral)} {'supply' if effect == 'supply_shock' else 'demand'} shock"
        )
        news = news.strip() or headline
        if effect == "supply_shock":
            body = {"type": "supply_shock", "mineral": mineral, "stage": stage, "country": country,
                    "capacity_factor": factor, "duration_turns": turns}  # fmt: skip
        else:
            body = {"type": "demand_shock", "mineral": mineral, "factor": factor, "duration_turns": turns}
            if country in world.nation_ids:
                body["country"] = country
        n = len(self.game.facilitator_log()) + 1
        event = {
            "id": f"facilitator_t{self.turn_index}_{n}",
            "name": headline[:120],
            "news": news[:1000],
            "source": "facilitator (exercise)",
            "effects": [body],
        }
        verdict = self.game.facilitate({"kind": "inject_event", "custom": event})
        if not verdict.accepted:
            return False, verdict.reason
        self.log.append(f"{self.game.world.scenario.date_of(self.turn_index)}: composed '{headline}'")
        return True, f"'{headline}' will happen at the start of next turn."

    def broadcast(self, text: str, to: list[str]) -> tuple[bool, str]:
        text = text.strip()
        if not text:
            return False, "Message: write something to send."
        verdict = self.game.facilitate({"kind": "broadcast", "to": to, "text": text[:1000]})
        if not verdict.accepted:
            return False, verdict.reason
        who = ", ".join(self.plays[self.teams[0]].name(t) for t in to) or "every team"
        self.log.append(f"{self.game.world.scenario.date_of(self.turn_index)}: message to {who}")
        return True, f"Message to {who} delivered at the start of next turn."

    def rewind(self, to_turn: int, note: str = "") -> None:
        """Back to the start of `to_turn`; the discarded branch stays in the save."""
        game = self.game.rewind(to_turn, note or f"facilitator rewound to turn {to_turn + 1}")
        self.game = game
        for play in self.plays.values():
            play.game = game
            play.reports = [r for r in play.reports if r.turn < to_turn]
            play.refresh()
        self.done.clear()
        self.pending.clear()
        self.log.append(f"rewound to {game.world.scenario.date_of(to_turn)} (turn {to_turn + 1})")

    @property
    def turn_index(self) -> int:
        return self.game.turn
