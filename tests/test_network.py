import networkx as nx
import numpy as np
import pytest
from helpers import small_model, small_region

from chainsim.core.network import TieGraph, TieKind
from chainsim.core.population import Kind


def test_trust_lives_on_the_edges_and_in_one_store():
    g = TieGraph()
    i = g.add_tie(1, 2, TieKind.UWV_MUNICIPALITY, 0, 0.4)
    assert g.edges[1, 2]["trust"] == pytest.approx(0.4)
    g.edges[2, 1]["trust"] = 0.7
    assert g.ties.trust[i] == pytest.approx(0.7)
    g.ties.trust[i] = 0.1
    assert nx.get_edge_attributes(g, "trust")[(1, 2)] == pytest.approx(0.1)
    assert g.edges[1, 2]["kind"] == "uwv_municipality" == TieKind.UWV_MUNICIPALITY.label
    with pytest.raises(ValueError):
        g.edges[1, 2]["trust"] = 1.5
    with pytest.raises(ValueError):
        g.add_tie(2, 1, TieKind.UWV_MUNICIPALITY, 0, 0.5)


def test_region_ties_are_the_pairs_that_meet():
    m = small_model([small_region(n_municipalities=6, n_sw=2, n_subregions=2)])
    pop, g, rs = m.population, m.graph, m.regions_state
    munis = np.flatnonzero(m.tie_index.municipal)
    centre, uwv, employer = rs.centre_row[0], rs.uwv_row[0], rs.employer_row[0]
    for mu in munis:
        assert g.has_edge(uwv, mu)
        if mu != centre:
            assert g.has_edge(centre, mu)
    assert g.has_edge(employer, centre) and g.has_edge(employer, uwv)
    for sw in np.flatnonzero(pop.kind == Kind.SW_COMPANY):
        owners = [v for v in g.adj[sw]]
        assert owners and all(pop.kind[o] in (Kind.MUNICIPALITY, Kind.CENTRE) for o in owners)
    peers = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == TieKind.SUBREGION_PEERS.label]
    assert peers and all(pop.subregion[u] == pop.subregion[v] for u, v in peers)


def test_bordering_regions_are_tied_through_their_centres():
    from chainsim.core.regions import find_region

    m = small_model([find_region("Friesland"), find_region("Groningen"), find_region("Zeeland")])
    rs, g = m.regions_state, m.graph
    assert g.has_edge(rs.centre_row[0], rs.centre_row[1])
    assert not g.has_edge(rs.centre_row[0], rs.centre_row[2])
    assert g.edges[rs.centre_row[0], rs.centre_row[1]]["region"] == ""      # between regions


def test_an_edge_names_its_region_as_its_nodes_do():
    m = small_model([small_region(n_municipalities=5, n_sw=1, n_subregions=2)])
    g = m.graph
    within = [(u, v, d["region"]) for u, v, d in g.edges(data=True) if d["region"] != ""]
    assert within and all(region == g.nodes[u]["region"] == g.nodes[v]["region"] for u, v, region in within)
    u, v, _ = within[0]
    g.edges[u, v]["region"] = ""                              # a code (or "") writes the index behind it
    assert m.ties.region[g.edges[u, v].index] == -1
    g.edges[u, v]["region"] = "XX01"
    assert m.ties.region[g.edges[u, v].index] == 0
    with pytest.raises(ValueError, match="no region with code 'XX99'"):
        g.edges[u, v]["region"] = "XX99"
    # networkx functions that build a new graph edge by edge keep every edge's region
    for built in (nx.relabel_nodes(g, {n: f"n{n}" for n in g}, copy=True), nx.compose(g, g),
                  nx.convert_node_labels_to_integers(g, first_label=100)):
        assert sorted(d["region"] for *_, d in built.edges(data=True)) == \
            sorted(d["region"] for *_, d in g.edges(data=True))


def test_the_graph_copies_pickles_and_exports(tmp_path):
    import pickle

    m = small_model([small_region(n_municipalities=4)])
    g = m.graph
    node = int(m.regions_state.uwv_row[0])
    assert g.nodes[node] == {"kind": "uwv", "name": "UWV Testregio XX01", "region": "XX01"}
    copied = g.copy()
    u, v = next(iter(g.edges()))
    copied.edges[u, v]["trust"] = 0.99
    assert g.edges[u, v]["trust"] != 0.99 and copied.ties is not g.ties
    restored = pickle.loads(pickle.dumps(g))
    assert np.array_equal(restored.ties.trust, g.ties.trust) and dict(restored.nodes(data=True)) == dict(g.nodes(data=True))
    restored.edges[u, v]["trust"] = 0.01
    assert restored.ties.trust[restored.edges[u, v].index] == 0.01
    nx.write_graphml(g, tmp_path / "ties.graphml")
    back = nx.read_graphml(tmp_path / "ties.graphml")
    assert back.number_of_edges() == g.number_of_edges()
    assert {d["kind"] for *_, d in back.edges(data=True)} >= {"centre_municipality", "uwv_municipality"}
