"""The one protocol every decider of a nation implements: AI doctrines, scripts, RL agents,
a human behind the UI. The session calls `decide` once per turn with what the nation may
see; the orders it returns go through the same validation as anyone's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable

from agents.observation import Observation
from game.rules.orders import Order


class Level(StrEnum):
    """AI difficulty: how attentive and how sharp an AI nation is."""

    EASY = "easy"
    NORMAL = "normal"
    HARD = "hard"


@runtime_checkable
class Controller(Protocol):
    nation: str

    def decide(self, observation: Observation) -> list[Order]: ...


class Idle:
    """Issues no orders: the nation keeps the policies in force (the world issue's default)."""

    def __init__(self, nation: str) -> None:
        self.nation = nation

    def decide(self, observation: Observation) -> list[Order]:
        return []
