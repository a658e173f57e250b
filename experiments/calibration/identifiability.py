"""Identifiability: which calibrated parameters the 2014 picture constrains, and which it leaves as the prior had them.

    .venv/bin/python experiments/calibration/identifiability.py [--particles FILE] [--config FILE] [--out DIR]
                                                                [--overwrite]

Reads the weighted particles of an ABC-SMC posterior (``--particles``: a
particles CSV written by calibrate.py, or a pyABC history ``.db``, of which
the last generation is read; default the shipped chainsim/data/posterior.csv)
and the uniform priors the calibration drew them from (``--config``: the
ABC-SMC set-up, abc_smc.toml beside this script by default; a narrower
low/high there is the prior the run used). Per parameter it gives the prior
range, the weighted posterior median and 95% credible interval, the width
ratio (the posterior's 95% interval over the central 95% of the uniform
prior, 0.95 x (high - low)), the contraction (1 - posterior variance / prior
variance, (high - low)^2 / 12), the parameter it is most strongly correlated
with in the posterior (weighted Pearson) and a verdict (constrained, weakly
constrained, not constrained; :data:`CONSTRAINED_BELOW`,
:data:`NOT_CONSTRAINED_FROM`). A parameter the data leave alone keeps a width
ratio near 1 and a contraction near 0; a strong correlation says that the
data pin down a combination of two parameters rather than each of them.

Writes OUT/identifiability.md (the table sorted by width ratio, the pairs with
|weighted correlation| >= 0.5 and a provenance line: source, particles,
effective sample size), OUT/identifiability.json (the same figures) and
OUT/posterior_pairs.png (pairwise weighted scatter plots over the prior
ranges, weighted histograms on the diagonal); OUT: results/identifiability.
Existing outputs are replaced only with --overwrite.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from calibrate import ConfigError, abc_priors, read_abc_config

CONSTRAINED_BELOW = 0.5
"""Width ratio below which a parameter reads as "constrained": its posterior 95% interval is less than
half the prior's. A reading convention for the table, not a statistical test."""

NOT_CONSTRAINED_FROM = 0.8
"""Width ratio from which a parameter reads as "not constrained" (between the two: "weakly constrained").
With a few hundred weighted particles a 95% interval moves by about a tenth of its width between runs, so
a ratio above 0.8 cannot be told from the prior's. A reading convention for the table, not a statistical test."""

STRONG_CORRELATION = 0.5
"""|Weighted posterior correlation| from which a pair of parameters is listed: the data may constrain
their combination rather than each. A reading convention, not a test."""

OUTPUTS = ("identifiability.md", "identifiability.json", "posterior_pairs.png")
PROG = "identifiability.py"


class Refusal(Exception):
    """A bad input, said in one line (naming the option or file and what is allowed)."""


def parameter_names(particles: pd.DataFrame) -> list[str]:
    return [c for c in particles.columns if c != "weight"]


from chainsim.abc_smc import effective_sample_size  # noqa: E402  (Kish's effective number of particles)


