"""Sweeps on Dask: play every run of a spec, stream the results to Parquet, resume after a stop.

One code path for a laptop and a cluster: a `distributed.Client` on a `LocalCluster` of
single-threaded worker processes by default (the world is pure Python and numpy: processes,
not threads, use the cores), or on the scheduler at `--scheduler tcp://host:port`. Workers
play games through `game.lab.api.run_game` and send back one summary row (and the per-turn
series when asked); only the driver writes, so workers need no shared disk, only the same
lodestone installed (checked: a worker whose content hash differs fails its runs).

Memory is flat in the number of runs: runs are submitted lazily, a few per Dask task (up to
16, so that short games do not pay the scheduler's per-task cost each), with a bounded
number of tasks in flight (`as_completed`, topped up as results arrive), and results are
flushed to Parquet parts every `batch` runs or few seconds:

    out/meta.json                  spec hash, content hash, package version, progress
    out/points.parquet             point, scenario, variant, param.<path> ...
    out/summary/part-000001.parquet   summary rows as they arrive (written last: the commit)
    out/per_turn/part-000001.parquet  per-turn series of the same runs (opt-in)
    out/failures/part-000001.parquet  run_id, ..., error, traceback of runs that raised
    out/summary.parquet, out/failures.parquet   consolidated and sorted by run_id at the end

Running the same command again resumes: runs whose ids are in a summary part (or a failures
part, unless `retry_failed`) are skipped, per-turn parts without their summary part (a stop
between the two writes) are removed, and the consolidated tables come out the same as from
an uninterrupted sweep. Run ids depend on the point index and the replicate only.
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from game import __version__
from game.content import Content
from game.lab.api import default_content, run_game
from game.lab.run import _atomic_write
from game.lab.summary import as_frame, identity_row, per_turn_frame
from game.lab.sweep_spec import RunTask, Sweep
from game.world.market import warm_up

PARTS = ("summary", "per_turn", "failures")
_PART = re.compile(r"^part-(\d{6})\.parquet$")
FAIL_ENV = "LODESTONE_SWEEP_FAIL"
"""Test hook: a comma-separated list of run ids that raise on the worker (to test how a
failing run is recorded). Read on the worker, so it reaches LocalCluster processes."""
MAX_RUNS_PER_TASK = 16
FAILURE_COLUMNS = ["run_id", "point", "replicate", "scenario", "variant", "seed", "error", "traceback"]


class SweepError(Exception):
    """The output folder cannot take this sweep (another spec's results are there)."""


@dataclass
class SweepOutcome:
    out: Path
    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    stopped: bool = False
    seconds: float = 0.0
    turns_played: int = 0
    workers: int = 0
    failed_total: int = 0
    """Failed runs in the folder after this session (earlier sessions' included)."""
    failures: list[str] = field(default_factory=list)
    """The first few failures of this session, `run_id: error`."""

    @property
    def complete(self) -> bool:
        return not self.stopped

    def describe(self) -> str:
        """One line for the command's output: what this session did, and how fast."""
        if self.done + self.failed == 0:
            return f"{self.total} runs, all {self.skipped} already done: nothing left to play"
        rate = self.done / self.seconds * 60 if self.seconds else 0.0
        return (
            f"{self.total} runs, {self.skipped} already done, {self.done} played, {self.failed} failed "
            f"({self.seconds:.1f} s, {rate:.0f} games/min on {self.workers} workers)"
        )


# ---------------------------------------------------------------------------- the worker side


def _identity(task: RunTask) -> dict[str, Any]:
    return identity_row(
        task.run_id, task.point, task.replicate, task.scenario, task.variant.name, task.seed, task.params
    )


def play_task(task: RunTask, content_hash: str) -> dict[str, Any]:
    """Play one run on a worker; never raises (a failure is a result the driver records)."""
    started = time.perf_counter()
    try:
        content = default_content()
        if content.content_hash != content_hash:
            raise RuntimeError(
                f"this worker's content (hash {content.content_hash[:12]}) differs from the driver's "
                f"({content_hash[:12]}): install the same lodestone on every worker"
            )
        if task.run_id in os.environ.get(FAIL_ENV, "").split(","):
            raise RuntimeError(f"injected failure for {task.run_id} ({FAIL_ENV})")
        result = run_game(
            task.scenario,
            task.seed,
            controllers=dict(task.variant.doctrines),
            params=dict(task.params),
            turns=task.turns,
            level=task.variant.level,
            script=list(task.variant.script) or None,
            extra_orders=task.variant.extra,
            content=content,
            run_id=task.run_id,
            point=task.point,
            replicate=task.replicate,
            variant=task.variant.name,
        )
        row = result.summary_record()  # the row `run_game(...).summary` shows, by construction
        per_turn = per_turn_frame(result.world, task.run_id) if task.per_turn else None
        return {
            "run_id": task.run_id,
            "row": row,
            "per_turn": per_turn,
            "seconds": time.perf_counter() - started,
        }
    except Exception as exc:
        return {"run_id": task.run_id, "failure": _failure(task, exc, traceback.format_exc())}


def play_tasks(tasks: list[RunTask], content_hash: str) -> list[dict[str, Any]]:
    """Play several runs in one Dask task: each task costs the scheduler, the client and the
    worker a few ms, which a short game does not dwarf."""
    _settle_worker()
    return [play_task(task, content_hash) for task in tasks]


@functools.cache
def _settle_worker() -> None:
    """Once per worker process: load the content and the compiled solver, then take
    everything alive so far (Dask, pandas, the content) out of the garbage collector's
    reach. A worker's heap holds ~200,000 objects that a full collection scans every
    time; that was 6 % of a worker's time playing games, 2 % once frozen."""
    default_content()
    warm_up()
    gc.freeze()


def runs_per_task(remaining: int, workers: int) -> int:
    """How many runs to send in one Dask task: enough to spread the per-task cost, few
    enough that every worker gets ~8 tasks (load balance, progress, little lost to a stop)."""
    return max(1, min(MAX_RUNS_PER_TASK, remaining // (8 * max(workers, 1))))


def _failure(task: RunTask, exc: BaseException, trace: str) -> dict[str, Any]:
    return {**_identity(task), "error": f"{type(exc).__name__}: {exc}", "traceback": trace}


# ---------------------------------------------------------------------------- the parts on disk


def _parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("part-*.parquet") if _PART.match(p.name)) if folder.is_dir() else []


def _run_ids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for part in _parts(folder):
        ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
    return ids


def _remove_orphans(out: Path) -> None:
    """Per-turn parts whose summary part never got written (stopped between the two)."""
    committed = {p.name for p in _parts(out / "summary")}
    for part in _parts(out / "per_turn"):
        if part.name not in committed:
            part.unlink()


class _PartWriter:
    """Buffers results and writes them as numbered parts, the summary part last."""

    def __init__(
        self, out: Path, batch: int, every_s: float, on_flush: Callable[[int, int], None] | None = None
    ) -> None:
        self.out = out
        self.batch = batch
        self.every_s = every_s
        self.on_flush = on_flush
        """Called after each part with the rows and failures written so far (progress)."""
        self.rows_written = 0
        self.failures_written = 0
        for name in PARTS:
            (out / name).mkdir(parents=True, exist_ok=True)
        numbers = [int(_PART.match(p.name).group(1)) for name in PARTS for p in _parts(out / name)]
        self.next = max(numbers, default=0) + 1
        self.rows: list[dict[str, Any]] = []
        self.per_turn: list[pd.DataFrame] = []
        self.failures: list[dict[str, Any]] = []
        self.last = time.monotonic()

    def add(self, result: dict[str, Any]) -> None:
        if "failure" in result:
            self.failures.append(result["failure"])
        else:
            self.rows.append(result["row"])
            if result.get("per_turn") is not None:
                self.per_turn.append(result["per_turn"])
        if len(self.rows) + len(self.failures) >= self.batch or time.monotonic() - self.last >= self.every_s:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.rows and not self.failures:
            return
        name = f"part-{self.next:06d}.parquet"
        self.next += 1
        if self.failures:
            frame = pd.DataFrame(self.failures)
            _write(frame, self.out / "failures" / name)
        if self.rows:
            if self.per_turn:
                _write(pd.concat(self.per_turn, ignore_index=True), self.out / "per_turn" / name)
            _write(as_frame(self.rows), self.out / "summary" / name)
        self.rows_written += len(self.rows)
        self.failures_written += len(self.failures)
        self.rows, self.per_turn, self.failures = [], [], []
        if self.on_flush is not None:
            self.on_flush(self.rows_written, self.failures_written)


def _write(frame: pd.DataFrame, path: Path) -> None:
    _atomic_write(path, lambda p: frame.to_parquet(p, index=False, compression="zstd"))


def _concat(paths: list[Path]) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in paths]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_summary(out: Path | str) -> pd.DataFrame:
    """The summary table of a sweep folder, sorted by run_id: the consolidated file when it
    is up to date, else the parts (a sweep still running or stopped)."""
    out = Path(out)
    consolidated = out / "summary.parquet"
    parts = _parts(out / "summary")
    if consolidated.exists() and all(p.stat().st_mtime <= consolidated.stat().st_mtime for p in parts):
        return pd.read_parquet(consolidated)
    return _sorted(_concat(parts))


def read_failures(out: Path | str) -> pd.DataFrame:
    """Runs that failed and did not succeed later (a retry), sorted by run_id."""
    out = Path(out)
    failures = _concat(_parts(out / "failures"))
    if failures.empty:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    done = _run_ids(out / "summary")
    failures = failures[~failures.run_id.isin(done)].drop_duplicates("run_id", keep="last")
    return _sorted(failures)


def read_per_turn(out: Path | str) -> pd.DataFrame:
    """The per-turn series (empty if the sweep did not ask for them), of committed runs only."""
    out = Path(out)
    committed = {p.name for p in _parts(out / "summary")}  # a part being written is left out
    frame = _concat([p for p in _parts(out / "per_turn") if p.name in committed])
    if frame.empty:
        return pd.DataFrame(columns=["run_id", "turn", "series", "key", "value"])
    return frame.sort_values(["run_id", "series", "key", "turn"], kind="stable").reset_index(drop=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)


def consolidate(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write summary.parquet and failures.parquet from the parts; returns both frames."""
    summary = _sorted(_concat(_parts(out / "summary")))
    failures = read_failures(out)
    _write(summary, out / "summary.parquet")
    _write(failures, out / "failures.parquet")
    return summary, failures


# ---------------------------------------------------------------------------- the driver


def _meta(sweep: Sweep, content: Content) -> dict[str, Any]:
    return {
        "spec_file": str(sweep.path),
        "spec_hash": sweep.spec_hash,
        "content_hash": content.content_hash,
        "package_version": __version__,
        "python": sys.version.split()[0],
        "root_seed": sweep.spec.root_seed,
        "seeds_per_point": len(sweep.seeds),
        "points": len(sweep.points),
        "runs": sweep.n_runs,
        "parameters": sweep.param_paths,
        "spec": sweep.spec.model_dump(mode="json"),
    }


def _prepare(sweep: Sweep, content: Content, out: Path) -> dict[str, Any]:
    """Check that `out` is empty or holds this very sweep; write meta.json and points."""
    out.mkdir(parents=True, exist_ok=True)
    meta = _meta(sweep, content)
    meta_path = out / "meta.json"
    if meta_path.exists():
        try:
            old = json.loads(meta_path.read_text())
        except (OSError, json.JSONDecodeError):
            old = {}
        for key, what in (("spec_hash", "spec"), ("content_hash", "content")):
            if old.get(key) not in (None, meta[key]):
                raise SweepError(
                    f"{out}: holds the results of another {what} ({key} {str(old.get(key))[:12]}, this one "
                    f"{meta[key][:12]}); choose another --out, or remove the folder to start again"
                )
    elif any(out.iterdir()):
        raise SweepError(f"{out}: is not empty and holds no sweep (no meta.json); choose another --out")
    _atomic_write(meta_path, lambda p: p.write_text(json.dumps(meta, indent=1) + "\n"))
    points = pd.DataFrame(
        [
            {"point": p.index, "scenario": p.scenario, "variant": p.variant.name}
            | {f"param.{k}": v for k, v in p.params}
            for p in sweep.points
        ]
    )
    _write(points, out / "points.parquet")
    return meta


def _progress_meta(out: Path, meta: dict[str, Any], runs_done: int, runs_failed: int) -> None:
    """meta.json while the sweep runs, rewritten after every part: a sweep killed midway
    (Ctrl-C, a lost machine) still says how far it got; `complete` is false until the end."""
    meta = {**meta, "runs_done": runs_done, "runs_failed": runs_failed, "complete": False}
    _atomic_write(out / "meta.json", lambda p: p.write_text(json.dumps(meta, indent=1) + "\n"))


def _finish_meta(out: Path, meta: dict[str, Any], outcome: SweepOutcome, summary: pd.DataFrame) -> None:
    """Record how far the folder got, so a reader (or sweep-report) knows whether it is whole."""
    meta = {
        **meta,
        "runs_done": len(summary),
        "runs_failed": outcome.failed_total,
        "complete": outcome.complete and len(summary) + outcome.failed_total == outcome.total,
        "last_session": {
            "workers": outcome.workers,
            "runs": outcome.done + outcome.failed,
            "skipped": outcome.skipped,
            "seconds": round(outcome.seconds, 3),
        },
    }
    _atomic_write(out / "meta.json", lambda p: p.write_text(json.dumps(meta, indent=1) + "\n"))


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[SweepOutcome], None]]:
    """A rich progress bar on stderr for a sweep of `total` runs; yields `on_result`."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("sweep", total=total)

        def on_result(o: SweepOutcome) -> None:
            label = f"{o.done} played, {o.failed} failed" if o.failed else f"{o.done} played"
            progress.update(task, completed=o.skipped + o.done + o.failed, description=label)

        yield on_result


def make_client(workers: int = 2, scheduler: str | None = None) -> tuple[Any, Any]:
    """(Client, LocalCluster or None): a client on `scheduler`, or on a new local cluster of
    `workers` single-threaded processes (the world holds the GIL: threads would not help)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: several sweeps (or users) may run at once
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def run_sweep(
    sweep: Sweep,
    out: Path | str,
    content: Content | None = None,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    client: Any = None,
    batch: int = 32,
    flush_every_s: float = 5.0,
    in_flight: int | None = None,
    chunk: int | None = None,
    retry_failed: bool = False,
    stop_after: int | None = None,
    on_result: Callable[[SweepOutcome], None] | None = None,
) -> SweepOutcome:
    """Play the runs of `sweep` not yet in `out` on Dask and stream their results there.

    `client` reuses a running `distributed.Client` (tests, notebooks); otherwise one is made
    on `scheduler` or a local cluster of `workers` processes, and closed at the end.
    `stop_after` stops after that many results of this session (as if killed): the runs in
    flight are cancelled and a rerun picks them up. `on_result` is called after each result
    (a progress bar). `chunk` runs go in one Dask task (default: `runs_per_task`); `in_flight`
    counts tasks. Raises SweepError if `out` holds another sweep.
    """
    out = Path(out)
    content = content or default_content()
    meta = _prepare(sweep, content, out)
    _remove_orphans(out)
    finished = _run_ids(out / "summary")
    failed_before = _run_ids(out / "failures") - finished
    done_before = len(finished)
    if not retry_failed:
        finished |= failed_before
    outcome = SweepOutcome(out=out, total=sweep.n_runs, skipped=len(finished))
    todo: Iterator[RunTask] = (t for t in sweep.tasks() if t.run_id not in finished)
    first = next(todo, None)
    if first is None:  # nothing left: no cluster to start
        summary, failures = consolidate(out)
        outcome.failed_total = len(failures)
        _finish_meta(out, meta, outcome, summary)
        return outcome
    todo = itertools.chain([first], todo)

    def progress(rows: int, failures: int) -> None:
        _progress_meta(out, meta, done_before + rows, len(failed_before) + failures)

    progress(0, 0)
    writer = _PartWriter(out, batch, flush_every_s, on_flush=progress)
    started = time.perf_counter()
    own = client is None
    cluster = None
    if own:
        client, cluster = make_client(workers, scheduler)
    try:
        from distributed import as_completed

        outcome.workers = len(client.nthreads()) or workers
        slots = sum(client.nthreads().values() or [workers])
        limit = in_flight or 2 * slots + 2
        size = chunk or runs_per_task(sweep.n_runs - outcome.skipped, slots)
        tag = sweep.spec_hash[:10]
        queue = as_completed(loop=client.loop)
        tasks: dict[str, list[RunTask]] = {}

        def submit() -> bool:
            batch_of_runs = list(itertools.islice(todo, size))
            if not batch_of_runs:
                return False
            key = f"lodestone-{tag}-{batch_of_runs[0].run_id}-{len(batch_of_runs)}"
            future = client.submit(play_tasks, batch_of_runs, content.content_hash, key=key)
            tasks[future.key] = batch_of_runs  # for a failure outside play_task (a worker died)
            queue.add(future)
            return True

        def record(result: dict[str, Any]) -> None:
            writer.add(result)
            if "failure" in result:
                outcome.failed += 1
                if len(outcome.failures) < 20:  # a few to show; all of them are on disk
                    outcome.failures.append(f"{result['run_id']}: {result['failure']['error']}")
            else:
                outcome.done += 1
                outcome.turns_played += int(result["row"]["turns"])
            if on_result is not None:
                on_result(outcome)

        for _ in range(limit):
            if not submit():
                break
        for future in queue:
            runs = tasks.pop(future.key)
            try:
                results = future.result()
            except Exception as exc:  # the worker died or the task was lost: still failed runs
                results = [{"run_id": t.run_id, "failure": _failure(t, exc, repr(exc))} for t in runs]
            future.release()
            for result in results:
                record(result)
                if stop_after is not None and outcome.done + outcome.failed >= stop_after:
                    outcome.stopped = True  # the rest of this task's results are dropped, as if killed
                    break
            if outcome.stopped:
                client.cancel(list(queue.futures))
                queue.clear()
                break
            submit()
    finally:
        writer.flush()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    outcome.seconds = time.perf_counter() - started
    summary, failures = consolidate(out)
    outcome.failed_total = len(failures)
    _finish_meta(out, meta, outcome, summary)
    return outcome
