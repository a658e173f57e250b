"""Sweeps: run an experiment on all local cores or a Dask cluster, resumably.

Results stream to ``DIR/chunks/*.parquet``, one file per finished batch of
runs, each written atomically (temporary file, then rename), and a
manifest ``DIR/manifest.json`` records the experiment (its text and
SHA-256), the package version, the seeds, the configuration hash of every
design point, the start time and the progress. Which runs are done is read
from the chunk files themselves, so a killed sweep loses at most the runs
in flight, ``--resume`` skips every run already on disk, and no run is ever
stored twice. Only the batches in flight are held in memory, so memory
stays flat however many runs a sweep has.

Every chunk file describes itself (the schema of docs/outputs.md, shared
with ``chainsim run``): each row carries its run, design point,
replication, seed, scenario and factor values; months are dates, stages
and classes labelled categoricals, regions code and name; the file metadata
holds the chainsim version, the experiment's SHA-256 and the configuration
hash of its design points. ``duckdb.sql("SELECT * FROM 'DIR/chunks/*.parquet'")``
or ``pandas.read_parquet("DIR/chunks")`` read a sweep without chainsim.

A sweep runs the era of its experiment's base scenario
(:data:`chainsim.core.eras.ERAS`) on the same code: the regions of 2012-2016
keep the columns above; the werkplein locations of 2005-2011 keep the era's
own -- ``location_code``, ``location_name`` and the era's stages (integrated,
partly, separate), or the shares of locations per stage and per item of the
era's measurement (:func:`sweep_columns`). The manifest records the era.

Nothing lost, nothing mixed: ``--resume`` refuses (one line) a folder whose
experiment file, design points' resolved configurations or chainsim version
differ from this one's, a folder with chunks but no manifest, a damaged
file, a chunk of another experiment and a run stored twice; ``DIR/.lock``
(the writer's process id, taken over when that process is gone) keeps a
second sweep out; and an exception in the parent -- the CLI turns SIGTERM
and SIGINT into one -- stores the batches already finished, cancels the
rest and terminates the workers before it propagates. A signal that comes
while the pool starts its workers waits until they are started; a worker
whose sweep process is gone (SIGKILL) ends by itself within a second.
tests/test_soak.py kills and resumes a sweep again and again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import sys
import threading
import time
import tomllib
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from chainsim.core.eras import ERAS, REGIONS, Era
from chainsim.core.measurement import INDICATORS, LEVEL_CLASSES, STAGES
from chainsim.experiment import Experiment
from chainsim.results import (
    KEY_COLUMNS,
    SCHEMA_VERSION,
    config_sha256,
    is_national,
    month_starts,
    region_list,
    resolved_region_codes,
    write_json,
    write_parquet,
)
from chainsim.runner import BATCH_MAX, RunResult, simulate_batch, worker_context

MANIFEST = "manifest.json"
CHUNKS = "chunks"
LOCK = ".lock"


class SweepError(ValueError):
    """A sweep that cannot start: an output folder holding another sweep, a changed experiment."""


# --- one batch of runs (executed in a worker) -------------------------------
def run_batch(experiment: Experiment, run_ids: list[int]) -> pd.DataFrame:
    """Run the given runs of an experiment; rows as kept by the experiment.

    The runs of one design point are simulated side by side in one world
    (:func:`chainsim.runner.simulate_batch`); each draws from its own seed,
    so neither the batch nor its order changes a run's rows.
    """
    by_point: dict[int, list[int]] = {}
    for run_id in run_ids:
        by_point.setdefault(experiment.run_key(run_id)[0], []).append(run_id)
    results = {}
    for point, ids in by_point.items():
        config = experiment.config(point)
        seeds = [(experiment.seed_sequence(run_id), run_id) for run_id in ids]
        for run_id, result in zip(ids, simulate_batch(config, seeds, events=False), strict=True):
            results[run_id] = (result, config.calendar)
    return pd.concat([_rows(experiment, run_id, *results[run_id]) for run_id in run_ids], ignore_index=True)


def pattern_row(result: RunResult, calendar) -> dict[str, float]:
    """The observation month's national picture of one run (see :func:`pattern_from_arrays`)."""
    return pattern_from_arrays(result.stage, result.level_class, result.items, result.region_codes,
                               calendar.observed_index)


