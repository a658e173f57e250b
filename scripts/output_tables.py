"""Print the column tables of docs/outputs.md from the code.

    .venv/bin/python scripts/output_tables.py            # print them
    .venv/bin/python scripts/output_tables.py --write    # rewrite them in docs/outputs.md

tests/test_outputs.py checks that docs/outputs.md contains exactly these
tables and that they name every column chainsim writes, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from chainsim.results import region_month_columns
from chainsim.sweep import sweep_columns

DOC = Path(__file__).resolve().parents[1] / "docs" / "outputs.md"


def _table(columns) -> str:
    lines = ["| column | type | unit | meaning |", "|---|---|---|---|"]
    for name, kind, unit, meaning in columns:
        lines.append(f"| `{name}` | {kind} | {unit} | {meaning} |")
    return "\n".join(lines)


def tables() -> dict[str, str]:
    """The generated tables by marker name."""
    return {
        "region-months-columns": _table(region_month_columns()),
        "sweep-regions-columns": _table(sweep_columns("regions")),
        "sweep-national-columns": _table(sweep_columns("national")),
        "sweep-patterns-columns": _table(sweep_columns("patterns")),
        "sweep-werkplein-regions-columns": _table(sweep_columns("regions", era="werkpleinen_2005")),
        "sweep-werkplein-national-columns": _table(sweep_columns("national", era="werkpleinen_2005")),
        "sweep-werkplein-patterns-columns": _table(sweep_columns("patterns", era="werkpleinen_2005")),
    }


def write_tables(path: Path = DOC) -> None:
    """Replace the tables between their markers in docs/outputs.md."""
    text = path.read_text(encoding="utf-8")
    for name, table in tables().items():
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)",
                      lambda m, table=table: m.group(1) + table + m.group(2), text, flags=re.S)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_tables()
    else:
        for name, table in tables().items():
            print(f"{name}:\n{table}\n")
