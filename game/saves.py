"""Saved games: versioned JSON holding everything that reproduces a game, nothing more.

A game is scenario + content hash + seed + who controls whom + the order log; the world
hash of every turn rides along so a replay can prove it rebuilt the same world. Saves are
written atomically (temporary file in the same folder, then `os.replace`), so a crash or a
kill mid-write leaves the previous save whole. Reading never trusts the file: size, JSON,
schema and version are checked, and every failure is one `SaveError` that says which
file, what is wrong and what to do.

A wargame whose facilitator set a PIN keeps secrets from the teams sitting at the same
machine: the queued orders, the facilitator's log, rulings, injects and the teams' notes.
Its save is sealed: everything that replays the game is encrypted (AES-256-GCM, from the
`cryptography` package) under a key derived from the PIN with a salted scrypt, and only a
header stays readable (scenario, content hash, seed, who plays whom, turns played and their
world hashes): enough for the load list, nothing a team could use. The header is bound to
the ciphertext as associated data, so editing it makes the save refuse to open.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import glob
import hashlib
import hmac
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import Field, ValidationError

from game.content import nesting_depth
from game.rules.facilitator import FacilitatorAction
from game.rules.ids import Doctrine, Frozen, ScenarioSlug, Slug
from game.rules.orders import Order

SCHEMA_VERSION = 3
MAX_SAVE_BYTES = 64 * 2**20
"""A 60-turn game with busy AI is well under 1 MB; anything this big is not a save."""
MAX_DEPTH = 40


class SaveError(Exception):
    """A save that cannot be used: `str()` is the one message a user needs."""

    def __init__(self, path: Path | str, problem: str, advice: str) -> None:
        self.path, self.problem, self.advice = Path(path), problem, advice
        super().__init__(f"{path}: {problem}. {advice}")


class ControllerKind(StrEnum):
    HUMAN = "human"
    AI = "ai"
    SCRIPT = "script"
    EXTERNAL = "external"
    """An RL agent or another program: its orders are in the log, it cannot be re-created."""


class ControllerSpec(Frozen):
    kind: ControllerKind
    doctrine: Doctrine | None = None
    level: Literal["easy", "normal", "hard"] = "normal"
    script: str | None = None


class LoggedOrder(Frozen):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    order: Order


class LoggedAction(Frozen):
    """A facilitator's action and the turn it applied at (or, if the save was made mid-turn,
    the turn it waits for)."""

    turn: Annotated[int, Field(ge=0, le=10_000)]
    action: FacilitatorAction


class Branch(Frozen):
    """An abandoned line of play (a rewind), kept for the after-action report."""

    from_turn: Annotated[int, Field(ge=0, le=10_000)]
    orders: list[LoggedOrder] = []
    facilitator: list[LoggedAction] = []
    world_hashes: list[str] = []
    note: str = ""


class Reseed(Frozen):
    """A what-if branch draws new chance from `turn` on: the world's generator and the AI
    controllers restart from `seed` there, so branches can be compared over many seeds."""

    turn: Annotated[int, Field(ge=0, le=10_000)]
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]


class PinHash(Frozen):
    """A facilitator PIN as a salted scrypt hash: the save never holds the PIN itself, so a
    team that opens the file learns nothing it could type at the console."""

    salt: str = Field(pattern=r"^[0-9a-f]{32}$")
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    n: Annotated[int, Field(ge=2, le=2**20)] = 2**14
    r: Annotated[int, Field(ge=1, le=32)] = 8
    p: Annotated[int, Field(ge=1, le=16)] = 1


def hash_pin(pin: str, salt: bytes | None = None) -> PinHash:
    """The PIN as a salted scrypt hash (a fresh random salt unless one is given)."""
    salt = os.urandom(16) if salt is None else salt
    spec = PinHash.model_fields
    n, r, p = spec["n"].default, spec["r"].default, spec["p"].default
    digest = hashlib.scrypt(pin.strip().encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return PinHash(salt=salt.hex(), digest=digest.hex(), n=n, r=r, p=p)


def pin_matches(stored: PinHash, pin: str) -> bool:
    """Whether `pin` is the one `stored` was made from (constant-time comparison)."""
    try:
        digest = hashlib.scrypt(
            pin.strip().encode(),
            salt=bytes.fromhex(stored.salt),
            n=stored.n,
            r=stored.r,
            p=stored.p,
            dklen=32,
        )
    except (ValueError, MemoryError):  # parameters a hand-edited save made impossible
        return False
    return hmac.compare_digest(digest.hex(), stored.digest)


class ScheduleEdit(Frozen):
    """The facilitator changed the scenario's inject schedule during `turn` (before it
    resolved): a replay makes the same change at the same point."""

    turn: Annotated[int, Field(ge=0, le=10_000)]
    action: Literal["disable", "reschedule", "add"]
    event: Slug
    date: dt.date | None = None
    """The new date (reschedule, add); the scheduled date it applies to (disable, reschedule)."""
    was: dt.date | None = None
    """For disable and reschedule: the date of the schedule entry changed."""


class Ruling(Frozen):
    """The facilitator's adjudication of a team's queued order: vetoed, or replaced by an
    amended one (which is in the order log like any order; the veto takes the original out)."""

    turn: Annotated[int, Field(ge=0, le=10_000)]
    team: Slug
    action: Literal["veto", "amend"]
    original: Order
    amended: Order | None = None
    note: str = Field(min_length=1, max_length=2000)


class RewindNote(Frozen):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    """The turn the game had reached."""
    to_turn: Annotated[int, Field(ge=0, le=10_000)]
    reason: str = Field(min_length=1, max_length=2000)


class Rationale(Frozen):
    """A team's own note on why it gave an order (optional; for the hot-wash report)."""

    turn: Annotated[int, Field(ge=0, le=10_000)]
    team: Slug
    order: Order
    note: str = Field(min_length=1, max_length=2000)


