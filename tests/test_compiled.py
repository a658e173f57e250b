"""The compiled loops give the numpy reference's numbers, to the last bit.

chainsim.core.mechanisms.compiled computes the members' support and the
convenor's estimate in one pass each; chainsim.core.mechanisms.table keeps
the readable numpy statement of the same rule (which tests/test_decision_rule.py
holds equal to each organisation's own rule). chainsim.core.tie_loops does
the same for the trust summary and the two trust steps of chainsim.core.ties.
Here the two versions run on the same states -- drawn parameters, mechanisms
switched off, a formal mandate, any proposal per region, drawn trust,
repeated ties -- and on whole runs of both eras, and must agree exactly.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import small_model, small_region
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import parameters, seeds

from chainsim.core import jit, kernel_choice
from chainsim.core.arrangements import ARRANGEMENTS
from chainsim.core.config import RunConfig
from chainsim.core.mechanisms import table
from chainsim.runner import replication_seeds, simulate_batch

RULE_MECHANISMS = ("M2", "M4", "M5", "M6", "M7", "M13")
FIELDS = ("items", "levels", "level_class", "stage", "diagnostics")


@contextlib.contextmanager
def kernels(name: str):
    """Run the block with the numba loops or the numpy reference (the table reads the choice per call)."""
    before = jit.KERNELS
    jit.KERNELS = name
    try:
        yield
    finally:
        jit.KERNELS = before


@pytest.mark.skipif(os.environ.get("CHAINSIM_KERNELS", "").strip().lower() == "numpy",
                    reason="the suite runs the numpy reference on purpose")
def test_the_test_environment_runs_the_compiled_loops():
    """numba is a dependency: the regression and property tests exercise the compiled path."""
    pytest.importorskip("numba", reason="numba is a core dependency; the lock files pin it")
    assert jit.KERNELS == "numba"


@st.composite
def states(draw):
    params = draw(parameters())
    off = draw(st.lists(st.sampled_from(RULE_MECHANISMS), unique=True, max_size=4))
    region = small_region(n_municipalities=draw(st.integers(1, 7)), n_sw=draw(st.integers(0, 2)),
                          formal_mandate=draw(st.booleans()))
    model = small_model([region, small_region("XX02"), small_region("XX03", n_municipalities=2)],
                        seed=draw(seeds), params=params, mechanisms_off=off)
    for _ in range(draw(st.integers(0, 14))):
        model.step()
    proposal = np.array(draw(st.lists(st.integers(-1, len(ARRANGEMENTS) - 1), min_size=3, max_size=3)))
    return model.world, proposal


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=states(), sunk=st.booleans(), noise=st.booleans())
def test_the_members_support_is_the_references_to_the_bit(state, sunk, noise):
    world, proposal = state
    generators = world.streams.decisions.generators
    before = [g.bit_generator.state for g in generators]
    runs = {}
    for name in ("numba", "numpy"):
        with kernels(name):
            runs[name] = table.member_support(world, proposal, sunk_effort=sunk, noise=noise)
        for g, state_ in zip(generators, before):      # the same noise for both
            g.bit_generator.state = state_
    np.testing.assert_array_equal(runs["numba"], runs["numpy"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=states())
def test_the_convenors_estimate_is_the_references_to_the_bit(state):
    world, _ = state
    with kernels("numba"):
        fast = table.expected_support(world)
    with kernels("numpy"):
        reference = table.expected_support(world)
    np.testing.assert_array_equal(fast, reference)


SUMMARY_FIELDS = ("region_centre", "region_uwv", "sw_owner", "in_centre", "in_uwv", "at_table", "uwv_centre")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=states(), trust_seed=st.integers(0, 2**32 - 1))
def test_the_trust_summary_is_the_references_to_the_bit(state, trust_seed):
    """Every mean and per-organisation view the mechanisms read, for trust drawn anew on every tie."""
    world, _ = state
    world.ties.trust[:] = np.random.default_rng(trust_seed).random(len(world.ties.trust))
    summaries = {}
    for name in ("numba", "numpy"):
        with kernels(name):
            world.trust.refresh()
        summaries[name] = {f: getattr(world.trust, f).copy() for f in SUMMARY_FIELDS}
        summaries[name]["regions"] = (world.regions_state.trust_centre.copy(), world.regions_state.trust_uwv.copy())
    for f in SUMMARY_FIELDS:
        np.testing.assert_array_equal(summaries["numba"][f], summaries["numpy"][f], err_msg=f)
    for a, b in zip(summaries["numba"]["regions"], summaries["numpy"]["regions"]):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(summaries["numba"]["at_table"]).all()


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_ties=st.integers(1, 30), n_index=st.integers(0, 40),
       scalar_gain=st.booleans(), scalar_loss=st.booleans(), big=st.booleans())
def test_scaling_ties_is_the_references_to_the_bit(seed, n_ties, n_index, scalar_gain, scalar_loss, big):
    """Gains and losses on ties, repeated ties included (the last write wins, as in numpy), and steps that
    leave [0, 1] before the clip (``big``)."""
    from chainsim.core.ties import scale_ties

    rng = np.random.default_rng(seed)
    trust = rng.random(n_ties)
    index = rng.integers(0, n_ties, n_index)
    size = 3.0 if big else 1.0
    gain = float(rng.random() * size) if scalar_gain else rng.random(n_index) * size
    loss = float(rng.random() * size) if scalar_loss else rng.random(n_index) * size
    results = {}
    for name in ("numba", "numpy"):
        moved = trust.copy()
        with kernels(name):
            scale_ties(moved, index, gain, loss)
        results[name] = moved
    np.testing.assert_array_equal(results["numba"], results["numpy"])
    assert ((results["numba"] >= 0) & (results["numba"] <= 1)).all()


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_ties=st.integers(1, 12), n_index=st.integers(0, 40),
       scalar=st.booleans(), damping=st.floats(0, 3))
def test_learning_from_the_record_is_the_references_to_the_bit(seed, n_ties, n_index, scalar, damping):
    """Kept and broken commitments, a tie hit several times in one month included (each in turn)."""
    from chainsim.core.ties import learn_from_record

    rng = np.random.default_rng(seed)
    trust, experience = rng.random(n_ties), rng.integers(0, 5, n_ties).astype(float)
    index = rng.integers(0, n_ties, n_index)
    gain = 0.0 if scalar else rng.random(n_index)
    loss = float(rng.random()) if scalar else rng.random(n_index) * 2
    results = {}
    for name in ("numba", "numpy"):
        moved, seen = trust.copy(), experience.copy()
        with kernels(name):
            learn_from_record(moved, seen, index, gain, loss, damping)
        results[name] = moved, seen
    np.testing.assert_array_equal(results["numba"][0], results["numpy"][0])
    np.testing.assert_array_equal(results["numba"][1], results["numpy"][1])
    assert results["numba"][1].sum() == experience.sum() + n_index


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), m=st.integers(1, 8), coarse=st.booleans(),
       nan_share=st.sampled_from([0.0, 0.0, 0.2]), eligible_share=st.sampled_from([0.0, 0.3, 0.8, 1.0]),
       strategy=st.booleans())
def test_the_convenors_choice_is_the_references(seed, n, m, coarse, nan_share, eligible_share, strategy):
    """Which arrangement each convenor proposes: rows with nothing eligible, equal values (``coarse``: the
    first maximum wins, as with np.argmax), NaN estimates (the first NaN wins, as there), with and without
    the convenor's strategy (M5)."""
    from chainsim.core.mechanisms import compiled

    rng = np.random.default_rng(seed)
    draw = (lambda *shape: rng.integers(0, 3, shape).astype(float)) if coarse else (lambda *shape: rng.random(shape))
    ok = rng.random((n, m)) < eligible_share
    score = draw(n, m) - 1.0
    score[rng.random((n, m)) < nan_share] = np.nan
    args = (ok, score, draw(m), draw(n, m), float(rng.random()), rng.random(n) < 0.5, strategy,
            rng.random(m) < 0.4, rng.random(n) < 0.5)
    with kernels("numba"):
        fast = compiled.proposals(*args)
    np.testing.assert_array_equal(fast, table._proposals(*args))
    assert ((fast == -1) == ~ok.any(axis=1)).all()


