"""The kinds of table the batch takes: their column names, and the added columns written back.

Shared by the batch over drug names (``_frames``) and the one over NDCs (``_ndc``), so
neither imports the other's module for them.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from painrx.batch._core import Computed

__all__ = ["Kind", "attach_added", "column_names"]

#: A table's kind, recognised by ``_frames`` (dict of arrays, pandas, pyarrow, Dask).
Kind = Literal["dict", "pandas", "arrow", "dask"]


def column_names(table: Any, kind: Kind) -> list[str]:
    """The column names of a table of any accepted kind, as text."""
    if kind == "dict":
        return list(table)
    if kind == "arrow":
        return list(table.column_names)
    # tolist() reads an Arrow-backed index in one go (iterating it goes label by label).
    return [str(c) for c in table.columns.tolist()]


@cache
def _text_dtype() -> Any:
    import pandas as pd

    return pd.Index(["text"]).dtype


@lru_cache(maxsize=256)
def _categories(labels: tuple[str, ...]) -> Any:
    """The categorical dtype of a label list (cached: the same lists recur call after call).

    Categories in pandas' default text dtype for every call, so Dask can concatenate
    partitions whose label lists differ or are empty.
    """
    import pandas as pd

    return pd.CategoricalDtype(pd.Index(list(labels), dtype=_text_dtype()))


#: int32 zeros shared by the calls' ``table`` columns (Arrow arrays are immutable).
_ZEROS: list[Any] = []
_SHARED_ZEROS: Final = 1 << 23


def _zeros(n: int) -> Any:
    """Return ``n`` int32 zeros, read-only, shared up to :data:`_SHARED_ZEROS` rows."""
    import numpy as np

    zeros = _ZEROS[0] if _ZEROS else None
    if zeros is None or len(zeros) < n:
        zeros = np.zeros(n, dtype=np.int32)
        zeros.flags.writeable = False
        if n <= _SHARED_ZEROS:
            # A list item swapped whole: a concurrent call keeps the array it read.
            _ZEROS[:] = [zeros]
    return zeros[:n]


def attach_added(table: Any, kind: Kind, result: Computed) -> Any:
    """Return ``table`` with the added columns of ``result``, replacing same-named ones."""
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

        def labelled(codes: Any, labels: tuple[str, ...]) -> pd.Series:
            # Codes are in range by construction: skip pandas' validation pass.
            return column(
                pd.Categorical.from_codes(codes, dtype=_categories(labels), validate=False)
            )

        added = {
            "mme_per_day": column(result.mme),
            "factor": column(result.factor),
            "table": labelled(np.zeros(n, dtype=np.int8), (result.table_id,)),
            "alerts": labelled(result.alert_codes, result.alert_labels),
            "error": labelled(result.error_codes, result.error_labels),
        }
        if (
            type(table) is pd.DataFrame
            and isinstance(table.index, pd.RangeIndex)
            and table.columns.is_unique
            and not table.attrs
            and table.flags.allows_duplicate_labels
        ):
            # The plain case (a RangeIndex, unique names): one frame built from the
            # columns costs a third of inserting five into a copy (assign).
            columns = {name: table[name] for name in table.columns.tolist()}
            columns.update(added)
            return pd.DataFrame(columns, index=table.index, copy=False)
        return table.assign(**added)

    import pyarrow as pa

    def encoded(codes: Any, labels: tuple[str, ...], *, complete: bool = False) -> Any:
        # int32 indices whatever the number of labels, so tables from several calls
        # (chunks of one file) share a schema and concatenate. A validity bitmap,
        # packed by numpy, only when some row has no label.
        indices = codes.astype(np.int32, copy=False)
        valid = None if complete else np.greater_equal(codes, 0)
        bitmap = (
            pa.py_buffer(np.packbits(valid, bitorder="little"))
            if valid is not None and not valid.all()
            else None
        )
        array = pa.Array.from_buffers(pa.int32(), len(indices), [bitmap, pa.py_buffer(indices)])
        dictionary = pa.array(labels, type=pa.string())
        # Codes are in range by construction: skip Arrow's validation pass.
        return pa.DictionaryArray.from_arrays(array, dictionary, safe=False)

    columns = {
        "mme_per_day": pa.array(result.mme, from_pandas=False),
        "factor": pa.array(result.factor, from_pandas=False),
        "table": encoded(_zeros(n), (result.table_id,), complete=True),
        "alerts": encoded(result.alert_codes, result.alert_labels),
        "error": encoded(result.error_codes, result.error_labels),
    }
    for name, array in columns.items():
        index = table.schema.get_field_index(name)
        table = (
            table.set_column(index, name, array) if index >= 0 else table.append_column(name, array)
        )
    return table
