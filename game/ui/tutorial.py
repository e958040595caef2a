"""The tutorial's guidance: prompts shown when the world is ready for them.

A step is shown from its `turn` on, and only once its `when` conditions hold in the world
the player sees (a control in force, a news item out, enough quarters played for the
charts to have lines): a prompt about China's licensing waits for the licensing, not
for a turn number that a different seed or an early event would make wrong.

Conditions, read from the player's observation (see `facts`):
  played:N                 at least N quarters have been played
  control:ISSUER:MINERAL   ISSUER has an export control in force on MINERAL
  news:EVENT               the news item of event EVENT has appeared
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Step:
    """One prompt of the tutorial: shown from `turn` on, once `when` holds, until the
    player does one of `do`."""

    turn: int
    prompt: str
    do: tuple[str, ...]
    """Actions that complete it: 'panel:trade', 'mineral:lithium', 'lens:dependence',
    'order:stockpile', 'charts', 'end_turn'."""
    hint: str = ""
    done: str = ""
    when: tuple[str, ...] = ()


def facts(play: Any) -> set[str]:
    """What holds in the world the player sees, in the vocabulary of `Step.when`."""
    obs = play.obs
    out = {f"played:{n}" for n in range(play.turn + 1)}
    out |= {f"control:{c.issuer}:{c.mineral}" for c in obs.controls}
    out |= {f"news:{item.event}" for item in obs.news}
    return out


@dataclass
class Guidance:
    """Scripted prompts for a scenario (assets/guidance_<scenario>.toml), in order."""

    steps: list[Step]
    index: int = 0
    completed: list[int] = field(default_factory=list)
    last_done: str = ""
    """What the player achieved last (shown under the next prompt)."""
    hinted: bool = False
    facts: Callable[[], set[str]] | None = field(default=None, repr=False, compare=False)
    """The world's state for `when` (set by the screen that shows the guidance); without
    it, steps with conditions wait."""
    shown_at: int | None = None
    """The turn the current step was first shown (a stale step gives way a turn later)."""

    @classmethod
    def for_scenario(cls, scenario: str) -> Guidance | None:
        name = f"guidance_{scenario.replace('-', '_')}.toml"
        try:
            raw = (resources.files("lodestone_assets") / name).read_text(encoding="utf-8")
        except (FileNotFoundError, OSError):
            return None
        data = tomllib.loads(raw)
        steps = [
            Step(
                int(s.get("turn", 0)),
                str(s["prompt"]),
                tuple(str(s["do"]).split("|")),
                str(s.get("hint", "")),
                str(s.get("done", "")),
                tuple(w for w in str(s.get("when", "")).split("|") if w),
            )
            for s in data.get("step", [])
        ]
        return cls(steps) if steps else None

    def _ready(self, step: Step, turn: int) -> bool:
        if step.turn > turn:
            return False
        if not step.when:
            return True
        known = self.facts() if self.facts is not None else set()
        return all(w in known for w in step.when)

    def current(self, turn: int) -> Step | None:
        """The step to show now: the next undone one, once its turn and conditions have come."""
        if self.index >= len(self.steps):
            return None
        step = self.steps[self.index]
        if not self._ready(step, turn):
            return None
        if self.shown_at is None:
            self.shown_at = turn
        return step

    def _advance(self) -> None:
        self.index += 1
        self.hinted = False
        self.shown_at = None

    def notice(self, action: str, turn: int) -> Step | None:
        """The player did `action`; returns the step it completed, if any."""
        step = self.current(turn)
        if step is None or not any(action == d or action.startswith(d + ":") for d in step.do):
            return None
        self.completed.append(self.index)
        self.last_done = step.done or "Done."
        self._advance()
        return step

    def hint(self, turn: int) -> str:
        """What to say when the player ends the turn with the prompt not done."""
        step = self.current(turn)
        if step is None or not step.hint:
            return ""
        self.hinted = True
        return step.hint

    def skip_if_stale(self, turn: int) -> None:
        """A prompt left undone for a whole turn after it was first shown gives way to the
        next: a class must not get stuck on one lever (its hint has been shown)."""
        step = self.current(turn)
        if (
            step is not None
            and self.shown_at is not None
            and self.shown_at < turn
            and "end_turn" not in step.do
        ):
            self.last_done = f"Skipped: {step.prompt.split('.')[0]}."
            self._advance()

    @property
    def finished(self) -> bool:
        return self.index >= len(self.steps)
