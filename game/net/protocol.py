"""What host and clients say to each other: pydantic messages, one JSON object a line.

Nothing is unpickled and nothing is evaluated: every line is parsed by a discriminated
union, and a line that is not one of these messages is answered with an `Error` and
otherwise ignored. Orders travel as the same JSON the order desk validates; observations
as plain JSON (game.net.codec), only ever the receiving team's own.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PROTOCOL = 1
MAX_LINE = 16 * 2**20
"""An observation of the largest scenario is well under a megabyte."""


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="constants")  # NaN: no score yet


# ------------------------------------------------------------------ client to host


class Join(Message):
    kind: Literal["join"] = "join"
    protocol: int = PROTOCOL
    team: str = Field(max_length=64)
    token: str | None = Field(default=None, max_length=128)
    """The seat's token from an earlier Welcome (to rejoin); none to take a free seat."""
    pin: str | None = Field(default=None, max_length=64)
    """Or the facilitator's PIN, to give a seat back to a team that lost its token."""


class Submit(Message):
    kind: Literal["submit"] = "submit"
    order: dict[str, Any]
    note: str = Field(default="", max_length=2000)
    """The team's own rationale (optional; the hot-wash report prints it)."""


class Withdraw(Message):
    kind: Literal["withdraw"] = "withdraw"
    index: int = Field(ge=0, le=10_000)


class EndTurn(Message):
    kind: Literal["end_turn"] = "end_turn"


class Watch(Message):
    """A spectator (the room's projector, `lodestone room`): no seat, only public data."""

    kind: Literal["watch"] = "watch"
    protocol: int = PROTOCOL


# ------------------------------------------------------------------ host to client


class Welcome(Message):
    kind: Literal["welcome"] = "welcome"
    team: str
    token: str
    turn: int
    length: int
    observation: dict[str, Any]
    queued: list[dict[str, Any]] = []
    ended: bool = False
    scenario: str = ""
    """The scenario's id (the client reads its dates and names from its own content)."""


class Verdict(Message):
    kind: Literal["verdict"] = "verdict"
    accepted: bool
    reason: str = ""
    cost_usd_m: float = 0.0
    queued: list[dict[str, Any]] = []
    """The team's own queue after the change."""


class Resolved(Message):
    kind: Literal["resolved"] = "resolved"
    turn: int
    """The turn now to be played."""
    world_hash: str
    observation: dict[str, Any]
    over: bool = False
    rewound: bool = False
    """The facilitator rewound the game: this turn is played again, every queue empty."""


class Status(Message):
    kind: Literal["status"] = "status"
    turn: int
    ended: list[str] = []
    """Teams that have ended this turn (who, not what)."""
    paused: bool = False
    seconds_left: float | None = None


class Notice(Message):
    kind: Literal["notice"] = "notice"
    text: str
    """A facilitator's message, delivered at once."""
    queued: list[dict[str, Any]] | None = None
    """The team's queue, when the facilitator's ruling changed it."""


class PublicNews(Message):
    turn: int
    name: str
    news: str


class PublicControl(Message):
    issuer: str
    mineral: str
    instrument: str
    targets: list[str] = []


class RoomFeed(Message):
    """What the room's projector shows, and all a spectator is ever sent: every team may
    read it (the map of who refines what and where it flows, public prices, news, the
    clock); no observation, no queue, no score, no message."""

    kind: Literal["room"] = "room"
    scenario: str
    clock: str
    minerals: list[str]
    nations: list[str]
    price: list[float]
    """(M,) world-average refined price paid this quarter, USD/t."""
    price_before: list[float]
    """(M,) the same a quarter earlier (the start's prices before the first quarter)."""
    refine_share: list[list[float]]
    """(M, N) share of world refined output by country."""
    refined_flow: list[list[list[float]]]
    """(M, N, N) refined tonnes origin -> destination, last quarter."""
    controls: list[PublicControl] = []
    news: list[PublicNews] = []
    waiting: list[str] = []
    """Teams that have not ended this quarter (who, not what)."""
    paused: bool = False
    over: bool = False


class Error(Message):
    kind: Literal["error"] = "error"
    text: str


ToHost = Annotated[Join | Submit | Withdraw | EndTurn | Watch, Field(discriminator="kind")]
ToClient = Annotated[
    Welcome | Verdict | Resolved | Status | Notice | RoomFeed | Error, Field(discriminator="kind")
]
TO_HOST: TypeAdapter[ToHost] = TypeAdapter(ToHost)
TO_CLIENT: TypeAdapter[ToClient] = TypeAdapter(ToClient)


def encode(message: Message) -> bytes:
    return message.model_dump_json().encode() + b"\n"


def decode_to_host(line: bytes) -> ToHost | str:
    """The message in a line, or why it is not one."""
    try:
        return TO_HOST.validate_json(line)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        return f"not a message: {where}: {first['msg']}"


def decode_to_client(line: bytes) -> ToClient:
    return TO_CLIENT.validate_json(line)
