"""Mesa, imported without touching the user's multiprocessing start method.

`import mesa` runs `mesa.batchrunner`, which calls
`multiprocessing.set_start_method("spawn", force=True)` at import time (Mesa 3.3). Importing
lodestone would then switch a notebook's `multiprocessing.Pool` and gymnasium's
`AsyncVectorEnv` to `spawn`: a Pool of functions defined in the notebook hangs (the children
cannot find `<stdin>`), and scripts need a `__main__` guard they did not need before.
Lodestone never uses Mesa's batch runner, so every lodestone module imports Mesa from here,
which puts the start method back as it was (unset stays unset). tests/test_lab_tools.py
imports every lodestone module in a fresh interpreter and checks it.
"""

from __future__ import annotations

import multiprocessing

_before = multiprocessing.get_start_method(allow_none=True)

import mesa  # noqa: E402  (the start method must be read before this line)

if multiprocessing.get_start_method(allow_none=True) != _before:
    multiprocessing.set_start_method(_before, force=True)

__all__ = ["mesa"]
