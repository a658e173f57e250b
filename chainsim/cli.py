"""Command line: ``chainsim run [SCENARIO] [--replications N] [--seed S] [--workers W] [--out DIR] [--json]``.

Bad input gets a single line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chainsim.regions import UnknownRegionError, find_region

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        raise UsageError(f"{self.prog}: {message}")


def _whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {minimum}, got {value}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    from chainsim import __version__

    parser = _Parser(prog="chainsim", description="Simulate chain cooperation in the Dutch labour market regions.")
    parser.add_argument("--version", action="version", version=f"chainsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario with replications and write its results",
                         description="Run a scenario (default: the Netherlands 2012-2016) and write "
                                     "summary.json, region_months.parquet and stage_shares.png.")
    run.add_argument("scenario", nargs="?", help="scenario file (TOML); default: the built-in Netherlands scenario")
    run.add_argument("--replications", type=_whole_number(1), default=30, metavar="N",
                     help="number of replications (default 30)")
    run.add_argument("--seed", type=_whole_number(0), default=0, metavar="S", help="root seed (default 0)")
    run.add_argument("--workers", type=_whole_number(1), default=None, metavar="W",
                     help="worker processes (default: all cores); never changes results")
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="output folder (default results/<scenario>)")
    run.add_argument("--regions", default=None, metavar="NAMES",
                     help="comma-separated region names or codes to simulate (default: all 35)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _config(args):
    from chainsim.runner import RunConfig
    from chainsim.scenario import ScenarioError, load_scenario

    if args.scenario:
        try:
            config = load_scenario(args.scenario)
        except ScenarioError as exc:
            raise UsageError(exc.problems[0] if len(exc.problems) == 1 else
                             f"{exc.problems[0]} (and {len(exc.problems) - 1} more problems)") from None
    else:
        config = RunConfig(scenario="netherlands_2012")
    if args.regions:
        names = [n.strip() for n in args.regions.split(",") if n.strip()]
        try:
            codes = tuple(find_region(n).code for n in names)
        except UnknownRegionError as exc:
            raise UsageError(f"chainsim run: --regions: {exc}") from None
        from dataclasses import replace
        config = replace(config, regions=codes)
    return config


def command_run(args) -> int:
    from chainsim.plotting import plot_stage_shares
    from chainsim.results import Results, load_observed, write_figure, write_json, write_parquet
    from chainsim.runner import default_workers, run_replications

    config = _config(args)
    workers = args.workers or default_workers()
    out = args.out or Path("results") / config.scenario
    if out.exists() and not out.is_dir():
        raise UsageError(f"chainsim run: --out: {out} exists and is not a folder")

    show = not args.quiet and sys.stderr.isatty()

    def progress(done: int) -> None:
        if show:
            print(f"\rreplications: {done}/{args.replications}", end="", file=sys.stderr, flush=True)

    runs = run_replications(config, args.replications, args.seed, workers, progress)
    if show:
        print(file=sys.stderr)
    results = Results(config, runs, args.seed)
    summary = results.summary()
    observed = load_observed()
    write_json(out / "summary.json", summary)
    write_parquet(out / "region_months.parquet", results.region_month_table())
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 5))
    plot_stage_shares(results, observed["stage_shares"], ax=ax)
    write_figure(out / "stage_shares.png", fig)
    plt.close(fig)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(report(summary, out))
    return 0


def _fmt(stat: dict, digits: int = 2) -> str:
    lo, hi = stat["ci95"]
    return f"{stat['mean']:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def report(summary: dict, out: Path) -> str:
    """The plain-text report printed after a run."""
    obs = summary["observed_2014"]
    lines = [
        f"chainsim {summary['chainsim_version']}: {summary['scenario']}, {summary['regions']} regions, "
        f"{summary['start']}..{summary['end']}, {summary['replications']} replications (seed {summary['seed']})",
        "",
        f"Stage of the coordinated approach at {summary['observed_at']} (share of regions, mean [95% CI]):",
        f"  {'stage':<14}{'simulated':<24}observed (Inspectie SZW 2014)",
    ]
    for stage in ("coordinated", "middle", "little"):
        lines.append(f"  {stage:<14}{_fmt(summary['stage_shares'][stage]):<24}{obs['stage_shares'][stage]:.2f}")
    lines += ["", "Cooperation of UWV and municipalities by level, Table 3.4 (number of regions):",
              f"  {'class':<14}{'simulated':<24}observed"]
    for name in ("all_levels", "intermediate", "hardly", "none"):
        lines.append(f"  {name:<14}{_fmt(summary['cooperation_levels'][name], 1):<24}{obs['cooperation_levels'][name]}")
    end = summary["stage_shares_end"]
    lines += ["", f"At {summary['end']}: coordinated {_fmt(end['coordinated'])}, middle {_fmt(end['middle'])}, "
                  f"little {_fmt(end['little'])}",
              "", f"Written: {out / 'summary.json'}, {out / 'region_months.parquet'}, {out / 'stage_shares.png'}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "run":
            return command_run(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chainsim: interrupted; files already written are complete", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
