"""The network of ties between organisations, with trust on its edges (M3).

One networkx graph holds every tie: within a region the pairs that actually
meet (the centre with every municipality, UWV with every municipality, SW
companies with the municipalities that own them, the employer organisation
with the centre and UWV, municipalities of one subregion with each other) and
between regions (centres of bordering regions; municipalities that commute
towards a neighbouring region with that region's centre).

Trust is the edge attribute ``"trust"``: ``graph.edges[u, v]["trust"]`` reads
and writes it. So that mechanisms can update thousands of ties at once, the
values sit in one contiguous array (:class:`TieStore`) and each edge's
attribute mapping points at its slot -- the graph stays the single place
where a tie's trust lives, there is no copy to keep in step.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, MutableMapping
from enum import IntEnum

import networkx as nx
import numpy as np


class TieKind(IntEnum):
    """Kinds of ties; the names say which pairs they join."""

    CENTRE_MUNICIPALITY = 0
    UWV_MUNICIPALITY = 1
    SW_OWNER = 2
    EMPLOYER_CENTRE = 3
    EMPLOYER_UWV = 4
    SUBREGION_PEERS = 5
    BORDERING_CENTRES = 6
    COMMUTING_MUNICIPALITY = 7

    @property
    def label(self) -> str:
        """The kind as the edge attribute shows it, e.g. ``"uwv_municipality"``."""
        return self.name.lower()

    @classmethod
    def of(cls, value) -> "TieKind":
        """A kind from a TieKind, its number or its label."""
        if isinstance(value, str):
            return cls[value.upper()]
        return cls(int(value))


BETWEEN_UNITS = ""
"""The ``region`` an edge reads when its tie runs between two regions (or locations)."""


class TieStore:
    """Contiguous arrays behind the edges: endpoints, kind, region, trust and its record.

    ``region`` holds the region's index (-1 for a tie between regions). A
    store that knows the regions' codes (``region_codes``) shows an edge's
    region as its code, as the nodes do; a bare store shows the index. A
    world's store has its regions' codes, fixed (``codes_fixed``: another
    code cannot be written there); a store of a graph that networkx makes
    from another (``relabel_nodes``, ``compose``) learns the codes its
    edges bring.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self.region_codes: tuple[str, ...] | None = None
        self.codes_fixed = False
        self.trust = np.zeros(capacity)
        self.u = np.zeros(capacity, dtype=np.int64)
        self.v = np.zeros(capacity, dtype=np.int64)
        # Slots networkx allocates but never fills keep kind -1 and are ignored.
        self.kind = np.full(capacity, -1, dtype=np.int8)
        self.region = np.full(capacity, -1, dtype=np.int64)
        # how many kept or broken commitments the two parties have seen (M3)
        self.experience = np.zeros(capacity)

    def allocate(self) -> int:
        if self.n == len(self.trust):
            self._grow()
        self.n += 1
        return self.n - 1

    def extend(self, u: np.ndarray, v: np.ndarray, kind: np.ndarray, region: np.ndarray | int,
               trust: np.ndarray) -> None:
        """Append ties in one go (how a world is built; no networkx involved)."""
        k = len(u)
        while self.n + k > len(self.trust):
            self._grow()
        at = slice(self.n, self.n + k)
        self.u[at], self.v[at], self.kind[at], self.region[at], self.trust[at] = u, v, kind, region, trust
        self.n += k

    def _grow(self) -> None:
        for name in ("trust", "u", "v", "kind", "region", "experience"):
            old = getattr(self, name)
            new = np.full(max(2 * len(old), 16), -1 if name in ("kind", "region") else 0, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def freeze(self) -> None:
        """Trim the arrays to the ties that exist (after the network is built)."""
        for name in ("trust", "u", "v", "kind", "region", "experience"):
            setattr(self, name, getattr(self, name)[: self.n].copy())


class TieAttributes(MutableMapping):
    """An edge's attribute mapping; ``trust``, ``kind`` and ``region`` live in the store.

    ``kind`` reads as the tie kind's label (``"uwv_municipality"``), so that
    the graph exports to GraphML and reads naturally in networkx code;
    ``region`` reads as the region's code where the store knows the codes
    (a world's graph: the same code as the nodes', :data:`BETWEEN_UNITS`
    for a tie between regions), else as its index.
    """

    __slots__ = ("_store", "_i", "_extra")
    _STORED = ("trust", "kind", "region")

    def __init__(self, store: TieStore, index: int | None = None) -> None:
        self._store = store
        self._i = store.allocate() if index is None else index
        self._extra: dict = {}

    @property
    def index(self) -> int:
        return self._i

    def __getitem__(self, key):
        if key in self._STORED:
            value = getattr(self._store, key)[self._i]
            if key == "kind":
                return TieKind(int(value)).label
            if key == "region" and self._store.region_codes is not None:
                return self._store.region_codes[value] if value >= 0 else BETWEEN_UNITS
            return value.item()
        return self._extra[key]

    def __setitem__(self, key, value) -> None:
        if key == "trust":
            value = float(value)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"trust must lie in [0, 1], got {value}")
        if key == "kind":
            value = int(TieKind.of(value))
        if key == "region" and isinstance(value, str):
            value = _region_index(self._store, value)
        if key in self._STORED:
            getattr(self._store, key)[self._i] = value
        else:
            self._extra[key] = value

    def __delitem__(self, key) -> None:
        if key in self._STORED:
            raise KeyError(f"{key!r} is part of every tie and cannot be removed")
        del self._extra[key]

    def __iter__(self) -> Iterator:
        yield from self._STORED
        yield from self._extra

    def __len__(self) -> int:
        return len(self._STORED) + len(self._extra)

    def __repr__(self) -> str:
        return repr(dict(self))

    def copy(self) -> dict:
        """A plain dict of the attributes (what networkx asks of edge data when it copies)."""
        return dict(self)


