"""An observation as plain JSON and back, field by field from its type hints.

Arrays travel as nested lists (float64 survives JSON exactly: Python writes the shortest
repr that reads back to the same double), policies and news through pydantic's adapters
for their own types. The `shared` memo is not sent: a client rebuilds it from the public
fields when it needs it.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from agents.observation import Observation

SKIPPED = {"shared"}


@cache
def _fields() -> list[tuple[str, Any, TypeAdapter | None]]:
    hints = typing.get_type_hints(Observation)
    out = []
    for f in dataclasses.fields(Observation):
        if not f.init or f.name in SKIPPED:
            continue
        hint = hints[f.name]
        is_array = typing.get_origin(hint) is np.ndarray or hint is np.ndarray
        out.append((f.name, hint, None if is_array else TypeAdapter(hint)))
    return out


def encode_observation(obs: Observation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, _, adapter in _fields():
        value = getattr(obs, name)
        out[name] = np.asarray(value).tolist() if adapter is None else adapter.dump_python(value, mode="json")
    return out


def decode_observation(data: dict[str, Any]) -> Observation:
    kwargs: dict[str, Any] = {}
    for name, _, adapter in _fields():
        value = data[name]
        kwargs[name] = (
            np.asarray(value, dtype=np.float64) if adapter is None else adapter.validate_python(value)
        )
    return Observation(**kwargs)
