"""Column encoders for :mod:`painrx.batch`: text to integer codes, text to floats.

Looking up a drug name is slow (catalog normalisation, table lookup); doing it once
per *distinct* value and broadcasting the result with integer codes is what makes
the batch path fast. Encoding a million-row text column costs far more than the
arithmetic, so each input kind gets the cheapest correct encoder:

* categorical / dictionary columns already are codes;
* pyarrow strings (and pandas' Arrow-backed ``str`` dtype) are dictionary-encoded
  by Arrow's hash kernel;
* numpy object arrays are factorised by object *identity* first (text read from a
  CSV file or built by ``take`` repeats the same few string objects), and equal
  strings with different identities are merged afterwards by value; without shared
  objects, a column dominated by one text (a unit, a route) is split by one
  vectorised comparison and only the other rows are hashed.

With numba (``pip install painrx[fast]``), object identities and Arrow string
buffers are factorised by the compiled kernels of :mod:`painrx.batch._textkernel`
(4-6x faster than pandas and Arrow), loaded in the background like the compiled
fast pass: a call never waits for them (``PAINRX_NUMBA`` as for the fast pass).
Numbers as text are factorised the same way and only the distinct texts parsed.

Every encoder returns the same thing: ``codes`` (``-1`` = missing) and the distinct
non-missing values as ``str``.
"""

from __future__ import annotations

import ctypes
import math
import numbers
import os
import re
from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._loader import Loader
from painrx.batch._threads import thread_count

__all__ = ["Encoded", "Numbers", "encode_text", "to_numbers"]

# Codes keep the integer type they come in (a categorical's int8, Arrow's int32).
Codes = npt.NDArray[np.signedinteger[Any]]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

# Identity factorisation pays off when a sample shows few distinct objects. At most
# one sampled row in two with an object of its own: pandas.read_csv shares objects
# only within a parsed chunk (36 drugs give 281 objects in 1M rows), and factorising
# pointers costs a tenth of hashing the text even then.
_IDENTITY_SAMPLE: Final = 1024
_IDENTITY_MAX_SHARE: Final = 2
# Distinct objects merged by value in Python up to this many; more are hashed by pandas.
_MERGE_IN_PYTHON: Final = 4096
# The compiled kernels give up past this many distinct values (the general
# encoders take such a column): the wasted pass stays short. At most their MAX_CODES.
_KERNEL_MAX_DISTINCT: Final = 1 << 14
# Codes into up to 32,767 distinct values are two bytes: cheaper to write and combine.
_SMALL: Final = np.int16
# Tables the compiled take is loaded for (codes, numbers, flags).
_TAKE_TYPES: Final = frozenset({np.dtype(_SMALL), np.dtype(np.float64), np.dtype(np.bool_)})
# Rows per thread of a text kernel, at least: at 1M rows, starting a thread and
# merging its table cost about what the thread saves on a busy 2-core host
# (measured 0.8-1.2x the one-thread time), so only larger columns are shared out.
_ROWS_PER_THREAD: Final = 1_000_000
# Without shared objects, a value filling this share of a sample is compared, not hashed.
_PEEL_SAMPLE: Final = 256
_PEEL_SHARE: Final = 0.8
_IDENTITY_MIN_ROWS: Final = 10_000
# Numbers as text are parsed per distinct object even when half the sampled rows hold
# their own (pandas' reader shares objects per parsed chunk only): hashing pointers
# and parsing the distinct objects still costs less than converting every row.
_PARSE_MAX_SHARE: Final = 2
# Values of a text column cast first, to tell a column of plain numbers.
_CAST_SAMPLE: Final = 256
_NUMBER: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER_RE: Final = re.compile(_NUMBER)
# pandas' missing-value singletons, recognised without importing pandas.
_MISSING_TYPES: Final = frozenset({"NAType", "NaTType"})


@attrs.frozen
class Encoded:
    """A text column as integer codes into its distinct values.

    Attributes:
        codes: One code per row, ``-1`` where the value is missing (null/NaN/None).
        uniques: The distinct values, as text, indexed by ``codes``.
    """

    codes: Codes
    uniques: tuple[str, ...]


