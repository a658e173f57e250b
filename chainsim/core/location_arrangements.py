"""What a werkplein location could adopt, 2005-2011 (seeds 000-003).

Before the labour market regions, CWI, UWV and the municipalities built
integrated services for jobseekers at about 100 shared locations (000
'Beleidscontext'). The Inspectorate's 2007 survey asked which forms of
cooperation were in place -- a shared building, one counter, composed or
integrated teams, one contact person for a client, electronic chain
messages, a jointly developed local vision, a joint personnel plan (001
§4.1-§4.3) -- and the model lets each location's table propose, agree,
deliver and drop exactly those. Efforts follow from the obstacles the seeds
cite for each (the same rule as the region era:
:attr:`chainsim.core.arrangements.Arrangement.effort`); say and rivalry are
estimates; levels are read from the seeds' descriptions
(docs/research/werkplein_sources.md §3).

The arrangements the toonkamer principles ask for (002 §2.4: one process,
one contact person, housing under one roof) and local tripartite
management (due 2008-01-01, 001 §3.3) carry the era's deadline: integrated
service at every location by the end of 2009 (000 'Beleidscontext').

Results, the evidence that cooperation pays (M11), come from pooling here as
in the regions: seed 003 names the gains of working together at a werkplein
-- smoother handover of data, a better fit between client and consultant,
and scale in matching, with more jobseekers and vacancies in one pool (003
'Voordelen') -- so the shop-floor arrangements that pool clients and
instruments carry a ``pooling`` weight (estimates on the region catalogue's
scale: electronic messages and shared ICT 0.05, composed teams 0.1,
integrated teams 0.15, one contact person with all partners' instruments
0.2).

Most clients entered at CWI's intake and were handed over to the
organisation that paid their benefit, and some fell "between two stools"
there (000 'Ketensamenwerking'). What the partners agreed integrated service
means is "één persoon die het traject regisseert, er zijn geen
overdrachtsmomenten, er is één keer gegevensuitvraag ... een gemeenschappelijke
ICT" (001 §1.3), so the arrangements that remove a handover carry a
``bridging`` weight (estimates of how much of the handover each removes: one
contact person who follows the client from registration to exit 0.4, 001
§3.3; one counter 0.2; composed teams, the "overdrachtsteams" of 001 §4.3,
0.15; shared ICT 0.15 and electronic messages 0.1, data asked once). Only
their ratios matter: the labour market reads the share of the total in
force (:func:`chainsim.core.mechanisms.labour_market.bridged_share`).

No arrangement here plays the ``public_core`` role: those are what an
employer organisation watches, and the locations served jobseekers, not
employers (the employer side was regional, 001 §5.3), so employer
organisations stay outside this era.
"""

from __future__ import annotations

from chainsim.core.arrangements import (
    GOVERNANCE,
    OPERATIONAL,
    TACTICAL,
    Arrangement,
    Catalogue,
)

G, T, O = GOVERNANCE, TACTICAL, OPERATIONAL