def pattern_from_arrays(stage, level_class, items, codes, t: int) -> dict[str, float]:
    """Numbers of regions per stage, Table 3.4 class and item at month ``t``, and each region's stage.

    The columns are ``n_<stage>``, ``n_<class>``, ``n_<item>`` and
    ``stage_<region code>`` (the stage as a number: 0 coordinated, 1 middle,
    2 little); used by the calibration.
    """
    row: dict[str, float] = {}
    for k, name in enumerate(STAGES):
        row[f"n_{name}"] = int((stage[t] == k).sum())
    for k, name in enumerate(LEVEL_CLASSES):
        row[f"n_{name}"] = int((level_class[t] == k).sum())
    for k, name in enumerate(INDICATORS):
        row[f"n_{name}"] = int(items[t, :, k].sum())
    for code, value in zip(codes, stage[t]):
        row[f"stage_{code}"] = int(value)
    return row


def era_pattern_row(result: RunResult, calendar, era: Era) -> dict[str, float]:
    """The observation month's shares of units of one run of an era other than the regions':
    ``share_<stage>`` per stage and ``share_<item>`` per item of the era's measurement."""
    t = calendar.observed_index
    return {**{f"share_{name}": float((result.stage[t] == k).mean()) for k, name in enumerate(era.stages)},
            **{f"share_{name}": float(result.items[t, :, k].mean()) for k, name in enumerate(era.indicators)}}


def unit_list(codes, era: str = REGIONS.name) -> list[dict[str, str]]:
    """``[{"code": ..., "name": ...}]`` for the units of an era: regions (:func:`chainsim.results.region_list`),
    or the era's own units by their names (``Werkplein <host municipality>``)."""
    if era == REGIONS.name:
        return region_list(codes)
    names = {info.code: info.name for info in ERAS[era].select(None)}
    return [{"code": code, "name": names.get(code, code)} for code in codes]


def _all_units(codes, era: str) -> bool:
    """Whether ``codes`` are all the units of the era (all 35 regions, all werkplein locations)."""
    if era == REGIONS.name:
        return is_national(codes)
    return sorted(codes) == sorted(info.code for info in ERAS[era].select(None))


UNIT_CODES = tuple(dict.fromkeys(f"{era.unit}_code" for era in ERAS.values()))
"""The column that holds the unit of a row, per era: ``region_code``, ``location_code``."""


def _era_columns(keep: str, era: Era, items) -> list[tuple[str, str, str, str]]:
    """The columns after the factors of a sweep of an era other than the regions'."""
    unit = era.unit
    stage_type = f"ordered categorical: {' < '.join(era.stages)}"
    if keep == "regions":
        return [("month", *KEY_COLUMNS["month"]),
                (f"{unit}_code", "categorical (string)", "–",
                 f"code of the {unit} (labour market region code / number, e.g. AM02/1), categories in table order"),
                (f"{unit}_name", "categorical (string)", "–", f"name of the {unit} (Werkplein <host municipality>)"),
                ("stage", stage_type, "–", f"stage of the {unit} in the era {era.name} "
                                           "(chainsim.core.location_measurement)")]
    at = "" if keep == "national" else " at the observation month"
    columns = [("month", *KEY_COLUMNS["month"])] if keep == "national" else []
    columns += [(f"share_{name}", "float64", "share, 0 to 1", f"share of the {unit}s in stage {name}{at}")
                for name in era.stages]
    columns += [(f"share_{name}", "float64", "share, 0 to 1", f"share of the {unit}s with this item{at}, one "
                 f"column per item of the era's measurement (chainsim.core.location_measurement)")
                for name in items]
    return columns


