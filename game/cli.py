"""The `lodestone` command: one thin entry point that dispatches to the front-ends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from game.content import DEFAULT_ROOT, ContentError, display_path, load_content

if TYPE_CHECKING:  # the commands import the saves lazily, to keep start-up light
    from game.saves import Save, SaveError

app = typer.Typer(
    help="Lodestone: the contest for critical minerals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # usage errors as click prints them: one `Error: ...` line, no panel
)
# Nothing the CLI prints is markup: paths, ids and messages come from users and files, and a
# `[/]` in one must print as itself. soft_wrap: a line is never wrapped or cut, whatever the
# terminal's width (COLUMNS unset gives 80 in a pipe); tables lay out at their natural width.
out = Console(highlight=False, markup=False, soft_wrap=True, width=10_000)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
MAX_SEED = 2**63 - 1


def _fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr (`file: field: problem`, or `--option: problem`) and exit `code`."""
    err.print(message)
    raise typer.Exit(code)


def _content_root(path: Path) -> Path:
    """The content folder a path lies in (the folder holding minerals/, nations/ …)."""
    for candidate in (path, *path.parents):
        if candidate.is_dir() and any((candidate / sub).is_dir() for sub in ("minerals", "nations")):
            return candidate
    return path


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="content folder or one content file")] = DEFAULT_ROOT,
) -> None:
    """Check every content file (or one) and print each problem as `file: field: problem`."""
    if not path.exists():
        _fail(f"{display_path(path)}: (file): does not exist")
    root = _content_root(path.resolve() if path.is_file() else path)
    try:
        content = load_content(root)
    except ContentError as exc:
        problems = exc.problems
        if path.is_file():
            wanted = path.resolve()
            problems = [p for p in problems if Path(p.file).resolve() == wanted]
        if problems:
            for problem in problems:
                typer.echo(str(problem))
            typer.echo(f"{len(problems)} problem(s)")
            raise typer.Exit(2) from None
        typer.echo(f"{display_path(path)}: valid (problems elsewhere in {display_path(root)})")
        return
    typer.echo(
        f"content valid: {len(content.minerals)} minerals, {len(content.nations)} nations, "
        f"{len(content.firms)} firms, {len(content.projects)} project templates, "
        f"{len(content.events)} events, {len(content.scenarios)} scenarios "
        f"(hash {content.content_hash[:12]})"
    )


@app.command()
def scenarios() -> None:
    """List the scenarios with their dates and playable nations."""
    content = _load_or_exit()
    table = Table()
    table.add_column("id", no_wrap=True, min_width=max(len(s) for s in content.scenarios))
    for column in ("name", "start", "end", "turns", "playable", "history"):
        table.add_column(column)
    for s in content.scenarios.values():
        table.add_row(
            s.id,
            s.name,
            s.date_of(0),
            s.date_of(s.turns - 1),
            str(s.turns),
            ", ".join(content.nations[n].name for n in s.playable),
            "epilogue" if s.epilogue else "",
        )
    out.print(table)


def _warm_up_solver() -> None:
    """Load the compiled market solver before the progress bar starts, saying why the first
    run after installing pauses (numba compiles it once, then loads it from its cache)."""
    from game.session import warm_up

    with err.status("Loading the market solver (compiled on the first run after installing)"):
        warm_up()


