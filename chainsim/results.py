"""Results of replicated runs: tables, summaries with confidence intervals, files.

Every stochastic figure chainsim reports is a mean over replications with a
95% confidence interval of that mean (Student t), never a single run.

``chainsim run`` streams: :class:`RegionMonthWriter` appends each finished
replication's rows to the Parquet file, and :class:`Results` summarises
from a :class:`ReplicationDigest` of each (a few KB), so memory does not grow
with the replications; the files and the summary are the same, bit for bit,
as from all the records at once.

Files are written atomically: a reader never sees half a file, and an
interrupted run leaves the previous file in place. Output folders are
written whole (:class:`ResultFolder`): every file goes into a temporary
sibling folder that is renamed into place once it is complete, so a folder
always holds one complete result, and an existing folder is replaced only
when asked to.

The files follow one self-describing schema (``SCHEMA_VERSION``, documented
column by column in docs/outputs.md): months as the first day of the month,
stage and Table 3.4 class as ordered labelled categoricals, region code and
name, scenario, seed and replication on every row, and the chainsim version
and a SHA-256 of the resolved configuration (:func:`config_sha256`) in the
Parquet file metadata and in summary.json.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import tomllib
import uuid
import weakref
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.core.calendar import Calendar, Month
from chainsim.core.measurement import DENOMINATOR, INDICATOR_INDEX, INDICATORS, LEVEL_CLASSES, STAGES
from chainsim.core.recorder import DIAGNOSTICS
from chainsim.runner import RunConfig, RunResult
from chainsim.statistics import estimate

SCHEMA_VERSION = 2
"""Version of the output schema (docs/outputs.md). 1: before months became dates and
sweeps wrote labelled stages; 2: the schema described there."""

MONTH_UNIT = "datetime64[us]"
"""Months are stored as the first day of the month, 00:00, no time zone (Parquet TIMESTAMP(MICROS))."""

LEVELS = ("governance", "tactical", "operational")

ITEM_MEANINGS: dict[str, str] = {
    "governance_uwv_all_municipalities": "UWV sits at a regional governance table with all municipalities "
                                         "(the base of the governance-party shares, n = 31 in 2014)",
    "tactical_uwv": "UWV takes part at the tactical (management) level",
    "operational_cooperation": "some operational (shop-floor) arrangement is in force",
    "all_municipalities_participate": "every municipality of the region takes part in the regional table",
    "has_subregions": "the region has subregions",
    "subregion_single_contact": "one contact for employers per subregion (share among regions with subregions)",
    "subregion_satisfied": "subregions cooperate and all municipalities are satisfied with the subregional "
                           "set-up: lowest trust within a subregion and with the centre at least 0.35 "
                           "(share among regions with subregions)",
    "joint_consultation": "UWV and municipalities consult jointly (Table 3.3)",
    "joint_projects": "joint projects of UWV and municipalities (Table 3.3)",
    "joint_staff": "joint staff of UWV and municipalities (Table 3.3)",
    "joint_preferred_employers": "a joint approach of preferred employers or sectors (Table 3.3)",
    "joint_placement_targets": "joint placement targets of UWV and municipalities (Table 3.3)",
    "fte_agreements": "agreed FTE for employer services at regional level (Table 3.3)",
    "fte_agreements_any_level": "FTE agreements at regional or subregional level",
    "gov_party_sw_companies": "SW companies at the governance table (Table 3.2; share among regions with "
                              "UWV at a governance table with all municipalities)",
    "gov_party_employer_organisations": "employer organisations at the governance table (Table 3.2; same base)",
    "gov_party_regional_employers": "regional employers at the governance table (Table 3.2; same base)",
    "gov_party_education": "education at the governance table (Table 3.2; same base)",
    "gov_party_unions": "unions at the governance table (Table 3.2; same base)",
    "shared_vision_joint_goals": "a shared vision with joint goals",
    "annual_joint_market_plan": "an annual joint market (employer-approach) plan",
    "written_minimum_package": "a written minimum service package for employers",
    "joint_logo": "a joint logo employers recognise",
    "joint_website": "a joint website for employers",
    "single_contact_person": "one contact person for each employer",
    "single_phone_number": "one phone number for employers",
    "single_public_counter": "one public counter for employers",
    "multiple_public_counters": "several public counters for employers (werkplein legacy)",
    "any_regional_wsp": "an employer service point (WSP), regional or subregional",
    "one_regional_wsp": "one regional employer service point (WSP)",
    "attuned_employer_approach": "an attuned joint approach of employers",
    "demand_oriented": "demand-oriented service to employers",
    "outreach": "outreaching acquisition of vacancies",
    "monitors_employer_fit": "monitors whether candidates fit employers' demand",
    "sonar_all_used": "every participating municipality uses UWV's employer-contact system Sonar",
    "wbs_all_used": "every participating municipality uses UWV's employer-approach system WBS",
}
"""One line per item of the Inspectorate's framework (chainsim.core.measurement.INDICATORS; docs/ODD.md §7.5)."""

LEVEL_MEANINGS: dict[str, str] = {
    "governance": "UWV and municipalities cooperate at governance level: UWV at the governance table "
                  "with all municipalities",
    "tactical": "UWV and municipalities cooperate at the tactical level: UWV at the tactical meeting",
    "operational": "UWV and municipalities cooperate on the shop floor: joint consultation, joint staff "
                   "and joint projects all in force",
}

