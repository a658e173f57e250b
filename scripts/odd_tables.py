"""Print the parameter, named-constant, arrangement and lever tables of docs/ODD.md from the code.

    .venv/bin/python scripts/odd_tables.py            # print them
    .venv/bin/python scripts/odd_tables.py --write    # rewrite them in docs/ODD.md

tests/test_docs.py checks that docs/ODD.md contains exactly these tables, so
the documentation cannot drift from the code.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
import sys
from enum import Enum
from pathlib import Path

import numpy as np

from chainsim.core.arrangements import ARRANGEMENTS, LEGACY, LEVEL_NAMES
from chainsim.core.client_groups import LOCATION_GROUPS, REGION_GROUPS
from chainsim.core.levers import LEVERS
from chainsim.core.parameters import SPECS

NAMED_CONSTANTS: tuple[tuple[str, str], ...] = (
    ("chainsim.core.initialise", "TRUST_OFFSET"),
    ("chainsim.core.initialise", "OWN_TARGET"),
    ("chainsim.core.parameters", "TRAIT_SHAPES"),
    ("chainsim.core.mechanisms.actors", "ICT_SAY_COST"),
    ("chainsim.core.mechanisms.table", "PRESSURE_BY_LEVEL"),
    ("chainsim.core.mechanisms.table", "FEAR_WITHOUT_TRUST"),
    ("chainsim.core.mechanisms.table", "MANDATE_SAY_RELIEF"),
    ("chainsim.core.mechanisms.table", "UWV_ANTICIPATION"),
    ("chainsim.core.mechanisms.execution", "LAG_BY_LEVEL"),
    ("chainsim.core.mechanisms.execution", "LAPSE_BY_LEVEL"),
    ("chainsim.core.mechanisms.labour_market", "REFERENCE_RATIO"),
    ("chainsim.core.mechanisms.trust", "NO_TIE_TRUST"),
)
"""The numbers the mechanisms use that are not parameters of chainsim/core/parameters.py:
tables (a value per kind of tie, organisation or level; the shapes of drawn
traits) and the scalars that another statement of the same rule repeats.
Each is documented by the string right after its assignment, which names
its source or says "estimate"."""


def parameter_table() -> str:
    lines = ["| parameter | default | range | mechanism | source | meaning |",
             "|---|---|---|---|---|---|"]
    for s in SPECS.values():
        lines.append(f"| `{s.name}` | {s.default:g} | {s.low:g} – {s.high:g} | {s.mechanism} | "
                     f"{s.source} | {s.description} |")
    return "\n".join(lines)


def constant_docstring(module: str, name: str) -> str:
    """The string literal that follows ``NAME = ...`` at the top level of a module."""
    path = Path(importlib.import_module(module).__file__)
    body = ast.parse(path.read_text(encoding="utf-8")).body
    for statement, following in itertools.pairwise(body):
        targets = statement.targets if isinstance(statement, ast.Assign) else \
            [statement.target] if isinstance(statement, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant) \
                    and isinstance(following.value.value, str):
                return " ".join(following.value.value.split())
            break
    raise LookupError(f"{module}.{name} has no docstring after its assignment")


def _value(value) -> str:
    if isinstance(value, Enum):
        return value.name.lower().replace("_", "-")
    if isinstance(value, dict):
        return "; ".join(f"{_value(k)} {_value(v)}" for k, v in value.items())
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    if isinstance(value, np.ndarray):
        return "; ".join(f"{level} {v:g}" for level, v in zip(LEVEL_NAMES, value.tolist()))
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return str(value)


def constant_table() -> str:
    lines = ["| constant | in | value | meaning and source |", "|---|---|---|---|"]
    for module, name in NAMED_CONSTANTS:
        value = getattr(importlib.import_module(module), name)
        lines.append(f"| `{name}` | {module.removeprefix('chainsim.')} | {_value(value)} | "
                     f"{constant_docstring(module, name)} |")
    return "\n".join(lines)


def _handover(group) -> str:
    if not group.handed_over:
        return "no"
    return "yes" if group.handover_ends is None else f"yes, until {group.handover_ends}"


def client_group_table() -> str:
    """The client groups of both eras (chainsim/core/client_groups.py), one row per group."""
    lines = ["| era | group | judged | placements / month | other exits / month | handed over | basis |",
             "|---|---|---|---|---|---|---|"]
    for groups in (REGION_GROUPS, LOCATION_GROUPS):
        for g in groups.groups:
            lines.append(f"| {groups.name} | {g.name} | {g.owner} | {g.placement:.3g} | {g.other_exit:.3g} | "
                         f"{_handover(g)} | {g.basis} |")
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
        if a.id in LEGACY:
            chance, passage = LEGACY[a.id]
            other.append(f"legacy {chance:g} ({passage})")
        if a.on_site:
            other.append("rests on UWV staff on site")
        if a.obstacles:
            other.append("effort: " + "; ".join(a.obstacles))
        if a.available_from:
            other.append(f"from {a.available_from}")
        lines.append(f"| `{a.id}` | {LEVEL_NAMES[a.level]} | {a.effort:g} | {a.say_cost:g} | {a.rivalry:g} | "
                     f"{a.central_room:g} | {', '.join(a.requires) or '–'} | {'; '.join(other) or '–'} | {a.source} |")
    return "\n".join(lines)


def lever_table() -> str:
    lines = ["| lever | eras | mechanisms | what it changes while active | options | source |",
             "|---|---|---|---|---|---|"]
    for kind, cls in LEVERS.items():
        summary = " ".join(cls.__doc__.strip().split("\n\n")[1].split()) if "\n\n" in cls.__doc__ else ""
        options = "; ".join(f"`{name}` (default {d:g}, {lo:g}–{hi:g}): {meaning}"
                            for name, (d, lo, hi, meaning) in cls.options.items()) or "–"
        eras = ", ".join(cls.eras)
        lines.append(f"| `{kind}` | {eras} | {cls.mechanisms} | {summary} | {options} | {cls.source} |")
    return "\n".join(lines)


def write_tables(path: Path) -> None:
    """Replace the tables between their markers in docs/ODD.md."""
    text = path.read_text(encoding="utf-8")
    for name, table in (("parameter-table", parameter_table()), ("constant-table", constant_table()),
                        ("client-group-table", client_group_table()),
                        ("arrangement-table", arrangement_table()), ("lever-table", lever_table())):
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)",
                      lambda m, table=table: m.group(1) + table + m.group(2), text, flags=re.S)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_tables(Path(__file__).resolve().parents[1] / "docs" / "ODD.md")
    else:
        print(parameter_table())
        print()
        print(constant_table())
        print()
        print(client_group_table())
        print()
        print(arrangement_table())
        print()
        print(lever_table())
