"""Reading one TOML table of a map spec, with errors that name the file and the field.

Examples
--------
>>> c = Checker("map", "my.toml", {"title": 3})
>>> c.get("title", str)
Traceback (most recent call last):
...
ino_geo._errors.DataError: my.toml: map.title: expected a string, got an integer
"""

from __future__ import annotations

import re
from typing import Any

from ino_geo._errors import DataError

__all__ = ["Checker", "tname", "NAME_RE", "COLOR_RE"]

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")  # column names
# colours go into style attributes and SVG: only hex codes and plain CSS colour names
COLOR_RE = re.compile(r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|[a-zA-Z]{3,30})$")


class Checker:
    """Reads one table of the spec, remembering where it is for error messages."""

    def __init__(self, where: str, path: str, table: Any):
        self.where = where
        self.path = path
        if not isinstance(table, dict):
            self.fail(f"expected a table, got {tname(table)}")
        self.table = table
        self.seen: set[str] = set()

    def fail(self, msg: str, key: str | None = None) -> None:
        loc = f"{self.where}.{key}" if key and self.where else (key or self.where or "(top level)")
        raise DataError(f"{self.path}: {loc}: {msg}")

    def get(self, key: str, types: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if required:
                self.fail("missing (required)", key)
            return default
        value = self.table[key]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.fail(f"expected {_names(types)}, got a boolean", key)
        if not isinstance(value, types):
            self.fail(f"expected {_names(types)}, got {tname(value)}", key)
        return value

    def number(self, key: str, default: float | None = None, lo: float | None = None, hi: float | None = None,
               required: bool = False, strict_lo: bool = False) -> float | None:
        v = self.get(key, (int, float), default, required)
        if v is None:
            return None
        v = float(v)
        if v != v or v in (float("inf"), float("-inf")):
            self.fail("must be a finite number", key)
        if lo is not None and (v < lo or (strict_lo and v == lo)):
            self.fail(f"must be {'>' if strict_lo else '>='} {lo:g}, got {v:g}", key)
        if hi is not None and v > hi:
            self.fail(f"must be <= {hi:g}, got {v:g}", key)
        return v

    def color(self, key: str, default: str | None = None) -> str | None:
        v = self.get(key, str, default)
        if v is not None and not COLOR_RE.match(v):
            self.fail(f"not a colour: {v!r} (use #rrggbb or a CSS colour name)", key)
        return v

    def column(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        v = self.get(key, str, default, required)
        if v is not None and not NAME_RE.match(v):
            self.fail(f"not a column name: {v!r}", key)
        return v

    def columns(self, key: str) -> tuple[str, ...]:
        v = self.get(key, list, [])
        for i, c in enumerate(v):
            if not isinstance(c, str) or not NAME_RE.match(c):
                self.fail(f"item {i + 1} is not a column name: {c!r}", key)
        return tuple(v)

    def done(self) -> None:
        extra = sorted(set(self.table) - self.seen)
        if extra:
            self.fail(f"unknown key (expected one of: {', '.join(sorted(self.seen))})", extra[0])


def tname(v: Any) -> str:
    return {dict: "a table", list: "an array", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(v), type(v).__name__)


def _names(types: type | tuple[type, ...]) -> str:
    types = types if isinstance(types, tuple) else (types,)
    names = {"dict": "a table", "list": "an array", "str": "a string", "bool": "a boolean",
             "int": "a number", "float": "a number"}
    return " or ".join(dict.fromkeys(names.get(t.__name__, t.__name__) for t in types))