def sweep_columns(keep: str, factors=("<factor>",), codes=("<code>",),
                  items=("<item>",), era: str = REGIONS.name) -> list[tuple[str, str, str, str]]:
    """(column, type, unit, meaning) of the chunk files of a sweep that keeps ``keep`` (docs/outputs.md).

    ``factors``, ``codes`` and ``items`` expand the per-factor, per-region and
    per-item columns (placeholders by default; the items are
    ``chainsim.core.measurement.INDICATORS``, or the era's indicators). ``era``
    is the base scenario's (:data:`chainsim.core.eras.ERAS`): a sweep of the
    werkplein locations keeps the era's columns (no per-location columns in
    ``patterns``, so ``codes`` is not used there).
    """
    columns = [
        ("run_id", "int32", "–", "run: point x replications + replication"),
        ("point", "int32", "–", "design point, an index into the manifest's `points`"),
        ("replication", "int32", "–", "replication of the design point, 0 to replications - 1"),
        ("seed", "int64", "–", "the experiment's root seed; a run's seed follows from it, the point and the "
                               "replication (manifest `seed_tree`)"),
        ("scenario", *KEY_COLUMNS["scenario"][:2], "name of the experiment's base scenario"),
    ]
    columns += [(name, "float64 (string for the factor `lever`)", "–",
                 "the factor's value at this design point, named as in the experiment file") for name in factors]
    if era != REGIONS.name:
        return columns + _era_columns(keep, ERAS[era], items)
    if keep == "regions":
        columns += [(name, *KEY_COLUMNS[name]) for name in
                    ("month", "region_code", "region_name", "stage", "cooperation_class")]
    elif keep == "national":
        columns.append(("month", *KEY_COLUMNS["month"]))
        columns += [(f"share_{name}", "float64", "share, 0 to 1", f"share of the regions in stage {name}")
                    for name in STAGES]
        columns += [(f"n_{name}", "int16", "count", f"number of regions in Table 3.4 class {name}")
                    for name in LEVEL_CLASSES]
    else:
        columns += [(f"n_{name}", "int64", "count", f"number of regions in stage {name} at the observation month")
                    for name in STAGES]
        columns += [(f"n_{name}", "int64", "count", f"number of regions in Table 3.4 class {name} at the "
                     "observation month") for name in LEVEL_CLASSES]
        columns += [(f"n_{name}", "int64", "count", "number of regions with this item at the observation month, "
                     "one column per item (region_months.parquet describes the items)") for name in items]
        columns += [(f"stage_{code}", "int64", "0, 1 or 2", "stage of the region with this code at the observation "
                     "month as a number: 0 coordinated, 1 middle, 2 little (the calibration's format)")
                    for code in codes]
    return columns


def _labelled(codes: np.ndarray, labels, ordered: bool = False) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes), categories=list(labels), ordered=ordered)


def _run_columns(run_id: int, point: int, replication: int, seed: int, scenario: str,
                 factors: dict, n: int) -> dict:
    """The columns every stored row starts with: run, design point, replication, seed, scenario, factors."""
    columns = {
        "run_id": np.full(n, run_id, dtype=np.int32),
        "point": np.full(n, point, dtype=np.int32),
        "replication": np.full(n, replication, dtype=np.int32),
        "seed": np.full(n, seed, dtype=np.int64),
        "scenario": _labelled(np.zeros(n, dtype=np.int8), [scenario]),
    }
    for name, value in factors.items():
        columns[name] = np.full(n, value, dtype=object if isinstance(value, str) else np.float64)
    return columns


def _era_body(keep: str, era: Era, result: RunResult, calendar) -> tuple[dict, int]:
    """The columns after the factors of one run of an era other than the regions' (:func:`_era_columns`)."""
    if keep == "patterns":
        return {name: [value] for name, value in era_pattern_row(result, calendar, era).items()}, 1
    codes = list(result.region_codes)
    stage = result.stage
    T, R = stage.shape
    months = month_starts(calendar.months)
    if keep == "regions":
        index = np.tile(np.arange(R, dtype=np.int32), T)
        return {
            "month": np.repeat(months, R),
            f"{era.unit}_code": _labelled(index, codes),
            f"{era.unit}_name": _labelled(index, [u["name"] for u in unit_list(codes, era.name)]),
            "stage": _labelled(stage.ravel(), era.stages, ordered=True),
        }, T * R
    body = {"month": months}
    for k, name in enumerate(era.stages):
        body[f"share_{name}"] = (stage == k).mean(axis=1)
    for k, name in enumerate(era.indicators):
        body[f"share_{name}"] = result.items[:, :, k].mean(axis=1)
    return body, T


def _rows(experiment: Experiment, run_id: int, result: RunResult, calendar) -> pd.DataFrame:
    point, replication = experiment.run_key(run_id)
    keep = experiment.keep
    if experiment.era != REGIONS.name:
        body, n = _era_body(keep, ERAS[experiment.era], result, calendar)
    elif keep == "patterns":
        body: dict = {name: [value] for name, value in pattern_row(result, calendar).items()}
        n = 1
    else:
        codes = list(result.region_codes)
        stage, level_class = result.stage, result.level_class
        T, R = stage.shape
        months = month_starts(calendar.months)
        if keep == "regions":
            n = T * R
            index = np.tile(np.arange(R, dtype=np.int32), T)
            body = {
                "month": np.repeat(months, R),
                "region_code": _labelled(index, codes),
                "region_name": _labelled(index, [r["name"] for r in region_list(codes)]),
                "stage": _labelled(stage.ravel(), STAGES, ordered=True),
                "cooperation_class": _labelled(level_class.ravel(), LEVEL_CLASSES, ordered=True),
            }
        else:
            n = T
            body = {"month": months}
            for k, name in enumerate(STAGES):
                body[f"share_{name}"] = (stage == k).mean(axis=1)
            for k, name in enumerate(LEVEL_CLASSES):
                body[f"n_{name}"] = (level_class == k).sum(axis=1).astype(np.int16)
    head = _run_columns(run_id, point, replication, experiment.seed, experiment.base.name,
                        experiment.point_values(point), n)
    frame = pd.DataFrame({**head, **body})
    for name, value in experiment.point_values(point).items():
        if isinstance(value, str):
            frame[name] = frame[name].astype(str)
    return frame