DIAGNOSTIC_UNITS: dict[str, tuple[str, str]] = {
    "trust_uwv_municipalities": ("trust, 0 to 1", "mean trust on the ties between UWV and the municipalities"),
    "trust_centre_municipalities": ("trust, 0 to 1", "mean trust on the ties between the centre municipality "
                                    "and the other municipalities (UWV's value in a one-municipality region)"),
    "belief": ("belief, 0 to 1", "mean belief of the region's organisations that regional cooperation pays "
               "(M11)"),
    "pressure": ("model units, 0 or more", "outside pressure in force (M10): Participatiewet deadline, social "
                 "accord, joint subsidy, engaged employers and scenario pressure, each weighted by its "
                 "parameter"),
    "evidence": ("model units, 0 or more", "visible result of pooling (M11): pooled share of the arrangements "
                 "in force times the jobs there are to fill"),
    "arrangements_in_force": ("count, 0 to 31", "number of joint arrangements in force (docs/ODD.md §7.4)"),
    "employer_engaged": ("0 or 1", "1 when the region's employer organisation is actively engaged (M9)"),
    "sw_partners": ("count", "number of the region's SW companies acting as partners rather than "
                    "competitors (M8)"),
    "participation": ("share, 0 to 1", "share of the region's municipalities taking part in the regional "
                      "table (M4)"),
    "rivalry": ("model units, 0 to 2", "mean own-target rivalry the municipalities feel this month "
                "(M1, M2, M14)"),
}
"""Unit and meaning of each diagnostic (chainsim.core.recorder.DIAGNOSTICS)."""


STAGE_TYPE = "ordered categorical: coordinated < middle < little"
CLASS_TYPE = "ordered categorical: all_levels < intermediate < hardly < none"

KEY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "scenario": ("categorical (string)", "–", "name of the scenario"),
    "seed": ("int64", "–", "root seed of the run (`--seed`): replication *i* runs on child *i* of "
             "`numpy.random.SeedSequence(seed)`"),
    "replication": ("int32", "–", "replication, 0 to replications - 1"),
    "month": ("timestamp[us]", "–", "the month, as its first day at 00:00, no time zone (in CSV: YYYY-MM-DD)"),
    "region_code": ("categorical (string)", "–", "code of the labour market region (AM01 ... AM37; the 35 "
                    "regions' CBS codes, AM04 and AM16 are not in use), categories in table order"),
    "region_name": ("categorical (string)", "–", "name of the region"),
    "stage": (STAGE_TYPE, "–", "stage of the coordinated approach (docs/ODD.md §7.5)"),
    "cooperation_class": (CLASS_TYPE, "–", "cooperation of UWV and municipalities by level, Table 3.4 "
                          "(docs/ODD.md §7.5)"),
}
"""Type, unit and meaning of the columns that run and sweep files share."""


def region_month_columns() -> list[tuple[str, str, str, str]]:
    """(column, type, unit, meaning) of ``region_months.parquet``, in file order (docs/outputs.md)."""
    columns = [(name, *KEY_COLUMNS[name]) for name in
               ("scenario", "seed", "replication", "month", "region_code", "region_name", "stage",
                "cooperation_class")]
    columns += [(f"level_{name}", "bool", "–", LEVEL_MEANINGS[name]) for name in LEVELS]
    columns += [(name, "bool", "–", ITEM_MEANINGS[name]) for name in INDICATORS]
    columns += [(name, "float32", *DIAGNOSTIC_UNITS[name]) for name in DIAGNOSTICS]
    return columns


def load_observed() -> dict:
    """The Inspectorate's autumn-2014 national picture shipped with chainsim."""
    with resources.files("chainsim.data").joinpath("inspectie_2014.toml").open("rb") as fh:
        return tomllib.load(fh)


def mean_ci(values, low: float | None = None, high: float | None = None) -> dict:
    """Mean and 95% confidence interval of the mean (Student t) of replicate values.

    NaN values (a share whose denominator was empty in that replication) are
    left out; ``low`` and ``high`` clip the interval to the possible range. The
    rule of :func:`chainsim.statistics.estimate` decides whether there is an
    interval: where there is none, ``ci95`` is ``[None, None]`` and
    ``no_interval`` says why ("1 replication"; "all N values equal", up to
    rounding, where a zero-width interval would claim a certainty that N
    replications cannot give). Where no value is left, ``mean`` is None too.
    """
    bounds = None if low is None and high is None else \
        (-np.inf if low is None else low, np.inf if high is None else high)
    e = estimate(values, bounds)
    if e.mean is None:
        return {"mean": None, "ci95": [None, None]}
    if not e.has_interval:
        return {"mean": e.mean, "ci95": [None, None], "no_interval": e.why_no_interval}
    return {"mean": e.mean, "ci95": list(e.interval())}


def fmt_mean_ci(stat: dict, digits: int = 2) -> str:
    """A :func:`mean_ci` as ``0.31 [0.27, 0.35]``, or ``0.00 [n/a: all equal]`` where it has no interval."""
    if stat["mean"] is None:
        return "n/a (no region in the denominator)"
    lo, hi = stat["ci95"]
    if lo is None:
        why = stat.get("no_interval", "1 replication")
        return f"{stat['mean']:.{digits}f} [n/a: {'all equal' if why.startswith('all ') else why}]"
    return f"{stat['mean']:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