def _collapsed(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal values merged, their weights summed: a particle listed twice counts as one with twice the weight."""
    unique, inverse = np.unique(values, return_inverse=True)
    return unique, np.bincount(inverse.ravel(), weights=weights, minlength=len(unique))


def posterior_quantiles(values, weights, qs) -> np.ndarray:
    """Weighted quantiles (chainsim.calibration.weighted_quantiles) of ``values`` with equal values merged."""
    from chainsim.calibration import weighted_quantiles

    v, w = _collapsed(np.asarray(values, dtype=float), np.asarray(weights, dtype=float))
    return weighted_quantiles(v, w, qs)


def weighted_correlations(particles: pd.DataFrame) -> pd.DataFrame:
    """Weighted Pearson correlations between the parameters (NaN where a parameter does not vary)."""
    names = parameter_names(particles)
    x = particles[names].to_numpy(dtype=float)
    w = particles["weight"].to_numpy(dtype=float)
    w = w / w.sum()
    centred = x - w @ x
    cov = (centred * w[:, None]).T @ centred
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    corr[~np.isfinite(corr)] = np.nan
    corr = np.clip(corr, -1.0, 1.0)
    return pd.DataFrame(corr, index=names, columns=names)


def verdict(width_ratio: float) -> str:
    """The reading of a width ratio (:data:`CONSTRAINED_BELOW`, :data:`NOT_CONSTRAINED_FROM`)."""
    if width_ratio < CONSTRAINED_BELOW:
        return "constrained"
    if width_ratio < NOT_CONSTRAINED_FROM:
        return "weakly constrained"
    return "not constrained"


def identifiability_table(particles: pd.DataFrame, priors) -> pd.DataFrame:
    """One row per parameter, sorted by width ratio (the best constrained first).

    ``particles``: one column per parameter and ``weight`` (any positive
    scale); ``priors``: objects with ``name``, ``low`` and ``high`` (uniform
    priors, chainsim.abc_smc.Prior), one for every parameter. Columns:
    parameter, prior_low, prior_high, median, low95, high95, width_ratio,
    contraction, partner (the most strongly correlated other parameter, None
    when there is none), correlation (with it, weighted Pearson), verdict.
    """
    by_name = {p.name: p for p in priors}
    names = parameter_names(particles)
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ValueError(f"no prior for {missing[0]!r}")
    w = particles["weight"].to_numpy(dtype=float)
    w = w / w.sum()
    corr = weighted_correlations(particles)
    rows = []
    for name in names:
        prior, x = by_name[name], particles[name].to_numpy(dtype=float)
        span = prior.high - prior.low
        low95, median, high95 = posterior_quantiles(x, w, [0.025, 0.5, 0.975])
        variance = float(w @ (x - w @ x) ** 2)
        others = corr.loc[name].drop(name).dropna()
        partner = others.abs().idxmax() if len(others) else None
        width_ratio = float(high95 - low95) / (0.95 * span)
        rows.append({"parameter": name, "prior_low": prior.low, "prior_high": prior.high,
                     "median": float(median), "low95": float(low95), "high95": float(high95),
                     "width_ratio": width_ratio, "contraction": 1.0 - variance / (span ** 2 / 12.0),
                     "partner": partner, "correlation": None if partner is None else float(others[partner]),
                     "verdict": verdict(width_ratio)})
    table = pd.DataFrame(rows)
    return table.sort_values(["width_ratio", "parameter"], kind="stable").reset_index(drop=True)


def strong_pairs(particles: pd.DataFrame, threshold: float = STRONG_CORRELATION) -> list[dict]:
    """Pairs of parameters with |weighted correlation| >= ``threshold``, the strongest first."""
    corr = weighted_correlations(particles)
    names = list(corr.index)
    pairs = [{"a": a, "b": b, "correlation": float(corr.at[a, b])}
             for i, a in enumerate(names) for b in names[i + 1:]
             if np.isfinite(corr.at[a, b]) and abs(corr.at[a, b]) >= threshold]
    return sorted(pairs, key=lambda p: (-abs(p["correlation"]), p["a"], p["b"]))


_SHORT = {"weight": "w", "initial": "init", "threshold": "thr", "implementation": "impl", "evidence": "evid",
          "delivery": "deliv", "scale": "sc", "person": "pers", "spread": "spr", "shortfall": "shortf",
          "employer": "empl", "closure": "clos", "autonomy": "auton", "pressure": "press", "rivalry": "rival"}


def short_label(name: str) -> str:
    """A short axis label: common words of parameter names abbreviated (weight_trust -> w_trust)."""
    return "_".join(_SHORT.get(part, part) for part in name.split("_"))


def plot_pairs(particles: pd.DataFrame, priors, path: Path, order=None) -> Path:
    """Lower-triangle matrix of weighted scatter plots over the prior ranges, weighted histograms on the diagonal.

    The size of a point grows with its weight; every axis spans the prior, so
    a contracted posterior shows as a cloud smaller than its panel.
    ``order``: the parameters in the order to draw them (default: the columns').
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_name = {p.name: p for p in priors}
    names = list(order) if order is not None else parameter_names(particles)
    n = len(names)
    w = particles["weight"].to_numpy(dtype=float)
    w = w / w.sum()
    sizes = 0.5 + 40.0 * w / w.max()
    side = min(16.0, max(3.0, 0.85 * n + 1.0))
    fig, axes = plt.subplots(n, n, figsize=(side, side), squeeze=False)
    for i, yname in enumerate(names):
        for j, xname in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            px = by_name[xname]
            if i == j:
                ax.hist(particles[xname], bins=20, range=(px.low, px.high), weights=w, color="tab:blue", alpha=0.8)
                ax.set_yticks([])
            else:
                py = by_name[yname]
                ax.scatter(particles[xname], particles[yname], s=sizes, alpha=0.35, color="tab:blue", linewidths=0)
                ax.set_ylim(py.low, py.high)
            ax.set_xlim(px.low, px.high)
            ax.tick_params(labelsize=5, length=2, pad=1)
            if i < n - 1:
                ax.set_xticklabels([])
            else:
                ax.set_xlabel(short_label(xname), fontsize=7, rotation=30, ha="right")
            if j > 0 or i == 0:
                ax.set_yticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(short_label(yname), fontsize=7)
            if i == j:
                ax.text(0.03, 0.96, short_label(xname), transform=ax.transAxes, va="top", fontsize=6,
                        bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1})
    fig.suptitle("Weighted posterior particles over the prior ranges (point size: weight; diagonal: weighted "
                 "histogram)", fontsize=9)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.07, top=0.95, wspace=0.08, hspace=0.08)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _number(x) -> str:
    return "–" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.3g}"


