"""Sweeps: run an experiment on all local cores or a Dask cluster, resumably.

Results stream to ``DIR/chunks/*.parquet``, one file per finished batch of
runs, each written atomically (temporary file, then rename), and a
manifest ``DIR/manifest.json`` records the experiment (its text and
SHA-256), the package version, the seeds, the start time and the progress.
Which runs are done is read from the chunk files themselves, so a killed
sweep loses at most the runs in flight, ``--resume`` skips every run
already on disk, and no run is ever stored twice. Only the batches in
flight are held in memory, so memory stays flat however many runs a sweep
has.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sys
import uuid
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from chainsim.core.measurement import INDICATORS, LEVEL_CLASSES, STAGES
from chainsim.experiment import Experiment
from chainsim.model import ChainModel
from chainsim.results import write_json, write_parquet

MANIFEST = "manifest.json"
CHUNKS = "chunks"


class SweepError(ValueError):
    """A sweep that cannot start: an output folder holding another sweep, a changed experiment."""


# --- one batch of runs (executed in a worker) -------------------------------
def run_batch(experiment: Experiment, run_ids: list[int]) -> pd.DataFrame:
    """Run the given runs of an experiment; rows as kept by the experiment."""
    frames = []
    for run_id in run_ids:
        point, _ = experiment.run_key(run_id)
        model = ChainModel(config=experiment.config(point), rng=np.random.default_rng(experiment.seed_sequence(run_id)))
        model.run()
        frames.append(_rows(experiment.keep, run_id, model))
    return pd.concat(frames, ignore_index=True)


def pattern_row(model) -> dict[str, float]:
    """The observation month's national picture of one run (see :func:`pattern_from_arrays`)."""
    rec = model.recorder
    return pattern_from_arrays(rec.stage, rec.level_class, rec.items, model.regions_state.codes,
                               model.calendar.observed_index)


