"""The one conversion of data values to JSON: numpy scalars, NaN, None and pandas' NA.

Examples
--------
>>> import numpy as np
>>> [jsonable(v) for v in (np.int64(3), np.float64("nan"), np.bool_(True), None, "x")]
[3, None, True, None, 'x']
>>> jsonable(2.0, digits=3), jsonable(1.23456, digits=3), jsonable(1.23456)
(2, 1.235, 1.23456)
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["jsonable"]


def jsonable(v: Any, *, digits: int | None = None) -> Any:
    """`v` as a plain JSON value: ``None`` for missing and non-finite numbers.

    Parameters
    ----------
    v : any
        A cell value (Python, numpy or pandas scalar).
    digits : int, optional
        Round floats to this many decimals and write whole floats as integers (compact map
        data); by default numbers are kept exactly (tables and GeoJSON outputs).
    """
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()  # numpy scalar -> Python
    if isinstance(v, bool) or isinstance(v, int):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        if digits is None:
            return v
        return int(v) if v.is_integer() and abs(v) < 2**53 else round(v, digits)
    if isinstance(v, str):
        return v
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)
