"""A table's listing, read from its ``[provenance]`` block alone.

Listing the tables (:mod:`painrx.tables._read`) and checking a whole document
(:mod:`painrx.tables._structure`) both start from this header; it lives below both so
the loader's imports run one way. (public face: ``painrx.tables``)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from painrx.errors import TableError
from painrx.provenance import Provenance

__all__ = ["TableInfo", "table_header"]


@attrs.frozen
class TableInfo:
    """One table edition shipped with painrx, as listed by :func:`tables`.

    Attributes:
        id: Table id, e.g. ``"CDC_2022"``.
        kind: What the table holds, e.g. ``"mme_factors"`` or ``"interaction_rules"``.
        path: The data file, relative to ``painrx/data``.
        source: The table's provenance.
    """

    id: str
    kind: str
    path: str
    source: Provenance

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"id": self.id, "kind": self.kind, "path": self.path} | {
            "source": self.source.to_dict()
        }


# The [provenance] block every table starts with: required and optional text keys, and
# the year. Checked here, without cattrs, because listing the tables must stay fast.
_PROVENANCE_TEXT = ("id", "kind", "title", "citation")
_PROVENANCE_OPTIONAL = ("url", "edition", "retrieved", "licence", "notes")


def table_header(block: object, path: str) -> TableInfo:
    """Check a table's ``[provenance]`` block and return its listing.

    Raises:
        TableError: In the loader's format, e.g. ``data/x.toml: provenance: missing key
            'citation'``.
    """
    where = f"data/{path}: provenance"
    if not isinstance(block, Mapping):
        msg = f"{where}: expected a table, got {repr(block)[:100]}"
        raise TableError(msg)
    required = (*_PROVENANCE_TEXT, "year")
    missing = [key for key in required if key not in block]
    if missing:
        msg = f"{where}: missing key {missing[0]!r}"
        raise TableError(msg)
    unknown = sorted(set(block) - {*required, *_PROVENANCE_OPTIONAL})
    if unknown:
        msg = f"{where}: unknown key(s) {unknown}; accepted: {sorted({*required, *_PROVENANCE_OPTIONAL})}"
        raise TableError(msg)
    for key in (*_PROVENANCE_TEXT, *_PROVENANCE_OPTIONAL):
        value = block.get(key, "")
        if not isinstance(value, str) or (key in _PROVENANCE_TEXT and not value.strip()):
            msg = f"{where}.{key}: expected non-empty text, got {repr(value)[:100]}"
            raise TableError(msg)
    year = block["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        msg = f"{where}.year: expected a whole number, got {repr(year)[:100]}"
        raise TableError(msg)
    source = Provenance(
        block["id"],
        block["title"],
        year,
        block["citation"],
        block.get("url", ""),
        block.get("edition", ""),
    )
    return TableInfo(block["id"], block["kind"], path, source)