@app.command()
def run(
    scenario: Annotated[
        str, typer.Option(help="scenario id (see `lodestone scenarios`)")
    ] = "ministerial-2026",
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    turns: Annotated[int | None, typer.Option(help="turns to play (default: the scenario's)")] = None,
    out: Annotated[Path, typer.Option(help="folder for the Parquet tables")] = Path("runs/latest"),
    orders: Annotated[
        Path | None, typer.Option(help="TOML script of orders by turn; its nations follow it, not their AI")
    ] = None,
) -> None:
    """Play a scenario headless, every nation on its default behaviour; write Parquet tables
    and the run's save (game.json)."""
    from rich.progress import Progress

    from agents.scripted import ScriptError, check_script, load_order_script
    from game.lab.run import play, write_tables

    content = _load_or_exit()
    if scenario not in content.scenarios:
        _fail(f"--scenario: unknown scenario {scenario!r}; known: {', '.join(content.scenarios)}")
    length = content.scenarios[scenario].turns
    if turns is not None and not 1 <= turns <= length:
        _fail(
            f"--turns: must be at least 1 and at most {length} ({scenario} has {length} turns), not {turns}"
        )
    if not 0 <= seed <= MAX_SEED:
        _fail(f"--seed: must be between 0 and {MAX_SEED}, not {seed}")
    _check_out_folder(out, "--out")
    script = None
    total = turns or length
    if orders is not None:
        try:
            script = load_order_script(orders)
        except ScriptError as exc:
            _fail(str(exc))
        problems = check_script(script, content, scenario, str(orders), last_turn=total - 1)
        if problems:
            for line in problems:
                err.print(line)
            raise typer.Exit(2)
    _warm_up_solver()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(escape(f"{scenario} seed {seed}"), total=total)
        result = play(
            content,
            scenario,
            seed,
            turns,
            on_turn=lambda _w: progress.advance(task),
            script=script,
            script_name=str(orders) if orders else None,
        )
    paths = write_tables(result, out)
    typer.echo(
        f"{scenario}, seed {seed}, {total} turns -> {display_path(out)} ({', '.join(p.name for p in paths)})"
    )
    _report_refused(result.table("orders"), {s.order.issuer for s in script or []})
    if unsettled := result.meta["unsettled_markets"]:
        err.print(
            f"note: {len(unsettled)} market-turn(s) stopped short of equilibrium (mass and controls "
            "still hold); meta.json lists them as unsettled_markets"
        )


