"""Print the parameter and arrangement tables of docs/ODD.md from the code.

    .venv/bin/python scripts/odd_tables.py            # print them
    .venv/bin/python scripts/odd_tables.py --write    # rewrite them in docs/ODD.md

tests/test_docs.py checks that docs/ODD.md contains exactly these tables, so
the documentation cannot drift from the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from chainsim.core.arrangements import ARRANGEMENTS, LEVEL_NAMES
from chainsim.core.levers import LEVERS
from chainsim.core.parameters import SPECS


def parameter_table() -> str:
    lines = ["| parameter | default | range | mechanism | source | meaning |",
             "|---|---|---|---|---|---|"]
    for s in SPECS.values():
        lines.append(f"| `{s.name}` | {s.default:g} | {s.low:g} – {s.high:g} | {s.mechanism} | "
                     f"{s.source} | {s.description} |")
    return "\n".join(lines)


def arrangement_table() -> str:
    lines = ["| arrangement | level | effort | say cost | rivalry | UWV room | requires | other | source |",
             "|---|---|---|---|---|---|---|---|---|"]
    for a in ARRANGEMENTS:
        other = []
        if not a.needs_uwv:
            other.append("without UWV")
        if a.needs_subregions:
            other.append("needs subregions")
        if a.needs_sw_partner:
            other.append("needs an SW partner")
        if a.needs_engaged_employers:
            other.append("needs engaged employers")
        if a.consensus:
            other.append("consensus")
        if a.deadline:
            other.append("2015 deadline")
        if a.demand_led:
            other.append("demand-led")
        if a.pooling:
            other.append(f"pooling {a.pooling:g}")
        if a.legacy:
            other.append(f"legacy {a.legacy:g}")
        if a.available_from:
            other.append(f"from {a.available_from}")
        lines.append(f"| `{a.id}` | {LEVEL_NAMES[a.level]} | {a.effort:g} | {a.say_cost:g} | {a.rivalry:g} | "
                     f"{a.central_room:g} | {', '.join(a.requires) or '–'} | {'; '.join(other) or '–'} | {a.source} |")
    return "\n".join(lines)


def lever_table() -> str:
    lines = ["| lever | mechanisms | what it changes while active | options | source |", "|---|---|---|---|---|"]
    for kind, cls in LEVERS.items():
        summary = " ".join(cls.__doc__.strip().split("\n\n")[1].split()) if "\n\n" in cls.__doc__ else ""
        options = "; ".join(f"`{name}` (default {d:g}, {lo:g}–{hi:g}): {meaning}"
                            for name, (d, lo, hi, meaning) in cls.options.items()) or "–"
        lines.append(f"| `{kind}` | {cls.mechanisms} | {summary} | {options} | {cls.source} |")
    return "\n".join(lines)


def write_tables(path: Path) -> None:
    """Replace the tables between their markers in docs/ODD.md."""
    text = path.read_text(encoding="utf-8")
    for name, table in (("parameter-table", parameter_table()), ("arrangement-table", arrangement_table()),
                        ("lever-table", lever_table())):
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)",
                      lambda m, table=table: m.group(1) + table + m.group(2), text, flags=re.S)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_tables(Path(__file__).resolve().parents[1] / "docs" / "ODD.md")
    else:
        print(parameter_table())
        print()
        print(arrangement_table())
        print()
        print(lever_table())