# --- storage ------------------------------------------------------------------
def _damaged(path: Path, exc: Exception, what: str) -> SweepError:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return SweepError(f"{path} is damaged ({reason}); {what}")


def _chunk_files(out: Path) -> list[Path]:
    return sorted((out / CHUNKS).glob("*.parquet"))


def _chunk_run_ids(path: Path, experiment_sha256: str | None) -> list[int]:
    """The run ids of one chunk file, after checking that it is readable and belongs to the sweep."""
    try:
        table = pq.read_table(path, columns=["run_id"])
    except Exception as exc:   # pyarrow raises ArrowInvalid, OSError, ... for a truncated or foreign file
        raise _damaged(path, exc, "move it out of the folder and --resume reruns its runs") from None
    meta = table.schema.metadata or {}
    theirs = meta.get(b"experiment_sha256", b"").decode()
    if experiment_sha256 and theirs and theirs != experiment_sha256:
        raise SweepError(f"{path} is a foreign chunk: it holds runs of another experiment "
                         f"(SHA-256 {theirs[:12]}, this sweep's is {experiment_sha256[:12]}); move it away")
    return table.column("run_id").to_numpy().tolist()


def completed_runs(out: Path, manifest: dict | None = None) -> set[int]:
    """Run ids stored in the chunk files of a sweep folder.

    Raises :class:`SweepError` (one line) for a damaged chunk, a chunk of
    another experiment (when ``manifest`` is given) and a run stored twice.
    """
    done: dict[int, Path] = {}
    sha = (manifest or {}).get("experiment_sha256")
    for path in _chunk_files(Path(out)):
        for run_id in _chunk_run_ids(path, sha):
            if run_id in done and done[run_id] != path:
                raise SweepError(f"run {run_id} is stored twice, in {done[run_id].name} and {path.name} "
                                 f"({Path(out) / CHUNKS}); start a new folder")
            done[run_id] = path
    return set(done)


def _chunk_metadata(experiment: Experiment, hashes: list[str], points) -> dict[str, str]:
    from chainsim.version import version

    metadata = {
        "chainsim_version": version(),
        "schema_version": str(SCHEMA_VERSION),
        "experiment": experiment.name,
        "experiment_sha256": experiment.sha256,
        "keep": experiment.keep,
        "seed": str(experiment.seed),
        "config_sha256": json.dumps({str(p): hashes[p] for p in sorted(set(int(p) for p in points))}),
    }
    if experiment.era != REGIONS.name:          # a region sweep's chunks stay as they were
        metadata["era"] = experiment.era
    return metadata


def _write_chunk(out: Path, frame: pd.DataFrame, metadata: dict[str, str]) -> None:
    first = int(frame["run_id"].min())
    write_parquet(out / CHUNKS / f"runs-{first:07d}-{uuid.uuid4().hex[:8]}.parquet", frame, metadata)


def data_sha256() -> str:
    """SHA-256 over chainsim's data files (``chainsim/data/*.csv`` and ``*.toml``, by name and content)."""
    digest = hashlib.sha256()
    files = sorted((f for f in resources.files("chainsim.data").iterdir()
                    if f.name.endswith((".csv", ".toml"))), key=lambda f: f.name)
    for f in files:
        digest.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def point_hashes(experiment: Experiment) -> list[str]:
    """The configuration hash (:func:`chainsim.results.config_sha256`) of every design point."""
    return [config_sha256(experiment.config(p)) for p in range(len(experiment.points))]


