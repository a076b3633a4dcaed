"""What a map says to the public, in English or Russian: field titles, value labels, citations.

Labels live once: value labels and column titles in the layer catalogue
(``labels``/``labels_ru``, ``label``/``label_ru`` of a column), map and layer titles in the map
specs (``title``/``title_ru``, ``[field_labels]``/``[field_labels_ru]``). The few words of the
page itself (``Legend``, ``other / none``) are in :data:`PHRASES`.

Sources are shown as readable citations: internal seed file names
(``seed:001_f8bb5fa29d4484f7.txt``) become "INO Tomsk programme documents"; the page makes
links of ``http(s)://`` parts only.

Examples
--------
>>> citation("seed:001_f8bb5fa29d4484f7.txt; seed:004_2cec08dc190eb08b.txt; kommersant.ru/doc/8142272")
'INO Tomsk programme documents; kommersant.ru/doc/8142272'
>>> phrase("legend", "ru")
'Легенда'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ino_geo._errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from ino_geo.data.catalogue import Catalogue, ColumnSpec

__all__ = ["LANGS", "PHRASES", "check_lang", "phrase", "citation", "catalogue_column", "SEED_CITATION"]

#: The languages of the maps (English first: the default).
LANGS = ("en", "ru")

#: How an internal programme document (``seed:NNN_....txt``) is cited, by language.
SEED_CITATION = {"en": "INO Tomsk programme documents", "ru": "Документы программы ИНО Томск"}

PHRASES = {
    "legend": {"en": "Legend", "ru": "Легенда"},
    "layers": {"en": "Layers", "ru": "Слои"},
    "other": {"en": "other / none", "ru": "другое / нет"},
    "no_value": {"en": "no value", "ru": "нет значения"},
    "absent": {"en": "not on this map", "ru": "нет на этой карте"},
    "base": {"en": "Reference base (from the layers)", "ru": "Опорная основа (из слоёв)"},
    "place_names": {"en": "Place names", "ru": "Названия"},
    "other_name": {"en": "Name in Russian", "ru": "Название (англ.)"},
    "covered": {"en": "Covered", "ru": "В зоне доступности"},
}

_SEED_RE = re.compile(r"^seed:\d{3}_[0-9a-f]{6,}\.txt$", re.IGNORECASE)


def check_lang(lang: str) -> str:
    """`lang` if it is a map language, else :class:`UsageError`."""
    if lang not in LANGS:
        raise UsageError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def phrase(key: str, lang: str = "en") -> str:
    """A word of the page in `lang`."""
    return PHRASES[key].get(lang) or PHRASES[key]["en"]


def citation(source: Any, lang: str = "en") -> str:
    """A source field as a readable citation: seed file names become one named citation."""
    if source is None or (isinstance(source, float) and source != source):
        return ""
    out: list[str] = []
    for part in (p.strip() for p in str(source).split(";")):
        if not part:
            continue
        part = SEED_CITATION.get(lang, SEED_CITATION["en"]) if _SEED_RE.match(part) else part
        if part not in out:
            out.append(part)
    return "; ".join(out)


def catalogue_column(catalogue: "Catalogue | None", layer: str | None, column: str) -> "ColumnSpec | None":
    """The catalogue entry of `column`: of `layer` if it has one, else of the first layer that
    labels a column of that name (e.g. ``park_type`` of a proximity result: the parks')."""
    layers = getattr(catalogue, "layers", None) or {}
    if layer in layers and column in layers[layer].columns:
        return layers[layer].columns[column]
    for spec in layers.values():
        col = spec.columns.get(column)
        if col is not None and (col.labels or col.label):
            return col
    return None
