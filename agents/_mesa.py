"""Mesa, imported without touching the user's multiprocessing start method, and without
keeping every finished world alive.

`import mesa` runs `mesa.batchrunner`, which calls
`multiprocessing.set_start_method("spawn", force=True)` at import time (Mesa 3.3). Importing
lodestone would then switch a notebook's `multiprocessing.Pool` and gymnasium's
`AsyncVectorEnv` to `spawn`: a Pool of functions defined in the notebook hangs (the children
cannot find `<stdin>`), and scripts need a `__main__` guard they did not need before.
Lodestone never uses Mesa's batch runner, so every lodestone module imports Mesa from here,
which puts the start method back as it was (unset stays unset). tests/test_lab_tools.py
imports every lodestone module in a fresh interpreter and checks it.

Mesa 3.3 numbers agents with a counter per model held in `Agent._ids`, a plain dict keyed by
the model: every world ever built stays reachable from it, so a process that plays many games
(a sweep worker, an RL run, a test session) grows by a whole world per game (mesa issue 3179,
fixed upstream after 3.3). Here the counters are keyed weakly: a world nobody holds is freed.
"""

from __future__ import annotations

import itertools
import multiprocessing
import weakref

_before = multiprocessing.get_start_method(allow_none=True)

import mesa  # noqa: E402  (the start method must be read before this line)

if multiprocessing.get_start_method(allow_none=True) != _before:
    multiprocessing.set_start_method(_before, force=True)


class _IdCounters(weakref.WeakKeyDictionary):
    """Mesa's per-model agent id counters, forgotten with their model."""

    def __getitem__(self, model: object) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


mesa.Agent._ids = _IdCounters()  # type: ignore[assignment]

__all__ = ["mesa"]
