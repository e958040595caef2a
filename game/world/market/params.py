"""The solver's constants, and where numba keeps the compiled kernel.

Every kernel module imports this one first, so the cache directory is set before anything
is compiled or loaded.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

KERNEL_MODULES = ("params", "inputs", "evaluate", "rents", "newton", "fallbacks", "kernel", "finalise")
"""The compiled modules. numba keys each function's cache on its own file only, so a cached
caller would keep an edited callee from another module compiled into it: the cache directory
is named after a digest of all of them instead, and any edit starts a fresh one."""


def _cache_dir() -> str:
    """Where numba keeps the compiled kernel: the user's cache, not the installed package
    (files left in site-packages outlive `pip uninstall` and turn `game` into a namespace
    package that hides a later editable install), in a folder per version of the sources."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    digest = hashlib.sha256()
    for name in KERNEL_MODULES:
        digest.update((Path(__file__).parent / f"{name}.py").read_bytes())
    return str(Path(base) / "lodestone" / "numba" / digest.hexdigest()[:16])


if not numba.config.CACHE_DIR:  # NUMBA_CACHE_DIR, if the user set one, wins
    numba.config.CACHE_DIR = _cache_dir()

TAU_REL = 0.004
TAU_START = 0.05
TAU_DECAY = 0.7
TOLERANCE = 1e-3
TRACE = 1e-6
"""Tonnes per turn below which an imbalance is nothing (a market with no trade has cleared)."""
POLISH = 0.01
"""A warm start within this share of the tolerance is left as it is; one nearer the edge
takes one more Newton step."""
MATERIAL = 5e-3
CHOKE_STEEPNESS = 4.0
NEWTON_DAMPING = 1e-3
MAX_STEP = 1.5
"""Longest Newton step, in log price (a factor of about 4.5) or in rent as a share of the
mineral's reference price."""
LEVEL_STEPS = 8
RENT_STEPS = 12
RENT_TOLERANCE = 0.3 * TOLERANCE
RENT_REACH = 0.05
"""A rent's first move while its root is not bracketed, as a share of the reference price
(it grows fourfold each step): a warm start's root is near, so searching outwards from the
rent brackets it in a step or two where a Newton step on a flat load flies far off."""
BRACKET_FLOOR = 1e-9
"""A bracket narrower than this share of the reference price has closed."""
CAP_FLOOR = 1e-3
"""A group's gap is its load's distance from its cap as a share of the cap (of a thousandth
of MATERIAL of the market for the smallest caps): unlike an origin's imbalance, a rent on a
small licence is never negligible to the buyer who pays it."""
MAX_LEVEL_STEP = 0.7
WEIGHT_FLOOR = 1e-14
"""Logit weights below this are left out of the Jacobian (they move nothing)."""
IDLE = 1e-9
"""An origin selling less than this share of its offer is priced out of every route."""
FLOORED = 1e-3
"""An origin selling no more than this share on routes without a floor above its price
has a price nothing responds to."""
FLOOR_MARGIN = 1.001
"""How far above a price floor an origin's price is set when it jumps to it (the floor's
routes regain their slope there)."""
FLOOR_REACH = 0.02
"""A buyer still takes some tonnes from a route this much dearer than its price (five
final logit temperatures)."""
WILD = 10.0
"""A Newton component longer than WILD * MAX_STEP is clipped on its own (see `try_step`)."""
LONG_STEPS = (1.0, 0.5, 0.25)
SHORT_STEPS = (0.1, 0.03, 0.01)
LM_DAMPING = 0.3
"""Levenberg-Marquardt damping of the last Newton attempt (a share of each diagonal)."""
PLATEAU = 1e-9
"""A full step that changes the merit by less than this share is crossing a plateau."""