def _generation_note(meta: dict) -> str:
    return " (the last generation of the pyABC history)" if meta.get("generation") == "last" else ""


def report(table: pd.DataFrame, pairs: list[dict], meta: dict) -> str:
    """The markdown report: provenance line, the table sorted by width ratio, the strongly correlated pairs."""
    lines = ["# Identifiability of the calibrated parameters", "",
             (f"Source: `{meta['source']}`{_generation_note(meta)}; {meta['particles']} particles; "
              f"effective sample size {meta['ess']:.1f}; priors from `{meta['config']}`."), "",
             ("Generated by `experiments/calibration/identifiability.py`. Width ratio: the posterior's 95% credible "
              "interval over the central 95% of the uniform prior (0.95 x (high - low)); contraction: 1 - posterior "
              "variance / prior variance. Verdict, a reading convention and not a test: constrained below "
              f"{CONSTRAINED_BELOW:g}, weakly constrained from {CONSTRAINED_BELOW:g} to {NOT_CONSTRAINED_FROM:g}, "
              f"not constrained from {NOT_CONSTRAINED_FROM:g}. Partner: the parameter most strongly correlated "
              "with it in the posterior (weighted Pearson r)."), "",
             "| parameter | prior | median | 95% interval | width ratio | contraction | partner (r) | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        partner = "–" if r.partner is None else f"`{r.partner}` ({r.correlation:+.2f})"
        lines.append(f"| `{r.parameter}` | {r.prior_low:g} – {r.prior_high:g} | {_number(r.median)} | "
                     f"{_number(r.low95)} – {_number(r.high95)} | {r.width_ratio:.2f} | {r.contraction:.2f} | "
                     f"{partner} | {r.verdict} |")
    counts = table["verdict"].value_counts()
    lines += ["", ", ".join(f"{counts.get(v, 0)} {v}" for v in ("constrained", "weakly constrained",
                                                               "not constrained")) + ".", "",
              f"## Pairs with |weighted correlation| >= {STRONG_CORRELATION:g}", ""]
    lines += [f"- `{p['a']}` and `{p['b']}`: r = {p['correlation']:+.2f}" for p in pairs] or ["None."]
    lines += ["", "Figure: `posterior_pairs.png` (axes span the priors; point size grows with the weight)."]
    return "\n".join(lines) + "\n"


def load_particles(source: Path | None) -> pd.DataFrame:
    """The weighted particles of ``source`` (None: the shipped posterior), or a Refusal naming --particles."""
    from chainsim.posterior import PosteriorError, particles_from

    try:
        return particles_from(source)
    except PosteriorError as exc:
        raise Refusal(f"--particles: {exc}") from None
    except ImportError as exc:
        raise Refusal(f"--particles: {source}: reading a pyABC history needs {exc.name or 'pyabc'} "
                      "(the [calibration] extra), or give a particles CSV") from None
    except Exception as exc:  # a .db that is not a pyABC history: sqlalchemy, pyabc or index errors
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise Refusal(f"--particles: {source}: not a pyABC history (allowed: a particles CSV or a pyABC "
                      f".db; {first})") from None


def load_priors(config: Path) -> list:
    """The priors of the ABC-SMC set-up ``config`` (calibrate.abc_priors), or a Refusal naming --config."""
    try:
        return abc_priors(read_abc_config(config))
    except ConfigError as exc:
        more = len(exc.problems) - 1
        raise Refusal(f"--config: {exc.problems[0]}" + (f" (and {more} more)" if more else "")) from None
    except ValueError as exc:
        raise Refusal(f"--config: {config}: {exc}") from None


def matched_priors(particles: pd.DataFrame, priors: list, source: str, config: Path) -> list:
    """The priors of the particles' parameters; a Refusal when the particles do not come from this set-up."""
    by_name = {p.name: p for p in priors}
    names = parameter_names(particles)
    allowed = ", ".join(by_name)
    for name in names:
        if name not in by_name:
            raise Refusal(f"--particles: {source}: column {name!r} is not a free parameter of --config {config} "
                          f"(allowed: {allowed}, and 'weight')")
    absent = [n for n in by_name if n not in names]
    if absent:
        raise Refusal(f"--particles: {source}: no column {absent[0]!r}, a free parameter of --config {config} "
                      "(give the set-up the calibration ran with)")
    for name in names:
        p, x = by_name[name], particles[name]
        slack = 1e-6 * (p.high - p.low)
        if x.min() < p.low - slack or x.max() > p.high + slack:
            raise Refusal(f"--particles: {source}: {name} leaves its prior {p.low:g} to {p.high:g} of --config "
                          f"{config} (give the set-up the calibration ran with)")
    return [by_name[n] for n in names]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + error
        print(f"{PROG}: {message} (allowed: --particles FILE, --config FILE, --out DIR, --overwrite)",
              file=sys.stderr)
        sys.exit(2)


def parse(argv=None) -> argparse.Namespace:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--particles", type=Path, default=None,
                        help="particles CSV or pyABC history (.db: its last generation); "
                             "default chainsim/data/posterior.csv")
    parser.add_argument("--config", type=Path, default=HERE / "abc_smc.toml",
                        help="the ABC-SMC set-up the calibration ran with (its priors); default abc_smc.toml here")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "identifiability")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs in --out")
    return parser.parse_args(argv)


