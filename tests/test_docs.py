"""docs/ODD.md stays in step with the code."""

import re
import sys
from pathlib import Path

from chainsim.core.mechanisms import __doc__ as mechanism_map

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from odd_tables import arrangement_table, lever_table, parameter_table  # noqa: E402

ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def block(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", ODD, re.S)
    assert match, name
    return match.group(1)


def test_parameter_and_arrangement_tables_match_the_code():
    assert block("parameter-table") == parameter_table(), "run scripts/odd_tables.py --write"
    assert block("arrangement-table") == arrangement_table(), "run scripts/odd_tables.py --write"
    assert block("lever-table") == lever_table(), "run scripts/odd_tables.py --write"


def test_every_mechanism_is_described_with_a_source_and_mapped_to_code():
    for i in range(1, 16):
        entry = re.search(rf"^- \*\*M{i} [^*]+\*\* \(([^)]*)\)", ODD, re.M)
        assert entry and re.search(r"00\d", entry.group(1)), f"M{i} needs a source in docs/ODD.md"
        assert f"| M{i} " in mechanism_map


def test_odd_headings_follow_the_protocol():
    for heading in ("Purpose and patterns", "Entities, state variables and scales",
                    "Process overview and scheduling", "Design concepts", "Initialization",
                    "Input data", "Submodels"):
        assert re.search(rf"^## \d\. {heading}", ODD, re.M), heading