def pattern_from_arrays(stage, level_class, items, codes, t: int) -> dict[str, float]:
    """Numbers of regions per stage, Table 3.4 class and item at month ``t``, and each region's stage.

    The columns are ``n_<stage>``, ``n_<class>``, ``n_<item>`` and
    ``stage_<region code>``; used by the calibration.
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


def _rows(keep: str, run_id: int, model) -> pd.DataFrame:
    if keep == "patterns":
        return pd.DataFrame([{"run_id": np.int32(run_id), **pattern_row(model)}])
    recorder, codes = model.recorder, model.regions_state.codes
    stage, level_class = recorder.stage, recorder.level_class
    T, R = stage.shape
    if keep == "regions":
        return pd.DataFrame({
            "run_id": np.full(T * R, run_id, dtype=np.int32),
            "month": np.repeat(np.arange(T, dtype=np.int16), R),
            "region": pd.Categorical(np.tile(codes, T), categories=codes),
            "stage": stage.ravel().astype(np.int8),
            "cooperation_class": level_class.ravel().astype(np.int8),
        })
    frame = {"run_id": np.full(T, run_id, dtype=np.int32), "month": np.arange(T, dtype=np.int16)}
    for k, name in enumerate(STAGES):
        frame[f"share_{name}"] = (stage == k).mean(axis=1)
    for k, name in enumerate(LEVEL_CLASSES):
        frame[f"n_{name}"] = (level_class == k).sum(axis=1).astype(np.int16)
    return pd.DataFrame(frame)


# --- storage ------------------------------------------------------------------
def completed_runs(out: Path) -> set[int]:
    """Run ids stored in the chunk files of a sweep folder."""
    done: set[int] = set()
    for path in sorted((out / CHUNKS).glob("*.parquet")):
        done.update(pq.read_table(path, columns=["run_id"]).column("run_id").to_numpy().tolist())
    return done


def _write_chunk(out: Path, frame: pd.DataFrame) -> None:
    first = int(frame["run_id"].min())
    write_parquet(out / CHUNKS / f"runs-{first:07d}-{uuid.uuid4().hex[:8]}.parquet", frame)


def _manifest(experiment: Experiment, started: str, done: int, workers: str) -> dict:
    from chainsim import __version__

    return {
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.sha256,
        "experiment_text": experiment.text,
        "chainsim_version": __version__,
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
        "n_runs": experiment.n_runs,
        "completed_runs": done,
        "started": started,
        "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "workers": workers,
    }


def read_manifest(out: Path) -> dict:
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise SweepError(f"{out}: no sweep here ({MANIFEST} missing)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_results(out: str | Path) -> pd.DataFrame:
    """All stored runs of a sweep as one frame, with design point, replication and factor values.

    Sorted by run, month (and region); a partly finished sweep gives the runs
    done so far.
    """
    out = Path(out)
    manifest = read_manifest(out)
    files = sorted((out / CHUNKS).glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    if "month" not in frame:                      # kept "patterns": one row per run
        frame = frame.sort_values("run_id", ignore_index=True)
        reps = manifest["replications"]
        frame.insert(1, "point", (frame["run_id"] // reps).astype(np.int32))
        frame.insert(2, "replication", (frame["run_id"] % reps).astype(np.int32))
        points = pd.DataFrame(manifest["points"], columns=manifest["factors"])
        return frame.join(points, on="point")
    keys = ["run_id", "month"] + (["region"] if "region" in frame else [])
    if "region" in frame:
        frame["region"] = frame["region"].astype(str)
    frame = frame.sort_values(keys, ignore_index=True)
    reps = manifest["replications"]
    frame.insert(1, "point", (frame["run_id"] // reps).astype(np.int32))
    frame.insert(2, "replication", (frame["run_id"] % reps).astype(np.int32))
    points = pd.DataFrame(manifest["points"], columns=manifest["factors"])
    points.index.name = "point"
    frame = frame.join(points, on="point")
    months = np.asarray(manifest["months"])
    frame["month"] = pd.Categorical(months[frame["month"].to_numpy()], categories=list(months), ordered=True)
    return frame


def run_outcomes(out: str | Path) -> pd.DataFrame:
    """Per run: share of coordinated regions at the observation month and at the end, with factors."""
    out = Path(out)
    manifest = read_manifest(out)
    frame = load_results(out)
    months = manifest["months"]
    at = {"observed_at": months[manifest["observed_index"]], "end": months[-1]}
    if "stage" in frame:
        share = (frame.assign(coordinated=frame["stage"] == 0)
                 .groupby(["run_id", "month"], observed=True)["coordinated"].mean().rename("share_coordinated")
                 .reset_index())
    else:
        share = frame[["run_id", "month", "share_coordinated"]]
    wide = share[share["month"].isin(at.values())].pivot(index="run_id", columns="month",
                                                          values="share_coordinated")
    result = pd.DataFrame({f"coordinated_{k}": wide[v].to_numpy() for k, v in at.items()}, index=wide.index)
    reps = manifest["replications"]
    result["point"] = result.index // reps
    result["replication"] = result.index % reps
    points = pd.DataFrame(manifest["points"], columns=manifest["factors"])
    return result.join(points, on="point").reset_index()


# --- execution ----------------------------------------------------------------
def _batches(todo: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(todo), size):
        yield todo[i:i + size]


def run_sweep(experiment: Experiment, out: str | Path, workers: int = 1, resume: bool = False,
              scheduler: str | None = None, quiet: bool = False) -> dict:
    """Run (or resume) a sweep; returns its manifest."""
    out = Path(out)
    manifest_path = out / MANIFEST
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    done: set[int] = set()
    if manifest_path.is_file():
        old = read_manifest(out)
        if not resume:
            raise SweepError(f"{out} already holds a sweep of {old['experiment_file']}; "
                             "add --resume to continue it, or choose another --out")
        if old["experiment_sha256"] != experiment.sha256:
            raise SweepError(f"{experiment.path} has changed since the sweep in {out} started "
                             "(its SHA-256 differs); choose another --out for the new experiment")
        started = old["started"]
        done = completed_runs(out)
    where = f"dask scheduler {scheduler}" if scheduler else f"{workers} local processes"
    write_json(manifest_path, _manifest(experiment, started, len(done), where))
    todo = [r for r in range(experiment.n_runs) if r not in done]
    from tqdm import tqdm

    bar = tqdm(total=experiment.n_runs, initial=len(done), unit="run", disable=quiet, file=sys.stderr,
               desc=experiment.name, dynamic_ncols=True)
    slots = workers if not scheduler else max(workers, 1)
    size = max(1, min(8, len(todo) // (4 * slots) if todo else 1))

    def store(frame: pd.DataFrame) -> None:
        _write_chunk(out, frame)
        n = frame["run_id"].nunique()
        done.update(frame["run_id"].unique().tolist())
        bar.update(n)
        write_json(manifest_path, _manifest(experiment, started, len(done), where))

    try:
        if scheduler:
            _run_dask(experiment, todo, size, scheduler, store)
        elif workers == 1:
            for batch in _batches(todo, size):
                store(run_batch(experiment, batch))
        else:
            _run_local(experiment, todo, size, workers, store)
    finally:
        bar.close()
    return read_manifest(out)


def _run_local(experiment: Experiment, todo: list[int], size: int, workers: int, store) -> None:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    batches = iter(_batches(todo, size))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        running = set()
        try:
            while True:
                while len(running) < 2 * workers:
                    batch = next(batches, None)
                    if batch is None:
                        break
                    running.add(pool.submit(run_batch, experiment, batch))
                if not running:
                    return
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    store(future.result())
        except BaseException:
            for future in running:
                future.cancel()
            raise


def _run_dask(experiment: Experiment, todo: list[int], size: int, scheduler: str, store) -> None:
    from distributed import Client, as_completed

    with Client(scheduler, set_as_default=False) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        remote = client.scatter(experiment, broadcast=True)
        batches = iter(_batches(todo, size))
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
