"""Reading TOML files and reporting their problems one line each, with file and line.

Shared by scenario files (:mod:`chainsim.scenario`) and experiment files
(:mod:`chainsim.experiment`). A problem reads
``FILE:LINE: key.path: what is wrong (allowed: ...)``.
"""

from __future__ import annotations

import difflib
import re
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


def read_toml(path: Path) -> tuple["TomlFile | None", list[str]]:
    if not path.is_file():
        return None, [f"{path}:1: file not found"]
    try:
        text = path.read_text(encoding="utf-8")
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
        return Month.parse(value)
    except ValueError:
        f.problem(key, f"{value!r} is not a month (allowed: \"YYYY-MM\")")
        return None


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