@pytest.mark.parametrize("config", [
    RunConfig(regions=("AM01", "AM05", "AM09", "AM14", "AM20", "AM27", "AM33")),
    RunConfig(regions=("AM02", "AM11", "AM30"), mechanisms_off=("M2", "M5", "M7")),
], ids=["regions", "mechanisms off"])
def test_whole_runs_are_the_same_with_either_kernel(config):
    _same_with_either_kernel(config, replication_seeds(4, 3))


def test_the_werkplein_era_is_the_same_with_either_kernel():
    from chainsim.werkplein import era_config

    _same_with_either_kernel(era_config(), replication_seeds(7, 2))


def _same_with_either_kernel(config: RunConfig, seeds) -> None:
    tasks = [(s, i) for i, s in enumerate(seeds)]
    with kernels("numba"):
        fast = simulate_batch(config, tasks)
    with kernels("numpy"):
        reference = simulate_batch(config, tasks)
    for a, b in zip(fast, reference, strict=True):
        for field in FIELDS:
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
        assert a.events == b.events


def test_the_choice_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHAINSIM_KERNELS", "NumPy ")
    assert kernel_choice.chosen() == "numpy"
    monkeypatch.setenv("CHAINSIM_KERNELS", "fortran")
    with pytest.raises(kernel_choice.KernelChoiceError, match="CHAINSIM_KERNELS='fortran': allowed are numba, numpy"):
        kernel_choice.chosen()
    monkeypatch.setattr(kernel_choice.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("CHAINSIM_KERNELS", "numba")
    with pytest.raises(kernel_choice.KernelChoiceError, match="numba is not installed"):
        kernel_choice.chosen()
    monkeypatch.delenv("CHAINSIM_KERNELS")
    assert kernel_choice.chosen() == "numpy"          # without numba, the reference runs


def test_a_wrong_choice_stops_the_command_line_in_one_line(tmp_path):
    env = {"CHAINSIM_KERNELS": "fast", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "chainsim.cli", "list", "scenarios"], capture_output=True,
                          text=True, env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "chainsim: environment variable CHAINSIM_KERNELS='fast': allowed are numba, numpy, or leave it unset"]