def _manifest(experiment: Experiment, started: str, done: int, workers: str, hashes: list[str]) -> dict:
    from chainsim.version import version

    codes = resolved_region_codes(experiment.base.run_config())
    return {
        "schema_version": SCHEMA_VERSION,
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.sha256,
        "experiment_text": experiment.text,
        "chainsim_version": version(),
        "scenario": experiment.base.name,
        "era": experiment.era,
        "base_config_sha256": config_sha256(experiment.base.run_config()),
        "config_sha256": hashes,
        "data_sha256": data_sha256(),
        "seed": experiment.seed,
        "seed_tree": ("SeedSequence(seed, spawn_key=(replication,)): common random numbers across points"
                      if experiment.common_random_numbers else
                      "SeedSequence(seed, spawn_key=(point, replication))"),
        "design": experiment.design,
        "factors": [f.name for f in experiment.factors],
        "points": [list(p) for p in experiment.points],
        "sampler": experiment.sampler,
        "replications": experiment.replications,
        "keep": experiment.keep,
        "months": [str(m) for m in experiment.base.calendar.months],
        "observed_index": experiment.base.calendar.observed_index,
        "regions": len(codes),
        "national": _all_units(codes, experiment.era),
        "region_list": unit_list(codes, experiment.era),
        "n_runs": experiment.n_runs,
        "completed_runs": done,
        "started": started,
        "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "workers": workers,
    }


def read_manifest(out: Path) -> dict:
    path = Path(out) / MANIFEST
    if not path.is_file():
        if not Path(out).exists():
            raise SweepError(f"{out}: no such folder (allowed: a folder written by chainsim sweep)")
        if (Path(out) / "summary.json").is_file():
            rows, shares = Path(out) / "region_months.parquet", Path(out) / "location_shares.csv"
            werkplein = shares.is_file() and not rows.is_file()
            read = (f"pandas.read_csv('{shares}') (the werkplein era's shares)" if werkplein
                    else f"pandas.read_parquet('{rows}')")
            raise SweepError(f"{out} holds a chainsim run, not a sweep ({MANIFEST} missing): read its rows with "
                             f"{read}")
        raise SweepError(f"{out}: no sweep here ({MANIFEST} missing)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _damaged(path, exc, "its runs cannot be trusted: start a new folder") from None
    if not isinstance(manifest, dict) or "experiment_sha256" not in manifest:
        raise SweepError(f"{path} is damaged (not a sweep manifest); start a new folder")
    return manifest


def resume_mismatch(manifest: dict, experiment: Experiment, hashes: list[str]) -> str | None:
    """What differs between the sweep a manifest started and this experiment, as one line; None if nothing.

    Compares the experiment file, every design point's resolved configuration
    (base scenario, calibrated defaults, regions ...), chainsim's data files
    and the chainsim version. A different version is refused even when the
    configurations hash equal: the model code may have changed.
    """
    from chainsim.version import version

    if manifest["experiment_sha256"] != experiment.sha256:
        then = manifest.get("experiment_file")
        if then is not None and Path(then).name != Path(experiment.path).name:
            return (f"it holds a sweep of {then}, not of {experiment.path}; choose another --out for this "
                    "experiment")
        return (f"{experiment.path} has changed since the sweep started (its SHA-256 differs); "
                "choose another --out for the new experiment")
    old = manifest.get("config_sha256")
    if old is not None:
        if len(old) != len(hashes):
            return (f"the experiment now has {len(hashes)} design points, the sweep was started with "
                    f"{len(old)}; start a new folder")
        for point, (a, b) in enumerate(zip(old, hashes)):
            if a != b:
                return (f"design point {point}'s configuration differs from the one this folder was started "
                        "with (base scenario or calibrated defaults changed); start a new folder")
    if manifest.get("data_sha256", data_sha256()) != data_sha256():
        return "chainsim's data files (chainsim/data) differ from those this sweep started with; start a new folder"
    then, now = manifest.get("chainsim_version"), version()
    if then is not None and then != now:
        return (f"chainsim version {then} started this sweep, this is {now}: resume with the same version "
                "or start a new folder")
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_lock(out: Path) -> Path:
    """Create ``out/.lock`` (O_EXCL) holding this process's id; a lock of a process that is gone is taken over."""
    lock = out / LOCK
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            age = 0.0
            try:
                age = time.time() - lock.stat().st_mtime
                pid = int(lock.read_text().strip() or 0)
            except FileNotFoundError:
                continue                     # released meanwhile
            except (OSError, ValueError):
                pid = 0
            fresh = pid == 0 and age < 10    # just created, its process id not yet written
            if fresh or (pid > 0 and _pid_alive(pid)):
                raise SweepError(f"{out} is in use by another sweep (process {pid or '?'}, {lock}); wait for it "
                                 "to finish or stop it") from None
            lock.unlink(missing_ok=True)     # stale: its process is gone
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()}\n")
        return lock
    raise SweepError(f"{out}: cannot take the lock {lock}; remove it if no sweep runs")


