"""Lodestone: an agent-based strategy game about the contest for critical minerals."""

__version__ = "0.1.0"
