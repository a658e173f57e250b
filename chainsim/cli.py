"""Command line: ``chainsim run [SCENARIO] [--replications N] [--seed S] [--workers W] [--out DIR] [--json]``.

Bad input gets a single line on stderr and exit code 2, never a traceback; a
file that cannot be written once the computing is done gets a single line
saying where the rest was kept, and exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from chainsim.core.kernel_choice import KernelChoiceError, chosen
from chainsim.core.regions import UnknownRegionError, find_region

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        raise UsageError(f"{self.prog}: {message}")


def _whole_number(minimum: int, maximum: int | None = None, why: str = ""):
    """An argparse type: a whole number of at least ``minimum`` (and at most ``maximum``, for ``why``)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{value} (allowed: {minimum} to {maximum}{why})")
        return value
    return parse


MAX_REPLICATIONS = 5000
"""run and compare stream rows to disk and keep a few KB per replication, but 5,000 replications of the 35
regions are already 10.5 million rows and hours of computing: a larger study is a sweep, which resumes."""
MAX_WORKERS = 4 * (os.cpu_count() or 1)
"""More local worker processes than this only contend for the cores."""


def _replication_options(parser: argparse.ArgumentParser, what: str) -> None:
    """Options shared by commands that run replications (run, compare)."""
    parser.add_argument("--replications", type=_whole_number(1, MAX_REPLICATIONS, "; for more, run a sweep: "
                                                                               "chainsim sweep resumes"),
                        default=30, metavar="N",
                        help=f"replications{what} (default 30)")
    parser.add_argument("--seed", type=_whole_number(0), default=0, metavar="S", help="root seed (default 0)")
    parser.add_argument("--workers", type=_whole_number(1, MAX_WORKERS, f" on this machine of {os.cpu_count()} cores"),
                        default=None, metavar="W",
                        help="worker processes (default: all cores); never changes results")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


