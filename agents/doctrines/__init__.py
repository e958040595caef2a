"""Placeholder until the doctrines land: every nation keeps the policies in force."""

from __future__ import annotations

from agents.controller import Controller, Idle, Level
from game.content import Content
from game.rules import Doctrine


def make_controller(doctrine: Doctrine, nation: str, level: Level, seed: int, content: Content) -> Controller:
    return Idle(nation)
