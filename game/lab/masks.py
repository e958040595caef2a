"""Action masks in the one layout every RL library here reads: a flat bool array.

sb3-contrib's `MaskablePPO` asks the env's `action_masks()` for one bool array of length
`sum(nvec)` (the slots' values side by side, slot 0 first); PettingZoo's samplers and api
test want a 1-D numeric array; gymnasium's vector envs stack a fixed-shape array in `info`
into `(num_envs, sum(nvec))`, where a tuple of arrays became an object array nothing could
sample with. So the envs give the flat form everywhere (`action_masks()`,
`info["action_mask"]`, the PettingZoo dict observation), and `FlatMaskMultiDiscrete`, the
envs' action space, takes it in `sample(mask=...)` as well as gymnasium's tuple form. Its
batched form (what a vector env's `action_space` is) samples with the stacked masks.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import batch_space
from numpy.typing import NDArray

FlatMask = NDArray[np.bool_]


def flatten(parts: tuple[NDArray[np.int8], ...] | list[NDArray[np.int8]]) -> FlatMask:
    """Per-slot masks (one array per slot, 1 = valid) as one flat bool array."""
    return np.concatenate(parts).astype(bool, copy=False)


def split(flat: NDArray[Any], nvec: NDArray[np.integer]) -> tuple[Any, ...]:
    """A flat mask (or a stack of them, one per row of a 2-D `nvec`) in gymnasium's
    `MultiDiscrete.sample(mask=...)` form: a tuple of int8 arrays per slot, nested per row."""
    flat = np.asarray(flat)
    if nvec.ndim > 1:
        return tuple(split(row, sub) for row, sub in zip(flat, nvec, strict=True))
    if flat.shape != (int(nvec.sum()),):
        raise ValueError(f"a mask for nvec {nvec.tolist()} has {int(nvec.sum())} entries, got {flat.shape}")
    return tuple(part.astype(np.int8) for part in np.split(flat, np.cumsum(nvec)[:-1]))


def noop(nvec: NDArray[np.integer]) -> FlatMask:
    """The mask when nothing can be ordered (the game is over): value 0 of each slot only."""
    mask = np.zeros(int(nvec.sum()), dtype=bool)
    mask[np.concatenate(([0], np.cumsum(nvec)[:-1]))] = True
    return mask


def sample_valid(
    mask: FlatMask, nvec: NDArray[np.integer], rng: np.random.Generator, activity: float = 1.0
) -> NDArray[np.int64]:
    """One value per slot: 0 with probability 1 - `activity`, else uniform over the valid
    non-zero values (0 if there are none)."""
    action = np.zeros(len(nvec), dtype=np.int64)
    start = 0
    for k, size in enumerate(nvec):
        valid = np.flatnonzero(mask[start + 1 : start + size]) + 1
        start += int(size)
        if valid.size and rng.random() < activity:
            action[k] = rng.choice(valid)
    return action


class FlatMaskMultiDiscrete(spaces.MultiDiscrete):
    """A `MultiDiscrete` whose `sample(mask=...)` also takes the flat mask of the envs (a
    stack of them when `nvec` is batched, as in a vector env's action space)."""

    def sample(self, mask: Any = None, probability: Any = None) -> NDArray[np.integer]:
        if isinstance(mask, np.ndarray):
            mask = split(mask, self.nvec)
        return super().sample(mask=mask, probability=probability)


@batch_space.register(FlatMaskMultiDiscrete)
def _batch(space: FlatMaskMultiDiscrete, n: int = 1) -> FlatMaskMultiDiscrete:
    """A vector env's action space: one row of slots per env (gymnasium makes a `Box` of a
    plain MultiDiscrete, which cannot sample with masks at all)."""
    repeats = (n,) + (1,) * space.nvec.ndim
    return FlatMaskMultiDiscrete(
        np.tile(space.nvec, repeats),
        dtype=space.dtype,
        seed=deepcopy(space.np_random),
        start=np.tile(space.start, repeats),
    )
