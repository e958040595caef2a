"""What the order panels need to know and do, whoever holds the world.

`OrderContext` is the panels' whole view of a game: the team's observation, the content,
names for ids, and the order desk's answers (check, submit, withdraw, the queue). A local
`Play` satisfies it with the world at hand. `RemotePlay` satisfies it at a team's own
machine, where there is no world: its choices come from the team's own observation and
the local content, a form is checked against the order schema here, and the host's
verdict on submit (accepted with its cost, or refused with its reason) is the world's
word. Nothing in it can reach another team's data: the seat only ever receives its own.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Protocol, runtime_checkable

import numpy as np
from pydantic import ValidationError

from agents.observation import Observation
from game.content import Content
from game.ledger import Names
from game.net.remote import RemoteSeat
from game.rules.orders import ORDER_ADAPTER, Order
from game.ui.play import Play

ANSWER_SECONDS = 30.0
"""How long the panel waits for the host's verdict (on a room's network: milliseconds)."""


@runtime_checkable
class OrderContext(Protocol):
    nation: str
    remote: bool

    @property
    def obs(self) -> Observation: ...
    @property
    def content(self) -> Content: ...
    @property
    def scenario(self) -> Any: ...
    @property
    def names(self) -> Names: ...
    @property
    def in_room(self) -> bool: ...

    def name(self, nation: str) -> str: ...
    def short_name(self, nation: str) -> str: ...
    def describe(self, order: Order) -> str: ...
    def proposal(self, pid: int) -> Any: ...
    def current_price(self) -> np.ndarray: ...
    def parse(self, raw: dict[str, Any]) -> Order | str: ...
    def check(self, raw: dict[str, Any]) -> tuple[bool, str, float]: ...
    def check_cost(self, order: Order) -> float: ...
    def submit(self, raw: dict[str, Any], note: str = "") -> tuple[bool, str, float]: ...
    def queued(self) -> list[Order]: ...
    def withdraw(self, index: int) -> Order | None: ...


class SeenWorld:
    """What display names read of a world, taken from the team's own observation: the
    ids of nations and minerals, the zones it can see, the proposals to and from it."""

    def __init__(self, obs: Observation) -> None:
        self.nation_ids = list(obs.nations)
        self.mineral_ids = list(obs.minerals)
        self.policies = SimpleNamespace(zones={z.id: z for z in obs.zones})
        self.diplomacy = SimpleNamespace(proposals={p.id: p for p in (*obs.inbox, *obs.outbox)})


class RemotePlay:
    """A team's order context at its own machine, over its seat at the host."""

    remote = True
    in_room = True  # a hosted game is always a wargame: every form takes the "Why?" note

    # the wording of orders and names is the local game's own (it reads only `world`,
    # `content` and `names`, which this class answers from the observation)
    name = Play.name
    short_name = Play.short_name
    zone_name = Play.zone_name
    describe = Play.describe

    def __init__(self, seat: RemoteSeat, content: Content, scenario: str) -> None:
        self.seat = seat
        self.nation = seat.team
        self._content = content
        self._scenario = content.scenarios[scenario]
        self._costs: dict[str, float] = {}
        self._seen: tuple[int, SeenWorld, Names] | None = None

    @property
    def obs(self) -> Observation:
        obs = self.seat.observation
        assert obs is not None, "the seat is not connected"
        return obs

    @property
    def content(self) -> Content:
        return self._content

    @property
    def scenario(self) -> Any:
        return self._scenario

    def _sight(self) -> tuple[SeenWorld, Names]:
        obs = self.obs
        if self._seen is None or self._seen[0] != id(obs):
            world = SeenWorld(obs)
            self._seen = (id(obs), world, Names(self._content, world))
        return self._seen[1], self._seen[2]

    @property
    def world(self) -> SeenWorld:
        return self._sight()[0]

    @property
    def names(self) -> Names:
        return self._sight()[1]

    def proposal(self, pid: int) -> Any:
        return self.world.diplomacy.proposals.get(pid)

    def current_price(self) -> np.ndarray:
        """(M,) world-average refined price paid last quarter (the team sees every
        country's price: public trade statistics)."""
        return np.asarray(self.obs.refined_price, dtype=float).mean(axis=1)

    # ---------------------------------------------------------------- orders

    def parse(self, raw: dict[str, Any]) -> Order | str:
        """The order the form makes, checked against the order schema here."""
        try:
            return ORDER_ADAPTER.validate_python({**raw, "issuer": self.nation})
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "order"
            return f"not a valid order: {where}: {first['msg']}"

    def check(self, raw: dict[str, Any]) -> tuple[bool, str, float]:
        """The schema's answer only: the world's (treasury, partners, controls in force)
        comes from the host when the order is submitted."""
        order = self.parse(raw)
        if isinstance(order, str):
            return False, self.names(order), 0.0
        return True, "", 0.0

    def check_cost(self, order: Order) -> float:
        return self._costs.get(order.model_dump_json(), 0.0)

    def submit(self, raw: dict[str, Any], note: str = "") -> tuple[bool, str, float]:
        """Send the order to the host and wait for its verdict."""
        order = self.parse(raw)
        if isinstance(order, str):
            return False, self.names(order), 0.0
        try:
            verdict = self.seat.submit(order.model_dump(mode="json"), note.strip()).result(ANSWER_SECONDS)
        except Exception as exc:  # the host went away or did not answer: say so, keep playing
            return False, f"the host did not answer ({type(exc).__name__})", 0.0
        if verdict.accepted:
            self._costs[order.model_dump_json()] = verdict.cost_usd_m
        return verdict.accepted, self.names(verdict.reason), verdict.cost_usd_m

    def queued(self) -> list[Order]:
        """This team's queue as the host last said it."""
        return [ORDER_ADAPTER.validate_python(o) for o in self.seat.queued]

    def withdraw(self, index: int) -> Order | None:
        queued = self.queued()
        if not 0 <= index < len(queued):
            return None
        try:
            verdict = self.seat.withdraw(index).result(ANSWER_SECONDS)
        except Exception:
            return None
        return queued[index] if verdict.accepted else None
