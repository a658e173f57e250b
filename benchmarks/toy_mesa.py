"""The Mesa toy: the numpy toy's world and mechanism, written the way a careful Mesa 3 user would.

    python benchmarks/toy_mesa.py [--repeats 10] [--quick]

The size the performance issue gives for one Netherlands run (~550
organisations, 4,000 ties, 35 regions, 60 months; the model's run has 1,805
ties) and the same mechanism as ``toy_numpy.py`` (trust on
ties moves toward the regional mean; a region adopts once the mean openness
of its organisations reaches its falling threshold), built from the same
drawn world (:func:`toy_numpy.toy_world`), but as agents:

* ``Organisation`` agents are the nodes of a ``networkx.Graph`` whose edges
  carry ``trust``; an organisation's step computes its openness, the mean
  trust on its edges (their attribute dicts, looked up once at build:
  iterating ``graph.edges(node, data=...)`` every month is ~5x slower).
* ``Region`` agents hold their organisations (an ``AgentSet``) and their
  ties (the edges' attribute dicts, looked up once at build, not per month);
  they move their ties' trust and decide on adoption.
* ``ToyModel.step`` is three lines: regions update trust
  (``AgentSet.do``), organisations update openness in random order
  (``AgentSet.shuffle_do``: the order does not matter to the result, as in
  most Mesa models it should not), regions decide and record.

Written against the installed Mesa 3 API (``mesa.Model(rng=...)``,
``model.agents_by_type``, ``mesa.agentset.AgentSet`` and its
``do``/``shuffle_do``). Prints ms per
run (build and 60 months), median of ``--repeats``, and checks that the
answer equals the numpy toy's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import mesa
import networkx as nx
import numpy as np
from mesa.agentset import AgentSet

sys.path.insert(0, str(Path(__file__).resolve().parent))

from toy_numpy import BOOST, MONTHS, PRESSURE, RATE, ToyWorld, run_numpy, toy_world


class Organisation(mesa.Agent):
    """An organisation: a node of the trust network; its openness is the mean trust on its ties."""

    def __init__(self, model: ToyModel, region: int) -> None:
        super().__init__(model)
        self.region = region
        self.openness = 0.0
        self.ties: list[dict] = []            # its edges' attribute dicts, looked up once the graph is built

    def step(self) -> None:
        self.openness = sum(tie["trust"] for tie in self.ties) / max(len(self.ties), 1)


class Region(mesa.Agent):
    """A region: moves its ties' trust toward their mean and adopts at its (falling) threshold."""

    def __init__(self, model: ToyModel, index: int, threshold: float) -> None:
        super().__init__(model)
        self.index = index
        self.threshold = threshold
        self.adopted = False
        self.organisations = AgentSet([], random=model.random)
        self.ties: list[dict] = []            # the edges' attribute dicts (each holds "trust")

    def mean_trust(self) -> float:
        return sum(tie["trust"] for tie in self.ties) / max(len(self.ties), 1)

    def update_trust(self) -> None:
        mean = self.mean_trust()
        boost = BOOST * self.adopted
        for tie in self.ties:
            t = tie["trust"]
            tie["trust"] = t + (RATE * (mean - t) + boost * (1.0 - t))

    def decide(self) -> None:
        openness = sum(o.openness for o in self.organisations) / max(len(self.organisations), 1)
        if openness >= self.threshold - PRESSURE * self.model.t:
            self.adopted = True
        self.model.adopted[self.model.t, self.index] = self.adopted
        self.model.trust[self.model.t, self.index] = self.mean_trust()


class ToyModel(mesa.Model):
    """The numpy toy's world as Mesa agents on a networkx graph."""

    def __init__(self, world: ToyWorld, months: int = MONTHS, rng=None) -> None:
        super().__init__(rng=rng)
        self.t = 0
        self.graph = nx.Graph()
        regions = [Region(self, r, float(th)) for r, th in enumerate(world.threshold)]
        organisations = [Organisation(self, int(r)) for r in world.region]
        for org in organisations:
            regions[org.region].organisations.add(org)
        self.graph.add_nodes_from(organisations)
        for a, b, trust in zip(world.a.tolist(), world.b.tolist(), world.trust.tolist()):
            self.graph.add_edge(organisations[a], organisations[b], trust=trust)
            regions[organisations[a].region].ties.append(self.graph[organisations[a]][organisations[b]])
        for org in organisations:
            org.ties = list(self.graph[org].values())
        self.regions = self.agents_by_type[Region]
        self.organisations = self.agents_by_type[Organisation]
        self.adopted = np.zeros((months, len(regions)), dtype=bool)
        self.trust = np.zeros((months, len(regions)))
        self.months = months

    def step(self) -> None:
        self.regions.do("update_trust")
        self.organisations.shuffle_do("step")
        self.regions.do("decide")
        self.t += 1

    def run(self) -> ToyModel:
        while self.t < self.months:
            self.step()
        return self


def one_run(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Build and run one toy world as Mesa agents: (months x regions) adopted and mean trust."""
    model = ToyModel(toy_world(seed), rng=seed).run()
    return model.adopted, model.trust


def same_answer(seed: int = 0) -> bool:
    """Whether the Mesa toy gives the numpy toy's answer (adoption exactly, trust to 1e-9)."""
    adopted, trust = one_run(seed)
    floor_adopted, floor_trust = run_numpy(toy_world(seed))
    return bool(np.array_equal(adopted, floor_adopted) and np.allclose(trust, floor_trust, rtol=0, atol=1e-9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="2 repeats")
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats
    one_run(0)                                                   # warm-up
    times = []
    for seed in range(repeats):
        t0 = time.perf_counter()
        one_run(seed)
        times.append((time.perf_counter() - t0) * 1000)
    model = ToyModel(toy_world(0), rng=0)
    print(f"Mesa {mesa.__version__} toy: {len(model.organisations)} organisations, "
          f"{model.graph.number_of_edges()} ties, {len(model.regions)} regions, {MONTHS} months")
    print(f"{'ms per run (median)':>20} {'min':>8} {'repeats':>8} {'same answer as numpy':>21}")
    print(f"{statistics.median(times):>20.2f} {min(times):>8.2f} {repeats:>8} {same_answer(0)!s:>21}")


if __name__ == "__main__":
    main()
