"""Every number the model runs on is named, and every named number is used: a constant that
nothing reads beside a literal that does the same job is how two truths start."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = [*sorted((ROOT / "game" / "world").rglob("*.py")), *sorted((ROOT / "agents").rglob("*.py"))]
READERS = [p for p in ROOT.joinpath("game").rglob("*.py")] + [
    p for p in ROOT.joinpath("agents").rglob("*.py")
]


def _constants(path: Path) -> list[str]:
    names = []
    for node in ast.parse(path.read_text()).body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and name.id.isupper() and len(name.id) > 1:
                    names.append(name.id)
    return names


def _reads() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in READERS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                counts[node.id] = counts.get(node.id, 0) + 1
            elif isinstance(node, ast.Attribute):
                counts[node.attr] = counts.get(node.attr, 0) + 1
            elif isinstance(node, ast.alias):
                counts[node.asname or node.name] = counts.get(node.asname or node.name, 0)
    return counts


def test_every_named_constant_of_the_model_is_read() -> None:
    reads = _reads()
    unused = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in MODEL
        for name in _constants(path)
        if reads.get(name, 0) == 0 and name not in {"F64", "I64"}
    ]
    assert not unused, "named but never read:\n" + "\n".join(unused)