LOCATION_ARRANGEMENTS: tuple[Arrangement, ...] = (
    # --- governance: the local chain consultation of CWI, UWV and the municipalities ---
    Arrangement("chain_consultation", G, (), 0.05, 0.0, consensus=False,
                roles=("meets_agency", "governing_table"),
                source="001 §3.2 fn 6 (120 regional chain consultations, REKO); 001 §4.3 (a regional form "
                       "of cooperation)"),
    Arrangement("local_vision", G, (), 0.20, 0.10, requires=("chain_consultation",), roles=("mandates",),
                source="001 §4.1 (a local vision on integrated service, developed jointly)"),
    # --- tactical: management and the means behind the shop floor ---
    Arrangement("tripartite_management", T, (
        "000 'Verschillende organisaties': unequal room to decide between municipal and agency managers",
    ), 0.25, 0.10, central_room=0.3, deadline=True, requires=("chain_consultation",),
        roles=("meets_agency", "mandates"),
        source="001 §3.3 (local tripartite management from 2008-01-01); 002 §2.3 (the chain MT)"),
    Arrangement("shared_building", T, (
        "000 'Praktische problemen': shortage of suitable housing",
    ), 0.20, 0.05, central_room=0.2, deadline=True, requires=("chain_consultation",), on_site=True,
        roles=("co_location",),
        source="001 §4.3 (a shared building, BVG); 002 §2.4 (toonkamer principle 7)"),
    Arrangement("joint_personnel_plan", T, (
        "001 §5.1: different pay and working hours between the organisations",
        "001 §6: personnel questions still open locally",
    ), 0.40, 0.20, central_room=0.4, requires=("tripartite_management",),
        roles=("shared_staffing", "mandates"), source="001 §4.1 (a joint personnel plan)"),
    Arrangement("chain_indicators", T, (
        "001 §5.1: separate money streams must be settled between the partners",
        "003 'Autonomie': each organisation still answers for its own outflow",
    ), 0.40, 0.70, central_room=0.5, requires=("tripartite_management",), roles=("joint_targets",),
        source="000 'Verschillende organisaties'; 002 §2.3, §3 (joint results against chain indicators)"),
    Arrangement("shared_ict", T, (
        "001 §5.5: different systems, double data entry",
        "000 'Praktische problemen': common ICT needs steering above the parties",
        "003 'Autonomie': systems not linked",
    ), 0.45, 0.05, central_room=0.3, requires=("tripartite_management",), roles=("shared_ict",),
        pooling=0.05, bridging=0.15,
        source="001 §3.3 fn 8 (the digital client file); 002 §4.4; 001 §1.3 (data asked once)"),
    # --- operational: the shop floor (001 §4.3) ---
    Arrangement("chain_messages", O, (
        "001 §5.5: outages and many systems behind the scenes",
    ), 0.10, 0.05, requires=("chain_consultation",),
        pooling=0.05, bridging=0.1, source="001 §4.3 (electronic chain messages between the partners)"),
    Arrangement("composed_teams", O, (), 0.15, 0.15, requires=("chain_consultation",), on_site=True,
                pooling=0.1, bridging=0.15,
                source="001 §4.3 (staff of several partners together, each with own tasks; 'overdrachtsteams "
                       "met vaste koppels')"),
    Arrangement("one_counter", O, (
        "001 §5.3: municipalities torn between the chain and their own front office",
        "001 §5.1: separate records make double work at one front office",
    ), 0.40, 0.15, central_room=0.2, deadline=True, requires=("chain_consultation",), on_site=True,
        bridging=0.2, source="001 §4.3 (one counter; Emmeloord without a shared building); 001 §2 (at one "
                             "counter the handovers in the front office disappear)"),
    Arrangement("integrated_teams", O, (
        "001 §5.1: different pay and working hours hamper doing the same tasks",
    ), 0.35, 0.25, central_room=0.3, deadline=True, requires=("composed_teams",), on_site=True,
        pooling=0.15, source="001 §4.3 (staff doing the same tasks; far rarer than composed teams)"),
    Arrangement("one_contact_person", O, (
        "002 §4.3: the partners must entrust powers to each other",
        "001 §5.6: the job profile is still unclear",
    ), 0.45, 0.35, central_room=0.3, deadline=True, requires=("composed_teams",), on_site=True,
        pooling=0.2, bridging=0.4,
        source="001 §1.3, §3.3 (one contact person with all partners' instruments); 001 cover (the 2009 aim)"),
)

LOCATION_LEGACY: dict[str, tuple[float, str]] = {
    "chain_consultation": (0.5, "estimate: regional chain consultations existed before 2007 (001 §3.2 fn 6) and "
                                "CWI and UWV agreed intensive cooperation in November 2005 (001 §3.3 fn 7); "
                                "no seed gives a share for 2005"),
}
"""Chances of being in force in January 2005. The era starts before the
building of integrated service (the toonkamers were evaluated at the end of
2006 and their principles introduced from 2008, 001 §2): every other
arrangement starts absent (chance 0), not with the region era's common
chance."""

LOCATION_CATALOGUE = Catalogue(
    "werkplein locations 2005-2011", LOCATION_ARRANGEMENTS,
    {**{a.id: (0.0, "absent in January 2005 (001 §2)") for a in LOCATION_ARRANGEMENTS}, **LOCATION_LEGACY})
"""The arrangements of the werkplein locations."""