class Room(Frozen):
    """A wargame's room around the game: the teams, the facilitator's PIN (hashed), how
    events treat the teams' policies, the inject schedule's changes, the adjudication log.
    Everything in it that changes the world (teams, event mode, schedule, length) is replayed."""

    teams: list[Slug] = Field(default=[], max_length=64)
    pin: PinHash | None = None
    team_events: Literal["news", "prompt"] = "news"
    """What a scheduled or random event that would impose or lift a team's export control
    becomes: a news line, or a prompt to that team (the team decides its own policy)."""
    turns: Annotated[int, Field(ge=1, le=400)] | None = None
    """A length shorter than the scenario's, set by the facilitator."""
    timer_minutes: Annotated[float, Field(ge=0, le=600)] = 0
    schedule: list[ScheduleEdit] = []
    rulings: list[Ruling] = []
    rewinds: list[RewindNote] = []
    rationales: list[Rationale] = []
    log: list[str] = Field(default=[], max_length=100_000)
    """The console's log, in words, as the facilitator read it."""
    ended: list[Slug] = Field(default=[], max_length=64)
    """Teams that had ended turn `ended_turn` when a mid-turn save was made (a load seats
    the next team, not one whose orders already wait)."""
    ended_turn: Annotated[int, Field(ge=0, le=10_000)] | None = None


class Sealed(Frozen):
    """The secret part of a guarded wargame's save, encrypted under a key derived from the
    facilitator's PIN (scrypt with its own salt, not the PIN hash's: the stored hash must
    never be the key). `pin` is the PIN's verification hash, so a wrong PIN and a damaged
    file get different words; it reveals nothing the ciphertext does not."""

    cipher: Literal["AES-256-GCM"] = "AES-256-GCM"
    salt: str = Field(pattern=r"^[0-9a-f]{32}$")
    n: Annotated[int, Field(ge=2, le=2**20)] = 2**14
    r: Annotated[int, Field(ge=1, le=32)] = 8
    p: Annotated[int, Field(ge=1, le=16)] = 1
    nonce: str = Field(pattern=r"^[0-9a-f]{24}$")
    pin: PinHash
    data: str = Field(max_length=MAX_SAVE_BYTES * 2)
    """The ciphertext of the secret fields' JSON, base64."""


class Save(Frozen):
    version: Literal[3] = SCHEMA_VERSION
    scenario: ScenarioSlug
    content_hash: str
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    package_version: str
    controllers: dict[Slug, ControllerSpec]
    turn: Annotated[int, Field(ge=0, le=10_000)]
    """Turns played."""
    orders: list[LoggedOrder] = []
    """Every order submitted, in submission order (refused ones too: a replay refuses them
    again); orders for turn `turn` were queued when the game was saved mid-turn."""
    facilitator: list[LoggedAction] = []
    world_hashes: list[str] = []
    """World hash after each turn played."""
    branches: list[Branch] = []
    """Lines of play a rewind discarded, oldest first."""
    reseed: Reseed | None = None
    wargame: Room | None = None
    """The room of a wargame (absent from other games: their replays are unchanged)."""
    sealed: Sealed | None = None
    """In a guarded wargame's save on disk: the fields of `SECRET_FIELDS`, encrypted (they
    are empty beside it). `read_save(path, pin)` gives the whole save back."""


