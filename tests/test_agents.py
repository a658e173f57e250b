import mesa
import numpy as np
from helpers import small_model, small_region

from chainsim.agents import CentreMunicipality, EmployerOrganisation, Municipality, SWCompany, UWVOffice


def test_every_organisation_is_a_mesa_agent_of_its_kind():
    m = small_model([small_region(n_municipalities=5, n_sw=2)])
    counts = {cls: len(m.agents_by_type[cls]) for cls in
              (Municipality, CentreMunicipality, UWVOffice, SWCompany, EmployerOrganisation)}
    assert counts == {Municipality: 4, CentreMunicipality: 1, UWVOffice: 1, SWCompany: 2,
                      EmployerOrganisation: 1}
    assert all(isinstance(a, mesa.Agent) for a in m.agents)


def test_agent_attributes_are_their_row():
    m = small_model([small_region()])
    village = m.agents_by_type[Municipality][0]
    village.belief = 0.9
    assert m.population.belief[village.row] == 0.9
    assert village.belief == 0.9
    uwv = m.agents_by_type[UWVOffice][0]
    assert village.trust_in(uwv) == m.graph.edges[village.row, uwv.row]["trust"]
    partners = dict((a.name, t) for a, t in village.ties())
    assert uwv.name in partners and 0 <= partners[uwv.name] <= 1
    centre = m.agents_by_type[CentreMunicipality][0]
    assert centre.leadership_style == m.regions_state.leadership_style[0]
    assert np.isfinite(uwv.connector)
