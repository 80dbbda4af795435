"""The batch API over pandas, pyarrow, dicts and Dask. (public face: ``painrx.batch``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast

from painrx.errors import InputError
from painrx.types import MMETable, ThresholdPolicyId

if TYPE_CHECKING:
    from painrx.batch._core import Computed, KeyResult
    from painrx.errors import Alert

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
_Kind = Literal["dict", "pandas", "arrow", "dask"]


def _kind(table: object) -> _Kind:
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


def _names(table: Any, kind: _Kind) -> list[str]:
    if kind == "dict":
        return list(table)
    if kind == "arrow":
        return list(table.column_names)
    return [str(c) for c in table.columns]


def _check_columns(names: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        msg = (
            f"The table has no column(s) {', '.join(missing)}; required: "
            f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})."
        )
        raise InputError(msg)


def _columns(table: Any, kind: _Kind) -> tuple[dict[str, Any], int]:
    import numpy as np

    wanted = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in _names(table, kind)]
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


@cache
def _text_dtype() -> Any:
    import pandas as pd

    return pd.Index(["text"]).dtype


def _attach(table: Any, kind: _Kind, result: Computed) -> Any:
    import numpy as np

    n = len(result.mme)
    if kind == "dict":
        out = dict(table)
        out["mme_per_day"] = result.mme
        out["factor"] = result.factor
        table_column = np.empty(n, dtype=object)
        # fill() shares one str object; np.full would build a million copies.
        table_column.fill(result.table_id)
        out["table"] = table_column
        out["alerts"] = np.array([*result.alert_labels, None], dtype=object)[result.alert_codes]
        out["error"] = np.array([*result.error_labels, None], dtype=object)[result.error_codes]
        return out
    if kind == "pandas":
        import pandas as pd

        def column(values: Any) -> pd.Series:
            # Wrapped in a Series, the new arrays are referenced by the frame, not copied.
            return pd.Series(values, index=table.index, copy=False)

        # One category dtype for every call (pandas' default text dtype), so Dask can
        # concatenate partitions whose label lists differ or are empty.
        text = _text_dtype()

        def labelled(codes: Any, labels: tuple[str, ...]) -> pd.Series:
            dtype = pd.CategoricalDtype(pd.Index(list(labels), dtype=text))
            # Codes are in range by construction: skip pandas' validation pass.
            return column(pd.Categorical.from_codes(codes, dtype=dtype, validate=False))

        added = {
            "mme_per_day": column(result.mme),
            "factor": column(result.factor),
            "table": labelled(np.zeros(n, dtype=np.int8), (result.table_id,)),
            "alerts": labelled(result.alert_codes, result.alert_labels),
            "error": labelled(result.error_codes, result.error_labels),
        }
        return table.assign(**added)

    import pyarrow as pa

    def encoded(codes: Any, labels: tuple[str, ...], *, complete: bool = False) -> Any:
        # int32 indices whatever the number of labels, so tables from several calls
        # (chunks of one file) share a schema and concatenate. A validity bitmap,
        # packed by numpy, only when some row has no label.
        indices = codes.astype(np.int32, copy=False)
        missing = None if complete else codes < 0
        bitmap = (
            pa.py_buffer(np.packbits(np.logical_not(missing), bitorder="little"))
            if missing is not None and missing.any()
            else None
        )
        array = pa.Array.from_buffers(pa.int32(), len(indices), [bitmap, pa.py_buffer(indices)])
        dictionary = pa.array(labels, type=pa.string())
        # Codes are in range by construction: skip Arrow's validation pass.
        return pa.DictionaryArray.from_arrays(array, dictionary, safe=False)

    columns = {
        "mme_per_day": pa.array(result.mme, from_pandas=False),
        "factor": pa.array(result.factor, from_pandas=False),
        "table": encoded(np.zeros(n, dtype=np.int32), (result.table_id,), complete=True),
        "alerts": encoded(result.alert_codes, result.alert_labels),
        "error": encoded(result.error_codes, result.error_labels),
    }
    for name, array in columns.items():
        index = table.schema.get_field_index(name)
        table = (
            table.set_column(index, name, array) if index >= 0 else table.append_column(name, array)
        )
    return table


def _scalar(table_id: str, thresholds: str | None) -> Any:
    from painrx import opioids
    from painrx.units import Q

    def one(
        key: KeyResult, strength: float, quantity: float, days: float
    ) -> tuple[float, tuple[Alert, ...]]:
        result = opioids.mme_prescription(
            cast("str", key.drug),
            strength=Q(float(strength), cast("str", key.unit)),
            quantity=Q(float(quantity), "mL") if key.volume else float(quantity),
            days_supply=float(days),
            route=key.route,
            form=key.form,
            # Ids from the batch's own arguments: mme_prescription refuses an unknown one.
            table=cast("MMETable", table_id),
            thresholds=cast("ThresholdPolicyId | None", thresholds),
        )
        return result.value, result.alerts

    return one


def _thresholds(policy: str | None) -> list[tuple[float, str]]:
    if policy is None:
        return []
    from painrx import opioids

    return [
        (float(level.mme), level.alert.code) for level in opioids.threshold_policy(policy).levels
    ]


def _check_table(table_id: str) -> None:
    from painrx import opioids

    ids = [p.id for p in opioids.mme_tables()]
    if table_id not in ids:
        msg = f"Unknown MME table {table_id!r}; accepted: {', '.join(ids)}."
        raise InputError(msg)


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
    names = _names(table, kind)
    from painrx.batch import _ndc

    if _ndc.wants_ndc(names):
        return cast("_Table", _ndc.mme_prescriptions_ndc(table, kind, table_id, thresholds))
    _check_columns(names)
    _check_table(table_id)
    levels = _thresholds(thresholds)
    if kind == "dask":
        return cast("_Table", _dask(table, table_id, thresholds))
    from painrx.batch import _core as _batch_core

    columns, n = _columns(table, kind)
    computed = _batch_core.compute(columns, n, table_id, levels, _scalar(table_id, thresholds))
    return cast("_Table", _attach(table, kind, computed))
