"""Line numbers of keys in a TOML text, for error messages that say where.

``tomllib`` parses without positions, so this reads the text once more and
records, for every key, the dotted path of the key as the scenario and
experiment validators name it, and the line where it is written:
``parameters.weight_trust``, ``levers[2].strength``, ``calendar.start``.
It follows table headers (``[calendar]``, sub-tables such as
``[levers.regions]``), arrays of tables (``[[levers]]``, counted per
parent), dotted and quoted keys (``parameters."weight_trust"``), inline
tables (``regions = { fraction = 0.5 }``) and inline arrays, also over
several lines (``levers = [ { ... }, { ... } ]``, whose items are
``levers[0]``, ``levers[1]``), and skips strings and comments. A key it
cannot place falls back to its enclosing table's or array's line, and that
to line 1. The text is one that ``tomllib`` has already accepted; should the
reading still stop somewhere, the keys found before that point are kept.
"""

from __future__ import annotations

import bisect
import tomllib

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SPACE = " \t\r"
_SCALAR_END = ",]}#\n"


class _Stop(Exception):
    """The text ended, or holds something this reader does not expect."""


class _Reader:
    """One pass over the text, recording ``path -> line`` for every key, table and array item."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        self.lines: dict[str, int] = {}
        self.table_counts: dict[str, int] = {}     # array of tables (resolved path) -> items so far

    # --- positions and recording -----------------------------------------------------
    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def record(self, path: str, pos: int) -> None:
        if path:
            self.lines.setdefault(path, self.line(pos))

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def skip(self, newlines: bool) -> None:
        """Skip spaces and comments, and line ends too when ``newlines``."""
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in _SPACE or (newlines and c == "\n"):
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def expect(self, c: str) -> None:
        if self.peek() != c:
            raise _Stop
        self.pos += 1

    # --- keys -------------------------------------------------------------------------
    def key(self) -> tuple[list[str], int]:
        """A (dotted) key at the current position: its parts, unquoted, and where it starts."""
        start, parts = self.pos, []
        while True:
            self.skip(newlines=False)
            c = self.peek()
            if c == '"':
                begin = self.pos
                self.basic_string()
                parts.append(tomllib.loads(f"k = {self.text[begin:self.pos]}")["k"])
            elif c == "'":
                begin = self.pos
                self.literal_string()
                parts.append(self.text[begin + 1:self.pos - 1])
            else:
                begin = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE:
                    self.pos += 1
                if self.pos == begin:
                    raise _Stop
                parts.append(self.text[begin:self.pos])
            self.skip(newlines=False)
            if self.peek() != ".":
                return parts, start
            self.pos += 1

    def key_value(self, prefix: str) -> None:
        """``key = value`` at the current position, its key below ``prefix``."""
        parts, start = self.key()
        path = prefix
        for part in parts:
            path = f"{path}.{part}" if path else part
            self.record(path, start)
        self.skip(newlines=False)
        self.expect("=")
        self.skip(newlines=False)
        self.value(path)

    # --- values -----------------------------------------------------------------------
    def value(self, path: str) -> None:
        c = self.peek()
        if c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        elif c == '"':
            self.basic_string()
        elif c == "'":
            self.literal_string()
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1

    def array(self, path: str) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            item = f"{path}[{index}]"
            self.record(item, self.pos)
            self.value(item)
            index += 1
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise _Stop

    def inline_table(self, path: str) -> None:
        self.expect("{")
        while True:
            self.skip(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            self.key_value(path)
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise _Stop

    def basic_string(self) -> None:
        text = self.text
        if self.peek(3) == '"""':
            self.pos += 3
            while True:
                if self.pos >= len(text):
                    raise _Stop
                if text[self.pos] == "\\":
                    self.pos += 2
                elif text.startswith('"""', self.pos):
                    self.pos += 3
                    while self.peek() == '"':           # up to two quotes may close the content
                        self.pos += 1
                    return
                else:
                    self.pos += 1
        self.pos += 1
        while self.pos < len(text) and text[self.pos] not in '"\n':
            self.pos += 2 if text[self.pos] == "\\" else 1
        self.expect('"')

    def literal_string(self) -> None:
        text = self.text
        if self.peek(3) == "'''":
            end = text.find("'''", self.pos + 3)
            if end < 0:
                raise _Stop
            self.pos = end + 3
            while self.peek() == "'":
                self.pos += 1
            return
        end = text.find("'", self.pos + 1)
        if end < 0:
            raise _Stop
        self.pos = end + 1

    # --- the document ------------------------------------------------------------------
    def header(self) -> str:
        """A ``[table]`` or ``[[array]]`` header: the table's path as the validators name it."""
        start = self.pos
        double = self.peek(2) == "[["
        self.pos += 2 if double else 1
        parts, _ = self.key()
        path = ""
        for i, part in enumerate(parts):
            path = f"{path}.{part}" if path else part
            if double and i == len(parts) - 1:
                self.record(path, start)             # the array itself: where its first item starts
                self.table_counts[path] = self.table_counts.get(path, 0) + 1
            if path in self.table_counts:            # an array of tables: its latest item
                path = f"{path}[{self.table_counts[path] - 1}]"
            self.record(path, start)
        self.skip(newlines=False)
        self.expect("]")
        if double:
            self.expect("]")
        return path

    def document(self) -> dict[str, int]:
        table = ""
        try:
            while True:
                self.skip(newlines=True)
                if self.pos >= len(self.text):
                    break
                if self.peek() == "[":
                    table = self.header()
                else:
                    self.key_value(table)
                self.skip(newlines=False)
                if self.pos < len(self.text) and self.peek() != "\n":
                    raise _Stop
        except (_Stop, tomllib.TOMLDecodeError, RecursionError):
            pass
        return self.lines


def key_lines(text: str) -> dict[str, int]:
    """Map of dotted key path -> 1-based line number (first occurrence)."""
    return _Reader(text).document()


def line_of(lines: dict[str, int], path: str) -> int:
    """Line of ``path``, else of the nearest enclosing table or array (``a[1].b`` -> ``a[1]`` -> ``a``), else 1."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return 1