def _legacy_scenario(manifest: dict) -> str:
    """The base scenario's name, for a manifest written before it was recorded."""
    if "scenario" in manifest:
        return manifest["scenario"]
    try:
        base = str(tomllib.loads(manifest["experiment_text"]).get("base", "unknown"))
    except (tomllib.TOMLDecodeError, KeyError):
        return "unknown"
    return Path(base.removeprefix("chainsim:")).name.removesuffix(".toml")


def upgrade_chunk(frame: pd.DataFrame, manifest: dict) -> pd.DataFrame:
    """A chunk written before schema 2 (month as an index, stage and class as numbers, ``region``) in schema 2."""
    if "point" in frame:
        return frame
    reps = manifest["replications"]
    run_id = frame["run_id"].to_numpy().astype(np.int64)
    n = len(frame)
    head = pd.DataFrame({
        "run_id": run_id.astype(np.int32), "point": (run_id // reps).astype(np.int32),
        "replication": (run_id % reps).astype(np.int32), "seed": np.full(n, manifest["seed"], dtype=np.int64),
        "scenario": _labelled(np.zeros(n, dtype=np.int8), [_legacy_scenario(manifest)]),
    })
    points = pd.DataFrame(manifest["points"], columns=manifest["factors"])
    head = head.join(points, on="point")
    body = frame.drop(columns=["run_id"])
    if "month" in body:
        body["month"] = month_starts(manifest["months"])[body["month"].to_numpy().astype(np.int64)]
    if "region" in body:
        from chainsim.core.regions import load_regions

        seen = set(body["region"].astype(str))
        codes = [r.code for r in load_regions() if r.code in seen] + sorted(seen - {r.code for r in load_regions()})
        index = pd.Categorical(body.pop("region").astype(str), categories=codes).codes
        body.insert(1, "region_code", _labelled(index, codes))
        body.insert(2, "region_name", _labelled(index, [r["name"] for r in region_list(codes)]))
    for column, labels in (("stage", STAGES), ("cooperation_class", LEVEL_CLASSES)):
        if column in body and not isinstance(body[column].dtype, pd.CategoricalDtype):
            body[column] = _labelled(body[column].to_numpy(), labels, ordered=True)
    return pd.concat([head, body.reset_index(drop=True)], axis=1)


def _upgrade_chunks(out: Path, manifest: dict) -> None:
    """Rewrite, in place and one file at a time, the chunks of a sweep written before schema 2."""
    metadata = {"chainsim_version": manifest.get("chainsim_version", "unknown"),
                "schema_version": str(SCHEMA_VERSION), "experiment_sha256": manifest["experiment_sha256"],
                "keep": manifest["keep"], "seed": str(manifest["seed"])}
    for path in sorted((out / CHUNKS).glob("*.parquet")):
        frame = pd.read_parquet(path)
        if "point" not in frame:
            write_parquet(path, upgrade_chunk(frame, manifest), metadata)


def load_results(out: str | Path) -> pd.DataFrame:
    """All stored runs of a sweep as one frame (the schema of docs/outputs.md).

    Every row has its run (``run_id``), design point (``point``),
    replication, seed, scenario and factor values. Sorted by ``run_id``,
    month (and region); a partly finished
    sweep gives the runs done so far. Sweeps written before schema 2 are
    read in schema 2.
    """
    out = Path(out)
    manifest = read_manifest(out)
    completed_runs(out, manifest)       # one line for a damaged or foreign chunk, a run stored twice
    files = _chunk_files(out)
    if not files:
        return pd.DataFrame()
    frame = pd.concat([upgrade_chunk(pd.read_parquet(p), manifest) for p in files], ignore_index=True)
    keys = ["run_id"] + [key for key in ("month", *UNIT_CODES) if key in frame]
    return frame.sort_values(keys, ignore_index=True)


def manifest_era(manifest: dict) -> Era:
    """The era a sweep ran (its manifest's ``era``; the regions for a sweep from before it was recorded)."""
    name = manifest.get("era", REGIONS.name)
    if name not in ERAS:
        raise SweepError(f"the sweep ran the era {name!r}, which this chainsim does not know "
                         f"(allowed: {', '.join(ERAS)})")
    return ERAS[name]


def run_outcomes(out: str | Path) -> pd.DataFrame:
    """Per run: share of units in the era's first stage at the observation month and at the end, with factors.

    Columns: ``run_id``, ``<stage>_observed_at``, ``<stage>_end`` (``coordinated_...``
    for regions, ``integrated_...`` for werkplein locations), ``point``,
    ``replication`` and one column per factor.
    """
    out = Path(out)
    manifest = read_manifest(out)
    first = manifest_era(manifest).stages[0]
    frame = load_results(out)
    if frame.empty:
        raise SweepError(f"{out}: no runs stored yet (a manifest but no chunks); start it with chainsim sweep "
                         "... --resume")
    months = month_starts(manifest["months"])
    at = {"observed_at": months[manifest["observed_index"]], "end": months[-1]}
    if "stage" in frame:
        share = (frame.assign(first=frame["stage"] == first)
                 .groupby(["run_id", "month"], observed=True)["first"].mean().rename(f"share_{first}")
                 .reset_index())
    else:
        share = frame[["run_id", "month", f"share_{first}"]]
    wide = share[share["month"].isin(list(at.values()))].pivot(index="run_id", columns="month",
                                                                values=f"share_{first}")
    result = pd.DataFrame({f"{first}_{k}": wide[v].to_numpy() for k, v in at.items()}, index=wide.index)
    reps = manifest["replications"]
    result["point"] = result.index // reps
    result["replication"] = result.index % reps
    points = pd.DataFrame(manifest["points"], columns=manifest["factors"])
    return result.join(points, on="point").reset_index()


# --- execution ----------------------------------------------------------------
def batches_in_order(experiment: Experiment, run_ids: list[int], size: int) -> list[list[int]]:
    """The batches runs are simulated in, in order: replications 0 to ``size`` - 1 of every design point,
    then the next ``size`` of every point, and so on; a batch holds runs of one point only.

    Where a sweep has more replications than a batch holds, one stopped
    part-way then holds about as many replications of each point, so that
    ``analyse`` can already compare them. Run ids, seeds and results do not
    depend on the order.
    """
    def key(run_id: int) -> tuple[int, int]:
        point, replication = experiment.run_key(run_id)
        return replication // size, point

    batches: list[list[int]] = []
    last = None
    for run_id in sorted(run_ids, key=lambda r: (*key(r), r)):
        if key(run_id) != last or len(batches[-1]) == size:
            batches.append([])
            last = key(run_id)
        batches[-1].append(run_id)
    return batches


def run_sweep(experiment: Experiment, out: str | Path, workers: int = 1, resume: bool = False,
              scheduler: str | None = None, quiet: bool = False) -> dict:
    """Run (or resume) a sweep; returns its manifest."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(out)
    try:
        return _run_locked(experiment, out, workers, resume, scheduler, quiet)
    finally:
        lock.unlink(missing_ok=True)


def _run_locked(experiment: Experiment, out: Path, workers: int, resume: bool, scheduler: str | None,
                quiet: bool) -> dict:
    manifest_path = out / MANIFEST
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    done: set[int] = set()
    hashes = point_hashes(experiment)
    if not manifest_path.is_file():
        if _chunk_files(out):
            raise SweepError(f"{out} holds chunks but no {MANIFEST}, so what they hold cannot be checked; "
                             "start a new folder (or put the manifest back)")
        for p in out.glob(f".{MANIFEST}.*.tmp"):    # the first manifest's write, killed (results._atomic)
            p.unlink(missing_ok=True)
        if any(p.name != LOCK for p in out.iterdir()):
            raise SweepError(f"{out} is not empty and holds no sweep ({MANIFEST} missing); choose another --out")
        if resume and not quiet:
            print(f"note: {out} holds no sweep to resume; starting a new one", file=sys.stderr)
    else:
        old = read_manifest(out)
        if not resume:
            raise SweepError(f"{out} already holds a sweep of {old.get('experiment_file')}; "
                             "add --resume to continue it, or choose another --out")
        mismatch = resume_mismatch(old, experiment, hashes)
        if mismatch:
            raise SweepError(f"cannot resume {out}: {mismatch}")
        started = old["started"]
        if old.get("schema_version", 1) != SCHEMA_VERSION:
            _upgrade_chunks(out, old)          # so that every chunk of the sweep has one schema
        done = completed_runs(out, old)
    where = f"dask scheduler {scheduler}" if scheduler else f"{workers} local processes"
    write_json(manifest_path, _manifest(experiment, started, len(done), where, hashes))
    todo = [r for r in range(experiment.n_runs) if r not in done]
    from tqdm import tqdm

    bar = tqdm(total=experiment.n_runs, initial=len(done), unit="run", disable=quiet, file=sys.stderr,
               desc=experiment.name, dynamic_ncols=True)
    slots = workers if not scheduler else max(workers, 1)
    size = max(1, min(BATCH_MAX, len(todo) // (4 * slots) if todo else 1))
    batches = batches_in_order(experiment, todo, size)

    def store(frame: pd.DataFrame) -> None:
        _write_chunk(out, frame, _chunk_metadata(experiment, hashes, frame["point"].unique()))
        n = frame["run_id"].nunique()
        done.update(frame["run_id"].unique().tolist())
        bar.update(n)
        write_json(manifest_path, _manifest(experiment, started, len(done), where, hashes))

    try:
        if scheduler:
            _run_dask(experiment, batches, scheduler, store)
        elif workers == 1:
            for batch in batches:
                store(run_batch(experiment, batch))
        else:
            _run_local(experiment, batches, workers, store)
    finally:
        bar.close()
    return read_manifest(out)


def _run_local(experiment: Experiment, batches: list[list[int]], workers: int, store) -> None:
    """Run batches on ``workers`` processes; on any exception (a signal, Ctrl-C) store what finished,
    cancel what is pending and terminate the workers before re-raising."""
    batches = iter(batches)
    running: set = set()

    def submit_more() -> None:
        while len(running) < 2 * workers:
            batch = next(batches, None)
            if batch is None:
                return
            running.add(pool.submit(run_batch, experiment, batch))

    pool = None
    try:
        # The pool starts its workers in the first submits; a signal then would leave a worker
        # the pool does not know yet (it lives on, then fails with a traceback when it finds the
        # pool's semaphores gone), so SIGTERM and SIGINT wait until the workers are started.
        with _signals_held():
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(),
                                       initializer=_end_with_parent, initargs=(os.getpid(),))
            submit_more()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                running.discard(future)      # before storing: a signal inside store() never stores it twice
                store(future.result())
            submit_more()
    except BaseException:
        if pool is not None:
            _stop_pool(pool, running, store)
        raise
    pool.shutdown(wait=True)


@contextmanager
def _signals_held():
    """Hold SIGTERM and SIGINT back for the block; one that came meanwhile is raised again at its end.

    Only in the main thread (elsewhere signals cannot be handled, and the block
    runs as is). The signal is raised with the handlers of before restored, so
    the command line's handler (or Python's default action) sees it as usual.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.getsignal(sig) for sig in held}
    for sig in held:
        if previous[sig] is not None:          # None: a handler not set from Python, left alone
            signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])