def _display_available() -> bool:
    """A window can open: an SDL driver is named, or an X11/Wayland display is set, or the
    platform always has one (macOS, Windows)."""
    import os
    import sys

    if os.environ.get("SDL_VIDEODRIVER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@app.command()
def play(
    width: Annotated[int | None, typer.Option(help="window width (default: saved setting, 1600)")] = None,
    height: Annotated[int | None, typer.Option(help="window height (default: saved setting, 900)")] = None,
    fullscreen: Annotated[bool | None, typer.Option(help="full screen")] = None,
    font_scale: Annotated[float | None, typer.Option(help="text size, e.g. 1.5 on a 4K screen")] = None,
) -> None:
    """Open the game window. Without a display, play the default scenario headless instead
    (as `lodestone run` does)."""
    import os

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if not _display_available():
        err.print(
            "No display found (no DISPLAY or WAYLAND_DISPLAY, no SDL_VIDEODRIVER): running the "
            "default game headless."
        )
        run()
        return
    try:
        from game.ui.app import launch
    except ImportError as exc:
        err.print(
            f"The game window needs pygame-ce and pygame-gui ({exc}); running the default game headless."
        )
        run()
        return
    try:
        launch(width, height, fullscreen, font_scale)
    except Exception as exc:
        if "video" not in str(exc).lower() and "display" not in str(exc).lower():
            raise
        err.print(f"No display could be opened ({exc}): running the default game headless.")
        run()


PinOption = Annotated[
    str | None,
    typer.Option(
        envvar="LODESTONE_PIN",
        help="the facilitator's PIN, to open a wargame's sealed save (asked for if not given)",
    ),
]


def _read_save(save: Path, pin: str | None) -> Save:
    """A save, opened whole: a sealed wargame's with the facilitator's PIN (from --pin,
    LODESTONE_PIN, or asked for, unseen, at a terminal). Raises SaveError."""
    import sys

    from game.saves import SaveError, read_save

    saved = read_save(save)
    if saved.sealed is None:
        return saved
    if pin is None and sys.stdin.isatty():
        pin = typer.prompt("Facilitator PIN", hide_input=True, default="", show_default=False)
    if not pin:
        raise SaveError(
            save,
            "sealed: this wargame's record is sealed under the facilitator's PIN",
            "Give the PIN with --pin or the LODESTONE_PIN variable.",
        )
    return read_save(save, pin)


@app.command()
def replay(
    save: Annotated[Path, typer.Argument(help="a saved game (.json), e.g. runs/latest/game.json")],
    verify: Annotated[bool, typer.Option(help="check the world hash at every turn")] = True,
    force: Annotated[bool, typer.Option(help="replay even if the content differs")] = False,
    pin: PinOption = None,
) -> None:
    """Replay a saved game from its order log; with --verify, report the first turn whose
    world differs from the save's record."""
    from game.saves import SaveError
    from game.session import Game

    content = _load_or_exit()
    try:
        saved = _read_save(save, pin)
        game = Game.from_save(content, saved, force=force or not verify, strict=verify)
    except SaveError as exc:
        _save_failed(exc, save)
    checked = "every turn's world hash matches" if verify else "hashes not checked"
    typer.echo(
        f"{display_path(save)}: {saved.scenario}, seed {saved.seed}, {game.turn} turns replayed, "
        f"{len(saved.orders)} orders; {checked}"
    )


@app.command()
def whatif(
    save: Annotated[Path, typer.Argument(help="a saved game (.json)")],
    at: Annotated[int, typer.Option(help="the turn where the branches part")],
    drop_order: Annotated[
        list[int] | None,
        typer.Option(help="an order to leave out: its log_index in orders.parquet (repeatable)"),
    ] = None,
    seeds: Annotated[int, typer.Option(help="replications of each branch")] = 20,
    out: Annotated[Path, typer.Option(help="folder for the comparison")] = Path("runs/whatif"),
    pin: PinOption = None,
) -> None:
    """Replay a save to a turn, then play on with and without a change over many seeds;
    write the series (whatif.parquet), a summary and fan charts (PNG)."""
    from rich.progress import Progress

    from game.lab.whatif import WhatIf, run_whatif, write_whatif
    from game.saves import SaveError

    content = _load_or_exit()
    try:
        saved = _read_save(save, pin)
    except SaveError as exc:
        _save_failed(exc, save)
    drop = tuple(drop_order or ())
    bad = [i for i in drop if not 0 <= i < len(saved.orders)]
    if bad:
        _fail(f"--drop-order {bad[0]}: the save's order log has orders 0..{len(saved.orders) - 1}")
    if not 0 <= at < saved.turn:
        _fail(f"--at {at}: the save has turns 0..{saved.turn - 1}")
    late = [i for i in drop if saved.orders[i].turn < at]
    if late:
        _fail(f"--drop-order {late[0]} was given at turn {saved.orders[late[0]].turn}, before --at {at}")
    if not 1 <= seeds <= 10_000:
        _fail(f"--seeds: must be at least 1 and at most 10000, not {seeds}")
    _check_out_folder(out, "--out")
    change = WhatIf(at_turn=at, drop=drop)
    try:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task(escape(change.describe(saved)), total=2 * seeds)
            df = run_whatif(content, saved, change, seeds, on_run=lambda: progress.advance(task))
    except SaveError as exc:
        _save_failed(exc, save)
    paths = write_whatif(df, saved, change, out)
    names = ", ".join(p.name for p in paths)
    typer.echo(f"{change.describe(saved)} over {seeds} seeds -> {display_path(out)} ({names})")


@app.command()
def report(
    save: Annotated[Path, typer.Argument(help="a saved game (.json), e.g. runs/latest/game.json")],
    out: Annotated[Path, typer.Option(help="folder for report.html, report.pdf and the charts")] = Path(
        "runs/report"
    ),
    force: Annotated[bool, typer.Option(help="report even if the content differs")] = False,
    pin: PinOption = None,
) -> None:
    """Write the after-action report of a saved game: timeline, outcomes, charts, causal chains."""
    from game.report.document import build_report, write_report
    from game.saves import SaveError
    from game.session import Game

    content = _load_or_exit()
    try:
        game = Game.from_save(content, _read_save(save, pin), force=force)
    except SaveError as exc:
        _save_failed(exc, save)
    if not game.world.records:
        _fail(f"{display_path(save)}: turn: the game has no turn played yet; nothing to report")
    _check_out_folder(out, "--out")
    paths = write_report(build_report(game), out)
    if game.room is not None:  # a wargame: its hot-wash report too
        from game.report.hotwash import write_hotwash

        paths += write_hotwash(game, out)
    typer.echo(f"report of {display_path(save)} -> {display_path(out)} ({', '.join(p.name for p in paths)})")


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="the sweep spec (TOML): scenarios, parameters, seeds")],
    out: Annotated[Path, typer.Option(help="folder for the results (resumed if it holds this sweep)")] = Path(
        "runs/sweep"
    ),
    workers: Annotated[int, typer.Option(help="worker processes of the local Dask cluster")] = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="a running Dask scheduler (tcp://host:port) instead of a local cluster")
    ] = None,
    retry_failed: Annotated[bool, typer.Option(help="play again the runs that failed before")] = False,
    batch: Annotated[int, typer.Option(help="results per Parquet part")] = 32,
) -> None:
    """Play every run of a sweep spec on Dask; stream summary rows (and per-turn series) to
    Parquet parts; a second call with the same spec and --out resumes where it stopped."""
    from game.lab.sweep import SweepError, progress_bar, run_sweep
    from game.lab.sweep_spec import SpecError, load_spec

    if workers < 1 or batch < 1:
        _fail(f"--{'workers' if workers < 1 else 'batch'}: must be at least 1")
    _check_out_folder(out, "--out")
    content = _load_or_exit()
    try:
        plan = load_spec(spec, content)
    except SpecError as exc:
        for problem in exc.problems:
            err.print(problem)
        raise typer.Exit(2) from None
    try:
        with progress_bar(plan.n_runs) as on_result:
            outcome = run_sweep(
                plan,
                out,
                content,
                workers=workers,
                scheduler=scheduler,
                retry_failed=retry_failed,
                batch=batch,
                on_result=on_result,
            )
    except SweepError as exc:
        _fail(str(exc))
    typer.echo(f"{display_path(spec)}: {outcome.describe()} -> {display_path(out)}")
    for line in outcome.failures[:5]:
        err.print(f"failed: {line}")
    if outcome.failed_total:
        err.print(
            f"{outcome.failed_total} failed run(s) in failures.parquet; --retry-failed plays them again"
        )