SECRET_FIELDS = ("orders", "facilitator", "branches", "reseed", "wargame")
"""What a sealed save encrypts. All of the order log, not only this quarter's queue: the
teams' past orders include moves no other team sees (deal terms, stockpile purchases, their
rationale notes), the facilitator's actions include messages to one team, and the room
holds the log, the rulings and the inject schedule still to come. A replay needs all of it,
so a save is replayed whole with the PIN or not at all."""


@dataclass(frozen=True, repr=False)
class SealKey:
    """The key a guarded room's saves are sealed with (kept in memory, never written): the
    scrypt of the PIN under `salt`, derived once per session so an autosave costs no scrypt."""

    salt: bytes
    key: bytes = field(repr=False)
    pin: PinHash
    n: int = 2**14
    r: int = 8
    p: int = 1

    def __repr__(self) -> str:
        return "SealKey(…)"


def seal_key(pin: str, stored: PinHash | None = None, salt: bytes | None = None) -> SealKey:
    """A key to seal saves under `pin` (a fresh salt unless one is given); `stored` is the
    room's PIN hash, kept beside the ciphertext (made here if not given)."""
    salt = os.urandom(16) if salt is None else salt
    n, r, p = 2**14, 8, 1
    key = hashlib.scrypt(pin.strip().encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return SealKey(salt=salt, key=key, pin=stored or hash_pin(pin), n=n, r=r, p=p)


def _header(save: Save) -> bytes:
    """The public fields as canonical JSON: the associated data the ciphertext is bound to."""
    public = save.model_dump(mode="json", exclude={*SECRET_FIELDS, "sealed"})
    return json.dumps(public, sort_keys=True, separators=(",", ":")).encode()


def seal(save: Save, key: SealKey) -> Save:
    """`save` with its secret fields encrypted under `key` (and emptied in the clear)."""
    secret = save.model_dump_json(include=set(SECRET_FIELDS)).encode()
    nonce = os.urandom(12)
    data = AESGCM(key.key).encrypt(nonce, secret, _header(save))
    cleared = {name: Save.model_fields[name].default for name in SECRET_FIELDS}
    sealed = Sealed(
        salt=key.salt.hex(), n=key.n, r=key.r, p=key.p, nonce=nonce.hex(), pin=key.pin,
        data=base64.b64encode(data).decode("ascii"),
    )  # fmt: skip
    return save.model_copy(update={**cleared, "sealed": sealed})


def unseal(save: Save, pin: str, path: Path | str = "<save>") -> Save:
    """The whole save from a sealed one and the facilitator's PIN; a wrong PIN or a damaged
    file is a `SaveError` (an unsealed save is returned as it is)."""
    sealed = save.sealed
    if sealed is None:
        return save
    if not pin_matches(sealed.pin, pin):
        raise SaveError(
            path,
            "sealed: wrong PIN: the facilitator's PIN opens this wargame",
            "Give the PIN it was set with.",
        )
    try:
        salt, nonce = bytes.fromhex(sealed.salt), bytes.fromhex(sealed.nonce)
        key = hashlib.scrypt(pin.strip().encode(), salt=salt, n=sealed.n, r=sealed.r, p=sealed.p, dklen=32)
        secret = AESGCM(key).decrypt(nonce, base64.b64decode(sealed.data), _header(save))
    except (InvalidTag, ValueError, MemoryError, binascii.Error):
        raise SaveError(
            path, "sealed: the sealed part does not open with this PIN (the save is damaged)",
            "Load an earlier autosave.",
        ) from None  # fmt: skip
    try:
        raw = json.loads(secret)
        return Save.model_validate({**save.model_dump(mode="json", exclude={"sealed"}), **raw})
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError):
        raise SaveError(
            path,
            "sealed: the sealed part is not a game record (the save is damaged)",
            "Load an earlier autosave.",
        ) from None


class MigrationError(ValueError):
    """A field an old save version kept in another shape is malformed: (field, problem)."""


def _migrate_1_to_2(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept one list of `[turn, order]` pairs under `log` and had no branches."""
    raw = dict(raw)
    log = raw.pop("log", [])
    if not isinstance(log, list):
        raise MigrationError("log", "must be a list of [turn, order] pairs")
    orders = []
    for i, entry in enumerate(log):
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise MigrationError(f"log.{i}", "must be a [turn, order] pair")
        orders.append({"turn": entry[0], "order": entry[1]})
    raw["orders"] = orders
    raw["version"] = 2
    return raw


def _migrate_2_to_3(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 3 adds `sealed` (absent: a save in the clear, as every version-2 save is)."""
    return {**raw, "version": 3}


MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3}


