"""Every number a mechanism uses is declared once, with its source or marked as an estimate.

Scalars are parameters (chainsim/core/parameters.py, docs/ODD.md §7.2).
Tables -- a value per kind of tie, organisation or level, the shapes of
drawn traits -- are named constants listed in docs/ODD.md §7.2
(scripts/odd_tables.py, ``NAMED_CONSTANTS``), each with a docstring that
names its source or says "estimate". Any other number in the mechanisms,
the levers and the initialisation must say, in a comment on its line or
directly above it, why it is "not a parameter" (a guard against division by
zero, the middle of a 0-1 scale, array plumbing). 0 and 1 (identity, the
ends of the 0-1 scales, indices) and numbers below 1e-6 (guards against
division by zero) need no comment.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import sys
import tokenize
from pathlib import Path

import pytest

from chainsim.core.parameters import SPECS, Parameters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from odd_tables import NAMED_CONSTANTS, constant_docstring, constant_table  # noqa: E402

CORE = ROOT / "chainsim" / "core"
FILES = sorted((CORE / "mechanisms").glob("*.py")) + [CORE / "levers.py", CORE / "initialise.py"]
MARK = "not a parameter"
SOURCE = re.compile(r"\b00[0-4]\b|estimate|not a parameter", re.IGNORECASE)


def _module_file(module: str) -> Path:
    return Path(importlib.import_module(module).__file__).resolve()


def _marked_lines(source: str) -> tuple[set[int], set[int]]:
    """Lines whose comment says MARK, and lines that hold nothing but a comment."""
    marked, comment_only = set(), set()
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row = token.start[0]
            if MARK in token.string.lower():
                marked.add(row)
            if lines[row - 1].strip().startswith("#"):
                comment_only.add(row)
    return marked, comment_only


def _explained(row: int, first_row: int, marked: set[int], comment_only: set[int]) -> bool:
    """MARK on the number's line, or in the comment block just above it or above its statement."""
    if row in marked:
        return True
    for start in {row, first_row}:
        above = start - 1
        while above in comment_only:
            if above in marked:
                return True
            above -= 1
    return False


def undeclared_numbers(path: Path, named: frozenset[str] | None = None) -> list[str]:
    """``file:line: value`` of every number that is neither declared nor explained."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    if named is None:
        named = frozenset(name for module, name in NAMED_CONSTANTS if _module_file(module) == path.resolve())
    marked, comment_only = _marked_lines(source)
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []

    def visit(node: ast.AST, statement: ast.stmt | None, in_table: bool) -> None:
        if isinstance(node, ast.stmt):
            statement = node
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                in_table = any(isinstance(t, ast.Name) and t.id in named for t in targets)
        if (isinstance(node, ast.Constant) and type(node.value) in (int, float)
                and node.value not in (0, 1) and abs(node.value) >= 1e-6 and not in_table
                and not _explained(node.lineno, statement.lineno, marked, comment_only)):
            found.append(f"{where}:{node.lineno}: {node.value!r}")
        for child in ast.iter_child_nodes(node):
            visit(child, statement, in_table)

    visit(tree, None, False)
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_number_in_the_mechanisms_is_declared_or_says_why_not(path):
    found = undeclared_numbers(path)
    assert not found, ("declare these as parameters (chainsim/core/parameters.py) or named constants "
                       f"(scripts/odd_tables.py NAMED_CONSTANTS), or say '# {MARK}: why':\n" + "\n".join(found))


@pytest.mark.parametrize("code, named, expected", [
    ("def f(x):\n    return 0.3 * x\n", (), ["probe.py:2: 0.3"]),
    ("def f(x):\n    return 0.3 * x  # not a parameter: why\n", (), []),
    ("def f(x):\n    # not a parameter: why\n    return x[2]\n", (), []),
    ("def f(x):\n    # a comment that explains nothing\n    return x[2]\n", (), ["probe.py:3: 2"]),
    ("def f(x):\n    return x[0] * 1.0 - 1 + 1e-12\n", (), []),
    ("TABLE = {'a': 0.4}\n", ("TABLE",), []),
    ("TABLE = {'a': 0.4}\n", (), ["probe.py:1: 0.4"]),
])
def test_the_check_finds_undeclared_numbers(tmp_path, code, named, expected):
    probe = tmp_path / "probe.py"
    probe.write_text(code, encoding="utf-8")
    assert undeclared_numbers(probe, frozenset(named)) == expected


@pytest.mark.parametrize("module, name", NAMED_CONSTANTS)
def test_every_named_constant_says_where_its_values_come_from(module, name):
    assert hasattr(importlib.import_module(module), name)
    assert SOURCE.search(constant_docstring(module, name)), f"{module}.{name}: name a source or say 'estimate'"


def test_named_constants_are_listed_in_the_odd():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- constant-table:start -->\n(.*?)\n<!-- constant-table:end -->", odd, re.DOTALL)
    assert match and match.group(1) == constant_table(), "run scripts/odd_tables.py --write"


def test_every_declared_parameter_is_read_by_the_model():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "chainsim").rglob("*.py")
                     if p.name != "parameters.py")
    unread = [name for name in SPECS if not re.search(rf"\b{name}\b", code)]
    assert not unread, f"declared but never read: {unread}"


def test_lever_coefficients_are_parameters_that_act():
    """A lever's coefficient sets what strength 1 does (here: knowledge sharing's belief boost)."""
    from helpers import small_model

    from chainsim.core.calendar import Month
    from chainsim.core.levers import Lever, LeverSchedule, RegionSelection

    for boost in (0.05, 0.3):
        model = small_model(params=Parameters(knowledge_sharing_boost=boost))
        world = model.world
        lever = Lever("knowledge_sharing", Month(2012, 1), None, RegionSelection(), 0.5)
        LeverSchedule(world, (lever,))(world)
        assert world.regions_state.knowledge_boost == pytest.approx(0.5 * boost)
