"""Reading TOML files and reporting their problems one line each, with file and line.

Shared by scenario files (:mod:`chainsim.scenario`) and experiment files
(:mod:`chainsim.experiment`). A problem reads
``FILE:LINE: key.path: what is wrong (allowed: ...)``.
"""

from __future__ import annotations

import difflib
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from chainsim.core.calendar import Month
from chainsim.toml_lines import key_lines, line_of


def suggest(key: str, allowed) -> str:
    close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def type_name(value: Any) -> str:
    return {str: "text", int: "integer", float: "number", bool: "true/false", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)


class TomlFile:
    """One parsed TOML file and the problems found in it."""

    def __init__(self, path: Path, text: str, data: dict) -> None:
        self.path, self.data = path, data
        self.lines = key_lines(text)
        self.problems: list[str] = []

    def problem(self, key: str, what: str) -> None:
        self.problems.append(f"{self.path}:{line_of(self.lines, key)}: {key}: {what}")

    def sorted_problems(self) -> list[str]:
        """The problems in the order of their lines in the file (those of one line in the order found)."""
        prefix = len(f"{self.path}:")

        def line(problem: str) -> int:
            number = problem[prefix:].split(":", 1)[0]
            return int(number) if problem.startswith(f"{self.path}:") and number.isdigit() else 0

        return sorted(self.problems, key=line)


MAX_FILE_BYTES = 1_000_000
"""Scenario and experiment files are a few kB; anything above this is not one (and is not read)."""

MONTHS_ALLOWED = (Month(2000, 1), Month(2030, 12))
"""Months a file may name: the model's time line has dated events from the werkplein era to the
Participatiewet; far outside it a calendar means nothing, and a huge span would exhaust memory."""


def read_toml(path: Path) -> tuple["TomlFile | None", list[str]]:
    """Parse a file, or say in one line why not: missing, not a regular file, too large, not UTF-8, bad TOML."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError:
        return None, [f"{path}:1: file not found"]
    if not stat.S_ISREG(info.st_mode):
        return None, [f"{path}:1: not a regular file (allowed: a TOML file)"]
    if info.st_size > MAX_FILE_BYTES:
        return None, [f"{path}:1: file is {info.st_size:,} bytes (allowed: at most {MAX_FILE_BYTES:,}; "
                      "a scenario or experiment file is a few kB)"]
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8-sig")          # a byte-order mark is allowed
    except (UnicodeDecodeError, OSError) as exc:
        return None, [f"{path}:1: cannot be read as UTF-8 text ({exc.__class__.__name__})"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else "1"
        return None, [f"{path}:{line}: TOML syntax error: {exc}"]
    return TomlFile(path, text, data), []


def check_month(f: TomlFile, key: str, value: Any) -> Month | None:
    if not isinstance(value, str):
        f.problem(key, f"must be a month in quotes, got {type_name(value)} (allowed: \"YYYY-MM\")")
        return None
    try:
        month = Month.parse(value)
    except ValueError:
        f.problem(key, f"{value!r} is not a month (allowed: \"YYYY-MM\")")
        return None
    low, high = MONTHS_ALLOWED
    if not low <= month <= high:
        f.problem(key, f"{value!r} lies outside the months the model covers (allowed: {low} to {high})")
        return None
    return month


def check_whole(f: TomlFile, key: str, value: Any, low: int, high: int) -> int | None:
    """A whole number within [low, high], or a problem."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        f.problem(key, f"must be a whole number {low} to {high}, got {value!r}")
        return None
    return value


def check_number(f: TomlFile, key: str, value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        f.problem(key, f"must be a number, got {type_name(value)} (allowed: {low:g} to {high:g})")
        return None
    if not low <= value <= high:
        f.problem(key, f"{value:g} out of range (allowed: {low:g} to {high:g})")
        return None
    return float(value)
