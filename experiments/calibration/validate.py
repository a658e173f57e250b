"""Write the validation report: the calibrated model against every 2014 pattern.

    .venv/bin/python experiments/calibration/validate.py [--replications 100] [--workers N] [--out DIR]
    .venv/bin/python experiments/calibration/validate.py --out docs --overwrite   # the committed docs/validation.md

Runs the package defaults (the calibrated values) with the given number of
replications, and each mechanism switched off in turn, and writes
OUT/validation.md with figures in OUT/figures/ and the numbers in
OUT/validation.json (OUT: results/validation unless --out says otherwise;
writing docs/ must be asked for): observed against simulated (mean and 95%
interval) for every pattern, the accepted parameter ranges (from
results/calibration, or --calibration DIR, if the calibration was run), the
case regions, predictions for the items the calibration file withholds, and
the mechanism-removal table. The commentary in notes.md beside this script
is included as written.

Nothing is overwritten: when any of those files exists already the script
stops, before running anything, with one line and exit code 2, unless
--overwrite is given. Each file is written atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
DEFAULT_OUT = ROOT / "results" / "validation"
REPORT = "validation.md"
FIGURES = ("figures/validation_patterns.png", "figures/validation_stage_shares.png")
NUMBERS = "validation.json"


def outputs(out: Path) -> list[Path]:
    """The files the script writes into ``out``."""
    return [out / REPORT, *(out / f for f in FIGURES), out / NUMBERS]


def refuse_existing(out: Path, overwrite: bool) -> None:
    """Stop with one line and exit code 2 when a file to write exists already (unless ``overwrite``)."""
    if out.exists() and not out.is_dir():
        print(f"validate.py: --out: {out} exists and is not a folder", file=sys.stderr)
        sys.exit(2)
    existing = [p for p in outputs(out) if p.exists()]
    if existing and not overwrite:
        names = ", ".join(str(p.relative_to(out)) for p in existing)
        print(f"validate.py: --out: {out} already holds {names}; add --overwrite to replace them, "
              "or choose another --out", file=sys.stderr)
        sys.exit(2)

WITHHELD = {  # the national figures the calibration file leaves out (004 §3.2, §3.3)
    "one employer counter": ["one_regional_wsp", "any_regional_wsp", "single_public_counter",
                             "multiple_public_counters"],
    "joint communication": ["joint_logo", "joint_website", "single_phone_number", "single_contact_person"],
    "service package and approach": ["written_minimum_package", "attuned_employer_approach",
                                     "shared_vision_joint_goals", "annual_joint_market_plan"],
    "demand orientation": ["demand_oriented", "outreach", "monitors_employer_fit"],
    "ICT": ["sonar_all_used", "wbs_all_used"],
    "subregions": ["subregion_single_contact", "subregion_satisfied", "fte_agreements_any_level"],
}


def run(config, replications: int, workers: int, seed: int):
    from chainsim.results import Results
    from chainsim.runner import run_replications
    from chainsim.sweep import pattern_from_arrays

    runs = run_replications(config, replications, seed=seed, workers=workers)
    t = config.calendar.observed_index
    rows = pd.DataFrame([pattern_from_arrays(r.stage, r.level_class, r.items, r.region_codes, t) for r in runs])
    return rows, Results(config, runs, seed)


def fmt(stat: dict, digits: int = 2) -> str:
    from chainsim.results import fmt_mean_ci

    return fmt_mean_ci(stat, digits)


def patterns_figure(table: pd.DataFrame, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chainsim.results import write_figure

    fig, ax = plt.subplots(figsize=(8, 0.28 * len(table) + 1))
    y = np.arange(len(table))
    ax.errorbar(table["simulated"], y, xerr=[table["simulated"] - table["low"], table["high"] - table["simulated"]],
                fmt="o", color="#2166ac", capsize=2, label="simulated, mean and 95% CI")
    ax.scatter(table["observed"], y, marker="D", color="#b2182b", zorder=5, label="observed 2014")
    ax.set_yticks(y, [f"{g}: {n}" for g, n in zip(table["group"], table["name"])], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("share of regions (case regions: stage / 2; 0 coordinated, 1 little)")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    write_figure(path, fig)
    plt.close(fig)


def werkplein_sentence() -> str:
    """Where the werkplein era is validated, and which of its survey figures may be fitted and which are tests."""
    from chainsim.core.location_measurement import LOCATION_ITEM_NAMES, survey_figures

    def names(use: str) -> str:
        return "; ".join(LOCATION_ITEM_NAMES[f.item] for f in survey_figures() if f.use == use)

    return ("The werkplein era (2005-2011) is validated against the Inspectorate's 2007 survey (001 §4) in "
            "[validation_werkplein.md](validation_werkplein.md). The era's own calibration "
            "(experiments/calibration/abc_smc_werkplein.toml, docs/calibration.md) fitted the survey's figures "
            f"tagged calibrate ({names('calibrate')}); the others were kept as tests of what the model predicts "
            f"({names('test')}), each set there beside the default, the posterior predictive interval and two "
            "constant guesses.")


def main() -> None:
    from chainsim.calibration import compare, distance, group_errors
    from chainsim.core.mechanisms import MECHANISMS
    from chainsim.core.parameters import CALIBRATION, SPECS
    from chainsim.plotting import plot_stage_shares
    from chainsim.results import load_observed, mean_ci, write_figure, write_json
    from chainsim.runner import RunConfig, default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--removal-replications", type=int, default=60)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--seed", type=int, default=20150101)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for {REPORT}, figures/ and {NUMBERS} (default results/validation; "
                             "--out docs rewrites the committed docs/validation.md)")
    parser.add_argument("--overwrite", action="store_true", help="replace those files where they exist")
    parser.add_argument("--calibration", type=Path, default=ROOT / "results" / "calibration",
                        help="folder of the calibration whose posterior.csv gives the accepted ranges "
                             "(default results/calibration)")
    parser.add_argument("--posterior-draws", type=int, default=0,
                        help="add the posterior predictive check with this many posterior draws (default 0: none)")
    parser.add_argument("--posterior-replications", type=int, default=5,
                        help="simulated Netherlands per posterior draw in that check")
    for option, (name, title, _) in EMBEDDED.items():
        parser.add_argument(f"--{option.replace('_', '-')}", type=Path, default=None, metavar="DIR",
                            help=f"include {name}.md of that folder as the section '{title}'")
    parser.add_argument("--posterior-source", type=Path, default=None,
                        help="particles CSV or pyABC history (.db) for that check (default chainsim/data/posterior.csv)")
    args = parser.parse_args()
    out = args.out
    refuse_existing(out, args.overwrite)
    for option, (name, _, _) in EMBEDDED.items():
        folder = getattr(args, option)
        if folder is not None and not (folder / f"{name}.md").is_file():
            print(f"validate.py: --{option.replace('_', '-')}: {folder / f'{name}.md'} not found (run "
                  f"experiments/calibration/{EMBEDDED_SCRIPTS[option]} first)", file=sys.stderr)
            sys.exit(2)
    config = tomllib_load(HERE / "calibration.toml")
    weights = config["weights"]

    base = RunConfig(scenario="netherlands_2012")
    rows, results = run(base, args.replications, args.workers, args.seed)
    table = compare(rows)
    base_distance = distance(rows, weights)
    patterns_figure(table, out / FIGURES[0])
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 5))
    plot_stage_shares(results, load_observed()["stage_shares"], ax=ax)
    write_figure(out / FIGURES[1], fig)
    plt.close(fig)

    lines = ["# Validation: the calibrated model against the Inspectorate's 2014 picture", "",
             "Generated by `experiments/calibration/validate.py` "
             f"({args.replications} replications of the default scenario, seed {args.seed}); "
             "re-run it after recalibrating (`--out docs --overwrite` rewrites this page). Observed figures: `chainsim/data/inspectie_2014.toml` "
             "(seed 004, autumn 2014). Intervals are 95% confidence intervals of the mean over replications.",
             "", werkplein_sentence(), ""]
    lines += ["## Calibration", ""] + calibration_section(CALIBRATION, config, SPECS, args.calibration)
    lines += ["", f"Distance of the defaults over these {args.replications} replications: **{base_distance:.4f}** "
              "(the earlier method's readable distance, calibration.toml: a weighted root mean square error in shares "
              "of regions at 2014-11; weights "
              + ", ".join(f"{k} {v:g}" for k, v in weights.items()) + ").", ""]

    lines += ["## Every pattern: observed and simulated", "",
              "![patterns](figures/validation_patterns.png)", "",
              "![stage shares](figures/validation_stage_shares.png)", "",
              "| group | item | observed | simulated (95% CI) | within CI | error |", "|---|---|---|---|---|---|"]
    for row in table.itertuples():
        if np.isnan(row.low):         # no interval (chainsim.results.mean_ci says why)
            why = "all equal" if row.no_interval.startswith("all ") else row.no_interval
            interval, inside = f"[n/a: {why}]", "yes" if np.isclose(row.simulated, row.observed) else "no"
        else:
            interval = f"[{row.low:.3f}, {row.high:.3f}]"
            inside = "yes" if row.low <= row.observed <= row.high else "no"
        lines.append(f"| {row.group} | {row.name} | {row.observed:.3f} | {row.simulated:.3f} "
                     f"{interval} | {inside} | {row.simulated - row.observed:+.3f} |")
    lines += ["", "Counts of regions (Table 3.4 and 3.3, n = 35):", "",
              "| item | observed | simulated (95% CI) |", "|---|---|---|"]
    obs = load_observed()
    for name, value in {**obs["cooperation_levels"], **obs["joint_activities"]}.items():
        stat = mean_ci(rows[f"n_{name}"])
        lines.append(f"| {name} | {value} | {fmt(stat, 1)} |")

    from chainsim.calibration import level_dependence
    dep = level_dependence(np.concatenate([r.levels[base.calendar.observed_index] for r in results.runs]))
    observed_counts = obs["cooperation_levels"]
    lines += ["", "### How the three levels hang together", "",
              "Table 3.4 counts regions by the number of levels on which UWV and municipalities cooperate. "
              "Over all simulated regions at 2014-11, the levels are present in "
              + ", ".join(f"{name} {share:.2f}" for name, share in zip(("governance", "tactical", "operational"),
                                                                      dep["marginals"]))
              + " of the regions, with pairwise correlations "
              + ", ".join(f"{pair} {c:+.2f}" for pair, c in zip(("governance-tactical", "governance-operational",
                                                                  "tactical-operational"), dep["correlation"]))
              + ". The seed's own counts imply 0.86, 0.86 and 0.46: UWV is absent at the governance level in "
              "5 regions and at the tactical level in 5, in one region both (004 §3.1), and Table 3.4 then "
              "follows when 13 of the 26 regions with UWV at both tables, and 3 of the 8 with UWV at one, "
              "also cooperate on the shop floor (docs/ODD.md §7.5). "
              "Regions with no level but some regional cooperation count as *hardly* in the model's class "
              "(docs/ODD.md §7.5), so the observed rows 'hardly' and 'none' compare with 0 and 1 levels together.",
              "", "| levels | 0 | 1 | 2 | 3 |", "|---|---|---|---|---|",
              "| simulated, regions | " + " | ".join(f"{35 * v:.1f}" for v in dep["count_shares"]) + " |",
              "| simulated marginals, if independent | "
              + " | ".join(f"{35 * v:.1f}" for v in dep["independent_shares"]) + " |",
              f"| observed (Table 3.4) | {observed_counts['none'] + observed_counts['hardly']} "
              f"(none and hardly together) | | {observed_counts['intermediate']} | "
              f"{observed_counts['all_levels']} |"]

    lines += ["", "## The five case regions", "",
              "Observed cooperation (004 App. 3) read as a stage: good = coordinated, fair = middle, "
              "not good = little. Simulated: share of replications in each stage at 2014-11.", "",
              "| region | observed | coordinated | middle | little |", "|---|---|---|---|---|"]
    from chainsim.core.regions import find_region
    for case in obs["case_regions"]:
        code = find_region(case["name"]).code
        stages = rows[f"stage_{code}"]
        shares = [float((stages == k).mean()) for k in range(3)]
        lines.append(f"| {case['name']} | {case['cooperation']} | {shares[0]:.2f} | {shares[1]:.2f} | {shares[2]:.2f} |")

    lines += ["", "## Predictions for the items the calibration file withholds", "",
              "The seed's national figures on these items are left out of the calibration data on purpose; "
              "the model's values below are predictions, to be checked against the full report "
              "(shares of regions at 2014-11; subregion items among regions with subregions).", "",
              "| theme | item | predicted share (95% CI) |", "|---|---|---|"]
    summary = results.summary()
    for theme, items in WITHHELD.items():
        for item in items:
            lines.append(f"| {theme} | `{item}` | {fmt(summary['indicators'][item])} |")

    lines += ["", "## Structural test: each mechanism switched off", "",
              f"Each mechanism switched off in turn (re-run with the calibrated values, not recalibrated; "
              f"{args.removal_replications} replications each, the same seeds). A mechanism the observed "
              "picture needs raises the distance clearly; one whose removal barely changes it is not "
              "constrained by these patterns. docs/ODD.md §7.7 says what 'off' means for each.", "",
              "| mechanism | distance | change | stage shares | levels | joint activities | parties | structure | cases |",
              "|---|---|---|---|---|---|---|---|---|"]
    ref_rows = rows.iloc[: args.removal_replications]
    ref = distance(ref_rows, weights)
    ref_groups = group_errors(ref_rows)
    lines.append("| none (calibrated model) | " + f"{ref:.4f} | – | "
                 + " | ".join(f"{ref_groups[g]:.3f}" for g in ref_groups) + " |")
    from dataclasses import replace
    removal = {}
    for mech, label in MECHANISMS.items():
        off = replace(base, mechanisms_off=(mech,))
        mrows, _ = run(off, args.removal_replications, args.workers, args.seed)
        d = distance(mrows, weights)
        removal[mech] = d
        groups = group_errors(mrows)
        lines.append(f"| {mech} {label} | {d:.4f} | {d - ref:+.4f} | "
                     + " | ".join(f"{groups[g]:.3f}" for g in groups) + " |")
        print(f"{mech}: {d:.4f}", file=sys.stderr)
    posterior_check = None
    if args.posterior_draws > 0:        # opt-in, separate: see posterior_check_section
        posterior_check, section = posterior_check_section(args)
        lines += section
    for option, (name, title, figure) in EMBEDDED.items():
        folder = getattr(args, option)
        if folder is not None:
            lines += embedded_section(folder, name, title, figure, out)
    notes = HERE / "notes.md"
    if notes.is_file():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    numbers = {"distance": base_distance, "removal": removal, "patterns": table.to_dict(orient="records")}
    if posterior_check is not None:
        numbers["posterior_check"] = posterior_check.to_dict(orient="records")
    write_json(out / NUMBERS, numbers)
    write_text(out / REPORT, "\n".join(lines) + "\n")
    print(f"wrote {out / REPORT}, {out / FIGURES[0]}, {out / FIGURES[1]}, {out / NUMBERS}", file=sys.stderr)


def posterior_check_section(args) -> tuple[pd.DataFrame, list[str]]:
    """The posterior predictive check (chainsim.posterior) as a report section, with its table.

    Kept apart from the rest of the report: it needs the shipped posterior
    particles (or ``--posterior-source``) of an ABC-SMC calibration.
    """
    from posterior_check import run_check

    from chainsim.posterior import check_lines

    table = run_check(args.posterior_source, args.posterior_draws, args.posterior_replications, args.seed + 1,
                      args.workers)
    observed = table[table["inside"].notna()]
    lines = ["", "## Posterior predictive check", "",
             (f"{args.posterior_draws} parameter sets drawn from the posterior x {args.posterior_replications} "
              "simulated Netherlands each; every interval is the central 90% of single simulated Netherlands, each "
              f"value the mean over September-December 2014. {int(observed['inside'].sum())} of {len(observed)} "
              "observed figures lie inside; items without an observed figure are predictions."), ""]
    return table, lines + check_lines(table)


def calibration_section(calibration: dict, lhs_config: dict, specs, lhs_folder: Path) -> list[str]:
    """The calibration's provenance and, per free parameter, its prior, posterior interval and default."""
    if not calibration:
        return ["No calibration is recorded (chainsim/data/calibrated.toml is missing).", ""]
    if "generations" not in calibration:     # the earlier method (lhs-pmc)
        lines = [f"Method: {calibration.get('method')}, {calibration.get('points')} Latin hypercube points x "
                 f"{calibration.get('replications')} replications, seed {calibration.get('seed')}; run "
                 f"{calibration.get('date')}; distance of the chosen point {calibration.get('distance')} "
                 f"(re-evaluated with {calibration.get('refine_replications')} replications); data file "
                 f"SHA-256 `{calibration.get('data_sha256', '')[:16]}…`. Re-run with "
                 f"`{rerun_command(calibration)}` (add `--resume` after an interruption).", "",
                 "| parameter | prior range | accepted 95% range | accepted median | default |",
                 "|---|---|---|---|---|"]
        posterior_path = lhs_folder / "posterior.csv"
        posterior = pd.read_csv(posterior_path, index_col=0) if posterior_path.is_file() else None
        for free in lhs_config["free"]:
            name = free["name"]
            acc = (f"{posterior.loc[name, 'low95']:.3g} – {posterior.loc[name, 'high95']:.3g}"
                   if posterior is not None else "(run the calibration)")
            med = f"{posterior.loc[name, 'median']:.3g}" if posterior is not None else ""
            lines.append(f"| `{name}` | {free['low']:g} – {free['high']:g} | {acc} | {med} | "
                         f"{specs[name].default:.3g} |")
        return lines
    from calibrate import abc_priors, read_abc_config

    from chainsim.abc_smc import effective_sample_size
    from chainsim.posterior import read_particles, summarise

    particles = read_particles()
    post = summarise(particles)
    priors = {p.name: p for p in abc_priors(read_abc_config(ROOT / calibration["config"]))}
    ess = effective_sample_size(particles["weight"].to_numpy(dtype=float))
    lines = [f"Method: {calibration.get('method')}. {calibration.get('generations')} generations x "
             f"{calibration.get('particles')} particles, {calibration.get('replications')} simulated Netherlands "
             f"per particle, seed {calibration.get('seed')}, run {calibration.get('date')}; weighted median "
             f"distance of the last generation {calibration.get('distance'):.3g} (Mahalanobis, docs/calibration.md); "
             f"{ess:.0f} effective particles of {len(particles)} (Kish); data file SHA-256 "
             f"`{calibration.get('data_sha256', '')[:16]}…`. The package defaults are "
             f"{calibration.get('summary', 'the weighted posterior medians')} (its distance "
             f"{calibration.get('default_distance', float('nan')):.3g}; the posterior predictive mean picture's "
             f"{calibration.get('predictive_mean_distance', float('nan')):.3g}); the weighted particles ship as "
             "`chainsim/data/posterior.csv` for `chainsim run --posterior N`. "
             f"Re-run with `{rerun_command(calibration)}` (add `--resume` after an interruption).", "",
             "| parameter | prior range | posterior 95% credible interval | posterior median | default |",
             "|---|---|---|---|---|"]
    for name, prior in priors.items():
        row = post.loc[name]
        lines.append(f"| `{name}` | {prior.low:g} – {prior.high:g} | {row['low95']:.3g} – {row['high95']:.3g} | "
                     f"{row['median']:.3g} | {specs[name].default:.3g} |")
    return lines


