"""The numpy floor: a toy of the size of one Netherlands run, written as tight vectorised numpy.

    python benchmarks/toy_numpy.py [--repeats 20] [--quick]

One run of chainsim's default scenario simulates ~550 organisations in 35
regions, with ~4,000 trust ties, for 60 months. This toy has exactly that
size and one simple mechanism, so its time is the floor any model of that
size pays in Python with numpy (the interpreter's overhead per month, not
per agent):

* **Trust on ties moves toward the regional mean.** Each month every tie's
  trust moves a fraction ``RATE`` of the way to the mean trust of its
  region's ties, and, in a region that has adopted, a fraction ``BOOST``
  of the way to 1.
* **Threshold adoption per region.** An organisation's openness is the
  mean trust on its ties; a region adopts (for good) once the mean openness
  of its organisations reaches the region's threshold, which falls by
  ``PRESSURE`` a month (outside pressure).

The world is drawn from one seed (:func:`toy_world`); the Mesa toy
(``toy_mesa.py``) builds its agents from the same arrays and must give the
same answer (``bench_run.py`` checks it). Recorded per month and region:
adopted (0/1) and mean trust. The script prints milliseconds per run (build
and 60 months), median of ``--repeats``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np

ORGANISATIONS = 552      # chainsim's default scenario: 35 regions, 393 municipalities, UWV, SW companies ...
TIES = 4000
REGIONS = 35
MONTHS = 60
RATE = 0.1               # share of the way to the regional mean trust, per month
BOOST = 0.02             # share of the way to full trust, per month, once a region has adopted
PRESSURE = 0.003         # fall of every region's adoption threshold per month (outside pressure)


@dataclass(frozen=True)
class ToyWorld:
    """The drawn world: organisations' regions, the ties (both ends in one region), trust, thresholds."""

    region: np.ndarray       # (organisations,) region of each organisation
    a: np.ndarray            # (ties,) one end of each tie
    b: np.ndarray            # (ties,) the other end
    trust: np.ndarray        # (ties,) trust at the start, 0..1
    threshold: np.ndarray    # (regions,) mean openness at which a region adopts

    @property
    def tie_region(self) -> np.ndarray:
        return self.region[self.a]


def toy_world(seed: int = 0, organisations: int = ORGANISATIONS, ties: int = TIES,
              regions: int = REGIONS) -> ToyWorld:
    """Draw a world: at least 5 organisations per region, ``ties`` distinct ties inside regions."""
    rng = np.random.default_rng(seed)
    sizes = 5 + rng.multinomial(organisations - 5 * regions, np.full(regions, 1 / regions))
    region = np.repeat(np.arange(regions), sizes)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pairs = np.concatenate([np.stack(np.triu_indices(n, 1), axis=1) + f for n, f in zip(sizes, first)])
    if ties > len(pairs):
        raise ValueError(f"{ties} ties do not fit: the regions hold at most {len(pairs)} distinct pairs")
    chosen = np.sort(rng.choice(len(pairs), size=ties, replace=False))
    a, b = pairs[chosen, 0], pairs[chosen, 1]
    trust = rng.uniform(0.2, 0.7, ties)
    threshold = rng.uniform(0.45, 0.65, regions)
    return ToyWorld(region=region, a=a, b=b, trust=trust, threshold=threshold)


def run_numpy(world: ToyWorld, months: int = MONTHS) -> tuple[np.ndarray, np.ndarray]:
    """Simulate ``months`` months; (months x regions) adopted (bool) and mean trust."""
    n_regions = len(world.threshold)
    n_orgs = len(world.region)
    tie_region = world.tie_region
    ties_per_region = np.maximum(np.bincount(tie_region, minlength=n_regions), 1)
    orgs_per_region = np.maximum(np.bincount(world.region, minlength=n_regions), 1)
    ends = np.concatenate([world.a, world.b])
    degree = np.maximum(np.bincount(ends, minlength=n_orgs), 1)
    trust = world.trust.copy()
    adopted = np.zeros(n_regions, dtype=bool)
    out_adopted = np.zeros((months, n_regions), dtype=bool)
    out_trust = np.zeros((months, n_regions))
    for t in range(months):
        mean = np.bincount(tie_region, trust, n_regions) / ties_per_region
        trust += RATE * (mean[tie_region] - trust) + BOOST * adopted[tie_region] * (1.0 - trust)
        openness = np.bincount(ends, np.concatenate([trust, trust]), n_orgs) / degree
        adopted |= (np.bincount(world.region, openness, n_regions) / orgs_per_region
                    >= world.threshold - PRESSURE * t)
        out_adopted[t] = adopted
        out_trust[t] = np.bincount(tie_region, trust, n_regions) / ties_per_region
    return out_adopted, out_trust


def one_run(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Build and run one toy world: what a chainsim replication does, at the floor."""
    return run_numpy(toy_world(seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="3 repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    one_run(0)                                                   # warm-up
    times = []
    for seed in range(repeats):
        t0 = time.perf_counter()
        adopted, _ = one_run(seed)
        times.append((time.perf_counter() - t0) * 1000)
    world = toy_world(0)
    print(f"numpy toy: {len(world.region)} organisations, {len(world.a)} ties, {len(world.threshold)} regions, "
          f"{MONTHS} months")
    print(f"{'ms per run (median)':>20} {'min':>8} {'repeats':>8} {'regions adopted at the end':>27}")
    print(f"{statistics.median(times):>20.2f} {min(times):>8.2f} {repeats:>8} {int(adopted[-1].sum()):>27}")


if __name__ == "__main__":
    main()
