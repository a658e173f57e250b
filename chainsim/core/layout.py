"""How the rows of a world divide into replications.

A world may simulate several replications at once (:mod:`chainsim.core.batch`):
disjoint copies of the regions, each with its own organisations and ties, in
consecutive blocks of rows. Everything a mechanism computes per region or per
organisation is unaffected; what it reduces over the whole country (the best
region's evidence) it reduces per replication, and every random draw is split
into the replications' blocks (:class:`chainsim.core.streams.Stream`).
"""

from __future__ import annotations

import numpy as np


class ReplicationLayout:
    """Rows of regions and organisations per replication (in replication order)."""

    def __init__(self, regions: np.ndarray, organisations: np.ndarray) -> None:
        self.regions = np.asarray(regions, dtype=np.int64)
        self.organisations = np.asarray(organisations, dtype=np.int64)
        self.n = len(self.regions)
        self.region_start = np.r_[0, np.cumsum(self.regions)[:-1]]
        self.organisation_start = np.r_[0, np.cumsum(self.organisations)[:-1]]
        self.of_region = np.repeat(np.arange(self.n), self.regions)
        self.of_organisation = np.repeat(np.arange(self.n), self.organisations)

    @classmethod
    def single(cls, n_regions: int, n_organisations: int) -> "ReplicationLayout":
        return cls(np.array([n_regions]), np.array([n_organisations]))

    def rows(self, organisations: np.ndarray) -> np.ndarray:
        """How many of these organisation rows belong to each replication (rows sorted)."""
        if self.n == 1:
            return np.array([len(organisations)])
        return np.bincount(self.of_organisation[organisations], minlength=self.n)

    def region_max(self, values: np.ndarray) -> np.ndarray:
        """Per region, the largest value among its replication's regions."""
        if len(values) == 0:
            return values.copy()
        if self.n == 1:
            return np.full(len(values), values.max())
        return np.maximum.reduceat(values, self.region_start)[self.of_region]

    def region_slice(self, k: int) -> slice:
        return slice(int(self.region_start[k]), int(self.region_start[k] + self.regions[k]))

    def organisation_slice(self, k: int) -> slice:
        return slice(int(self.organisation_start[k]), int(self.organisation_start[k] + self.organisations[k]))
