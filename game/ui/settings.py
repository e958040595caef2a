"""Player settings, persisted as JSON in the user's config folder.

Kept apart from saves: a setting belongs to the player on this machine, not to a game.
A missing or broken settings file gives the defaults (and a note), never a crash.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

RESOLUTIONS: tuple[tuple[int, int], ...] = (
    (1280, 720),
    (1366, 768),
    (1600, 900),
    (1920, 1080),
    (2560, 1440),
    (3840, 2160),
)
FONT_SCALES: tuple[float, ...] = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)


def user_dir() -> Path:
    """Where settings, saves and exports live: $LODESTONE_HOME, else the XDG config folder."""
    if home := os.environ.get("LODESTONE_HOME"):
        return Path(home)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "lodestone"


@dataclass
class Settings:
    width: int = 1600
    height: int = 900
    fullscreen: bool = False
    font_scale: float = 1.0
    colour_blind: bool = False
    sound: bool = True
    projector: bool = False
    """Teacher's projector mode: larger text, one lens at a time, simpler side panels."""

    @property
    def resolution(self) -> tuple[int, int]:
        return self.width, self.height

    @classmethod
    def load(cls, folder: Path | None = None) -> tuple[Settings, str]:
        """The saved settings, or defaults with the reason they could not be read."""
        path = (folder or user_dir()) / "settings.json"
        if not path.exists():
            return cls(), ""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            known = {f.name for f in fields(cls)}
            settings = cls(**{k: v for k, v in raw.items() if k in known})
            settings.clamp()
            return settings, ""
        except (OSError, ValueError, TypeError) as exc:
            return cls(), f"Settings file {path} could not be read ({exc}); using defaults."

    def clamp(self) -> None:
        """Keep values a window can honour (a hand-edited file may say anything)."""
        self.width = int(min(max(int(self.width), 1280), 7680))
        self.height = int(min(max(int(self.height), 720), 4320))
        self.font_scale = float(min(max(float(self.font_scale), 0.75), 2.5))
        self.fullscreen, self.colour_blind, self.sound, self.projector = (
            bool(self.fullscreen),
            bool(self.colour_blind),
            bool(self.sound),
            bool(self.projector),
        )

    def save(self, folder: Path | None = None) -> Path:
        folder = folder or user_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "settings.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        os.replace(tmp, path)
        return path