def parse_save(text: str | bytes, path: Path | str = "<save>") -> Save:
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise SaveError(
            path, f"(json): not a save file: it is not valid JSON ({err})", "Open a .json save."
        ) from None
    if not isinstance(raw, dict):
        raise SaveError(path, "(json): not a save file: the top level is not an object", "Open a .json save.")
    if nesting_depth(raw, MAX_DEPTH) > MAX_DEPTH:  # deeply nested junk is refused before pydantic sees it
        raise SaveError(path, "(json): not a save file: it is nested too deeply", "Open a .json save.")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError(path, "version: not a save file: it has no version number", "Open a .json save.")
    if version < 1:
        raise SaveError(path, f"version: save version {version} is not supported", "It cannot be loaded.")
    if version > SCHEMA_VERSION:
        raise SaveError(
            path,
            f"version: the save is version {version}, newer than this game (up to {SCHEMA_VERSION})",
            "Update Lodestone.",
        )
    while version < SCHEMA_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise SaveError(path, f"version: save version {version} is not supported", "It cannot be loaded.")
        try:
            raw = migrate(raw)
        except MigrationError as exc:
            field, problem = exc.args
            raise SaveError(
                path, f"{field}: {problem} (the save is damaged)", "Load an earlier autosave."
            ) from None
        version = raw["version"]
    try:
        return Save.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "save"
        raise SaveError(
            path, f"{where}: {first['msg']} (the save is damaged)", "Load an earlier autosave."
        ) from None


def read_save(path: Path | str, pin: str | None = None) -> Save:
    """The save at `path`. A sealed save is opened with `pin`; without one it comes back as
    its header (`sealed` set, the game's record empty), which lists it but cannot replay it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SAVE_BYTES:
            raise SaveError(
                path, f"(file): the file is {size / 2**20:.0f} MB, too big to be a save", "Open a .json save."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise SaveError(path, "(file): no such file", "Check the path.") from None
    except IsADirectoryError:
        raise SaveError(
            path, "(file): this is a folder, not a save file", "Give the path of a .json save."
        ) from None
    except OSError as err:
        raise SaveError(
            path, f"(file): cannot be read ({err.strerror})", "Check the file's permissions."
        ) from None
    save = parse_save(data, path)
    return save if pin is None else unseal(save, pin, path)


def require_open(save: Save, path: Path | str = "<save>") -> None:
    """Refuse a sealed save whose record was not opened (what a replay of it would need)."""
    if save.sealed is not None:
        raise SaveError(
            path,
            "sealed: this wargame's record is sealed under the facilitator's PIN",
            "Give the PIN (--pin, or the LODESTONE_PIN variable) to open it.",
        )


STALE_TMP_SECONDS = 60.0
"""A temporary file of a save this old was left by a write that died (a write takes ms)."""


def remove_stale_temps(path: Path) -> None:
    """Delete the temporary files earlier writes of `path` left behind when killed mid-write.

    A temp file is `.<name>.<pid>.<random>.tmp`: it is stale when the process that made it
    is gone, or when it is old (the pid may have been reused); older names without a pid go
    by age alone. A live writer's file is young and its process alive, so it is left be."""
    now = time.time()
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        try:
            old = now - tmp.stat().st_mtime > STALE_TMP_SECONDS
            if old or (pid.isdigit() and not _alive(int(pid))):
                tmp.unlink()
        except OSError:
            continue  # gone already, or not ours to delete: the save itself decides


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def write_save(save: Save, path: Path | str, seal_with: SealKey | None = None) -> Path:
    """Write atomically: readers see the old save or the new one, never half of one. Temp
    files of earlier writes that were killed are cleaned up first. With `seal_with` (a
    guarded room's key), the game's record is written sealed under the PIN."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    if seal_with is not None and save.sealed is None:
        save = seal(save, seal_with)
    text = save.model_dump_json(indent=1, exclude_defaults=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def rolling_autosave(save: Save, folder: Path | str, keep: int = 5, seal_with: SealKey | None = None) -> Path:
    """Write `autosave-<turn>.json` (sealed with `seal_with`, if given) and delete all but
    the newest `keep` autosaves."""
    folder = Path(folder)
    path = write_save(save, folder / f"autosave-{save.turn:04d}.json", seal_with)
    autosaves = sorted(folder.glob("autosave-*.json"))
    for old in autosaves[:-keep]:
        old.unlink(missing_ok=True)
    return path
