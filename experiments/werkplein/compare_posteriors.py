"""The werkplein era's posterior beside the regions': can one set of values serve both eras?

    .venv/bin/python experiments/werkplein/compare_posteriors.py

Reads the shipped posteriors (``chainsim/data/posterior.csv``, fitted to the
2014 picture, and ``chainsim/data/posterior_werkplein.csv``, fitted to the 2007
survey's calibrate figures) and prints, per parameter the era's calibration
frees, both weighted medians and 95% credible intervals, the overlap of the
two intervals (intersection over union), the posterior probability that the
era's value is the larger (4,000 draws from each), and each interval's width
as a share of the prior range (near 1: the data say little about it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ERA = ROOT / "chainsim" / "data" / "posterior_werkplein.csv"


def rows() -> list[dict]:
    from chainsim.calibration import (
        weighted_quantiles,  # the quantiles chainsim.posterior.summarise uses
    )
    from chainsim.core.parameters import SPECS
    from chainsim.posterior import read_particles

    regions, era = read_particles(), read_particles(ERA)
    rng = np.random.default_rng(2007)
    out = []
    for name in (c for c in era.columns if c != "weight"):
        spec = SPECS[name]
        width = spec.high - spec.low
        e, we = era[name].to_numpy(float), era["weight"].to_numpy(float)
        lo, med, hi = weighted_quantiles(e, we, [0.025, 0.5, 0.975])
        row = {"parameter": name, "era": (med, lo, hi), "era_width": (hi - lo) / width}
        if name in regions:
            r, wr = regions[name].to_numpy(float), regions["weight"].to_numpy(float)
            rlo, rmed, rhi = weighted_quantiles(r, wr, [0.025, 0.5, 0.975])
            inter, union = max(0.0, min(hi, rhi) - max(lo, rlo)), max(hi, rhi) - min(lo, rlo)
            a = rng.choice(e, 4000, p=we / we.sum())
            b = rng.choice(r, 4000, p=wr / wr.sum())
            row.update(regions=(rmed, rlo, rhi), overlap=inter / union, p_era_larger=float((a > b).mean()),
                       regions_width=(rhi - rlo) / width)
        out.append(row)
    return out


def table(items: list[dict]) -> str:
    def interval(v) -> str:
        return f"{v[0]:.3g} [{v[1]:.3g}, {v[2]:.3g}]"

    lines = ["| parameter | era 2007: median [95%] | regions 2014: median [95%] | overlap | P(era > regions) | "
             "width / prior: era, regions |", "|---|---|---|---|---|---|"]
    for r in items:
        if "regions" in r:
            lines.append(f"| `{r['parameter']}` | {interval(r['era'])} | {interval(r['regions'])} | "
                         f"{r['overlap']:.2f} | {r['p_era_larger']:.2f} | {r['era_width']:.2f}, "
                         f"{r['regions_width']:.2f} |")
        else:
            lines.append(f"| `{r['parameter']}` | {interval(r['era'])} | not in the region set-up | | | "
                         f"{r['era_width']:.2f} |")
    return "\n".join(lines)


def main() -> int:
    print(table(rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
