"""Load the cited upper bounds on taper arguments (``data/tapers/bounds.toml``)."""

from __future__ import annotations

from functools import cache

import attrs

from painrx.errors import PainRxError, TableError
from painrx.provenance import Provenance
from painrx.tables import check_keys, entry_source, read_table
from painrx.units import Q, kind_of, magnitude

__all__ = ["TaperBounds", "bounds"]

PATH = "tapers/bounds.toml"


@attrs.frozen
class TaperBounds:
    """The bounds a taper's arguments must keep to (doses a day, interval, percent), with sources."""

    max_doses_per_day: int
    doses_source: Provenance
    max_interval_days: int
    interval_source: Provenance
    min_percent: int
    percent_source: Provenance


@cache
def bounds() -> TaperBounds:
    """Load the taper bounds.

    Raises:
        TableError: A section is missing, has unknown keys or a value of the wrong shape.
    """
    doc = read_table(PATH)
    found: dict[str, tuple[object, Provenance]] = {}
    for key in ("max_doses_per_day", "max_interval", "min_percent"):
        where = f"data/{PATH} [{key}]"
        entry = doc.get(key)
        if not isinstance(entry, dict):
            msg = f"{where}: missing; expected a table with value and source."
            raise TableError(msg)
        check_keys(entry, required={"value", "source"}, optional={"notes"}, where=where)
        found[key] = (entry["value"], entry_source(entry, PATH, f"[{key}]"))
    doses, doses_source = found["max_doses_per_day"]
    if isinstance(doses, bool) or not isinstance(doses, int) or doses < 1:
        msg = f"data/{PATH} [max_doses_per_day].value: expected a whole number, got {doses!r}."
        raise TableError(msg)
    text, interval_source = found["max_interval"]
    try:
        q = Q(str(text))
    except PainRxError:
        q = None
    days = magnitude(q, "day") if q is not None and kind_of(q) == "time" else 0.0
    if not days >= 1 or not float(days).is_integer():
        msg = f"data/{PATH} [max_interval].value: expected whole days such as '365 day', got {text!r}."
        raise TableError(msg)
    percent, percent_source = found["min_percent"]
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 < percent < 100:
        msg = f"data/{PATH} [min_percent].value: expected a whole number from 1 to 99, got {percent!r}."
        raise TableError(msg)
    return TaperBounds(doses, doses_source, int(days), interval_source, percent, percent_source)