def _loaded_in_worker() -> tuple[str, int, int]:
    """In a worker: the kernels and how many signatures the loops have loaded before any call there."""
    from chainsim.core import jit as worker_jit
    from chainsim.core.mechanisms import compiled as worker_compiled

    if worker_jit.KERNELS != "numba":
        return worker_jit.KERNELS, 0, 0, 0
    from chainsim.core import tie_loops

    return (worker_jit.KERNELS, len(worker_compiled.member_support_total.signatures),
            len(worker_compiled.expected_support.signatures),
            min(len(loop.signatures) for loop in (tie_loops.scale_ties, tie_loops.learn_from_record,
                                                  tie_loops.member_trust, tie_loops.group_mean,
                                                  worker_compiled.proposals)))


def test_a_worker_starts_with_the_loops_loaded():
    """Workers fork from a server that imported chainsim.core.preload: the loops are loaded before any task."""
    from concurrent.futures import ProcessPoolExecutor

    from chainsim.runner import worker_context

    context = worker_context()
    if context.get_start_method() != "forkserver":
        pytest.skip("no forkserver on this platform: each worker loads the loops itself")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        kernels_there, member, estimate, trust_loops = pool.submit(_loaded_in_worker).result(timeout=120)
    assert kernels_there == jit.KERNELS
    if kernels_there == "numba":
        assert member >= 1 and estimate >= 1 and trust_loops >= 1


def test_a_failed_warm_up_stops_nothing(monkeypatch):
    from chainsim.core import preload

    assert preload.warm_up()
    monkeypatch.setattr(table, "expected_support", lambda world: 1 / 0)
    assert preload.warm_up() is False      # nothing escapes: a forkserver preload must not raise


def test_numba_that_does_not_import_falls_back_unless_asked_for(tmp_path):
    """Installed but broken (a numpy it does not support): the reference runs, with a warning;
    asked for by name, a clear error."""
    broken = tmp_path / "numba"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('Numba needs NumPy 2.5 or less')\n")
    probe = "from chainsim.core import jit; print(jit.KERNELS)"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("CHAINSIM_KERNELS", None)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "numpy"
    assert "numba does not import (Numba needs NumPy 2.5 or less)" in done.stderr
    env["CHAINSIM_KERNELS"] = "numba"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0 and "CHAINSIM_KERNELS='numba', but numba does not import" in done.stderr
