"""The installed package is complete: every module and every content file ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_is_listed_for_installation():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("game", "agents")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_content_is_loaded_from_the_installed_package():
    from game.content import DEFAULT_ROOT

    assert (DEFAULT_ROOT / "minerals").is_dir()
    assert any(DEFAULT_ROOT.rglob("*.toml"))
