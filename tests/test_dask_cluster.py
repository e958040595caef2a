"""A sweep on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
loopback, `lodestone sweep --scheduler`, one worker killed (SIGKILL) midway. The tables must
equal those of the local cluster, with no run lost or failed. Bounded: every wait has a
deadline, and every process started here is killed at the end, whatever happens."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from game.lab.sweep import read_per_turn, read_summary

HOST = "127.0.0.1"  # loopback only: nothing here listens beyond this machine
SPEC = """
root_seed = 5
seeds = 6
scenarios = ["tutorial"]

[parameters.grid]
"minerals.rare_earths.market.demand_elasticity" = [0.2, 0.5, 0.8]

[[variants]]
name = "ai"

[[variants]]
name = "japan passive"
doctrines = { japan = "passive" }

[outputs]
per_turn = true
"""  # 2 variants x 3 values x 6 seeds = 36 tutorial games of 12 turns
RUNS = 36
DEADLINE_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    """A process in its own session (so killing its group reaches any child it starts)."""
    with log.open("w") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _wait(what: str, ready, deadline: float, logs: list[Path]) -> None:
    while not ready():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in logs if p.exists())
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.05)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen], list[Path]]]:
    """(address, [scheduler, worker, worker], logs); all killed at teardown."""
    port = _free_port()
    address = f"tcp://{HOST}:{port}"
    dask = [sys.executable, "-m", "dask"]
    logs = [tmp_path / name for name in ("scheduler.log", "worker-1.log", "worker-2.log")]
    procs: list[subprocess.Popen] = []
    try:
        procs.append(
            _start([*dask, "scheduler", "--host", HOST, "--port", str(port), "--no-dashboard"], logs[0])
        )
        deadline = time.monotonic() + 60

        def listening() -> bool:
            assert procs[0].poll() is None, logs[0].read_text()
            with socket.socket() as s:
                return s.connect_ex((HOST, port)) == 0

        _wait("the scheduler", listening, deadline, logs)
        for log in logs[1:]:
            worker = [*dask, "worker", address, "--host", HOST, "--nthreads", "1", "--no-nanny"]
            procs.append(_start([*worker, "--no-dashboard", "--death-timeout", "60"], log))
        from distributed import Client

        with Client(address, timeout=60) as client:
            _wait("two workers", lambda: len(client.scheduler_info()["workers"]) == 2, deadline, logs)
        yield address, procs, logs
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _sweep(spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    lodestone = Path(sys.executable).with_name("lodestone")
    args = [str(lodestone), "sweep", str(spec), "--out", str(out), "--batch", "1", *extra]
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _runs_done(out: Path) -> int:
    try:
        return int(json.loads((out / "meta.json").read_text()).get("runs_done", 0))
    except (OSError, ValueError):
        return 0  # not written yet, or being replaced


def test_a_sweep_on_a_real_cluster_survives_a_killed_worker(cluster, tmp_path: Path):
    address, procs, logs = cluster
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    on_cluster = tmp_path / "cluster"
    deadline = time.monotonic() + DEADLINE_S
    sweep = _sweep(spec, on_cluster, "--scheduler", address)
    try:
        _wait(
            "the first runs", lambda: _runs_done(on_cluster) >= 4 or sweep.poll() is not None, deadline, logs
        )
        killed_at = _runs_done(on_cluster)
        assert sweep.poll() is None and killed_at < RUNS - 8, (
            "the sweep ended before a worker could be killed"
        )
        _stop(procs[2])  # SIGKILL: the worker dies holding tasks; the scheduler gives them to the other
        stdout, stderr = sweep.communicate(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if sweep.poll() is None:
            sweep.kill()
            sweep.wait(timeout=30)
    assert sweep.returncode == 0, stderr
    assert f"{RUNS} runs, 0 already done, {RUNS} played, 0 failed" in stdout, stdout
    meta = json.loads((on_cluster / "meta.json").read_text())
    assert meta["complete"] and meta["runs_done"] == RUNS and meta["runs_failed"] == 0

    local = tmp_path / "local"
    done = _sweep(spec, local, "--workers", "2")
    stdout, stderr = done.communicate(timeout=max(deadline - time.monotonic(), 1))
    assert done.returncode == 0, stderr
    pd.testing.assert_frame_equal(read_summary(on_cluster), read_summary(local))
    pd.testing.assert_frame_equal(read_per_turn(on_cluster), read_per_turn(local))
    assert len(read_summary(local)) == RUNS