def _records(table: pd.DataFrame) -> list[dict]:
    """The table's rows for JSON: NaN (no partner) as null."""
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")]


def run(args: argparse.Namespace) -> str:
    """Check the inputs, write the three outputs and return the markdown report (Refusal on a bad input)."""
    outputs = [args.out / name for name in OUTPUTS]
    if args.out.exists() and not args.out.is_dir():
        raise Refusal(f"--out: {args.out} is a file (allowed: a folder, new or holding no earlier outputs)")
    if not args.overwrite and any(p.exists() for p in outputs):
        raise Refusal(f"--out: {args.out} already holds {', '.join(p.name for p in outputs if p.exists())}; add "
                      "--overwrite to replace them, or choose another --out")
    if args.particles is not None and not args.particles.is_file():
        raise Refusal(f"--particles: {args.particles}: not found (allowed: a particles CSV or a pyABC history .db)")
    source = str(args.particles or "chainsim/data/posterior.csv")
    priors = load_priors(args.config)
    particles = load_particles(args.particles)
    priors = matched_priors(particles, priors, source, args.config)
    table = identifiability_table(particles, priors)
    pairs = strong_pairs(particles)
    config = Path(args.config).resolve()
    shown = config.relative_to(ROOT) if config.is_relative_to(ROOT) else config
    meta = {"source": source, "config": str(shown), "particles": int(len(particles)),
            "ess": effective_sample_size(particles["weight"])}
    if args.particles is not None and args.particles.suffix == ".db":
        meta["generation"] = "last"
    text = report(table, pairs, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    outputs[0].write_text(text, encoding="utf-8")
    record = {**meta, "thresholds": {"constrained_below": CONSTRAINED_BELOW,
                                     "not_constrained_from": NOT_CONSTRAINED_FROM,
                                     "strong_correlation": STRONG_CORRELATION},
              "parameters": _records(table), "strong_pairs": pairs}
    outputs[1].write_text(json.dumps(record, indent=2), encoding="utf-8")
    plot_pairs(particles, priors, outputs[2], order=list(table["parameter"]))
    return text


def main(argv=None) -> None:
    args = parse(argv)
    try:
        text = run(args)
    except Refusal as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        sys.exit(2)
    print(text, end="")
    print(f"wrote {', '.join(str(args.out / n) for n in OUTPUTS)}", file=sys.stderr)


if __name__ == "__main__":
    main()
