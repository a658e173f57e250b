"""`chainsim run` streams each replication's rows to disk and keeps a few KB per replication.

The streamed files must be exactly what the in-memory path writes (same rows,
same schema and metadata, the same CSV bytes), whatever the number of
workers and however the rows are cut into row groups; the summary from the
digests must be the summary from the full records, bit for bit.
"""

from __future__ import annotations

import gc
import json
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import chainsim.results as results_module
import chainsim.runner as runner_module
from chainsim import cli
from chainsim.cli import main
from chainsim.core.calendar import Calendar, Month
from chainsim.results import RegionMonthWriter, ReplicationDigest, Results
from chainsim.runner import BATCH_MAX, RunConfig, batch_size, iter_replications, run_replications

CONFIG = RunConfig(regions=("AM02", "AM12", "AM22"), calendar=Calendar(Month(2014, 1), Month(2015, 2), Month(2014, 11)))
SEED = 11
REPLICATIONS = 5


@pytest.fixture(scope="module")
def runs():
    return run_replications(CONFIG, REPLICATIONS, seed=SEED)


def test_digests_give_the_same_summary_bit_for_bit(runs):
    full = Results(CONFIG, runs, SEED)
    digested = Results(CONFIG, [ReplicationDigest.of(r) for r in runs], SEED)
    assert digested.summary() == full.summary()
    for view in ("stage_shares", "level_class_counts", "indicator_shares"):
        assert np.array_equal(getattr(digested, view)(), getattr(full, view)(), equal_nan=True), view
    digest = ReplicationDigest.of(runs[0])
    months, _, items = runs[0].items.shape
    assert digest.item_counts.shape == digest.joint_counts.shape == (months, items)     # counts, not regions


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_files_equal_the_in_memory_files(runs, tmp_path, monkeypatch, workers):
    # 42 rows per replication: a row group of 100 rows cuts 5 replications into groups of 3 and 2
    monkeypatch.setattr(results_module, "ROW_GROUP_ROWS", 100)
    writer = RegionMonthWriter(tmp_path, CONFIG, SEED, REPLICATIONS, csv=True)
    for run in iter_replications(CONFIG, REPLICATIONS, SEED, workers=workers):
        writer.add(run)
    assert [p.name for p in writer.close()] == ["region_months.parquet", "region_months.csv"]
    assert pq.ParquetFile(tmp_path / "region_months.parquet").num_row_groups == 2
    whole = tmp_path / "whole"
    Results(CONFIG, runs, SEED).write_tables(whole, csv=True)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "region_months.parquet"),
                                  pd.read_parquet(whole / "region_months.parquet"))
    assert pq.read_schema(tmp_path / "region_months.parquet").equals(
        pq.read_schema(whole / "region_months.parquet"), check_metadata=True)
    assert (tmp_path / "region_months.csv").read_bytes() == (whole / "region_months.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["region_months.csv", "region_months.parquet", "whole"]


def test_replications_come_in_order_and_batches_stay_small():
    assert batch_size(1000, 2) == BATCH_MAX and batch_size(10, 2) == 1 and batch_size(40, 1) == BATCH_MAX
    assert batch_size(3, 1) == 3
    one = [r.stage for r in iter_replications(CONFIG, 6, seed=3, workers=1)]
    two = list(iter_replications(CONFIG, 6, seed=3, workers=2))
    assert [r.replication for r in two] == list(range(6))
    assert all(np.array_equal(a, b.stage) for a, b in zip(one, two))


def _run_peak(tmp_path, replications: int) -> tuple[int, dict]:
    out = tmp_path / f"r{replications}"
    tracemalloc.start()
    try:
        code = main(["run", "--replications", str(replications), "--workers", "1", "--seed", "2", "--quiet",
                     "--regions", ",".join(f"AM{k:02d}" for k in range(1, 36, 2)), "--out", str(out)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0
    return peak, json.loads((out / "summary.json").read_text())


def test_run_memory_does_not_grow_with_replications(tmp_path, monkeypatch):
    """Six times the replications: a few KB more per replication, not their rows (~0.2 MB each here)."""
    # 18 regions x 60 months = 1,080 rows per replication: a row group of 2,000 rows holds one or two
    monkeypatch.setattr(results_module, "ROW_GROUP_ROWS", 2000)
    # replications run in batches of up to BATCH_MAX, whose records are held together until written:
    # with batches of 2, what grows beyond a batch is what this test looks for
    monkeypatch.setattr(runner_module, "BATCH_MAX", 2)
    # a finished model is garbage with reference cycles, freed whenever the collector runs: collect after
    # each replication, so that the peak counts what the run keeps, not when the collector happened to run
    monkeypatch.setattr(cli, "_progress", lambda quiet, total: lambda done: gc.collect())
    _run_peak(tmp_path, 1)          # warm-up: the first run imports (matplotlib...), which tracemalloc would count
    small, _ = _run_peak(tmp_path, 2)
    large, summary = _run_peak(tmp_path, 12)
    assert summary["replications"] == 12
    assert len(pd.read_parquet(tmp_path / "r12" / "region_months.parquet", columns=["replication"])) == 12 * 1080
    # holding the 10 extra replications' records and rows would add ~10 x 0.2 MB; their digests ~10 x 7 KB
    assert large - small < 2**20, (small, large)