@attrs.frozen
class Numbers:
    """A numeric column as float64.

    Attributes:
        values: One float per row, NaN where missing or not a number (but see
            ``present``).
        not_a_number: Rows whose value was present but is not a number (``"ten"``).
        present: None, or 1 where a value is present and 0 where it is null, when
            nulls were kept as they are: ``values`` then holds whatever the source
            stored under its nulls (only when asked for, see :func:`to_numbers`).
    """

    values: Floats
    not_a_number: Mask
    present: npt.NDArray[np.uint8] | None = None


# --------------------------------------------------------------------------- kernels


def _frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return ``array`` read-only: numba compiles one variant per flag, Arrow's are read-only."""
    array.flags.writeable = False
    return array


def _warm(kernels: Any) -> None:
    """Load (or compile) the kernels' variants real columns use, on a few values.

    Text in two threads, so the merge of the threads' codes is loaded too.
    """
    kernels.factorize_words(_frozen(np.array([1, 2, 2, 1], dtype=np.int64)), 4)
    data = _frozen(np.frombuffer(b"mgmcgmgmcg", dtype=np.uint8))
    bits = _frozen(np.full(1, 255, dtype=np.uint8))
    for width in (np.int32, np.int64):
        offsets = _frozen(np.array([0, 2, 5, 7, 10], dtype=width))
        kernels.factorize_text([kernels.Piece(offsets, data, bits, 0, 0)], 4, threads=2)
    codes = np.zeros(2, dtype=kernels.CODE)
    for table in (np.zeros(2, dtype=_SMALL), np.zeros(2), np.zeros(2, dtype=bool)):
        kernels.take(table, codes)


_LOADER: Final = Loader(_warm, "painrx.batch._textkernel")
_EMPTY_BYTES: Final = _frozen(np.zeros(0, dtype=np.uint8))


def _kernels(compiled: bool) -> Any:
    """Return the text kernels' module when they may be and are loaded, else None.

    ``PAINRX_NUMBA=0`` never uses them and ``1`` always does (waiting for them, when
    numba is installed); by default they are used once loaded (the first call starts
    loading them in the background and never waits).
    """
    choice = os.environ.get("PAINRX_NUMBA", "").strip()
    if not compiled or choice == "0":
        return None
    return _LOADER.get(wait=choice == "1")


def _module(obj: object) -> str:
    return type(obj).__module__.split(".", 1)[0]


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in _MISSING_TYPES


def _code_type(size: int) -> type[np.signedinteger[Any]]:
    """The integer type of codes into ``size`` values (-1 included)."""
    return _SMALL if size <= np.iinfo(_SMALL).max else np.intp


def _take(table: npt.NDArray[Any], codes: Codes, kernels: Any) -> npt.NDArray[Any]:
    """Return ``table[codes]`` (code -1: the last entry), compiled when ``kernels`` are loaded."""
    if kernels is not None and codes.dtype == kernels.CODE and table.dtype in _TAKE_TYPES:
        taken: npt.NDArray[Any] = kernels.take(table, codes)
        return taken
    return table.take(codes)


def _merge(local_codes: Codes, local_values: Sequence[object], kernels: Any = None) -> Encoded:
    """Map codes into ``local_values`` (which may repeat or be missing) to distinct text."""
    # Many distinct objects (few shared) of text: equal values found by pandas' hash
    # table. (Only text: it would take 1 and True for one value, unlike ``str``.)
    if len(local_values) > _MERGE_IN_PYTHON and all(
        isinstance(v, str) or v is None for v in local_values
    ):
        try:
            import pandas as pd
        except ImportError:
            pass
        else:
            objects = np.empty(len(local_values), dtype=object)
            objects[:] = list(local_values)
            codes, uniques = pd.factorize(objects)
            by_value = _merge_in_python(codes.astype(np.intp, copy=False), list(uniques))
            mapping = np.full(len(codes) + 1, -1, dtype=_code_type(len(codes) + 1))
            mapping[:-1] = by_value.codes
            return Encoded(_take(mapping, local_codes, kernels), by_value.uniques)
    return _merge_in_python(local_codes, local_values, kernels)