class _Version(argparse.Action):
    """``--version``: works the version out only when asked (it may run git and setuptools-scm)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help="show the program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from chainsim import __version__

        parser.exit(message=f"chainsim {__version__}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chainsim", description="Simulate chain cooperation in the Dutch labour market regions.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario with replications and write its results",
                         description="Run a scenario (default: the Netherlands 2012-2016) and write "
                                     "summary.json, region_months.parquet and stage_shares.png into a new "
                                     "folder (docs/outputs.md describes every column).")
    run.add_argument("scenario", nargs="?", help="scenario file (TOML) or the name of a shipped scenario "
                                                 "(see `chainsim scenarios`); default: the Netherlands 2012-2016")
    _replication_options(run, "")
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="output folder (default results/<scenario>); must be new or empty")
    run.add_argument("--overwrite", action="store_true",
                     help="replace the results already in --out (once the new ones are complete)")
    run.add_argument("--csv", action="store_true", help="also write region_months.csv beside the Parquet file")
    run.add_argument("--regions", default=None, metavar="NAMES",
                     help="comma-separated region names or codes to simulate (default: all 35); a region's "
                          "results depend on which regions run with it (neighbours' evidence, shared draws)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    run.add_argument("--explain", default=None, metavar="REGION",
                     help="also explain why this region is where it is (at --month in --replication)")
    run.add_argument("--month", default=None, metavar="YYYY-MM",
                     help="with --explain: the month to explain (default: the observation month)")
    run.add_argument("--replication", type=_whole_number(0), default=0, metavar="K",
                     help="with --explain: which replication of the run to explain (default 0)")
    run.add_argument("--posterior", type=_whole_number(1, MAX_REPLICATIONS), default=None, metavar="N",
                     help="run N parameter sets drawn from the calibration's posterior, --replications each: "
                          "every interval then carries parameter uncertainty as well (docs/calibration.md)")
    run.add_argument("--particles", type=Path, default=None, metavar="FILE",
                     help="with --posterior: the weighted particles to draw from (a particles CSV or a pyABC "
                          "history .db; default: the ones shipped with chainsim)")

    validate = sub.add_parser("validate", help="check scenario and experiment files and report every problem",
                              description="Check scenario and experiment files; each problem is one line "
                                          "FILE:LINE: key: what is wrong. Exit code 0 when all are valid, 2 "
                                          "otherwise.")
    validate.add_argument("files", nargs="+", metavar="FILE")

    comp = sub.add_parser("compare", help="compare scenarios with a base, with confidence intervals",
                          description="Run a base scenario and others with the same seeds and report the share "
                                      "of coordinated regions and the paired difference to the base: in all "
                                      "regions, in the regions where the levers differ from the base's (treated) "
                                      "and in the others, with 95% intervals and Holm-adjusted p-values.")
    comp.add_argument("base", metavar="BASE", help="the base scenario file (e.g. scenarios/netherlands_2012.toml)")
    comp.add_argument("others", nargs="+", metavar="OTHER", help="scenario files to compare with the base")
    _replication_options(comp, " per scenario")
    comp.add_argument("--regions", default=None, metavar="NAMES",
                      help="comma-separated region names or codes (default: the scenarios' own)")
    comp.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help="output folder (default results/compare_<base>_vs_<other>+...); must be new or empty")
    comp.add_argument("--overwrite", action="store_true",
                      help="replace the comparison already in --out (once the new one is complete)")
    comp.add_argument("--json", action="store_true", help="print the comparison as JSON on stdout")

    sweep = sub.add_parser("sweep", help="run an experiment (factors x design x replications), resumably",
                           description="Run an experiment file on all local cores or a Dask cluster. Results "
                                       "stream to DIR/chunks/*.parquet; kill it and continue with --resume.")
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (TOML), e.g. experiments/smoke.toml")
    sweep.add_argument("--workers", type=_whole_number(1, MAX_WORKERS, f" on this machine of {os.cpu_count()} cores"),
                       default=None, metavar="N",
                       help="local worker processes (default: all cores)")
    sweep.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default results/<experiment>)")
    sweep.add_argument("--resume", action="store_true", help="continue the sweep in --out, skipping finished runs")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="Dask scheduler address (tcp://host:8786) to run on a cluster instead of locally")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    app = sub.add_parser("app", help="open the browser app (Solara) on this machine",
                         description="Start the browser app: play the regions month by month, set lever and "
                                     "parameter sliders (they take effect on RESET), click a region to see its "
                                     "network and why it is stuck.")
    app.add_argument("--port", type=_whole_number(1), default=8765, metavar="P", help="port (default 8765)")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1: this machine only)")

    listing = sub.add_parser("list", help="list levers, parameters, regions or shipped scenarios",
                             description="List what chainsim offers, with bounds, defaults and sources: the "
                                         "levers of scenario files, the parameters (docs/ODD.md §7.2), the 35 "
                                         "regions, or the shipped scenarios.")
    listing.add_argument("what", choices=("levers", "parameters", "regions", "scenarios"))
    listing.add_argument("--json", action="store_true", help="print the rows as JSON")

    sub.add_parser("scenarios", help="list the scenarios that ship with chainsim",
                   description="List the shipped scenarios by name; `chainsim run NAME` runs one, and a scenario "
                               "file may build on one with extends = \"chainsim:NAME\".")

    ana = sub.add_parser("analyse", aliases=["analyze"], help="effects of each factor in a sweep, with intervals",
                         description="Effect of each factor on the share of units in the first stage of the "
                                     "sweep's era -- coordinated regions, or integrated locations in the werkplein "
                                     "era -- (observation and end month, 95% CI, Holm-adjusted p; treated and "
                                     "untreated units where a lever factor has regions), warnings for effects that "
                                     "may be chance findings; Sobol or Morris indices for those designs; figures.")
    ana.add_argument("sweep_dir", type=Path, metavar="DIR", help="folder of a sweep")
    ana.add_argument("--out", type=Path, default=None, metavar="DIR2", help="where to write tables and figures "
                                                                            "(default DIR/analysis)")
    ana.add_argument("--json", action="store_true", help="print the effects as JSON on stdout")
    return parser


def command_list(args) -> int:
    from chainsim.listing import ROWS

    rows = ROWS[args.what]()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    columns = list(rows[0]) if rows else []
    if args.what in ("levers", "parameters"):
        for row in rows:
            head = row.pop("kind", None) or row.pop("name")
            print(head)
            for key, value in row.items():
                if value not in ("", None):
                    print(f"    {key}: {value}")
        return 0
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns[:-1]}
    print("  ".join(c.ljust(widths[c]) for c in columns[:-1]) + "  " + columns[-1])
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns[:-1]) + "  " + str(row[columns[-1]]))
    return 0


def command_scenarios(args) -> int:
    """``chainsim scenarios``: a short way to say ``chainsim list scenarios``."""
    args.what, args.json = "scenarios", False
    return command_list(args)


def _scenario(path: str | None):
    from chainsim.scenario import ScenarioError, default_scenario, load_scenario

    if not path:
        return default_scenario()
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise UsageError(_one_line(exc)) from None


def _region_codes(text: str | None, command: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"chainsim {command}: --regions: {text!r} names no region "
                         "(allowed: comma-separated region names or codes; leave the option out for all 35)")
    try:
        return tuple(find_region(n).code for n in names)
    except UnknownRegionError as exc:
        raise UsageError(f"chainsim {command}: --regions: {exc}") from None


def _config(args):
    from dataclasses import replace

    config = _scenario(args.scenario).run_config()
    codes = _region_codes(args.regions, "run")
    return replace(config, regions=codes) if codes else config


HISTORY_SHARES = "werkplein_location_shares.csv"
"""With start_from: the simulated werkplein era of each replication, as location_shares.csv of a run of the era."""

POSTERIOR_DRAWS = "posterior_draws.csv"
"""With --posterior: the parameter set of each draw (replications d x R to (d + 1) x R - 1 ran on draw d)."""


def _posterior_configs(args, config):
    """--posterior N: N configurations with parameter sets drawn from the posterior, and the table of them."""
    from chainsim.posterior import PosteriorError, check_fitted_to_regions, posterior_configs

    total = args.posterior * args.replications
    if total > MAX_REPLICATIONS:
        raise UsageError(f"chainsim run: --posterior: {args.posterior} draws x {args.replications} replications "
                         f"= {total} runs (allowed: at most {MAX_REPLICATIONS}; for more, run a sweep)")
    keep = _scenario(args.scenario).parameters_set
    try:
        check_fitted_to_regions(args.particles)
        return posterior_configs(config, args.posterior, args.seed, args.particles, keep)
    except PosteriorError as exc:
        option = "--particles" if args.particles is not None else "--posterior"
        raise UsageError(f"chainsim run: {option}: {exc}") from None


def _posterior_record(args, draws) -> dict:
    """What summary.json and the Parquet metadata say about the draws (docs/outputs.md)."""
    import hashlib

    from chainsim.posterior import INTERVALS, SHIPPED

    if args.particles is None:
        from importlib import resources

        where, data = f"chainsim/data/{SHIPPED}", resources.files("chainsim.data").joinpath(SHIPPED).read_bytes()
    else:
        where, data = str(args.particles), Path(args.particles).read_bytes()
    names = [c for c in draws.columns if c != "draw"]
    kept = sorted(_scenario(args.scenario).parameters_set & set(names))
    return {"draws": int(args.posterior), "replications_per_draw": int(args.replications),
            "particles": where, "particles_sha256": hashlib.sha256(data).hexdigest(),
            "parameters": names, "kept_by_scenario": kept, "draws_file": POSTERIOR_DRAWS,
            "intervals": INTERVALS}


def _progress(quiet: bool, total: int):
    show = not quiet and sys.stderr.isatty()

    def progress(done: int) -> None:
        if show:
            print(f"\rreplications: {done}/{total}", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)
    return progress


def _output_folder(out: Path, overwrite: bool, command: str, marker: str):
    """The output folder of a command, written whole (chainsim.results.ResultFolder).

    A non-empty ``out`` is refused with one line (exit code 2), unless
    ``--overwrite`` is given and ``out`` holds ``marker``, i.e. chainsim
    wrote it; then it is replaced once the new folder is complete.
    """
    from chainsim.results import OutputFolderError, ResultFolder

    try:
        folder = ResultFolder(out, marker, overwrite)
        folder.path            # made now, before any computing: a place that cannot be written is said at once
        return folder
    except OutputFolderError as exc:
        raise UsageError(f"chainsim {command}: --out: {exc}") from None


def _check_space(folder, out: Path, needed: int, command: str) -> None:
    """Refuse, before any computing, an output folder on a disk without room for ``needed`` bytes."""
    from chainsim.results import OutputFolderError, check_space

    try:
        check_space(out, needed)
    except OutputFolderError as exc:
        folder.discard()
        raise UsageError(f"chainsim {command}: --out: {exc}") from None


class OutputFailure(Exception):
    """Files that could not be written after the computing; printed as one line, exit code 1."""


EXIT_OUTPUT = 1


def _finish(folder, out: Path, command: str, steps) -> None:
    """Write the files of a finished computation, then put the folder in place.

    ``steps`` are ``(file name, write(path))``, each tried in turn: a step
    that fails (a full disk, a figure that cannot be drawn) does not stop the
    others. If any failed, ``out`` is left as it was and what was written is
    kept beside it (:meth:`ResultFolder.keep_aside`); :class:`OutputFailure`
    says, in one line, what failed and where the rest is.
    """
    failed, written = [], []
    for name, write in steps:
        try:
            write(folder.path / name)
            written.append(name)
        except Exception as exc:  # noqa: BLE001 -- anything: what was computed must not be lost to it
            failed.append(_failure(name, exc))
    if not failed:
        from chainsim.results import OutputFolderError

        try:
            folder.commit()
            return
        except (OutputFolderError, OSError) as exc:       # --out changed meanwhile: keep the results aside
            reason = exc if isinstance(exc, OutputFolderError) else (exc.strerror or exc)
            raise OutputFailure(f"chainsim {command}: --out: {reason}; the results are kept in "
                                f"{folder.keep_aside()}") from None
    if written:
        kept = folder.keep_aside()
        saved = f"what was written ({', '.join(written)}) is kept in {kept}"
    else:
        folder.discard()
        saved = "nothing could be saved"
    raise OutputFailure(f"chainsim {command}: could not write {'; '.join(failed)}; {saved}; "
                        f"{out} is unchanged")


def _failure(name: str, exc: Exception) -> str:
    """A failed write in a few words: the file and the reason (the OS's words for an OSError)."""
    from chainsim.results import TableWriteError

    if isinstance(exc, TableWriteError):            # names the file that failed (the Parquet or the CSV file)
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{name} ({exc.strerror})"
    lines = str(exc).strip().splitlines()
    return f"{name} ({type(exc).__name__}{': ' + lines[0] if lines else ''})"


def _is_experiment(path: str) -> bool:
    """Whether a file reads as an experiment (bounded read: no FIFO or device is read without end)."""
    from chainsim.tomlcheck import read_toml

    f, _ = read_toml(Path(path))
    return f is not None and ("factors" in f.data or "design" in f.data)


def command_validate(args) -> int:
    from chainsim.experiment import load_experiment
    from chainsim.listing import describe_lever, lever_reach
    from chainsim.scenario import ScenarioError, load_scenario

    failed = 0
    for path in args.files:
        try:
            if _is_experiment(path):
                experiment = load_experiment(path)
                print(f"{path}: valid experiment ({len(experiment.points)} design points x "
                      f"{experiment.replications} replications = {experiment.n_runs} runs)")
                for factor in experiment.factors:
                    if factor.lever is not None:
                        levels = ", ".join(map(str, factor.levels)) if factor.levels else \
                            f"{factor.low:g} to {factor.high:g}"
                        what = "kind" if factor.categorical else "strength"
                        print(f"  factor {factor.name} ({what} {levels}): "
                              f"{lever_reach(factor.lever, experiment.base.calendar, experiment.era)}")
            else:
                scenario = load_scenario(path)
                n = len(scenario.levers)
                print(f"{path}: valid ({n} lever{'' if n == 1 else 's'})")
                for lever in scenario.levers:
                    print(f"  {describe_lever(lever, scenario.calendar, scenario.era)}")
                if line := _parameters_set_line(scenario):
                    print(f"  {line}")
        except ScenarioError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
    return EXIT_USAGE if failed else 0


def _parameters_set_line(scenario) -> str | None:
    """The parameters a scenario file sets beyond its base (``extends``; without one, beyond the calibrated
    defaults), each with the value it replaces: they act in every unit. None where it sets none."""
    import tomllib

    from chainsim.core.eras import ERAS
    from chainsim.core.parameters import Parameters
    from chainsim.scenario import load_scenario, resolve_beside

    path = Path(scenario.path)
    base = tomllib.loads(path.read_text(encoding="utf-8")).get("extends")
    reference = load_scenario(resolve_beside(base, path.parent)).params if base else Parameters()
    changed = [(name, getattr(reference, name), getattr(scenario.params, name)) for name in
               sorted(scenario.parameters_set) if getattr(reference, name) != getattr(scenario.params, name)]
    if not changed:
        return None
    values = ", ".join(f"{name} = {new:.4g} ({'its base' if base else 'default'} {old:.4g})"
                       for name, old, new in changed)
    return f"parameters set, in every {ERAS[scenario.era].unit}: {values}"


def _one_line(exc) -> str:
    more = len(exc.problems) - 1
    return exc.problems[0] + (f" (and {more} more; see chainsim validate)" if more else "")


class _Stopped(BaseException):
    """A sweep stopped by a signal (SIGTERM, SIGINT): raised by the handler of :func:`_stop_on_signals`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_on_signals():
    """Turn SIGTERM and SIGINT into :class:`_Stopped` (once: a second signal during the shutdown is ignored).

    Returns a function that restores the previous handlers; its ``received`` lists the signals that came.
    A signal that lands in a callback whose exceptions Python ignores (an import's module-lock callback)
    loses its :class:`_Stopped`; the caller checks ``received`` when the work ends normally.
    """
    import signal

    received: list[int] = []

    def handler(signum, frame):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        received.append(signum)
        raise _Stopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore():
        for sig, old in previous.items():
            signal.signal(sig, old)

    restore.received = received
    return restore


def _raise_if_lost(restore) -> None:
    """Raise the :class:`_Stopped` of a signal whose exception was lost (see :func:`_stop_on_signals`)."""
    if restore.received:
        raise _Stopped(restore.received[0])


def command_sweep(args) -> int:
    import signal

    from chainsim.experiment import ExperimentError, load_experiment
    from chainsim.runner import default_workers
    from chainsim.sweep import SweepError, completed_runs, run_sweep

    if args.scheduler:
        _require("distributed", "cluster", "sweep --scheduler")

    try:
        experiment = load_experiment(args.experiment)
    except ExperimentError as exc:
        raise UsageError(_one_line(exc)) from None
    out = args.out or Path("results") / experiment.name
    if out.exists() and not out.is_dir():
        raise UsageError(f"chainsim sweep: --out: {out} exists and is not a folder")
    restore = _stop_on_signals()
    try:
        manifest = run_sweep(experiment, out, args.workers or default_workers(), args.resume, args.scheduler,
                             args.quiet)
    except _Stopped as stop:
        try:
            stored = len(completed_runs(out))
        except SweepError:
            stored = "some"
        print(f"chainsim sweep: stopped by {signal.Signals(stop.signum).name}; {stored} runs stored, "
              "resume with --resume", file=sys.stderr)
        return 128 + stop.signum
    except SweepError as exc:
        raise UsageError(f"chainsim sweep: {exc}") from None
    except OSError as exc:
        if args.scheduler:
            raise UsageError(f"chainsim sweep: --scheduler: cannot reach {args.scheduler} ({exc})") from None
        raise
    finally:
        restore()
    if restore.received:          # the signal's exception was lost (see _stop_on_signals); the runs are stored
        signum = restore.received[0]
        print(f"chainsim sweep: stopped by {signal.Signals(signum).name}; {manifest['completed_runs']} runs "
              "stored, resume with --resume", file=sys.stderr)
        return 128 + signum
    print(f"{manifest['completed_runs']} of {manifest['n_runs']} runs in {out}; "
          f"analyse with: chainsim analyse {out}")
    return 0


def _require(module: str, extra: str, command: str) -> None:
    """A one-line error when an optional dependency of a command is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise UsageError(f"chainsim {command}: needs the optional dependency {module!r}, which is not installed "
                         f"(install it with: pip install 'chainsim[{extra}]')")


def command_app(args) -> int:
    _require("solara", "app", "app")
    if args.port > 65535:
        raise UsageError(f"chainsim app: --port: {args.port} is not a port (allowed: 1 to 65535)")
    print(f"chainsim app on http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr)
    # chainsim.app_guard runs `solara run chainsim.app` in this same process, behind a guard that
    # refuses foreign Host headers (DNS rebinding) and websockets from other sites.
    command = [sys.executable, "-m", "chainsim.app_guard", "--host", args.host, "--port", str(args.port)]
    sys.stderr.flush()
    # The server replaces this process (no child left behind when it is stopped or killed).
    os.execv(sys.executable, command)
    return 0                                    # not reached


ANALYSIS_FILES = ("analysis.json", "effects_by_month.parquet", "effects.png")
"""What ``chainsim analyse`` writes; an --out folder holding only these (an earlier analysis) is replaced."""


def _check_analysis_out(out: Path) -> None:
    """Refuse an --out that holds anything but an earlier analysis: nothing a user wrote is overwritten or mixed."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"chainsim analyse: --out {out} is a file (allowed: a new or empty folder, or one that "
                         "holds an earlier analysis)")
    if out.is_dir():
        other = sorted(p.name for p in out.iterdir() if p.name not in ANALYSIS_FILES and not p.name.startswith("."))
        if other:
            listed = ", ".join(other[:3]) + (f" and {len(other) - 3} more" if len(other) > 3 else "")
            raise UsageError(f"chainsim analyse: --out {out} holds other files ({listed}); allowed: a new or empty "
                             "folder, or one that holds only an earlier analysis (" + ", ".join(ANALYSIS_FILES) + ")")


def command_analyse(args) -> int:
    from chainsim.analysis import AnalysisError, analyse, json_records, outcome_words, report_text
    from chainsim.core.eras import ERAS, REGIONS
    from chainsim.plotting import plot_effects
    from chainsim.results import write_figure, write_json, write_parquet
    from chainsim.statistics import simultaneous_level
    from chainsim.sweep import SweepError

    out = args.out or args.sweep_dir / "analysis"
    _check_analysis_out(out)
    try:
        result = analyse(args.sweep_dir)
    except (AnalysisError, SweepError, ValueError) as exc:     # ValueError: e.g. an unreadable manifest
        raise UsageError(f"chainsim analyse: {exc}") from None
    effects, m = result["effects"], result["multiplicity"]
    tables = {"effects": json_records(effects),
              "multiplicity": {"effects": m, "p_holm": f"Holm-adjusted over the {m} effects shown with an interval",
                               "simultaneous": f"Bonferroni: low_simultaneous, high_simultaneous at level "
                                               f"{simultaneous_level(m):.4f} each, all {m} together 95%"},
              "warnings": result["warnings"], "notes": result["notes"]}
    era = ERAS[result["era"]]
    if era.name != REGIONS.name:                # what the effects are effects on (a region sweep's file stays)
        tables = {"era": era.name, "outcome": outcome_words(era), **tables}
    if "indices" in result:
        tables["indices"] = json_records(result["indices"])
    if "interactions" in result:
        n = result["interaction_multiplicity"]
        tables["interactions"] = json_records(result["interactions"])
        tables["multiplicity"]["interactions"] = {
            "effects": n, "p_holm": f"Holm-adjusted over the {n} interactions shown with an interval, a family of "
                                    "their own"}
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    shown = effects.assign(contrast=[c if g == "national" else f"{c} [{g}]"
                                     for c, g in zip(effects["contrast"], effects["regions"])])
    if set(shown["when"]) == {"observed_at"}:          # "patterns" keep no end month: an empty row set to plot
        shown = pd.concat([shown, shown.assign(when="end", effect=np.nan, low=np.nan, high=np.nan)])
    fig, ax = plt.subplots(figsize=(9, 0.45 * shown[["factor", "contrast"]].drop_duplicates().shape[0] + 1.5))
    plot_effects(shown, ax=ax)
    ax.set_xlabel(f"effect on the {outcome_words(era)} (95% CI)")
    written = [out / "analysis.json", out / "effects_by_month.parquet", out / "effects.png"]
    write_figure(written[2], fig)
    plt.close(fig)
    write_json(written[0], tables)
    write_parquet(written[1], result["effects_by_month"])
    if args.json:
        print(json.dumps(tables, indent=2))
        return 0
    print(report_text(result, written))
    return 0


def command_compare(args) -> int:
    from chainsim.compare import (
        ComparisonError,
        compare,
        comparison_output_bytes,
        report_text,
    )
    from chainsim.core.eras import REGIONS
    from chainsim.plotting import comparison_figure
    from chainsim.results import load_observed, write_figure, write_json
    from chainsim.runner import default_workers

    scenarios = [_scenario(path) for path in [args.base, *args.others]]
    for scenario in scenarios:
        if scenario.era != scenarios[0].era:
            raise UsageError(f"chainsim compare: {scenario.name}: era {scenario.era}, the base's is "
                             f"{scenarios[0].era} (allowed: scenarios of one era)")
    regions = _region_codes(args.regions, "compare")
    if scenarios[0].era != REGIONS.name:
        return _compare_era(args, scenarios, regions)
    out = args.out or _compare_folder(scenarios)
    folder = _output_folder(out, args.overwrite, "compare", "comparison.json")
    _check_space(folder, out, comparison_output_bytes(len(scenarios), scenarios[0].calendar.n_months), "compare")
    total = args.replications * len(scenarios)
    try:
        comparison = compare(scenarios, args.replications, args.seed, args.workers or default_workers(),
                             regions, _progress(args.quiet, total))
    except ComparisonError as exc:
        raise UsageError(f"chainsim compare: {exc}") from None
    summary = comparison.summary()

    def figure(path: Path) -> None:
        import matplotlib.pyplot as plt

        national = comparison.results[comparison.base].national
        fig = comparison_figure(comparison, load_observed()["stage_shares"]["coordinated"] if national else None)
        try:
            write_figure(path, fig)
        finally:
            plt.close(fig)

    _finish(folder, out, "compare", [("comparison.json", lambda path: write_json(path, summary)),
                                     ("comparison.png", figure)])
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(report_text(summary, out))
    return 0


def command_run(args) -> int:
    from chainsim.core.config import RunConfig
    from chainsim.plotting import plot_stage_shares
    from chainsim.results import (
        RegionMonthWriter,
        ReplicationDigest,
        Results,
        load_observed,
        run_output_bytes,
        write_csv,
        write_figure,
        write_json,
    )
    from chainsim.runner import default_workers, iter_runs

    config = _config(args)
    if config.era != RunConfig.era:
        return _run_era(args, config)
    configs, draws = [config], None
    if args.particles is not None and args.posterior is None:
        raise UsageError("chainsim run: --particles: give --posterior N to draw parameter sets from them")
    if args.posterior is not None:
        configs, draws = _posterior_configs(args, config)
    total = len(configs) * args.replications
    explain_code = None
    if args.explain:
        try:
            explain_code = find_region(args.explain).code
        except UnknownRegionError as exc:
            raise UsageError(f"chainsim run: --explain: {exc}") from None
        if config.regions and explain_code not in config.regions:
            raise UsageError(f"chainsim run: --explain: {args.explain} is not among the simulated regions")
        if config.start_from is not None:
            raise UsageError(f"chainsim run: --explain: not available for a run that starts from {config.start_from} "
                             "yet (the explanation replays a region run without its history)")
        if args.replication >= total:
            raise UsageError(f"chainsim run: --replication: {args.replication} is not a replication of this run "
                             f"(allowed: 0 to {total - 1})")
        if args.month is not None:
            from chainsim.core.calendar import Month
            cal = config.calendar
            try:
                cal.index(Month.parse(args.month))
            except ValueError:
                raise UsageError(f"chainsim run: --month: {args.month!r} is not a month of this run "
                                 f"(allowed: {cal.start} to {cal.end}, written YYYY-MM)") from None
    elif args.month is not None or args.replication:
        raise UsageError("chainsim run: --month and --replication choose what --explain explains; give --explain REGION")
    workers = args.workers or default_workers()
    out = args.out or Path("results") / config.scenario
    folder = _output_folder(out, args.overwrite, "run", "summary.json")
    _check_space(folder, out, run_output_bytes(config, total, args.seed, args.csv), "run")
    posterior = None if draws is None else _posterior_record(args, draws)

    # Each replication's rows go to disk as it finishes; only its digest (a few KB) stays in memory.
    writer = RegionMonthWriter(folder.path, config, args.seed, total, csv=args.csv, posterior=posterior)
    digests: list[ReplicationDigest] = []
    preludes: list = []           # with start_from: each replication's werkplein era, as national shares
    progress = _progress(args.quiet, total)
    restore = _stop_on_signals()     # SIGTERM and SIGINT end the run cleanly: nothing half-written stays behind
    try:
        for run in iter_runs(configs, args.replications, args.seed, workers):
            writer.add(run)
            digests.append(ReplicationDigest.of(run, digests[0].region_codes if digests else None))
            if run.prelude is not None:
                from chainsim.werkplein import shares_of
                preludes.append(shares_of(run.prelude))
            del run
            progress(len(digests))
        _raise_if_lost(restore)
    except _Stopped as stop:
        writer.abort()
        folder.discard()
        import signal
        print(f"chainsim run: stopped by {signal.Signals(stop.signum).name} after {len(digests)} of "
              f"{total} replications; {out} is left as it was", file=sys.stderr)
        return 128 + stop.signum
    except BaseException:
        writer.abort()
        raise
    finally:
        restore()
    results = Results(config, digests, args.seed, posterior=posterior)
    summary = results.summary()
    history = None
    if preludes:
        import numpy as np

        from chainsim.werkplein import EraRun, era_config
        era_params = config.history_params if config.history_params is not None else config.params
        history = EraRun(era_config(era_params, config.regions, config.scenario), args.seed, np.stack(preludes))
        summary["start_from"] = {"era": config.start_from, "survey_2007": [c.as_dict() for c in history.compare()],
                                 "stage_shares_end": history.summary()["stage_shares_end"]}
    explanation = None
    if explain_code:
        from chainsim.explain import explain_at
        explanation = explain_at(explain_code, args.month, args.seed, configs[args.replication // args.replications],
                                 replication=args.replication)
        summary["explanation"] = {"replication": args.replication, **explanation.as_dict(),
                                  "across_replications": _stages_across(results, explain_code, explanation.month)}

    def figure(path: Path) -> None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9, 5))
        try:
            # the observed shares are national: marked only on a national run
            plot_stage_shares(results, load_observed()["stage_shares"] if results.national else None, ax=ax)
            write_figure(path, fig)
        finally:
            plt.close(fig)

    steps = [("summary.json", lambda path: write_json(path, summary)),
             (writer.paths[0].name, lambda path: writer.close()),
             ("stage_shares.png", figure)]
    if draws is not None:
        steps.append((POSTERIOR_DRAWS, lambda path: write_csv(path, draws)))
    if history is not None:
        steps.append((HISTORY_SHARES, lambda path: write_csv(path, history.table())))
    _finish(folder, out, "run", steps)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        if history is not None:
            from chainsim.werkplein import format_picture
            print(f"This run started from the simulated werkplein era ({config.start_from}):\n")
            print(format_picture(history.compare(), history.replications, history.locations) + "\n")
        written = [out / "summary.json", *(out / t.name for t in writer.paths), out / "stage_shares.png"]
        written += [out / POSTERIOR_DRAWS] if draws is not None else []
        written += [out / HISTORY_SHARES] if history is not None else []
        print(report(summary, out, written))
        if explanation:
            import textwrap
            print(f"\nWhy {explanation.region} is where it is (replication {args.replication}, {explanation.month}):")
            print(textwrap.fill(explanation.text(), width=100, initial_indent="  ", subsequent_indent="  "))
            print(textwrap.fill(_across_text(summary["explanation"]["across_replications"], explanation),
                                width=100, initial_indent="  ", subsequent_indent="  "))
    return 0


def _stages_across(results, code: str, month: str) -> dict[str, list[int]]:
    """The replications of a run in each stage, for one region at one month (what --explain shows beside
    the one replication it explains)."""
    from chainsim.core.calendar import Month
    from chainsim.core.measurement import STAGES

    t = results.calendar.index(Month.parse(month))
    r = list(results.region_codes).index(code)
    return {stage: [run.replication for run in results.runs if run.stage[t, r] == k]
            for k, stage in enumerate(STAGES)}


def _across_text(across: dict[str, list[int]], explanation) -> str:
    """One sentence: where the region stands in every replication, and which to explain next."""
    total = sum(len(v) for v in across.values())

    def which(reps: list[int]) -> str:          # not a parameter: how many replication numbers to list
        return f" ({', '.join(map(str, reps[:8]))}{', ...' if len(reps) > 8 else ''})" if reps else ""

    counts = ", ".join(f"{stage} in {len(reps)}{which(reps)}" for stage, reps in across.items())
    return (f"Across the {total} replications in {explanation.month}, {explanation.region} is {counts}; "
            "--replication K explains another.")


ERA_OPTIONS_NOT_YET = ("--explain", "--month", "--replication", "--posterior", "--particles", "--csv")
"""Options of ``chainsim run`` that read the region era's records and are not built for another era yet."""


def _plot_to(draw):
    """A step of :func:`_finish` that draws one figure (9 x 5 inches) with ``draw(ax)`` and writes it whole."""
    def write(path: Path) -> None:
        import matplotlib.pyplot as plt

        from chainsim.results import write_figure

        fig, ax = plt.subplots(figsize=(9, 5))
        try:
            draw(ax)
            write_figure(path, fig)
        finally:
            plt.close(fig)
    return write


def _run_era(args, config) -> int:
    """``chainsim run`` for the werkplein era: shares of locations per item and stage, and the 2007 picture."""
    from chainsim.results import write_csv, write_json
    from chainsim.runner import default_workers
    from chainsim.werkplein import MEASURES, format_picture, plot_stages, run_era

    given = {"--explain": args.explain is not None, "--month": args.month is not None,
             "--replication": bool(args.replication), "--posterior": args.posterior is not None,
             "--particles": args.particles is not None, "--csv": args.csv}
    for option in ERA_OPTIONS_NOT_YET:
        if given[option]:
            raise UsageError(f"chainsim run: {option}: not available for the era {config.era} yet "
                             f"(allowed there: --replications, --seed, --workers, --regions, --out, --overwrite, "
                             f"--json, --quiet)")
    workers = args.workers or default_workers()
    out = args.out or Path("results") / config.scenario
    folder = _output_folder(out, args.overwrite, "run", "summary.json")
    # not a parameter: about 40 bytes per CSV row (replication, month, measure, share) and 1 MB for the rest
    rows = args.replications * config.calendar.n_months * len(MEASURES)
    _check_space(folder, out, 40 * rows + 1_000_000, "run")
    progress = _progress(args.quiet, args.replications)
    restore = _stop_on_signals()
    try:
        run = run_era(config, args.replications, args.seed, workers, progress)
        _raise_if_lost(restore)
    except _Stopped as stop:
        folder.discard()
        import signal
        print(f"chainsim run: stopped by {signal.Signals(stop.signum).name}; {out} is left as it was",
              file=sys.stderr)
        return 128 + stop.signum
    finally:
        restore()
    summary = run.summary()
    steps = [("summary.json", lambda path: write_json(path, summary)),
             ("location_shares.csv", lambda path: write_csv(path, run.table())),
             ("stage_shares.png", _plot_to(lambda ax: plot_stages(run, ax)))]
    _finish(folder, out, "run", steps)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"chainsim {summary['chainsim_version']}: {config.scenario}, era {config.era}, "
          f"{summary['locations']} locations, {run.replications} replications, seed {args.seed}\n")
    print(format_picture(run.compare(), run.replications, run.locations))
    end = ", ".join(f"{stage} {_fmt_interval(stat)}" for stage, stat in summary["stage_shares_end"].items())
    print(f"\nShare of locations by stage in {config.calendar.end} (mean, 90% interval): {end}")
    print("\nThe 90% intervals are the spread between replications: where one simulated country falls, to set "
          "beside the one the survey saw. The region era's report gives the 95% interval of the mean instead."
          # not a parameter: below 20 values a 90% interval between replications rests on one or two at each end
          + (" With fewer than 20 replications they rest on few values." if run.replications < 20 else ""))
    print("\nWritten: " + ", ".join(str(out / name) for name, _ in steps))
    return 0


def _compare_folder(scenarios) -> Path:
    """The default folder of a comparison: the base and the others, so that another comparison gets its own."""
    names = f"{scenarios[0].name}_vs_" + "+".join(s.name for s in scenarios[1:])
    if len(names) > 120:        # not a parameter: keeps the folder name well below file-system limits
        import hashlib

        names = f"{scenarios[0].name}_{len(scenarios) - 1}_others_{hashlib.sha256(names.encode()).hexdigest()[:8]}"
    return Path("results") / f"compare_{names}"


def _compare_era(args, scenarios, regions) -> int:
    """``chainsim compare`` for scenarios of the werkplein era: paired differences in shares of locations."""
    from chainsim.results import write_json
    from chainsim.runner import default_workers
    from chainsim.werkplein import EraComparisonError, compare_era, plot_comparison

    out = args.out or _compare_folder(scenarios)
    folder = _output_folder(out, args.overwrite, "compare", "comparison.json")
    _check_space(folder, out, 2_000_000, "compare")   # not a parameter: a JSON of a few hundred rows and a figure
    try:
        comparison = compare_era(scenarios, args.replications, args.seed, args.workers or default_workers(),
                                 regions, _progress(args.quiet, args.replications * len(scenarios)))
    except EraComparisonError as exc:
        folder.discard()
        raise UsageError(f"chainsim compare: {exc}") from None
    summary = comparison.summary()
    steps = [("comparison.json", lambda path: write_json(path, summary)),
             ("comparison.png", _plot_to(lambda ax: plot_comparison(comparison, ax)))]
    _finish(folder, out, "compare", steps)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(comparison.report())
        print("\nWritten: " + ", ".join(str(out / name) for name, _ in steps))
    return 0


def _fmt_interval(stat: dict) -> str:
    lo, hi = stat["interval90"]
    return f"{stat['mean']:.2f} ({lo:.2f}-{hi:.2f})"


def _fmt(stat: dict, digits: int = 2) -> str:
    from chainsim.results import fmt_mean_ci

    return fmt_mean_ci(stat, digits)


SHARE_DIGITS = 3
"""Decimals of a share in run's report: one region of 35 is 0.029, so two decimals hide a region."""


def report(summary: dict, out: Path, written: list[Path] | None = None) -> str:
    """The plain-text report printed after a run.

    The Inspectorate's 2014 figures are national: they are printed beside the
    simulated ones only for a national run (all 35 regions); a run of fewer
    regions says so instead.
    """
    obs = summary["observed_2014"]
    national = summary.get("national", summary["regions"] == obs.get("regions", 35))
    n = summary["regions"]
    if national:
        regions = f"{n} regions (national)"
    else:
        names = [r["name"] for r in summary.get("region_list", [])]
        regions = f"{n} of 35 regions" + (f" ({', '.join(names)})" if 0 < len(names) <= 6 else "")
    lines = [
        f"chainsim {summary['chainsim_version']}: {summary['scenario']}, {regions}, "
        f"{summary['start']}..{summary['end']}, {summary['replications']} "
        f"replication{'s' if summary['replications'] != 1 else ''} (seed {summary['seed']})",
        "",
    ]
    if summary.get("posterior"):
        post = summary["posterior"]
        lines += [f"Parameters: {post['draws']} draws from the posterior ({post['particles']}), "
                  f"{post['replications_per_draw']} replications each; the intervals are over the draws, so they "
                  "carry parameter uncertainty as well as chance.", ""]
    lines += [
        f"Stage of the coordinated approach at {summary['observed_at']} (share of regions, mean [95% CI]):",
        f"  {'stage':<14}{'simulated':<28}" + ("observed (Inspectie SZW 2014)" if national else ""),
    ]
    for stage in ("coordinated", "middle", "little"):
        cell = _fmt(summary["stage_shares"][stage], SHARE_DIGITS)
        lines.append(f"  {stage:<14}{cell:<28}{obs['stage_shares'][stage]:.{SHARE_DIGITS}f}" if national
                     else f"  {stage:<14}{cell}")
    lines += ["", "Cooperation of UWV and municipalities by level, Table 3.4 (number of regions):",
              f"  {'class':<14}{'simulated':<28}" + ("observed" if national else "")]
    for name in ("all_levels", "intermediate", "hardly", "none"):
        cell = _fmt(summary["cooperation_levels"][name], 1)
        lines.append(f"  {name:<14}{cell:<28}{obs['cooperation_levels'][name]}" if national
                     else f"  {name:<14}{cell}")
    if not national:
        lines += ["", f"Observed figures are national; this run has {n} region{'s' if n != 1 else ''}, so the "
                      "Inspectorate's 2014 figures are not shown beside it (run all 35 regions to compare)."]
    end = summary["stage_shares_end"]
    lines += ["", f"At {summary['end']}: coordinated {_fmt(end['coordinated'], SHARE_DIGITS)}, "
                  f"middle {_fmt(end['middle'], SHARE_DIGITS)}, little {_fmt(end['little'], SHARE_DIGITS)}"]
    written = written or [out / "summary.json", out / "region_months.parquet", out / "stage_shares.png"]
    lines += ["", "Written: " + ", ".join(str(path) for path in written)]
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    # figures are written to files: no window, whatever the machine's default backend
    os.environ.setdefault("MPLBACKEND", "Agg")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        chosen()                    # CHAINSIM_KERNELS, checked before any work starts
        commands = {"run": command_run, "validate": command_validate, "compare": command_compare,
                    "sweep": command_sweep, "analyse": command_analyse, "analyze": command_analyse,
                    "app": command_app, "scenarios": command_scenarios, "list": command_list}
        return commands[args.command](args)
    except (UsageError, KernelChoiceError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except OutputFailure as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        print("chainsim: interrupted; files already written are complete", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of the output went away (``chainsim list scenarios | head``): not an error of chainsim;
        # point stdout at nothing so that Python's own flush at exit does not fail a second time
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
