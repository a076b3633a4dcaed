"""What the validator reports: one :class:`Problem` per finding, one :class:`LayerReport` per layer.

Records are numbered from 0, in file order, everywhere a problem names one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ino_geo.data.catalogue import LayerSpec

__all__ = ["Problem", "LayerReport"]


@dataclass(frozen=True)
class Problem:
    """One problem found in a file.

    Attributes
    ----------
    file : str
        The file.
    layer : str or None
        The layer inside the file (GeoPackage) or the catalogue layer checked against.
    record : int or None
        0-based index of the record in the file/layer; None for a problem of the whole file.
    id : str or None
        ``column=value`` of the record's id, where the layer has one.
    field : str or None
        The column, or ``geometry`` / ``crs`` / ``file``.
    message : str

    Examples
    --------
    >>> str(Problem("parks.geojson", "parks", 0, "park_id=P1", "park_type", "'zoo' is not one of ..."))
    "parks.geojson: layer parks: record 0 (park_id=P1): field park_type: 'zoo' is not one of ..."
    """

    file: str
    layer: str | None
    record: int | None
    id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.layer:
            parts.append(f"layer {self.layer}")
        if self.record is not None:
            parts.append(f"record {self.record}" + (f" ({self.id})" if self.id else ""))
        if self.field:
            parts.append(f"field {self.field}")
        return ": ".join(parts) + f": {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict."""
        return {k: getattr(self, k) for k in ("file", "layer", "record", "id", "field", "message")}


@dataclass
class LayerReport:
    """The result of validating one layer of one file."""

    file: str
    layer: str | None
    spec: LayerSpec | None
    crs: Any = None
    count: int = 0
    geometry_types: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    frame: Any = None  # the GeoDataFrame, when asked for

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems
