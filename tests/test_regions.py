import csv
from importlib import resources

import pytest

from chainsim.core.regions import UnknownRegionError, find_region, load_borders, load_regions

SEED_CASES = {  # 004 App. 3: labour market, SW companies, subregions
    "Friesland": ("-", 3, 0), "Gooi en Vechtstreek": ("+", 2, 2), "Rijnmond": ("+/-", 6, 6),
    "Stedendriehoek en Noordwest Veluwe": ("+", 6, 4), "Helmond-De Peel": ("+/-", 1, 0),
}


def test_thirty_five_regions_and_their_municipalities():
    regions = load_regions()
    assert len(regions) == 35
    assert sum(r.n_municipalities for r in regions) == 393
    for r in regions:
        assert r.municipalities[0] == r.centre
        assert len(set(r.municipalities)) == r.n_municipalities


def test_case_regions_take_the_seed_values():
    for name, (market, sw, sub) in SEED_CASES.items():
        r = find_region(name)
        assert (r.labour_market, r.n_sw_companies, r.n_subregions) == (market, sw, sub)
    assert find_region("Helmond-De Peel").formal_mandate
    # 004 §4.5 names one aldermen's platform, Friesland's VFG; no seed describes another
    assert [r.name for r in load_regions() if r.aldermen_platform] == ["Friesland"]
    assert sum(r.n_subregions > 0 for r in load_regions()) == 20   # 004 §3.1


def test_every_value_says_where_it_comes_from():
    with resources.files("chainsim.data").joinpath("regions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for column, basis in ((c, row[c + "_basis"]) for c in row if c + "_basis" in row):
            assert basis.strip(), (row["code"], column)
            if row["code"] not in ("AM02", "AM06", "AM12", "AM22", "AM32") and column in (
                    "regional_identity", "economy_concentration", "commuting_out", "n_sw_companies"):
                assert basis.startswith("estimate"), (row["code"], column, basis)


def test_borders_join_known_regions():
    codes = {r.code for r in load_regions()}
    borders = load_borders()
    assert len(borders) == 76
    assert all(a in codes and b in codes for a, b in borders)


def test_find_region_accepts_codes_names_and_seed_spellings():
    assert find_region("am02").name == "Friesland"
    assert find_region("Gooi- en Vechtstreek").code == "AM12"
    assert find_region("helmond").code == "AM32"
    with pytest.raises(UnknownRegionError, match="allowed"):
        find_region("Atlantis")
    with pytest.raises(UnknownRegionError, match=r"; did you mean 'Friesland'\?$"):
        find_region("Frieslan")
    with pytest.raises(UnknownRegionError) as err:
        find_region("Atlantis")
    assert "did you mean" not in str(err.value)