def _merge_in_python(
    local_codes: Codes, local_values: Sequence[object], kernels: Any = None
) -> Encoded:
    index: dict[str, int] = {}
    mapping = np.full(len(local_values) + 1, -1, dtype=_code_type(len(local_values) + 1))
    for i, value in enumerate(local_values):
        if not _is_missing(value):
            text = value if isinstance(value, str) else str(value)
            mapping[i] = index.setdefault(text, len(index))
    if len(index) == len(local_values) and np.array_equal(mapping[:-1], np.arange(len(index))):
        # Already distinct text in order (a categorical's categories): codes stand as they are.
        return Encoded(local_codes, tuple(index))
    # Code -1 indexes the trailing -1 of ``mapping``: missing stays missing.
    return Encoded(_take(mapping, local_codes, kernels), tuple(index))


def _factorize_ints(values: npt.NDArray[np.intp]) -> tuple[Codes, npt.NDArray[np.intp]]:
    try:
        import pandas as pd
    except ImportError:
        uniques, inverse = np.unique(values, return_inverse=True)
        return inverse.astype(np.intp, copy=False), uniques
    codes, uniques = pd.factorize(values)
    return codes.astype(np.intp, copy=False), np.asarray(uniques, dtype=np.intp)


def _pointers(values: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """View an object array's PyObject pointers as integers (equal pointers: the same object)."""
    buffer = (ctypes.c_ssize_t * len(values)).from_address(values.ctypes.data)
    return np.frombuffer(memoryview(buffer), dtype=np.intp)


def _shared_objects(
    values: npt.NDArray[Any], max_share: int = _IDENTITY_MAX_SHARE, kernels: Any = None
) -> tuple[Codes, list[object]] | None:
    """Factorise an object column by object identity, when it has few distinct objects.

    Returns codes into the distinct objects (not yet merged by value), or None when
    the column has too many: the compiled kernel (``kernels``) gives up past
    :data:`_KERNEL_MAX_DISTINCT` objects; without it, a sample decides (None when
    more than one sampled row in ``max_share`` holds an object of its own).
    Text read by ``pandas.read_csv`` or built by ``take`` repeats the same few
    string objects, so hashing one pointer per row replaces hashing the text.
    """
    n = len(values)
    if n == 0:
        return None
    # ``values`` keeps every object alive while its pointers are read back.
    pointers = _pointers(values)
    if kernels is not None:
        found = kernels.factorize_words(
            _frozen(pointers.view(np.int64)), min(n, _KERNEL_MAX_DISTINCT)
        )
        if found is None:
            return None
        codes, firsts = found
        return codes, values.take(firsts).tolist()
    if n < _IDENTITY_MIN_ROWS:
        return None
    sample = pointers[:: max(1, n // _IDENTITY_SAMPLE)]
    if len(np.unique(sample)) * max_share > len(sample):
        return None
    codes, addresses = _factorize_ints(pointers)
    return codes, [ctypes.cast(int(a), ctypes.py_object).value for a in addresses]


def _encode_objects(values: npt.NDArray[Any], kernels: Any = None) -> Encoded:
    values = np.ascontiguousarray(values, dtype=object)
    shared = _shared_objects(values, kernels=kernels)
    if shared is not None:
        return _merge(*shared, kernels)
    if len(values) >= _IDENTITY_MIN_ROWS:
        peeled = _peel(values)
        if peeled is not None:
            return peeled
    return _factorize_objects(values)


def _factorize_objects(values: npt.NDArray[Any]) -> Encoded:
    try:
        import pandas as pd
    except ImportError:
        index: dict[object, int] = {}
        found = [index.setdefault(v, len(index)) for v in values.tolist()]
        return _merge(np.array(found, dtype=np.intp), list(index))
    codes, uniques = pd.factorize(values)
    return _merge(codes.astype(np.intp, copy=False), list(uniques))


def _peel(values: npt.NDArray[Any]) -> Encoded | None:
    """Encode a text column dominated by one value (a unit, a route) by comparison.

    One vectorised ``==`` against the dominant text costs a third of hashing every
    row; only the other rows are hashed.
    """
    sample = values[:: max(1, len(values) // _PEEL_SAMPLE)].tolist()
    if not all(isinstance(v, str) or v is None or isinstance(v, float) for v in sample):
        return None
    texts = [v for v in sample if isinstance(v, str)]
    if not texts:
        return None
    top = max(set(texts), key=texts.count)
    if texts.count(top) < _PEEL_SHARE * len(sample):
        return None
    try:
        is_top = np.asarray(values == top, dtype=bool)
    except (TypeError, ValueError):
        return None
    rest = np.flatnonzero(~is_top)
    encoded = _factorize_objects(values[rest])
    codes = np.zeros(len(values), dtype=np.intp)
    codes[rest] = np.where(encoded.codes >= 0, encoded.codes + 1, -1)
    return _merge(codes, [top, *encoded.uniques])


def _peel_arrow(chunk: Any) -> tuple[Codes, list[object]] | None:
    """Encode an Arrow text column dominated by one value by comparison (see :func:`_peel`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sample = chunk.take(pa.array(range(0, len(chunk), max(1, len(chunk) // _PEEL_SAMPLE))))
    texts = [v for v in sample.to_pylist() if v is not None]
    if not texts:
        return None
    top = max(set(texts), key=texts.count)
    if texts.count(top) < _PEEL_SHARE * len(sample):
        return None
    is_top = pc.fill_null(pc.equal(chunk, pa.scalar(top, chunk.type)), False)
    rest = np.flatnonzero(~is_top.to_numpy(zero_copy_only=False))
    codes, values = _encode_arrow_chunk(chunk.take(pa.array(rest)), peel=False)
    out = np.zeros(len(chunk), dtype=codes.dtype)
    out[rest] = np.where(codes >= 0, codes + 1, -1)
    return out, [top, *values]


def _arrow_text_codes(column: Any, kernels: Any) -> tuple[Codes, Any] | None:
    """Factorise an Arrow string column (array or chunked) from its buffers, compiled.

    All chunks share one table, so their codes need no merge. Returns two-byte codes
    (-1: null) and each code's first row, or None without the kernels, for another
    type, or past :data:`_KERNEL_MAX_DISTINCT` distinct texts.
    """
    import pyarrow as pa

    n = len(column)
    if kernels is None or n == 0:
        return None
    if pa.types.is_string(column.type):
        width: type[np.signedinteger[Any]] = np.int32
    elif pa.types.is_large_string(column.type):
        width = np.int64
    else:
        return None
    pieces = []
    row = 0
    for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        size = len(chunk)
        if size:
            validity, offsets, data = chunk.buffers()
            start = chunk.offset
            pieces.append(
                kernels.Piece(
                    _frozen(np.frombuffer(offsets, dtype=width, count=start + size + 1)[start:]),
                    _EMPTY_BYTES if data is None else _frozen(np.frombuffer(data, dtype=np.uint8)),
                    _EMPTY_BYTES
                    if validity is None or not chunk.null_count
                    else _frozen(np.frombuffer(validity, dtype=np.uint8)),
                    start,
                    row,
                )
            )
        row += size
    found: tuple[Codes, Any] | None = kernels.factorize_text(
        pieces, min(n, _KERNEL_MAX_DISTINCT), threads=thread_count(n, _ROWS_PER_THREAD)
    )
    return found


def _arrow_rows(column: Any, rows: npt.NDArray[np.int64]) -> list[Any]:
    """The values of a few ``rows`` of an Arrow array or chunked array.

    Row by row: Arrow's ``take`` on a chunked array concatenates its chunks first
    (4 ms for 1M rows of text).
    """
    import pyarrow as pa

    if not isinstance(column, pa.ChunkedArray):
        return list(column.take(pa.array(rows)).to_pylist())
    starts = np.cumsum([0, *(len(chunk) for chunk in column.chunks)])
    chunks = np.searchsorted(starts, rows, side="right") - 1
    return [
        column.chunk(c)[r - int(starts[c])].as_py()
        for c, r in zip(chunks.tolist(), rows.tolist(), strict=True)
    ]


def _encode_arrow_chunk(chunk: Any, *, peel: bool = True) -> tuple[Codes, list[object]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(chunk.type):
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            chunk = pc.cast(chunk, pa.string())
        peeled = _peel_arrow(chunk) if peel and len(chunk) >= _IDENTITY_MIN_ROWS else None
        if peeled is not None:
            return peeled
        chunk = pc.dictionary_encode(chunk)
    indices = chunk.indices if chunk.null_count == 0 else pc.fill_null(chunk.indices, -1)
    codes = indices.to_numpy(zero_copy_only=False)
    if codes.dtype.kind == "u":
        codes = codes.astype(np.intp)
    return codes, chunk.dictionary.to_pylist()


def _encode_arrow(column: Any, kernels: Any = None) -> Encoded:
    import pyarrow as pa

    found = _arrow_text_codes(column, kernels)
    if found is not None:
        codes, firsts = found
        return _merge(codes, _arrow_rows(column, firsts), kernels)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if not chunks:
        return Encoded(np.empty(0, dtype=np.intp), ())
    parts = [_encode_arrow_chunk(chunk) for chunk in chunks]
    if len(parts) == 1:
        return _merge(*parts[0])
    offsets = np.cumsum([0] + [len(values) for _, values in parts])
    # Local codes into the concatenated value lists; missing stays at -1.
    codes = np.concatenate(
        [np.where(c >= 0, c + o, -1) for (c, _), o in zip(parts, offsets, strict=False)]
    )
    return _merge(codes.astype(np.intp, copy=False), [v for _, vs in parts for v in vs])


def _pandas_array(column: Any) -> Any:
    import pandas as pd

    return column.array if isinstance(column, (pd.Series, pd.Index)) else column


def _arrow_backed(array: Any) -> Any:
    """Return the Arrow data behind a pandas array, or None when it is not Arrow-backed."""
    import pandas as pd

    if isinstance(array, pd.arrays.ArrowExtensionArray):
        import pyarrow as pa

        return pa.chunked_array(array.__arrow_array__())
    return None


def _encode_pandas(column: Any, kernels: Any) -> Encoded:
    import pandas as pd

    array = _pandas_array(column)
    if isinstance(array, pd.Categorical):
        return _merge(np.asarray(array.codes), list(array.categories))
    arrow = _arrow_backed(array)
    if arrow is not None:
        return _encode_arrow(arrow, kernels)
    return _encode_objects(np.asarray(array, dtype=object), kernels)


def encode_text(column: Any, *, compiled: bool = False) -> Encoded:
    """Return ``column`` (numpy, pandas or pyarrow; any length) as codes and distinct text.

    Missing values are ``None``, NaN, pandas' NA and Arrow nulls; other non-text
    values are written with ``str``. With ``compiled``, the compiled kernels are used
    when loaded (see :func:`_kernels`); the result is the same.
    """
    kernels = _kernels(compiled)
    origin = _module(column)
    if origin == "pyarrow":
        return _encode_arrow(column, kernels)
    if origin == "pandas":
        return _encode_pandas(column, kernels)
    values = np.asarray(column)
    if values.dtype.kind in "US":
        try:
            import pyarrow as pa
        except ImportError:
            return _encode_objects(values.astype(object), kernels)
        array = pa.array(values.astype(str) if values.dtype.kind == "S" else values)
        return _encode_arrow(array, kernels)
    return _encode_objects(values, kernels)


def _decode(found: Numbers, codes: Codes, kernels: Any) -> Numbers:
    """Per row, the parsed value of its distinct text (code -1, a null: NaN, not an error)."""
    values = _take(np.append(found.values, np.nan), codes, kernels)
    if not found.not_a_number.any():
        return Numbers(values, np.zeros(len(codes), dtype=bool))
    return Numbers(values, _take(np.append(found.not_a_number, False), codes, kernels))


def _parse_objects(values: npt.NDArray[Any], kernels: Any = None) -> Numbers:
    """Parse an object column: Python numbers, text (numbers as text) or a mix.

    A column of shared objects (numbers as text from ``pandas.read_csv(...,
    dtype=object)``) is parsed once per distinct object; any other goes through Arrow
    when it can, else a Python loop.
    """
    values = np.ascontiguousarray(values, dtype=object)
    shared = _shared_objects(values, _PARSE_MAX_SHARE, kernels)
    if shared is not None:
        codes, objects = shared
        distinct = np.empty(len(objects), dtype=object)
        distinct[:] = objects
        return _decode(_parse_objects(distinct), codes, kernels)
    arrow = _objects_as_arrow(values)
    if arrow is not None:
        return _parse_arrow(arrow, kernels=kernels)
    return _parse_items(values)


def _objects_as_arrow(values: npt.NDArray[Any]) -> Any:
    """Return an object column as Arrow when it is all text or all numbers, else None.

    ``pandas.read_csv(..., dtype=object)``, Excel sheets and JSON give numbers as
    text in object columns: Arrow converts them in C (about 30x faster than a
    Python loop) and parses them with the same checks (see :func:`_parse_arrow_text`).
    Booleans and mixed columns (text beside numbers) take the Python loop.
    """
    try:
        import pyarrow as pa
    except ImportError:
        return None
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    kind = array.type
    if pa.types.is_integer(kind):
        import pyarrow.compute as pc

        # Rounded to the nearest float, as float() rounds a Python int.
        return pc.cast(array, pa.float64(), safe=False)
    if pa.types.is_string(kind) or pa.types.is_floating(kind):
        return array
    return None


def _parse_items(values: npt.NDArray[Any]) -> Numbers:
    items = values.tolist()
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items):
        return Numbers(values.astype(np.float64), np.zeros(len(values), dtype=bool))
    out = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(items):
        if isinstance(value, bool):
            bad[i] = True
        elif isinstance(value, numbers.Real):
            out[i] = float(value)
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            if _NUMBER_RE.match(text):
                out[i] = float(text)
            else:
                bad[i] = True
        elif not (_is_missing(value) or isinstance(value, str)):
            bad[i] = True
    return Numbers(out, bad)


def _parse_arrow(column: Any, *, keep_nulls: bool = False, kernels: Any = None) -> Numbers:
    import pyarrow as pa
    import pyarrow.compute as pc

    found = _arrow_text_codes(column, kernels)
    if found is not None:
        # Numbers as text repeat (a few strengths, counts, days): parse each distinct text once.
        codes, firsts = found
        distinct = pa.array(_arrow_rows(column, firsts), type=pa.string())
        return _decode(_parse_arrow_text(distinct), codes, kernels)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    n = len(column)
    if pa.types.is_float64(column.type):
        if keep_nulls and column.null_count:
            return _arrow_float64_with_nulls(column)
        return Numbers(_arrow_float64(column), np.zeros(n, dtype=bool))
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        return Numbers(np.asarray(values, dtype=np.float64), np.zeros(n, dtype=bool))
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return _parse_items(np.asarray(column.to_pylist(), dtype=object))
    return _parse_arrow_text(column)


def _arrow_float64(column: Any) -> Floats:
    """Return an Arrow float64 array as numpy, NaN where null (read-only, maybe Arrow's memory)."""
    import pyarrow.compute as pc

    if column.null_count:
        column = pc.fill_null(column, math.nan)
    values: Floats = column.to_numpy(zero_copy_only=True)
    return values


def _arrow_float64_with_nulls(column: Any) -> Numbers:
    """Return an Arrow float64 array with nulls as its values buffer and a presence mask.

    No copy of the values: the compiled fast pass reads the mask instead.
    """
    validity, data = column.buffers()
    start, n = column.offset, len(column)
    values = np.frombuffer(data, dtype=np.float64, count=start + n)[start:]
    bits = np.frombuffer(validity, dtype=np.uint8)
    present = np.unpackbits(bits, count=start + n, bitorder="little")[start:]
    return Numbers(values, np.zeros(n, dtype=bool), present)


def _parse_arrow_text(column: Any) -> Numbers:
    """Parse Arrow text that may hold non-numbers.

    Arrow's parser is correctly rounded, so ``"0.1"`` gives the float ``float("0.1")``
    gives, which painrx reads as exactly 1/10. One cast of the whole column settles
    the common case (every value a plain number); a column with blanks, padding or
    words is checked value by value against the decimal pattern.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # A cast that fails on a late value costs nearly as much as one that succeeds:
    # a sample decides whether the whole column is worth trying.
    step = max(1, len(column) // _CAST_SAMPLE)
    try:
        pc.cast(column.take(pa.array(range(0, len(column), step))), pa.float64())
        floats = pc.cast(column, pa.float64())
    except pa.ArrowException:
        # Arrow refused the cast (invalid text, or a type it cannot cast): the careful,
        # value-by-value parser decides every row.
        return _parse_arrow_patterns(column)
    values = np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)
    bad = np.zeros(len(values), dtype=bool)
    # "inf", "nan" and "1e309" all cast: only the pattern tells a word from an overflow.
    odd = np.flatnonzero(~np.isfinite(values))
    if len(odd):
        text = column.take(pa.array(odd))
        number = pc.fill_null(pc.match_substring_regex(text, _NUMBER), True)
        words = ~np.asarray(number.to_numpy(zero_copy_only=False), dtype=bool)
        # Arrow's memory is read-only: the rare column with a word gets a copy.
        values = values.copy()
        values[odd[words]] = np.nan
        bad[odd[words]] = True
    return Numbers(values, bad)


def _parse_arrow_patterns(column: Any) -> Numbers:
    """Parse text value by value: digits directly, the rest trimmed and matched by pattern."""
    import pyarrow as pa
    import pyarrow.compute as pc

    null = pa.scalar(None, pa.string())
    # Plain digit strings (most counts and strengths) parse without the pattern.
    digits = pc.fill_null(pc.ascii_is_decimal(column), False)
    floats = pc.cast(pc.if_else(digits, column, null), pa.float64())
    values = np.array(floats.to_numpy(zero_copy_only=False), dtype=np.float64)
    bad = np.zeros(len(values), dtype=bool)
    rest = np.flatnonzero(~np.asarray(digits.to_numpy(zero_copy_only=False), dtype=bool))
    if len(rest):
        text = pc.utf8_trim_whitespace(column.take(pa.array(rest)))
        number = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
        parsed = pc.cast(pc.if_else(number, text, null), pa.float64())
        values[rest] = parsed.to_numpy(zero_copy_only=False)
        blank = pc.fill_null(pc.equal(text, ""), True)
        bad[rest] = pc.and_(pc.invert(number), pc.invert(blank)).to_numpy(zero_copy_only=False)
    return Numbers(values, bad)


def to_numbers(column: Any, *, keep_nulls: bool = False, compiled: bool = False) -> Numbers:
    """Return ``column`` as float64, flagging values that are present but not numbers.

    Booleans are not numbers (``True`` is no dose); text is accepted when it is a
    plain decimal number. With ``keep_nulls``, an Arrow float column's nulls may be
    left as they are and marked in ``present`` instead of written as NaN (which
    would copy the column). With ``compiled``, the compiled kernels factorise
    numbers as text when loaded (see :func:`_kernels`); the result is the same.
    """
    kernels = _kernels(compiled)
    origin = _module(column)
    if origin == "pyarrow":
        return _parse_arrow(column, keep_nulls=keep_nulls, kernels=kernels)
    if origin == "pandas":
        array = _pandas_array(column)
        arrow = _arrow_backed(array)
        if arrow is not None:
            return _parse_arrow(arrow, keep_nulls=keep_nulls, kernels=kernels)
        dtype = getattr(column, "dtype", None)
        if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
            # A numpy-backed numeric column: no missing values but NaN, no copy for float64.
            values = np.asarray(column, dtype=np.float64)
            return Numbers(values, np.zeros(len(values), dtype=bool))
        dtype = getattr(array, "dtype", None)
        if dtype is not None and dtype.kind in "iuf":
            values = np.asarray(array.to_numpy(dtype=np.float64, na_value=np.nan))
            return Numbers(values, np.zeros(len(values), dtype=bool))
        return _parse_objects(np.asarray(array, dtype=object), kernels)
    values = np.asarray(column)
    if values.dtype.kind in "iuf":
        floats = values.astype(np.float64, copy=False)
        return Numbers(floats, np.zeros(len(floats), dtype=bool))
    if values.dtype.kind == "b":
        return Numbers(np.full(len(values), np.nan), np.ones(len(values), dtype=bool))
    return _parse_objects(values.astype(object), kernels)
