"""Broken content folders through `lodestone validate`.

A private copy of the real content; each variant breaks one file of it (its TOML, its
nesting, an unknown field, a number where text belongs or text where a number does, its
encoding, or the file itself: a folder or a symlink loop in its place) and puts it back
afterwards. `validate` must exit 2 with `file: field: problem` lines naming that file."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from game.content import DEFAULT_ROOT
from tests.fuzz.harness import Variant, count, run_variants

NUMBER = re.compile(r"^(\w+) = (-?\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(?:#.*)?$", re.M)
STRING = re.compile(r'^(\w+) = "([^"\\]*)"\s*(?:#.*)?$', re.M)


def test_broken_content_files_are_named_with_their_field(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.toml"))
    broken: list[tuple[Path, bytes]] = []

    def restore() -> None:
        while broken:
            path, original = broken.pop()
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            path.write_bytes(original)

    def make(rng: random.Random, i: int) -> tuple[Variant, list[str]]:
        restore()
        rel = rng.choice(files)
        path = root / rel
        original = path.read_bytes()
        text = original.decode()
        broken.append((path, original))
        kind = rng.randrange(8)
        args = ["validate", str(root)]
        if kind == 0:
            tail = rng.choice(["x = ", "[[firm]", "= 1", 'name = "open'])
            path.write_text(text + "\n" + tail + "\n")
            return Variant(f"{rel}: TOML {tail!r}", rel, "(toml)"), args
        if kind == 1:
            depth = rng.choice([33, 100, 5000])
            path.write_text(text + f"\nzz_deep = {'[' * depth}{']' * depth}\n")
            return Variant(f"{rel}: nested {depth}", rel, "(toml)"), args
        if kind == 2:
            path.write_text(text + "\nzz_unknown = 1\n")
            return Variant(f"{rel}: unknown field", rel, "zz_unknown"), args
        if kind in (3, 4):
            pattern = NUMBER if kind == 3 else STRING
            matches = list(pattern.finditer(text))
            if matches:
                m = rng.choice(matches)
                value = '"x"' if kind == 3 else str(rng.choice([0, 12345, -7]))
                path.write_text(text[: m.start(2) - (kind == 4)] + value + text[m.end(2) + (kind == 4) :])
                return Variant(f"{rel}: {m.group(1)} = {value}", rel, m.group(1)), args
            path.write_bytes(original + b"\n\xff\n")
            return Variant(f"{rel}: not UTF-8", rel, "(file)"), args
        if kind == 5:
            path.write_bytes(original.replace(b"\n", "\n# caf\u00e9\n".encode("latin-1"), 1))
            return Variant(f"{rel}: not UTF-8", rel, "(file)"), args
        path.unlink()
        if kind == 6:
            path.symlink_to(path.name)
            return Variant(f"{rel}: symlink loop", rel, "(file)"), args
        path.mkdir()
        return Variant(f"{rel}: a folder", rel, "(file)"), args

    failures = list(run_variants("content", count(100), make, root))
    restore()
    assert not failures, "\n".join(failures[:10]) + f"\n({len(failures)} failures)"