# --- identity of a configuration ----------------------------------------------
def _plain(value):
    """A JSON-ready copy of a configuration value (dataclasses as dicts, months as YYYY-MM)."""
    if isinstance(value, Month):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def resolved_region_codes(config: RunConfig) -> list[str]:
    """The codes of the units a configuration runs, in table order (all when it names none).

    Units are the era's: regions, or the werkplein locations of the named regions.
    """
    from chainsim.core.eras import ERAS

    return [r.code for r in ERAS[config.era].select(list(config.regions) if config.regions else None)]


def config_record(config: RunConfig) -> dict:
    """The resolved configuration as plain data: what :func:`config_sha256` hashes.

    Keys: ``scenario``, ``params`` (every parameter), ``calendar`` (start,
    end, observed_at), ``regions`` (the codes that run, in table order, also
    when the configuration names none; the units of its era), ``levers``,
    ``mechanisms_off`` (sorted) and, for an era other than the regions',
    ``era``; ``start_from`` when the run starts from a simulated era, with
    ``history_params`` when that era runs on parameters of its own.
    """
    record = {
        "scenario": config.scenario,
        "params": _plain(config.params.as_dict()),
        "calendar": _plain(config.calendar),
        "regions": resolved_region_codes(config),
        "levers": _plain(list(config.levers)),
        "mechanisms_off": sorted(config.mechanisms_off),
    }
    if config.era != RunConfig.era:      # another era's units: never the same configuration as a region run
        record["era"] = config.era
    if config.start_from is not None:    # started from a simulated history, not a drawn legacy
        record["start_from"] = config.start_from
        if config.history_params is not None:
            record["history_params"] = _plain(config.history_params.as_dict())
    return record


