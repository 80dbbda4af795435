"""The batch API over pandas, pyarrow, dicts and Dask. (public face: ``painrx.batch``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar, cast

from painrx.batch._kinds import Kind, attach_added, column_names
from painrx.batch._opioids import check_mme_table, scalar_mme, threshold_levels
from painrx.errors import InputError

__all__ = [
    "ADDED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "mme_prescriptions",
]

#: Columns every input table must have.
REQUIRED_COLUMNS: Final = ("drug", "strength", "strength_unit", "quantity", "days_supply")
#: Columns used when present (a missing or empty value means: not given).
OPTIONAL_COLUMNS: Final = ("route", "form")
#: Columns added to the output (replacing input columns of the same name).
ADDED_COLUMNS: Final = ("mme_per_day", "factor", "table", "alerts", "error")

_Table = TypeVar("_Table")


def _kind(table: object) -> Kind:
    # Recognised by module name, so no optional library is imported to check.
    package = type(table).__module__.split(".", 1)[0]
    name = type(table).__name__
    if package == "dask" and name == "DataFrame":
        return "dask"
    if package == "pandas" and name == "DataFrame":
        return "pandas"
    if package == "pyarrow" and name == "Table":
        return "arrow"
    if isinstance(table, Mapping):
        return "dict"
    msg = (
        f"mme_prescriptions() takes a pandas DataFrame, a pyarrow Table, a Dask DataFrame "
        f"or a dict of arrays, not {type(table).__name__}."
    )
    raise InputError(msg)


def _check_columns(names: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        msg = (
            f"The table has no column(s) {', '.join(missing)}; required: "
            f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})."
        )
        raise InputError(msg)


def _columns(table: Any, kind: Kind) -> tuple[dict[str, Any], int]:
    import numpy as np

    names = set(column_names(table, kind))
    wanted = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in names]
    if kind == "dict":
        columns: dict[str, Any] = {c: table[c] for c in wanted}
        scalars = [c for c, v in columns.items() if np.ndim(v) != 1]
        if scalars:
            msg = f"Column(s) {', '.join(scalars)} must be one-dimensional arrays or lists."
            raise InputError(msg)
        lengths = {c: len(v) for c, v in columns.items()}
        if len(set(lengths.values())) > 1:
            msg = f"The columns have different lengths: {lengths}."
            raise InputError(msg)
        return columns, lengths[REQUIRED_COLUMNS[0]]
    if kind == "arrow":
        return {c: table.column(c) for c in wanted}, int(table.num_rows)
    return {c: table[c] for c in wanted}, len(table)


def _dask(table: Any, table_id: str, thresholds: str | None) -> Any:
    from dask.dataframe.utils import clear_known_categories

    meta = mme_prescriptions(table._meta, table_id=table_id, thresholds=thresholds)
    # Each partition has its own categories; dask must not assume the empty meta's.
    meta = clear_known_categories(  # type: ignore[no-untyped-call] # dask's helper is untyped
        meta, cols=["table", "alerts", "error"]
    )
    return table.map_partitions(
        mme_prescriptions, table_id=table_id, thresholds=thresholds, meta=meta
    )


def mme_prescriptions(
    table: _Table, *, table_id: str = "CDC_2022", thresholds: str | None = "CDC_2016"
) -> _Table:
    """Return ``table`` with the MME/day of every prescription row.

    Args:
        table: A pandas DataFrame, a pyarrow Table, a Dask DataFrame or a dict of
            equal-length arrays, with columns ``drug, strength, strength_unit,
            quantity, days_supply`` and optionally ``route, form`` (other columns are
            kept as they are); or, in place of drug, strength and unit, an ``ndc``
            column (NDCs as text in any common spelling; the CDC 2018 NDC file gives
            each product, and adds ``ndc11`` and ``product`` columns). ``strength``
            is the opioid component per unit in ``strength_unit`` (``mg``, ``mcg``, ``mcg/h``, ``mg/mL``…); ``quantity`` is
            the number of units, or mL for liquids and sprays.
        table_id: MME table; default ``painrx.opioids.DEFAULT_MME_TABLE`` (CDC 2022, the
            one default of every MME entry point; ``"CDC_NDC_2018"`` for the file's own
            factors).
        thresholds: Threshold policy whose alerts are added per row, or None.

    Returns:
        The same kind of table with the input's rows in the input's order and five
        added columns: ``mme_per_day`` (float, NaN on error), ``factor`` (the
        multiplier applied to the strength as given), ``table``, ``alerts`` (alert
        codes joined by ``;``) and ``error`` (``"<Error>: message"`` or missing).
        pandas gets categorical text columns, pyarrow dictionary-encoded ones, a
        dict numpy object arrays; a Dask DataFrame gets a lazy Dask DataFrame.

    Raises:
        InputError: Not a supported table, a required column missing, columns of
            different lengths, or an unknown ``table_id`` or ``thresholds``.
    """
    kind = _kind(table)
    names = column_names(table, kind)
    # Imported here: _ndc needs numpy at import, and the batch imports it only for a table.
    from painrx.batch import _ndc

    if _ndc.wants_ndc(names):
        return cast("_Table", _ndc.mme_prescriptions_ndc(table, kind, table_id, thresholds))
    _check_columns(names)
    check_mme_table(table_id)
    levels = threshold_levels(thresholds)
    if kind == "dask":
        return cast("_Table", _dask(table, table_id, thresholds))
    from painrx.batch import _core as _batch_core

    columns, n = _columns(table, kind)
    computed = _batch_core.compute(columns, n, table_id, levels, scalar_mme(table_id, thresholds))
    return cast("_Table", attach_added(table, kind, computed))