def _region_index(store: TieStore, code: str) -> int:
    """The index of a region's code in ``store`` (-1 for :data:`BETWEEN_UNITS`); a store whose codes are not
    fixed learns a new one."""
    if code == BETWEEN_UNITS:
        return -1
    codes = store.region_codes or ()
    if code in codes:
        return codes.index(code)
    if store.codes_fixed:
        raise ValueError(f"no region with code {code!r} in this network (codes: {', '.join(codes[:5])}, ...)")
    store.region_codes = (*codes, code)         # a graph networkx builds edge by edge: learn the code
    return len(codes)


class _NewTie:
    """The edge-attribute factory of one store (a class, so that graphs pickle)."""

    __slots__ = ("store",)

    def __init__(self, store: TieStore) -> None:
        self.store = store

    def __call__(self) -> TieAttributes:
        return TieAttributes(self.store)


class _StoredTie:
    """An edge-attribute factory that hands out a store's existing ties in order."""

    __slots__ = ("store", "next")

    def __init__(self, store: TieStore) -> None:
        self.store = store
        self.next = 0

    def __call__(self) -> TieAttributes:
        self.next += 1
        return TieAttributes(self.store, self.next - 1)


class TieGraph(nx.Graph):
    """An undirected graph whose edges keep trust in a shared :class:`TieStore`.

    Nodes are organisations (their row in the population), with attributes
    ``kind``, ``name`` and ``region`` (the region's code). The graph copies
    (``copy()`` gives an independent graph with its own store), pickles and
    exports (``nx.write_graphml``) like any networkx graph.
    """

    def __init__(self, incoming_graph_data=None, **attr) -> None:
        self.ties = TieStore()
        # networkx calls this factory once per new edge (public extension point).
        self.edge_attr_dict_factory = _NewTie(self.ties)
        super().__init__(incoming_graph_data, **attr)

    @classmethod
    def over(cls, store: TieStore, nodes) -> "TieGraph":
        """A graph whose edges are the ties already in ``store`` (each edge's trust is its slot there).

        ``nodes`` are (row, attributes) pairs. This is how a world's network
        becomes a networkx graph on demand: the world is built and simulated
        on the arrays, and the graph reads and writes the same values.
        """
        graph = cls()
        graph.ties = store
        graph.add_nodes_from(nodes)
        graph.edge_attr_dict_factory = _StoredTie(store)
        graph.add_edges_from(zip(store.u[: store.n].tolist(), store.v[: store.n].tolist()))
        graph.edge_attr_dict_factory = _NewTie(store)
        return graph

    def copy(self, as_view: bool = False):
        """An independent copy with its own tie store (or a read-only view)."""
        if as_view:
            return nx.graphviews.generic_graph_view(self)
        return copy.deepcopy(self)

    def add_tie(self, u: int, v: int, kind: TieKind, region: int, trust: float) -> int:
        """Add a tie between two organisations (rows); returns its index in the store."""
        if self.has_edge(u, v):
            raise ValueError(f"tie {u}-{v} exists already")
        self.add_edge(u, v, trust=trust, kind=kind, region=region)
        data = self.adj[u][v]
        self.ties.u[data.index] = u
        self.ties.v[data.index] = v
        return data.index

    def to_plain_graph(self) -> nx.Graph:
        """A copy with ordinary dict attributes (for drawing or export)."""
        plain = nx.Graph()
        plain.add_nodes_from(self.nodes(data=True))
        plain.add_edges_from((u, v, dict(d)) for u, v, d in self.edges(data=True))
        return plain