def canonical_json(data) -> str:
    """JSON with sorted keys, no spaces, ASCII only: the same text for the same data on any machine."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def config_sha256(config: RunConfig) -> str:
    """SHA-256 (hex) of the canonical JSON of :func:`config_record`.

    Two runs with the same hash, seed, replications and chainsim version give
    the same results. Recompute it from a summary.json with
    ``hashlib.sha256(canonical_json(summary["config"]).encode()).hexdigest()``.
    """
    return hashlib.sha256(canonical_json(config_record(config)).encode("ascii")).hexdigest()


def region_list(codes) -> list[dict[str, str]]:
    """``[{"code": ..., "name": ...}]`` for region codes (synthetic copies get ``#k`` on the name)."""
    from chainsim.core.regions import base_code, load_regions

    names = {r.code: r.name for r in load_regions()}
    rows = []
    for code in codes:
        real, copy = base_code(code)
        rows.append({"code": code, "name": names.get(real, real) + (f" #{copy}" if copy else "")})
    return rows


def is_national(codes) -> bool:
    """True when the regions are exactly the 35 labour market regions."""
    from chainsim.core.regions import load_regions

    return sorted(codes) == sorted(r.code for r in load_regions())


def month_starts(months) -> np.ndarray:
    """Months (``Month`` or ``"YYYY-MM"``) as the first day of the month (``MONTH_UNIT``)."""
    return np.array([f"{m}-01" for m in months], dtype="datetime64[D]").astype(MONTH_UNIT)


def _version() -> str:
    from chainsim.version import version

    return version()


def item_counts(items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item, the regions that have it, and the regions that have it and its share's base item.

    ``items`` is (..., regions, items) bool; both results are (..., items).
    For an item without a base of its own (:data:`DENOMINATOR`) the two
    counts are the same.
    """
    counts = items.sum(axis=-2)
    joint = counts.copy()
    for name, denominator in DENOMINATOR.items():
        if denominator is not None:
            k, d = INDICATOR_INDEX[name], INDICATOR_INDEX[denominator]
            joint[..., k] = (items[..., k] & items[..., d]).sum(axis=-1)
    return counts, joint


def indicator_shares_of(counts: np.ndarray, joint: np.ndarray, n_regions: int) -> np.ndarray:
    """Shares of regions with each item, with the seed's denominators, from :func:`item_counts`.

    NaN where a share's base is empty (no region has the base item).
    """
    shares = counts.astype(float) / n_regions
    for name, denominator in DENOMINATOR.items():
        if denominator is None:
            continue
        k, d = INDICATOR_INDEX[name], INDICATOR_INDEX[denominator]
        base = counts[..., d]
        with np.errstate(invalid="ignore", divide="ignore"):
            shares[..., k] = np.where(base > 0, joint[..., k] / np.maximum(base, 1), np.nan)
    return shares


@dataclasses.dataclass
class ReplicationDigest:
    """What the summaries and comparisons need of one replication: a few KB where its record is ~0.2 MB.

    ``stage`` and ``level_class`` (months x regions) and ``levels``
    (months x regions x 3: governance, tactical, operational) as recorded;
    ``item_counts`` and ``joint_counts`` (months x items, see
    :func:`item_counts`) instead of every region's items. :class:`Results`
    takes these in place of :class:`~chainsim.runner.RunResult` and gives
    the same summary, bit for bit.
    """

    replication: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    region_codes: list[str]
    stage: np.ndarray
    level_class: np.ndarray
    levels: np.ndarray
    item_counts: np.ndarray
    joint_counts: np.ndarray
    draw: int = 0

    @classmethod
    def of(cls, run: RunResult, region_codes: list[str] | None = None) -> ReplicationDigest:
        """The digest of a run; pass an equal ``region_codes`` list to share it between digests."""
        counts, joint = item_counts(run.items)
        small = np.min_scalar_type(len(run.region_codes))          # uint8 for up to 255 regions
        codes = region_codes if region_codes == run.region_codes else list(run.region_codes)
        return cls(replication=run.replication, seed_entropy=run.seed_entropy, spawn_key=tuple(run.spawn_key),
                   region_codes=codes, stage=run.stage.copy(), level_class=run.level_class.copy(),
                   levels=run.levels.copy(),
                   item_counts=counts.astype(small), joint_counts=joint.astype(small), draw=run.draw)


def _counts(run) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(run, ReplicationDigest):
        return run.item_counts, run.joint_counts
    return item_counts(run.items)


def file_metadata(config: RunConfig, seed: int, replications: int, region_codes,
                  posterior: dict | None = None) -> dict[str, str]:
    """Key-value metadata of ``region_months.parquet`` (docs/outputs.md)."""
    extra = {"posterior": canonical_json(posterior)} if posterior else {}
    return {**extra,
        "chainsim_version": _version(),
        "schema_version": str(SCHEMA_VERSION),
        "config_sha256": config_sha256(config),
        "config": canonical_json(config_record(config)),
        "scenario": config.scenario,
        "seed": str(seed),
        "replications": str(replications),
        "observed_at": str(config.calendar.observed_at),
        "national": "true" if is_national(region_codes) else "false",
    }


def region_month_frame(runs, config: RunConfig, seed: int, region_codes, region_names) -> pd.DataFrame:
    """The rows of ``runs`` (records of replications, in order) in the schema of docs/outputs.md."""
    reps, months, codes = len(runs), month_starts(config.calendar.months), list(region_codes)
    T, R = len(months), len(codes)
    n = reps * T * R
    stage = np.stack([r.stage for r in runs]).ravel()
    level_class = np.stack([r.level_class for r in runs]).ravel()
    levels = np.stack([r.levels for r in runs]).reshape(n, len(LEVELS))
    items = np.stack([r.items for r in runs]).reshape(n, len(INDICATORS))
    diagnostics = np.stack([r.diagnostics for r in runs]).reshape(n, len(DIAGNOSTICS))
    region_index = np.tile(np.arange(R, dtype=np.int32), reps * T)
    frame = {
        "scenario": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[config.scenario]),
        "seed": np.full(n, seed, dtype=np.int64),
        "replication": np.repeat(np.array([r.replication for r in runs], dtype=np.int32), T * R),
        "month": np.tile(np.repeat(months, R), reps),
        "region_code": pd.Categorical.from_codes(region_index, categories=codes),
        "region_name": pd.Categorical.from_codes(region_index, categories=list(region_names)),
        "stage": pd.Categorical.from_codes(stage, categories=list(STAGES), ordered=True),
        "cooperation_class": pd.Categorical.from_codes(level_class, categories=list(LEVEL_CLASSES), ordered=True),
    }
    for k, name in enumerate(LEVELS):
        frame[f"level_{name}"] = levels[:, k]
    for k, name in enumerate(INDICATORS):
        frame[name] = items[:, k]
    for k, name in enumerate(DIAGNOSTICS):
        frame[name] = diagnostics[:, k]
    return pd.DataFrame(frame)


# --- results of one configuration -----------------------------------------------
class Results:
    """The replications of one configuration, with the views users need.

    ``runs`` are the replications' records (:class:`~chainsim.runner.RunResult`)
    or their digests (:class:`ReplicationDigest`, what ``chainsim run`` and
    ``compare`` keep while the rows stream to disk); the summaries are the
    same either way. The tables and :meth:`to_xarray` need the records.
    """

    def __init__(self, config: RunConfig, runs: list[RunResult | ReplicationDigest], seed: int,
                 posterior: dict | None = None) -> None:
        if not runs:
            raise ValueError("no replications to summarise")
        self.config = config
        self.runs = sorted(runs, key=lambda r: r.replication)
        self.seed = seed
        self.posterior = posterior
        self.calendar: Calendar = config.calendar
        self.region_codes = self.runs[0].region_codes

    @property
    def n_regions(self) -> int:
        return len(self.region_codes)

    @property
    def national(self) -> bool:
        """Whether the run covers all 35 regions (the observed 2014 figures are national)."""
        return is_national(self.region_codes)

    @property
    def region_names(self) -> list[str]:
        return [r["name"] for r in region_list(self.region_codes)]

    @property
    def config_sha256(self) -> str:
        return config_sha256(self.config)

    # --- arrays over replications ----------------------------------------
    def stage_shares(self) -> np.ndarray:
        """(replications x months x 3) share of regions in each stage."""
        stage = np.stack([r.stage for r in self.runs])
        return np.stack([(stage == k).mean(axis=2) for k in range(len(STAGES))], axis=2)

    def level_class_counts(self) -> np.ndarray:
        """(replications x months x 4) number of regions per Table 3.4 class."""
        cls = np.stack([r.level_class for r in self.runs])
        return np.stack([(cls == k).sum(axis=2) for k in range(len(LEVEL_CLASSES))], axis=2)

    def indicator_shares(self) -> np.ndarray:
        """(replications x months x indicators) shares, with the seed's denominators."""
        pairs = [_counts(r) for r in self.runs]
        return indicator_shares_of(np.stack([c for c, _ in pairs]), np.stack([j for _, j in pairs]),
                                   self.n_regions)

    # --- summary ---------------------------------------------------------
    def summary(self) -> dict:
        """Everything ``summary.json`` holds (docs/outputs.md lists the keys)."""
        t_obs, t_end = self.calendar.observed_index, self.calendar.n_months - 1
        stage, classes, shares = self.stage_shares(), self.level_class_counts(), self.indicator_shares()

        draws = np.array([r.draw for r in self.runs])

        def ci(values, low, high) -> dict:
            # posterior draws: the unit is the draw (its replications' mean), so that the
            # interval carries the parameters' uncertainty and counts each draw once
            if self.posterior is None:
                return mean_ci(values, low, high)
            values = np.asarray(values, dtype=float)
            means = [np.nanmean(values[draws == d]) if np.isfinite(values[draws == d]).any() else np.nan
                     for d in np.unique(draws)]
            return mean_ci(means, low, high)

        def stage_at(t: int) -> dict:
            return {name: ci(stage[:, t, k], 0.0, 1.0) for k, name in enumerate(STAGES)}

        observed = load_observed()
        national = self.national
        reference = {
            "source": "Inspectie SZW (2015) 'Samen voor werkgevers', R16/10a (seed 004)",
            "regions": int(observed["meta"]["n_regions"]),
            "stage_shares": observed["stage_shares"],
            "cooperation_levels": observed["cooperation_levels"],
        }
        if not national:
            reference["note"] = (f"observed figures are national ({reference['regions']} regions); "
                                 f"this run has {self.n_regions} region{'s' if self.n_regions != 1 else ''}")
        return {
            "schema_version": SCHEMA_VERSION,
            "chainsim_version": _version(),
            "config_sha256": self.config_sha256,
            "scenario": self.config.scenario,
            "replications": len(self.runs),
            "seed": self.seed,
            "start": str(self.calendar.start),
            "end": str(self.calendar.end),
            "observed_at": str(self.calendar.observed_at),
            "regions": self.n_regions,
            "national": national,
            "region_list": region_list(self.region_codes),
            "stage_shares": stage_at(t_obs),
            "cooperation_levels": {name: ci(classes[:, t_obs, k], 0.0, float(self.n_regions))
                                   for k, name in enumerate(LEVEL_CLASSES)},
            "indicators": {name: ci(shares[:, t_obs, k], 0.0, 1.0)
                           for k, name in enumerate(INDICATORS)},
            "stage_shares_end": stage_at(t_end),
            "observed_2014": reference,
            "parameters": self.config.params.as_dict(),
            "config": config_record(self.config),
            **({"posterior": self.posterior} if self.posterior else {}),
        }

    def file_metadata(self) -> dict[str, str]:
        """Key-value metadata of the Parquet files (docs/outputs.md)."""
        return file_metadata(self.config, self.seed, len(self.runs), self.region_codes, self.posterior)

    # --- tables ----------------------------------------------------------
    def region_month_table(self) -> pd.DataFrame:
        """One row per replication, month and region, in the schema of docs/outputs.md."""
        return region_month_frame(self.runs, self.config, self.seed, self.region_codes, self.region_names)

    def write_tables(self, folder: str | Path, csv: bool = False) -> list[Path]:
        """Write ``region_months.parquet`` (and ``region_months.csv``) into ``folder``; the paths written."""
        folder = Path(folder)
        table = self.region_month_table()
        written = [folder / "region_months.parquet"]
        write_parquet(written[0], table, self.file_metadata())
        if csv:
            written.append(folder / "region_months.csv")
            write_csv(written[1], table)
        return written

    def to_xarray(self):
        """The runs as an ``xarray.Dataset`` over replication x month x region.

        Variables: ``stage`` and ``cooperation_class`` (int8 codes with CF
        ``flag_values``/``flag_meanings``: 0 coordinated, 1 middle, 2 little;
        0 all_levels .. 3 none), ``levels`` (x ``level``), ``items`` (x
        ``item``) and one variable per diagnostic with its ``units``.
        Coordinates: ``replication``, ``month`` (first day of the month),
        ``region`` (code), ``region_name``, ``level``, ``item``. Attributes:
        chainsim version, schema version, configuration hash, scenario, seed.
        Needs xarray, which chainsim does not install.
        """
        try:
            import xarray as xr
        except ImportError:
            raise ImportError("Results.to_xarray needs xarray, which is not installed "
                              "(install it with: pip install xarray)") from None
        dims = ("replication", "month", "region")

        def stacked(name: str) -> np.ndarray:
            return np.stack([getattr(r, name) for r in self.runs])

        data = {
            "stage": (dims, stacked("stage").astype(np.int8),
                      {"long_name": "stage of the coordinated approach", "flag_values": np.arange(3, dtype=np.int8),
                       "flag_meanings": " ".join(STAGES)}),
            "cooperation_class": (dims, stacked("level_class").astype(np.int8),
                                  {"long_name": "cooperation of UWV and municipalities by level (Table 3.4)",
                                   "flag_values": np.arange(4, dtype=np.int8),
                                   "flag_meanings": " ".join(LEVEL_CLASSES)}),
            "levels": ((*dims, "level"), stacked("levels"),
                       {"long_name": "cooperation of UWV and municipalities on each level"}),
            "items": ((*dims, "item"), stacked("items"),
                      {"long_name": "items of the Inspectorate's framework, yes/no"}),
        }
        diagnostics = stacked("diagnostics")
        for k, name in enumerate(DIAGNOSTICS):
            unit, meaning = DIAGNOSTIC_UNITS[name]
            data[name] = (dims, diagnostics[..., k], {"units": unit, "long_name": meaning})
        coords = {
            "replication": np.array([r.replication for r in self.runs], dtype=np.int32),
            "month": month_starts(self.calendar.months).astype("datetime64[ns]"),
            "region": list(self.region_codes),
            "region_name": ("region", self.region_names),
            "level": list(LEVELS),
            "item": list(INDICATORS),
        }
        attrs = {key: value for key, value in self.file_metadata().items() if key != "config"}
        return xr.Dataset(data, coords=coords, attrs=attrs)


# --- streaming the rows to disk -------------------------------------------------------
ROW_GROUP_ROWS = 1 << 16
"""Rows buffered before they go to disk as one Parquet row group (~30 replications of 35 regions)."""


class TableWriteError(OSError):
    """``region_months`` could not be written (a full disk, no permission): one line naming the file."""


class RegionMonthWriter:
    """Streams replications into ``region_months.parquet`` (and ``.csv``) in a folder, as they finish.

    :meth:`add` takes each replication's record in replication order and
    keeps at most :data:`ROW_GROUP_ROWS` rows before it appends them to the
    file as one row group, so memory stays flat in the number of
    replications; :meth:`close` completes the files. The file and its
    rows are exactly those :meth:`Results.write_tables` writes from the
    same records. Each file is written under a temporary name and renamed
    when complete. A write that fails (a full disk) does not stop the
    caller: the partial files are deleted at once, to give the space back,
    further rows are skipped, and :meth:`close` raises
    :class:`TableWriteError` with the reason.
    """

    def __init__(self, folder: str | Path, config: RunConfig, seed: int, replications: int,
                 csv: bool = False, posterior: dict | None = None) -> None:
        self.folder = Path(folder)
        self.config, self.seed = config, seed
        self.region_codes = resolved_region_codes(config)
        self.region_names = [r["name"] for r in region_list(self.region_codes)]
        self.metadata = file_metadata(config, seed, replications, self.region_codes, posterior)
        self.paths = [self.folder / "region_months.parquet"] + ([self.folder / "region_months.csv"] if csv else [])
        self.failure: str | None = None
        self._current = self.paths[0]             # the file being written, for the message of a failure
        self._buffer: list[RunResult] = []
        self._rows = 0
        self._tmp: list[Path] = []
        self._writers: list = []

    def add(self, run: RunResult) -> None:
        """Take one replication's record (the next in replication order)."""
        if self.failure:
            return
        self._buffer.append(run)
        self._rows += run.stage.size
        if self._rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer or self.failure:
            return
        try:
            self._write(region_month_frame(self._buffer, self.config, self.seed, self.region_codes,
                                           self.region_names))
        except _write_errors() as exc:
            self._fail(exc)
        self._buffer, self._rows = [], 0

    def _write(self, frame: pd.DataFrame) -> None:
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        table = arrow_table(frame, self.metadata)
        if not self._writers:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._tmp = [self.folder / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp" for path in self.paths]
            self._current = self.paths[0]
            self._writers.append(pq.ParquetWriter(self._tmp[0], table.schema))
            if len(self.paths) > 1:
                self._writers.append(pcsv.CSVWriter(self._tmp[1], _csv_table(table).schema))
        self._current = self.paths[0]
        self._writers[0].write_table(table)
        if len(self._writers) > 1:
            self._current = self.paths[1]
            self._writers[1].write_table(_csv_table(table))

    def _fail(self, exc: BaseException) -> None:
        self.failure = f"{self._current.name} ({_reason(exc)})"
        self._discard()

    def _discard(self) -> None:
        for writer in self._writers:
            with contextlib.suppress(*_write_errors()):     # a full disk takes the footer too
                writer.close()
        for tmp in self._tmp:
            if tmp.exists():
                tmp.unlink()
        self._writers, self._tmp = [], []

    def close(self) -> list[Path]:
        """Write the rows still buffered and complete the files; the paths written.

        Raises :class:`TableWriteError` when a write failed, now or before.
        """
        self._flush()
        if not self.failure:
            try:
                for writer, path in zip(self._writers, self.paths):
                    self._current = path
                    writer.close()
                for tmp, path in zip(self._tmp, self.paths):
                    self._current = path
                    os.chmod(tmp, 0o666 & ~_umask())
                    os.replace(tmp, path)
            except _write_errors() as exc:
                self._fail(exc)
        if self.failure:
            raise TableWriteError(self.failure)
        self._writers, self._tmp = [], []
        return list(self.paths)

    def abort(self) -> None:
        """Delete the partial files (the computing was stopped)."""
        self._buffer = []
        self._discard()


def _write_errors() -> tuple[type[BaseException], ...]:
    """What a failed write raises: OSError, or pyarrow's ArrowException for the same causes."""
    from pyarrow import ArrowException

    return (OSError, ArrowException)


def _reason(exc: BaseException) -> str:
    """An exception as a short reason: the OS's words for an OSError, else its type and message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# --- room on the disk ---------------------------------------------------------------------
SPACE_MARGIN = 1.1
"""Space asked for beyond the estimate of what is written."""
SPACE_FIXED = 4 * 2**20
"""Bytes asked for the summary, the figure and file-system overhead."""
_TEXT_WIDTH = {"bool": 6, "float32": 16}          # "false," and a float32 written in full, with its comma


def parquet_row_bytes() -> int:
    """Bytes of one row of ``region_months`` uncompressed: an upper bound of what Parquet stores per row."""
    width = 0
    for _, kind, _, _ in region_month_columns():
        width += {"bool": 1, "float32": 4, "int32": 4, "int64": 8, "timestamp[us]": 8}.get(kind, 4)
    return width


def csv_row_bytes(config: RunConfig, seed: int, replications: int) -> int:
    """Longest text of one row of ``region_months.csv``, commas and quotes included."""
    names = [r["name"] for r in region_list(resolved_region_codes(config))]
    width = 0
    for column, kind, _, _ in region_month_columns():
        if kind in _TEXT_WIDTH:
            width += _TEXT_WIDTH[kind]
        else:
            width += 3 + {"scenario": len(config.scenario.encode()), "seed": len(str(seed)),
                          "replication": len(str(replications)), "month": 10,
                          "region_code": max(len(code) for code in resolved_region_codes(config)),
                          "region_name": max(len(name.encode()) for name in names),
                          "stage": max(map(len, STAGES)), "cooperation_class": max(map(len, LEVEL_CLASSES)),
                          }[column]
    return width


def run_output_bytes(config: RunConfig, replications: int, seed: int = 0, csv: bool = False) -> int:
    """Bytes ``chainsim run`` may write: its rows times an upper bound per row, plus a margin."""
    rows = replications * config.calendar.n_months * len(resolved_region_codes(config))
    per_row = parquet_row_bytes() + (csv_row_bytes(config, seed, replications) if csv else 0)
    return int(rows * per_row * SPACE_MARGIN) + SPACE_FIXED


def check_space(out: str | Path, needed: int) -> None:
    """Refuse (:class:`OutputFolderError`) when the disk of ``out`` has less than ``needed`` bytes free."""
    target = Path(os.path.abspath(out))
    place = next((p for p in (target, *target.parents) if p.exists()), target.anchor)
    try:
        free = shutil.disk_usage(place).free
    except OSError:
        return                                  # cannot tell: the writing itself will say
    if free < needed:
        raise OutputFolderError(f"{out}: not enough space on the disk: the results need up to {_size(needed)} "
                                f"(estimate), {_size(free)} is free; free some space or choose another --out")


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


# --- output folders, written whole -------------------------------------------------
class OutputFolderError(ValueError):
    """An output folder that may not be written (one line, without the command's name)."""


def check_output_folder(out: str | Path, marker: str, overwrite: bool = False) -> None:
    """Refuse a non-empty folder, unless ``overwrite`` and it holds ``marker`` (a chainsim output of that kind).

    ``--overwrite`` never replaces a folder that chainsim did not write (one
    without ``marker``), nor the current folder or one above it.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out} exists and is not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    ours = (out / marker).is_file()
    if not ours:
        raise OutputFolderError(f"{out} already holds other files; it holds no {marker}, so --overwrite cannot "
                                "replace it (it replaces only a folder of this command's results); choose another "
                                "--out")
    foreign = files_not_written_by_chainsim(out)
    if foreign:
        listed = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputFolderError(f"{out} holds results ({marker}) and files chainsim did not write ({listed}), "
                                "which --overwrite would delete; move them out or choose another --out")
    if not overwrite:
        raise OutputFolderError(f"{out} already holds results ({marker}); add --overwrite to replace it, or "
                                "choose another --out")
    here, target = Path.cwd().resolve(), out.resolve()
    if here == target or target in here.parents:
        raise OutputFolderError(f"{out} is the current folder or holds it; choose another --out")


WRITTEN = ".chainsim_files"
"""In every output folder: the files chainsim wrote there, one per line (what ``--overwrite`` may replace)."""


def files_not_written_by_chainsim(out: Path) -> list[str]:
    """Files (relative paths) in ``out`` that its list of written files does not name; none where it has no list
    (a folder written before the list existed)."""
    listed = out / WRITTEN
    if not listed.is_file():
        return []
    written = set(listed.read_text(encoding="utf-8").splitlines()) | {WRITTEN}
    return sorted(name for p in out.rglob("*")
                  if (p.is_file() or p.is_symlink()) and (name := str(p.relative_to(out))) not in written
                  and not _system_file(p.relative_to(out)))


def _system_file(relative: Path) -> bool:
    """A file the operating system or a tool leaves in any folder it opens (.DS_Store, Thumbs.db, ...)."""
    return any(part.startswith(".") for part in relative.parts) or relative.name in ("Thumbs.db", "desktop.ini")


class ResultFolder:
    """An output folder written whole.

    Files go into :attr:`path`, a temporary sibling of ``out``
    (``.<name>.<random>.partial``); :meth:`commit` renames it to ``out``. An
    existing ``out`` is replaced only with ``overwrite`` (see
    :func:`check_output_folder`), and only after the new folder is complete:
    the old one is renamed aside, the new one renamed into place, then the
    old one deleted. Without a commit -- an error, Ctrl-C -- the temporary
    folder is removed and ``out`` is left as it was. As a context manager it
    commits on success and discards on an exception.
    """

    def __init__(self, out: str | Path, marker: str, overwrite: bool = False) -> None:
        self.out = Path(out)
        self.marker = marker
        self.overwrite = overwrite
        check_output_folder(self.out, marker, overwrite)
        self._target = Path(os.path.abspath(self.out))
        self._tmp: Path | None = None
        self._cleanup = None

    @property
    def path(self) -> Path:
        """The temporary folder to write into (created on first use)."""
        if self._tmp is None:
            parent = self._target.parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
                self._tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self._target.name}.", suffix=".partial"))
            except OSError as exc:      # a file in the way, a read-only file system, no permission
                blocking = next((p for p in (parent, *parent.parents) if p.exists()), None)
                if blocking is not None and not blocking.is_dir():
                    raise OutputFolderError(f"{blocking} is a file, not a folder") from None
                raise OutputFolderError(f"cannot write to {self.out} ({exc.strerror or exc})") from None
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._tmp, 0o777 & ~umask)       # mkdtemp creates 0700; results are for sharing
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(self._tmp), True)
        return self._tmp

    def commit(self) -> Path:
        """Put the finished folder in place of ``out``; returns ``out``."""
        tmp = self.path
        check_output_folder(self.out, self.marker, self.overwrite)   # again: another process may have written
        names = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file() and p.name != WRITTEN)
        (tmp / WRITTEN).write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
        target = self._target
        if target.is_dir() and any(target.iterdir()):
            old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
            os.rename(target, old)
            try:
                os.rename(tmp, target)
            except BaseException:
                os.rename(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            if target.is_dir():
                target.rmdir()
            os.rename(tmp, target)
        self._cleanup.detach()
        return self.out

    def keep_aside(self) -> Path:
        """Keep what was written so far, as ``<out>.incomplete`` beside ``out`` (``-2``, ``-3``... if taken).

        For a failure after the computing: ``out`` stays as it was, and the
        files already complete are not lost. Returns where they are (the
        temporary folder itself if it cannot be renamed).
        """
        tmp = self.path
        for k in range(1, 1000):
            aside = self._target.with_name(f"{self._target.name}.incomplete" + (f"-{k}" if k > 1 else ""))
            if aside.exists():
                continue
            try:
                os.rename(tmp, aside)
            except OSError:
                break
            self._tmp = aside
            break
        self._cleanup.detach()
        return self._tmp

    def discard(self) -> None:
        """Remove the temporary folder; ``out`` stays as it was."""
        if self._cleanup is not None:
            self._cleanup()

    def __enter__(self) -> "ResultFolder":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


# --- atomic file writing ---------------------------------------------------
def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp creates 0600; files are for sharing
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """Write a text file (UTF-8) atomically: a reader sees the old file or the whole new one."""
    _atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_json(path: Path, data: dict) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
    _atomic(Path(path), write)


def arrow_table(table: pd.DataFrame, metadata: dict[str, str] | None = None):
    """A pyarrow table of a frame, with ``metadata`` added to pandas' own schema metadata."""
    import pyarrow as pa

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    if metadata:
        merged = dict(arrow.schema.metadata or {})
        merged.update({str(k).encode(): str(v).encode() for k, v in metadata.items()})
        arrow = arrow.replace_schema_metadata(merged)
    return arrow


def write_parquet(path: Path, table: pd.DataFrame, metadata: dict[str, str] | None = None) -> None:
    """Write a frame as Parquet, atomically, with ``metadata`` in the file's key-value metadata."""
    import pyarrow.parquet as pq

    _atomic(Path(path), lambda tmp: pq.write_table(arrow_table(table, metadata), tmp))


def _csv_table(arrow):
    """A pyarrow table as CSV writes it: labels for categoricals, months as dates."""
    import pyarrow as pa

    columns = []
    for field, column in zip(arrow.schema, arrow.columns):
        if pa.types.is_dictionary(field.type):
            column = column.cast(pa.string())
        elif pa.types.is_timestamp(field.type):
            column = column.cast(pa.date32())
        columns.append(column)
    return pa.table(columns, names=arrow.column_names)


def write_csv(path: Path, table: pd.DataFrame) -> None:
    """Write a frame as CSV, atomically: labels for categoricals, months as YYYY-MM-DD, true/false."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    plain = _csv_table(pa.Table.from_pandas(table, preserve_index=False))
    _atomic(Path(path), lambda tmp: pcsv.write_csv(plain, tmp))


def write_figure(path: Path, figure) -> None:
    _atomic(Path(path), lambda tmp: figure.savefig(tmp, dpi=120, bbox_inches="tight", format="png"))