@app.command()
def host(
    teams: Annotated[
        str, typer.Option(help="the teams' nations, comma-separated, e.g. china,united_states,japan")
    ],
    scenario: Annotated[str, typer.Option(help="scenario id")] = "ministerial-2026",
    seed: Annotated[int, typer.Option(help="the game's seed")] = 0,
    port: Annotated[int, typer.Option(help="TCP port (0: any free one)")] = 8765,
    bind: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: every network)")] = "127.0.0.1",
    pin: Annotated[str, typer.Option(help="facilitator PIN (gives a seat back to a team that lost it)")] = "",
    timer: Annotated[float, typer.Option(help="minutes a quarter (0: until every team ends)")] = 0.0,
    turns: Annotated[int, typer.Option(help="a shorter game (quarters; 0: the scenario's)")] = 0,
    save: Annotated[Path, typer.Option(help="the room's save, rewritten every quarter")] = Path(
        "runs/wargame.json"
    ),
    team_events: Annotated[
        str, typer.Option(help="an event that would set a team's controls becomes news or a prompt")
    ] = "news",
    terminal: Annotated[
        bool, typer.Option(help="the typed console in this terminal instead of the console window")
    ] = False,
) -> None:
    """Host a wargame whose teams play from their own machines (`lodestone join`): the
    game's facilitator console in a window, or typed commands with no display."""
    import asyncio

    from game.net.host import Host
    from game.net.run import new_room_game, serve
    from game.ui.hosted import HOST_HELP, HostedWargame, command, launch_host_console

    content = _load_or_exit()
    chosen = [t.strip() for t in teams.split(",") if t.strip()]
    if scenario not in content.scenarios:
        err.print(f"--scenario: no scenario {scenario!r} (see `lodestone scenarios`)")
        raise typer.Exit(2)
    nations = content.scenarios[scenario].nations
    strangers = [t for t in chosen if t not in nations]
    if not chosen or strangers:
        err.print(f"--teams: {', '.join(strangers) or 'none given'}: not nations of {scenario}")
        raise typer.Exit(2)
    if team_events not in ("news", "prompt"):
        err.print(f"--team-events: news or prompt, not {team_events!r}")
        raise typer.Exit(2)
    game = new_room_game(
        content, scenario, chosen, seed, pin, turns or None, team_events=team_events, timer_minutes=timer
    )
    host_ = Host(game, chosen, timer_seconds=timer * 60)
    try:
        if not terminal and _display_available():
            launch_host_console(host_, bind, port, save)
            return
        session = HostedWargame(host_)
        asyncio.run(
            serve(host_, bind, port, save, lambda line: command(session, line, save), help_text=HOST_HELP)
        )
    except OSError as exc:
        err.print(f"--port: cannot listen on {bind}:{port} ({exc.strerror or exc})")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo(f"stopped; the room is saved in {display_path(save)}")


