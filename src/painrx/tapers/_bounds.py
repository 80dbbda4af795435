"""The cited upper bounds on taper arguments (``data/tapers/bounds.toml``).

The file's shape is declared once below and registered with
:func:`painrx.tables.table_shape`, like every other taper table.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

import attrs

from painrx.provenance import Provenance
from painrx.tables import OfKind, Range, load, table_part, table_shape, tables
from painrx.units import Quantity, magnitude

__all__ = ["TaperBounds", "bounds"]


@attrs.frozen
class TaperBounds:
    """The bounds a taper's arguments must keep to (doses a day, interval, percent), with sources."""

    max_doses_per_day: int
    doses_source: Provenance
    max_interval_days: int
    interval_source: Provenance
    min_percent: int
    percent_source: Provenance


@table_part
class _DosesRow:
    value: Annotated[int, Range(low=1)]
    source: Provenance
    notes: str = ""


@table_part
class _IntervalRow:
    value: Annotated[Quantity, OfKind("time")]
    source: Provenance
    notes: str = ""


@table_part
class _PercentRow:
    value: Annotated[int, Range(low=1, high=99)]
    source: Provenance
    notes: str = ""


@table_shape("taper_bounds")
@table_part
class _BoundsFile:
    """Upper bounds on taper arguments (``data/tapers/bounds.toml``)."""

    max_doses_per_day: _DosesRow
    max_interval: _IntervalRow
    min_percent: _PercentRow


@cache
def bounds() -> TaperBounds:
    """Load the taper bounds.

    Raises:
        TableError: The file fails its checksum or its declared shape.
    """
    (table,) = tables("taper_bounds")
    doc = load(_BoundsFile, table.id)
    days = magnitude(doc.max_interval.value, "day")
    return TaperBounds(
        max_doses_per_day=doc.max_doses_per_day.value,
        doses_source=doc.max_doses_per_day.source,
        max_interval_days=round(days),
        interval_source=doc.max_interval.source,
        min_percent=doc.min_percent.value,
        percent_source=doc.min_percent.source,
    )