EMBEDDED = {  # option: (report name in that folder, section title, figure beside it)
    "identifiability": ("identifiability", "Identifiability: what the 2014 picture constrains",
                        "posterior_pairs.png"),
    "cross_validation": ("cross_validation", "Cross-validation across pattern groups", None),
    "lever_effects": ("lever_effects", "Lever effects over the posterior", "lever_effects.png"),
}
EMBEDDED_SCRIPTS = {"identifiability": "identifiability.py", "cross_validation": "cross_validate.py",
                    "lever_effects": "lever_effects.py"}


def embedded_section(folder: Path, name: str, title: str, figure: str | None, out: Path) -> list[str]:
    """Another script's report as a section of this one: its title replaced, its headings one level down,
    its figure copied into ``out/figures``."""
    import shutil

    text = (folder / f"{name}.md").read_text(encoding="utf-8").strip().splitlines()
    body = [line for line in text if not line.startswith("# ")]
    body = [("#" + line) if line.startswith("##") else line for line in body]
    lines = ["", f"## {title}", ""]
    if figure and (folder / figure).is_file():
        target = out / "figures" / figure
        target.parent.mkdir(parents=True, exist_ok=True)
        if (folder / figure).resolve() != target.resolve():
            shutil.copyfile(folder / figure, target)
        lines += [f"![{name}](figures/{figure})", ""]
    return lines + body


def rerun_command(calibration: dict) -> str:
    """The command that repeats the calibration the defaults come from (its method follows its set-up file)."""
    config = str(calibration.get("config", ""))
    method = "lhs-pmc" if config.endswith("calibration.toml") else "abc-smc"
    return (f".venv/bin/python experiments/calibration/calibrate.py --method {method} "
            + (f"--config {config} " if config else "") + "--workers 2 --write-defaults")


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (a temporary file beside it, then a rename)."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def tomllib_load(path: Path) -> dict:
    import tomllib
    return tomllib.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
