"""Line numbers of keys in a TOML text, for error messages that say where.

``tomllib`` parses without positions, so this reads the text once more and
records, for every ``key = value`` line, the dotted path of the key as the
scenario validator names it: ``parameters.weight_trust``,
``levers[2].strength``, ``calendar.start``. It understands table headers
(``[calendar]``), arrays of tables (``[[levers]]``) and dotted keys; a key
it cannot place falls back to its table's header line, and that to line 1.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+(?:\s*\.\s*[A-Za-z0-9_\-\"']+)*)\s*=")


def _clean(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def key_lines(text: str) -> dict[str, int]:
    """Map of dotted key path -> 1-based line number (first occurrence)."""
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    in_multiline = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        # skip the inside of multi-line strings
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        elif in_multiline:
            continue
        if not line or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = _clean(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                table = f"{name}[{index}]"
            else:
                table = name
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = f"{table}.{_clean(key.group(1))}" if table else _clean(key.group(1))
            lines.setdefault(path, number)
    return lines


def line_of(lines: dict[str, int], path: str) -> int:
    """Line of ``path``, else of the nearest enclosing table, else 1."""
    while path:
        if path in lines:
            return lines[path]
        if "." in path:
            path = path.rsplit(".", 1)[0]
        elif "[" in path:
            path = path.split("[", 1)[0]
        else:
            break
    return 1
