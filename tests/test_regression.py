"""Known-answer regression: a small seeded run must keep giving the same numbers.

These values were produced by the model itself. They do not claim to be
right; they catch unintended changes. When a change to the model is meant to
alter results, print the same quantities (``python tests/test_regression.py``) and update
the numbers in the same commit, saying why.
"""

import numpy as np
import pytest

from chainsim.runner import RunConfig, run_replications


def test_case_regions_known_answer():
    """RunConfig(regions=case regions), 3 replications, seed 2014: stage and class at 2014-11."""
    config = RunConfig(regions=("AM02", "AM06", "AM12", "AM22", "AM32"))
    runs = run_replications(config, 3, seed=2014)
    assert [r.stage[34].tolist() for r in runs] == [[2, 1, 2, 1, 1], [0, 0, 1, 1, 0], [1, 1, 1, 2, 1]]
    assert [r.level_class[34].tolist() for r in runs] == [[2, 1, 2, 1, 1], [0, 0, 1, 1, 0], [1, 1, 1, 2, 1]]
    assert [int(r.items[59].sum()) for r in runs] == [102, 148, 124]
    trust = [float(r.diagnostics[59, :, 0].sum()) for r in runs]
    assert trust == pytest.approx([3.014768, 3.440705, 3.163569], abs=1e-5)
    assert np.array_equal(runs[0].items, run_replications(config, 1, seed=2014)[0].items)


if __name__ == "__main__":
    config = RunConfig(regions=("AM02", "AM06", "AM12", "AM22", "AM32"))
    for r in run_replications(config, 3, seed=2014):
        print(r.stage[34].tolist(), r.level_class[34].tolist(), int(r.items[59].sum()),
              round(float(r.diagnostics[59, :, 0].sum()), 6))
