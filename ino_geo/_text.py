"""Text from data made inert for a terminal and a spreadsheet (standard library only).

* :func:`inert`: control characters (newline, tab, ESC, C1) and the bidirectional controls
  that reorder what a terminal shows (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C)
  shown as escapes, so a name can neither break a line nor disguise itself;
* :func:`clip`: at most `width` characters, with an ellipsis;
* :func:`csv_safe`: a cell that a spreadsheet would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return) prefixed with ``'``; plain numbers (``-3.5``)
  stay as they are.

Examples
--------
>>> inert("a\\nb\\u202eevil")
'a\\\\nb\\\\u202eevil'
>>> clip("x" * 100, 10)
'xxxxxxxxx…'
>>> csv_safe("=HYPERLINK(1)"), csv_safe("-12.5"), csv_safe("-x")
("'=HYPERLINK(1)", '-12.5', "'-x")
"""

from __future__ import annotations

import re

__all__ = ["inert", "clip", "csv_safe", "TABLE_WIDTH"]

#: The widest a table column is shown (characters), longer text ends in an ellipsis.
TABLE_WIDTH = 60

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _escape(ch: str) -> str:
    o = ord(ch)
    return _NAMED.get(ch) or (f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")


def inert(text: str) -> str:
    """`text` with control and bidirectional-control characters shown as escapes."""
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def clip(text: str, width: int = TABLE_WIDTH) -> str:
    """`text` cut to at most `width` characters, the last one an ellipsis if cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def csv_safe(value: object) -> object:
    """`value` made inert for a spreadsheet (see the module); non-text values unchanged."""
    if not isinstance(value, str) or not value or value[0] not in "=+-@\t\r":
        return value
    if value[0] in "+-" and _NUMBER.match(value):
        return value
    return "'" + value
