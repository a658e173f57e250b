"""Print the parameter and arrangement tables of docs/ODD.md from the code.

    .venv/bin/python scripts/odd_tables.py

tests/test_docs.py checks that docs/ODD.md contains exactly these tables, so
the documentation cannot drift from the code: change a default, re-run this
script and paste its output over the old tables.
"""

from __future__ import annotations

from chainsim.arrangements import ARRANGEMENTS, LEVEL_NAMES
from chainsim.parameters import SPECS


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


if __name__ == "__main__":
    print(parameter_table())
    print()
    print(arrangement_table())