@app.command()
def join(
    address: Annotated[str, typer.Argument(help="the host, as HOST:PORT")],
    team: Annotated[str, typer.Option(help="the team's nation, e.g. japan")],
    token: Annotated[str, typer.Option(help="the seat's token, to rejoin after a lost connection")] = "",
    pin: Annotated[str, typer.Option(help="or the facilitator's PIN, to take the seat back")] = "",
    terminal: Annotated[bool, typer.Option(help="play in this terminal instead of the game window")] = False,
) -> None:
    """Play one team of a hosted wargame from this machine: the game window (or, with no
    display or --terminal, a terminal client)."""
    import asyncio

    from game.net.run import join_terminal

    host_part, _, port = address.rpartition(":")
    if not host_part or not port.isdigit():
        err.print(f"{address}: give the host as HOST:PORT, e.g. 192.168.1.20:8765")
        raise typer.Exit(2)
    try:
        if not terminal and _display_available():
            from game.ui.screens.remote import launch_remote

            launch_remote(address, team, token or None, pin or None)
            return
        asyncio.run(join_terminal(address, team, token or None, pin or None))
    except (OSError, ConnectionRefusedError) as exc:
        err.print(f"{address}: {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


@app.command()
def room(
    address: Annotated[str, typer.Argument(help="the host, as HOST:PORT")],
) -> None:
    """The room view of a hosted wargame (map, public prices, news, the clock) on this
    machine's screen, e.g. the projector: a spectator sent only public data."""
    host_part, _, port = address.rpartition(":")
    if not host_part or not port.isdigit():
        err.print(f"{address}: give the host as HOST:PORT, e.g. 192.168.1.20:8765")
        raise typer.Exit(2)
    if not _display_available():
        err.print(f"{address}: the room view needs a display (no DISPLAY or WAYLAND_DISPLAY)")
        raise typer.Exit(2)
    from game.ui.screens.spectator import launch_room

    try:
        launch_room(address)
    except (OSError, ConnectionRefusedError, TimeoutError) as exc:
        err.print(f"{address}: {exc or type(exc).__name__}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


@app.command("sweep-report")
def sweep_report(
    folder: Annotated[Path, typer.Argument(help="a sweep's --out folder")],
    out: Annotated[Path | None, typer.Option(help="folder for the charts (default: FOLDER/report)")] = None,
) -> None:
    """Charts (PNG) of a sweep: outcomes' distributions over seeds, and each parameter's effect."""
    from game.lab.sweep_report import ReportError, write_report

    try:
        paths = write_report(folder, out or folder / "report")
    except ReportError as exc:
        _fail(str(exc))
    except (OSError, ValueError) as exc:  # a damaged results file (pyarrow's errors are ValueErrors)
        _fail(f"{display_path(folder)}: (results): cannot be read ({type(exc).__name__}: {exc})")
    names = ", ".join(p.name for p in paths)
    typer.echo(f"{len(paths)} charts -> {display_path(out or folder / 'report')} ({names})")


def _save_failed(exc: SaveError, save: Path) -> NoReturn:
    """One message (file, what is wrong, what to do) and exit code 2; a replay that fails
    names the save it was given."""
    path = save if str(exc.path) == "<save>" else exc.path
    _fail(f"{display_path(path)}: {exc.problem}. {exc.advice}")


def _check_out_folder(out: Path, option: str) -> None:
    """An output folder must be a folder (or not exist yet): writing into a file's place
    would fail half-way, after the work was done."""
    try:
        if out.exists() and not out.is_dir():
            _fail(f"{option}: {display_path(out)}: is a file, not a folder")
        for parent in out.parents:
            if parent.exists():
                if not parent.is_dir():
                    _fail(f"{option}: {display_path(out)}: {display_path(parent)} is a file, not a folder")
                break
    except OSError as exc:
        _fail(f"{option}: {display_path(out)}: cannot be used ({exc.strerror})")


def _report_refused(orders, scripted: set[str], shown: int = 3) -> None:
    """After a run: how many orders the world refused (the script's first, as those are the
    user's), with the first reasons; the rest are in orders.parquet."""
    refused = orders[~orders.accepted.astype(bool)]
    if refused.empty:
        return
    mine = refused[refused.issuer.isin(scripted)]
    if scripted:
        ran = int(orders.issuer.isin(scripted).sum())
        err.print(f"refused orders: {len(mine)} of the script's {ran}, {len(refused)} of all {len(orders)}")
    else:
        err.print(f"refused orders: {len(refused)} of {len(orders)} (reasons in orders.parquet)")
    first = mine if not mine.empty else refused
    for row in first.head(shown).itertuples():
        err.print(f"  turn {row.turn}, {row.issuer} {row.kind}: {row.reason}")


def _load_or_exit():
    try:
        return load_content()
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        _fail("content is invalid: run `lodestone validate`")


if __name__ == "__main__":
    app()


@app.command()
def calibrate(
    seeds: Annotated[int, typer.Option(help="games per episode (seeds spawned from --root-seed)")] = 5,
    root_seed: Annotated[int, typer.Option(help="the root of the seeds")] = 0,
    turns: Annotated[int | None, typer.Option(help="cut each episode's window to this many turns")] = None,
    out: Annotated[Path, typer.Option(help="folder for one PNG per episode")] = Path("runs/calibration"),
) -> None:
    """Play the open historical episodes (every nation on AI) and print the model beside
    history: peak ratio, peak quarter and the fall after the peak; write a PNG of each path."""
    from game.report.calibrate import calibrate as run_calibration
    from game.report.calibrate import plot, quarter_label

    if seeds < 1 or (turns is not None and turns < 1):
        err.print("--seeds and --turns must be at least 1")
        raise typer.Exit(2)
    content = _load_or_exit()
    rows = run_calibration(content, seeds=seeds, root_seed=root_seed, turns=turns)
    table = Table(title=f"Model ({seeds} seeds, AI) against history")
    for column in (
        "episode",
        "history",
        "peak (hist)",
        "peak (model)",
        "peak quarter",
        "fall after",
        "in band",
    ):
        table.add_column(column)
    for row in rows:
        f, e = row.figures(), row.episode
        table.add_row(
            e.id,
            e.band,
            f"{f['history_peak']:.1f}x",
            f"{f['model_peak']:.1f}x ({f['model_peak_lo']:.1f}-{f['model_peak_hi']:.1f})",
            " / ".join(quarter_label(content, e, f[k]) for k in ("history_peak_turn", "model_peak_turn")),
            f"{f['history_fall']:+.0%} / {f['model_fall']:+.0%}",
            "yes" if row.within_band() else "no",
        )
        plot(content, row, out)
    Console(width=160).print(table)
    typer.echo(f"charts -> {display_path(out)} ({', '.join(r.episode.id + '.png' for r in rows)})")
