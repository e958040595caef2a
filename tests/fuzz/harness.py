"""What every fuzz variant must satisfy, and the machinery to run many of them quickly.

A variant is broken input built by construction (never "random bytes and hope"): the
generator knows which file and which field it broke, so the check is exact: the command
exits 2, prints one `file: field: problem` line naming them, raises nothing, and leaves
every file it was given as it was.

Size: `LODESTONE_FUZZ_SCALE` multiplies the number of variants (1 in CI: about 1,200 in
well under two minutes; 10 for a nightly run of 12,000+), `LODESTONE_FUZZ_SEED` picks
another seeded set (default 2026). A failure prints the variant's name and index, which
with the seed rebuilds it exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from game.cli import app

SEED = int(os.environ.get("LODESTONE_FUZZ_SEED", "2026"))
SCALE = float(os.environ.get("LODESTONE_FUZZ_SCALE", "1"))
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def toml_value(value: Any) -> str:
    """A TOML value (tables inline), for files the generators write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def count(base: int) -> int:
    return max(1, round(base * SCALE))


def rng_for(category: str, index: int) -> random.Random:
    """A generator per variant: variant i of a category is the same whatever ran before."""
    return random.Random(f"{SEED}/{category}/{index}")


@dataclass(frozen=True)
class Variant:
    """Broken input: `name` says how it was broken; the message must name `file` and `field`."""

    name: str
    file: str
    field: str


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def invoke(args: list[str]) -> Outcome:
    result = CliRunner().invoke(app, args)
    return Outcome(
        result.exit_code, _ANSI.sub("", result.stdout), _ANSI.sub("", result.stderr), result.exception
    )


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (symlinks as their target) with a digest of its bytes."""
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            files[key] = "-> " + os.readlink(path)
        elif path.is_file():
            files[key] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        else:
            files[key] = "dir"
    return files


def problem(outcome: Outcome, variant: Variant) -> str | None:
    """Why an outcome breaks the contract, or None when it keeps it."""
    output = outcome.stdout + outcome.stderr
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        return f"raised {type(outcome.exception).__name__}: {outcome.exception}"
    if "Traceback" in output:
        return "printed a traceback"
    if outcome.exit_code != 2:
        return f"exit {outcome.exit_code}, not 2: {output.strip()[:300]!r}"
    lines = [line for line in output.splitlines() if line.strip()]
    # `file: field: problem`; an option is its own field: `--turns: problem`
    shape = r"^.*?: .+" if variant.file == variant.field else r"^.+?: .+?: .+"
    named = [
        line for line in lines if variant.file in line and variant.field in line and re.match(shape, line)
    ]
    if not named:
        return f"no `file: field: problem` line naming {variant.file!r} and {variant.field!r}: {lines[:4]}"
    return None


def run_variants(
    category: str,
    n: int,
    make: Callable[[random.Random, int], tuple[Variant, list[str]]],
    watched: Path,
) -> Iterator[str]:
    """Build and run `n` variants; yield a line per broken contract. `make` writes the
    variant's files under `watched` and returns the command line; files under `watched`
    must be byte-identical after the command ran (nothing written, nothing removed). What a
    variant made is removed after it, so each check reads a small folder."""
    kept = set(snapshot(watched))
    for i in range(n):
        variant, args = make(rng_for(category, i), i)
        before = snapshot(watched)
        outcome = invoke(args)
        why = problem(outcome, variant)
        if why is None and snapshot(watched) != before:
            why = "changed a file it was given"
        if why is not None:
            yield f"{category}#{i} ({variant.name}): {why}"
        for name in sorted(set(before) - kept, reverse=True):  # children before their folders
            path = watched / name
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