PARENT_CHECK_S = 0.5
"""How often a worker checks that the sweep process that started it is still there."""


def _end_with_parent(parent: int) -> None:
    """Worker initializer: end this worker soon after the sweep process ``parent`` is gone.

    A SIGKILL gives the sweep no chance to stop its pool, and the workers (with
    the forkserver and resource tracker, which wait for them) would live on:
    computing runs nobody stores and holding the terminal. A watcher thread
    checks every :data:`PARENT_CHECK_S` seconds and ends the worker at once
    when the parent's process id is gone. (Were that id reused within those
    seconds, the worker would stay: a risk accepted for a check that works
    with every start method.)
    """
    def watch() -> None:
        while _pid_alive(parent):
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="chainsim-sweep-parent-watch", daemon=True).start()


def _stop_pool(pool: ProcessPoolExecutor, running: set, store) -> None:
    """Store the batches already finished, cancel the rest, terminate the workers, shut the pool down."""
    for future in running:
        future.cancel()
    for future in running:
        if future.done() and not future.cancelled() and future.exception() is None:
            store(future.result())
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()


def _run_dask(experiment: Experiment, batches: list[list[int]], scheduler: str, store) -> None:
    from distributed import Client, as_completed

    with Client(scheduler, set_as_default=False) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        remote = client.scatter(experiment, broadcast=True)
        batches = iter(batches)
        first = [client.submit(run_batch, remote, batch, pure=False)
                 for batch in (next(batches, None) for _ in range(2 * n_workers)) if batch is not None]
        if not first:
            return
        futures = as_completed(first, loop=client.loop)
        for future in futures:
            store(future.result())
            batch = next(batches, None)
            if batch is not None:
                futures.add(client.submit(run_batch, remote, batch, pure=False))
