"""The vectorised CDC file formula behind :func:`painrx.batch.mme_prescriptions`.

1. Encode the text columns (drug, strength unit, route, form) to integer codes and
   combine them into one key per row, in the smallest integer type that holds it.
2. Resolve each key slot once through :func:`painrx.opioids.prescription_factor`,
   the function :func:`painrx.opioids.mme_prescription` itself uses, so factors,
   errors and drug alerts are the scalar path's. A small key space is resolved
   whole and cached by the columns' distinct texts (categories recur).
3. Fast pass over every row, in cache-sized blocks, in plain float64 where that is
   provably exact: strength and quantity multiples of 1/8, whole days, products
   below 2**46. The value is then one correctly rounded division, as
   ``float(Fraction(...))`` in the scalar path, and the thresholds are decided
   exactly. Every other row (a bad key or number, a fentanyl patch, a dose-banded
   factor, a long decimal, a huge product) is only cut out.
4. Careful pass over the rows cut out: error texts, and exact integers for decimals
   with up to six places and for the patch rule. Only banded rows and numbers too
   long for exact integers go through the scalar function row by row.

Errors never stop the batch: each bad row gets its error text, every other row its
result, and the output has the input's rows in the input's order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._careful import (
    _IMPLAUSIBLE,
    _NUMBER_ERRORS,
    _NUMBERS,
    Scalar,
    _Careful,
    _careful,
)
from painrx.batch._encode import Numbers, encode_text, to_numbers
from painrx.batch._exact import _EXACT_FLOAT, _FAST_LIMIT, _SCALE, _exact_bounds, _rational
from painrx.batch._keys import (
    ALERT_SEPARATOR,
    KeyResult,
    _combine,
    _index_type,
    _Labels,
    _Slots,
    _tabulate,
    error_text,
    resolve_key,
)
from painrx.batch._loader import Loader
from painrx.batch._threads import cores, thread_count
from painrx.vocabulary import MAX_DAILY_MME

__all__ = [
    "ALERT_SEPARATOR",
    "COMPILED_MIN_ROWS",
    "Computed",
    "KeyResult",
    "compute",
    "error_text",
    "resolve_key",
]

_TEXT: Final = ("drug", "strength_unit", "route", "form")
# Rows per block of the fast pass: its dozen buffers stay in the CPU cache.
_BLOCK: Final = 1 << 17
#: Rows from which the compiled pass is used: loading numba and the cached machine
#: code costs about 0.3 s in a fresh process, and it saves about 7 ns a row.
COMPILED_MIN_ROWS: Final = 100_000
# Thresholds the compiled pass compares without a loop (see :func:`_kernel_bounds`).
_KERNEL_BOUNDS: Final = 2
# Up to this many alert labels, the used ones are found by comparison, not counting.
_COMPARE_LABELS: Final = 24

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.signedinteger[Any]]


# --------------------------------------------------------------------------- fast pass


@attrs.frozen
class _Fast:
    """The fast pass's output: every row computed, and the rows it may have got wrong.

    Attributes:
        mme: MME/day per row.
        factor: Factor per row.
        alert_codes: Alert label code per row (-1 on the rows left over).
        rows: The rows left to the careful pass, in order.
        key: Their key slots.
        numbers: Their strength, quantity and days supply.
    """

    mme: Floats
    factor: Floats
    alert_codes: Codes
    rows: Codes
    key: Codes
    numbers: tuple[Floats, Floats, Floats]


def _float_columns(n: int) -> tuple[Floats, Floats]:
    """Return the ``mme_per_day`` and ``factor`` columns, uninitialised, in one allocation.

    One block rather than two arrays: when a result is dropped, the C allocator
    (glibc's raises its trimming threshold to the largest block freed) keeps the
    memory for the next call instead of returning it to the system, so the next
    call's writes take no page faults (a million rows: ~4,000 faults, 4 ms).
    """
    block = np.empty((2, n))
    return block[0], block[1]


def _fast_bounds(
    thresholds: Sequence[tuple[float, str]],
) -> tuple[list[tuple[int, int]], float]:
    """Return the threshold bounds as rationals and the fast pass's bound on denominators."""
    bounds = [_rational(b) for b, _ in thresholds]
    limit = min(_FAST_LIMIT, _EXACT_FLOAT / max((max(b) for b in bounds), default=1))
    return bounds, limit / MAX_DAILY_MME


def _fast_pass(
    key: Codes,
    strength: Floats,
    quantity: Floats,
    days: Floats,
    slots: _Slots,
    thresholds: Sequence[tuple[float, str]],
) -> _Fast:
    """Compute every row in plain float64 where that is provably exact; flag the rest.

    A row is (8s × 8q × P) ÷ (64Q × days) for the factor P/Q. It is ``ok`` when
    8s, 8q and days are whole numbers, s, days and the value are positive, the
    denominator is below ``limit`` ÷ 10,000 and the value below the plausibility
    bound of 10,000 MME/day (so the numerator is below ``limit``, at most 2**46).
    Then:

    * every product is an exact integer, so the value is one correctly rounded
      division, as ``float(Fraction(...))`` in the scalar path;
    * strength and quantity are multiples of 1/8 below 2**43, so the rationals the
      scalar path reads them as (:func:`_rational`) are their binary values;
    * a whole bound B is decided on the rounded value: num/den < B means
      num/den ≤ B - 1/den, and 1/den is more than half a unit in the last place
      of B (den < 2**53 / B), so the rounded value is below B too. A fractional
      bound n/d is decided on the integers (``num × d >= den × n``).

    Every other row (a bad key or number, a patch, a banded factor, a long decimal,
    a huge product) is left to the careful pass. The rows are processed in blocks
    whose buffers stay in the CPU cache.
    """
    n = len(key)
    bounds, den_limit = _fast_bounds(thresholds)
    mme, factor = _float_columns(n)
    alert_codes = np.empty(n, dtype=slots.alert_base.dtype)
    left: list[list[Any]] = [[], [], [], [], []]
    size = min(n, _BLOCK)
    index = np.empty(size, dtype=np.intp)
    floats = [np.empty(size) for _ in range(5)]
    masks = [np.empty(size, dtype=bool) for _ in range(2)]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for start in range(0, n, _BLOCK):
            stop = min(n, start + _BLOCK)
            k = index[: stop - start]
            s, q, num, den, scratch = (b[: stop - start] for b in floats)
            good, test = (b[: stop - start] for b in masks)
            d = days[start:stop]
            np.copyto(k, key[start:stop])
            np.multiply(strength[start:stop], _SCALE, out=s)
            np.multiply(quantity[start:stop], _SCALE, out=q)
            np.greater(s, 0, out=good)
            for x in (s, q, d):
                good &= np.equal(np.rint(x, out=scratch), x, out=test)
            np.multiply(s, q, out=num)
            num *= np.take(slots.numerator, k, out=scratch, mode="wrap")
            np.take(slots.denominator, k, out=den, mode="wrap")
            den *= d
            good &= np.greater(den, 0, out=test)
            good &= np.less(den, den_limit, out=test)
            value = np.divide(num, den, out=mme[start:stop])
            good &= np.greater(value, 0, out=test)
            good &= np.less(value, MAX_DAILY_MME, out=test)
            np.take(slots.factor, k, out=factor[start:stop], mode="wrap")
            level = np.take(slots.alert_base, k, out=alert_codes[start:stop], mode="wrap")
            for bn, bd in bounds:
                if bd == 1:
                    level += np.greater_equal(value, bn, out=test)
                else:
                    np.multiply(num, bd, out=s)
                    level += np.greater_equal(s, np.multiply(den, bn, out=scratch), out=test)
            # The rows left over are cut out while the block is in the cache.
            rows = np.flatnonzero(np.logical_not(good, out=test))
            if len(rows):
                level[rows] = -1
                left[0].append(rows + start)
                left[1].append(k[rows])
                for found, column in zip(left[2:], (strength, quantity, days), strict=True):
                    found.append(column[start:stop][rows])
    rows, row_key, *values = (
        np.concatenate(found) if found else np.empty(0, dtype=dtype)
        for found, dtype in zip(left, (np.intp, np.intp, float, float, float), strict=True)
    )
    return _Fast(mme, factor, alert_codes, rows, row_key, (values[0], values[1], values[2]))


# --------------------------------------------------------------------------- result


@attrs.frozen
class Computed:
    """The added columns, as arrays plus label tables.

    Attributes:
        mme: MME/day per row (NaN on error).
        factor: Multiplier applied to the strength per row (NaN on error).
        alert_codes: Index into ``alert_labels`` per row (-1 on error).
        alert_labels: Distinct ``alerts`` texts (codes joined by ``;``; may be empty).
        error_codes: Index into ``error_labels`` per row (-1: no error).
        error_labels: Distinct error texts.
        table_id: The MME table used.
    """

    mme: Floats
    factor: Floats
    alert_codes: Codes
    alert_labels: tuple[str, ...]
    error_codes: Codes
    error_labels: tuple[str, ...]
    table_id: str


def compute(
    columns: Mapping[str, Any],
    n: int,
    table_id: str,
    thresholds: Sequence[tuple[float, str]],
    scalar: Scalar,
    *,
    allow_compiled: bool = True,
) -> Computed:
    """Apply the file formula to ``columns`` (any supported column objects, ``n`` rows).

    Args:
        columns: The input columns by name (required ones present).
        n: Number of rows.
        table_id: MME table id.
        thresholds: ``(MME/day, alert code)`` pairs in increasing order.
        scalar: Computes one row exactly: ``(key, strength, quantity, days) ->
            (MME/day, alerts)``; raises :class:`PainRxError` for a bad row.
        allow_compiled: Whether the compiled pass may be used (see :func:`_compiled`).
    """
    if allow_compiled and os.environ.get("PAINRX_NUMBA", "").strip() != "0":
        # Loads while this call encodes and resolves; used once loaded.
        LOADER.start()
    keys = _combine(
        [encode_text(columns[c], compiled=allow_compiled) if c in columns else None for c in _TEXT],
        n,
    )
    slots = _tabulate(keys, table_id, thresholds)
    compiled = _compiled(n) if allow_compiled else None
    if compiled is not None:
        numbers = {
            name: to_numbers(columns[name], keep_nulls=True, compiled=True) for name in _NUMBERS
        }
        return _compute_compiled(compiled, keys.key, slots, numbers, table_id, thresholds, scalar)
    numbers = {name: to_numbers(columns[name], compiled=allow_compiled) for name in _NUMBERS}
    fast = _fast_pass(
        keys.key,
        numbers["strength"].values,
        numbers["quantity"].values,
        numbers["days_supply"].values,
        slots,
        thresholds,
    )
    rows = fast.rows
    alert_codes = fast.alert_codes
    labels = _Labels(_used(alert_codes, slots.labels))
    errors = _Labels()
    careful = _careful(
        fast.key, slots.found, _cut(numbers, rows, fast.numbers), thresholds, scalar, labels, errors
    )
    error = np.full(n, -1, dtype=_index_type(len(errors.index)))
    return _merged(
        fast.mme, fast.factor, alert_codes, error, rows, careful, labels, errors, table_id
    )


def _compiled(n: int) -> Any:
    """Return the numba kernels' module for a table of ``n`` rows, or None for the numpy pass.

    ``PAINRX_NUMBA=0`` never uses them and ``1`` always does (when numba is
    installed, waiting for it to load). By default they are used from
    :data:`COMPILED_MIN_ROWS` rows on, once loaded: the first call starts loading
    them in the background (see :mod:`painrx.batch._loader`) and never waits.
    """
    choice = os.environ.get("PAINRX_NUMBA", "").strip()
    if choice == "0":
        return None
    if choice == "1":
        return _import_compiled()
    module = LOADER.get(wait=False)
    return module if n >= COMPILED_MIN_ROWS else None


def _import_compiled() -> Any:
    """Return the numba kernels' module once loaded (waiting for it), or None without numba."""
    return LOADER.get(wait=True)


def _warm(compiled: Any) -> None:
    """Load (or compile) the kernels' common variants, on a few rows.

    numba loads one machine-code variant per argument type: the code widths of
    the keys and of the alert labels (1 or 2 bytes each; wider ones, for tens of
    thousands of distinct texts, load on first use). Loading them here, with the
    module, keeps a first call with a new width from loading its own.
    """
    n = 4
    numbers = [_frozen(np.ones(n)) for _ in _NUMBERS]
    present = [_frozen(np.ones(n, dtype=np.uint8))] * 3
    table = np.ones(n)
    for key_type in (np.uint8, np.uint16):
        for alert_type in (np.int8, np.int16):
            error_type = np.int8
            compiled.fast_rows(
                [np.zeros(n, dtype=key_type), *numbers, *present],
                [
                    *(table,) * 3,
                    np.zeros(n, dtype=alert_type),
                    np.full(n, -1, dtype=error_type),
                    *(table,) * 4,
                    _kernel_bounds([(50, 1), (90, 1)]),
                    3,
                    -1,
                    0,
                    1.0e6,
                    1.0e6,
                    MAX_DAILY_MME,
                    _SCALE,
                ],
                [
                    np.empty(n),
                    np.empty(n),
                    np.empty(n, dtype=alert_type),
                    np.empty(n, dtype=error_type),
                ],
            )
    # Unsigned views of the label codes, renumbered by a table of signed codes.
    for codes in (np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int16)):
        compiled.renumber([(_unsigned(codes), np.zeros(1 << 8, dtype=codes.dtype))])
    # What a first call would otherwise set up itself: the worker threads, and the
    # presence mask of a million rows without nulls (1 MB).
    compiled.start_workers(cores() - 1)
    _ones(_PREPARED_ONES)


#: Loads the compiled pass in the background (see :mod:`painrx.batch._loader`).
LOADER: Final = Loader(_warm)


def _values_at(column: Numbers, rows: Codes) -> Floats:
    """Return the column's values at ``rows``, NaN where null."""
    values = column.values[rows]
    if column.present is not None:
        values[column.present[rows] == 0] = np.nan
    return values


def _cut(
    numbers: Mapping[str, Numbers], rows: Codes, values: Sequence[Floats]
) -> dict[str, Numbers]:
    """Return the numeric columns cut to ``rows``, whose values are ``values``."""
    return {
        name: Numbers(
            cut,
            c.not_a_number[rows] if c.not_a_number.any() else np.zeros(len(rows), bool),
        )
        for (name, c), cut in zip(numbers.items(), values, strict=True)
    }


def _widened(codes: Codes, count: int) -> Codes:
    """Return ``codes`` in an integer type that holds ``count`` labels."""
    if count > np.iinfo(codes.dtype).max:
        return codes.astype(_index_type(count))
    return codes


def _merged(
    mme: Floats,
    factor: Floats,
    alert_codes: Codes,
    error: Codes,
    rows: Codes,
    careful: _Careful,
    labels: _Labels,
    errors: _Labels,
    table_id: str,
    fast_errors: int = 0,
) -> Computed:
    """Write the careful pass's ``rows`` into the fast pass's arrays, and label the result.

    ``fast_errors``: error labels below it were used by rows outside ``rows``.
    """
    mme[rows] = careful.mme
    factor[rows] = careful.factor
    alert_codes = _widened(alert_codes, len(labels.index))
    alert_codes[rows] = careful.alert
    error = _widened(error, len(errors.index))
    error[rows] = careful.error
    return Computed(
        mme=mme,
        factor=factor,
        alert_codes=alert_codes,
        alert_labels=labels.labels(),
        error_codes=error,
        error_labels=_compact(error, rows, errors.labels(), used_below=fast_errors),
        table_id=table_id,
    )


def _compute_compiled(
    compiled: Any,
    key: Codes,
    slots: _Slots,
    numbers: Mapping[str, Numbers],
    table_id: str,
    thresholds: Sequence[tuple[float, str]],
    scalar: Scalar,
) -> Computed:
    """:func:`compute` with the numba fast pass, which also settles most other rows."""
    n = len(key)
    bounds, den_limit = _fast_bounds(thresholds)
    _, exact_limit = _exact_bounds([b for b, _ in thresholds])
    # Number errors are coded after the keys' errors, then the plausibility error;
    # unless some text is no number (the careful pass tells it from "missing").
    text_in_numbers = any(column.not_a_number.any() for column in numbers.values())
    number_errors = () if text_in_numbers else _NUMBER_ERRORS
    error_labels = (*slots.error_labels, *number_errors, _IMPLAUSIBLE)
    mme, factor = _float_columns(n)
    alert_codes = np.empty(n, dtype=slots.alert_base.dtype)
    error = np.empty(n, dtype=_index_type(len(error_labels)))
    rows, error_rows, alerts_used, errors_used = compiled.fast_rows(
        [
            _unsigned(key),
            # Contiguous and read-only, so numba compiles no variant per layout.
            *(_frozen(numbers[name].values) for name in _NUMBERS),
            *_presence(numbers, n),
        ],
        [
            slots.numerator,
            slots.denominator,
            slots.factor,
            slots.alert_base,
            slots.error_code.astype(error.dtype),
            slots.exact_num,
            slots.exact_den,
            slots.rule_num,
            slots.rule_den,
            _kernel_bounds(bounds),
            len(thresholds) + 1,
            -1 if text_in_numbers else len(slots.error_labels),
            len(error_labels) - 1,
            den_limit,
            exact_limit,
            MAX_DAILY_MME,
            _SCALE,
        ],
        [mme, factor, alert_codes, error],
        threads=_threads(n),
    )
    pending: list[Any] = []
    labels = _Labels(_used_of(compiled, alert_codes, slots.labels, alerts_used, pending))
    errors = _Labels(_used_of(compiled, error, error_labels, errors_used, pending, only=error_rows))
    compiled.renumber(pending, threads=_threads(n))
    kernel_errors = len(errors.index)
    careful = _careful(
        key[rows],
        slots.found,
        _cut(numbers, rows, [_values_at(numbers[name], rows) for name in _NUMBERS]),
        thresholds,
        scalar,
        labels,
        errors,
    )
    return _merged(
        mme, factor, alert_codes, error, rows, careful, labels, errors, table_id, kernel_errors
    )


def _threads(n: int) -> int:
    """Threads for the compiled pass over ``n`` rows (:func:`thread_count`)."""
    return thread_count(n, COMPILED_MIN_ROWS)


def _unsigned(codes: Codes) -> npt.NDArray[np.unsignedinteger[Any]]:
    """View non-negative codes as unsigned: indexing with them needs no wraparound check."""
    return codes.view(codes.dtype.str.replace("i", "u"))


def _presence(numbers: Mapping[str, Numbers], n: int) -> list[npt.NDArray[np.uint8]]:
    """Return per row whether each of strength, quantity and days supply is present.

    1 is present, 0 null; a column without nulls gets the shared array of ones.
    Always contiguous and read-only: numba compiles one variant per argument type,
    and layout and writability are part of it.
    """
    each = [numbers[name].present for name in _NUMBERS]
    return [_ones(n) if present is None else _frozen(present) for present in each]


#: A read-only array of ones shared by the calls, grown up to :data:`_SHARED_ONES` rows.
_ONES: list[npt.NDArray[np.uint8]] = [np.ones(0, dtype=np.uint8)]
_SHARED_ONES: Final = 1 << 23
_PREPARED_ONES: Final = 1 << 20


def _ones(n: int) -> npt.NDArray[np.uint8]:
    """Return ``n`` ones, read-only: every row present (no fresh megabyte per call)."""
    ones = _ONES[0]
    if len(ones) < n:
        ones = _frozen(np.ones(n, dtype=np.uint8))
        if n <= _SHARED_ONES:
            # A list item swapped whole: a concurrent call keeps the array it read.
            _ONES[0] = ones
    return ones[:n]


def _frozen(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return a contiguous read-only view (or copy) of ``values``.

    numba compiles one variant per argument type, and writability and layout are
    part of it: number columns (Arrow's are read-only, numpy's writable), presence
    arrays and bounds always arrive read-only and contiguous.
    """
    frozen = np.ascontiguousarray(values).view()
    frozen.flags.writeable = False
    return frozen


def _kernel_bounds(bounds: Sequence[tuple[int, int]]) -> npt.NDArray[np.float64]:
    """Return the bounds as rows ``(numerator, denominator)`` for the compiled pass.

    An array rather than a tuple, so that the number of thresholds is no new
    compiled variant. At least two rows: the kernel compares the first two
    without a loop; the padding ``(1, 0)`` is a bound that no computed row
    reaches (``num × 0 >= den × 1`` is false for every row with ``den > 0``).
    """
    rows = [(float(b), float(d)) for b, d in bounds]
    rows += [(1.0, 0.0)] * (_KERNEL_BOUNDS - len(rows))
    return _frozen(np.array(rows, dtype=np.float64))


def _distinct(labels: Sequence[str], kept: Sequence[int]) -> tuple[list[int], tuple[str, ...]]:
    """Return the new code of every label in ``kept``, equal texts sharing one, and the texts."""
    index: dict[str, int] = {}
    codes = [index.setdefault(labels[code], len(index)) for code in kept]
    return codes, tuple(index)


def _used_of(
    compiled: Any,
    codes: Codes,
    labels: tuple[str, ...],
    mask: int,
    pending: list[Any],
    *,
    only: Codes | None = None,
) -> tuple[str, ...]:
    """Drop labels no row uses, by the compiled pass's mask of used codes (see :func:`_used`).

    When the codes need renumbering, appends them and their table to ``pending``
    (renumbered together, see :func:`painrx.batch._kernel.renumber`); or, when
    ``only`` lists the rows holding codes (every other row -1), renumbers those.
    """
    if len(labels) >= compiled.MASK_BITS:
        return _used(codes, labels)
    kept = [code for code in range(len(labels)) if mask >> code & 1]
    new, texts = _distinct(labels, kept)
    if new == kept:
        # The used codes keep their numbers (only unused labels at the end go).
        return texts
    if codes.dtype.itemsize > 2:
        return _used(codes, labels)
    # Indexed by the unsigned codes: -1 reads the last entry, which stays -1.
    table = np.full(1 << (8 * codes.dtype.itemsize), -1, dtype=codes.dtype)
    table[kept] = new
    if only is not None:
        codes[only] = table[_unsigned(codes[only])]
    else:
        pending.append((_unsigned(codes), table))
    return texts


def _used(codes: Codes, labels: tuple[str, ...]) -> tuple[str, ...]:
    """Drop labels no row uses and merge equal texts, renumbering ``codes`` (-1: none) in place.

    The fast pass numbers every (drug alerts, level) pair its slots could produce;
    a categorical column should list only values that occur, each once.
    """
    if len(labels) <= _COMPARE_LABELS:
        # A comparison per label on 1-byte codes is cheaper than counting them all.
        test = np.empty(len(codes), dtype=bool)
        used = np.array([np.equal(codes, c, out=test).any() for c in range(len(labels))], bool)
    else:
        used = np.bincount(codes[codes >= 0], minlength=len(labels)) > 0
    kept = np.flatnonzero(used).tolist()
    new, texts = _distinct(labels, kept)
    if new == list(range(len(labels))):
        return texts
    remap = np.full(len(labels) + 1, -1, dtype=codes.dtype)
    remap[kept] = new
    # -1 wraps to the last entry, which stays -1.
    np.take(remap, codes.astype(np.intp), out=codes, mode="wrap")
    return texts


def _compact(
    codes: Codes, rows: Codes, labels: tuple[str, ...], *, used_below: int = 0
) -> tuple[str, ...]:
    """Drop labels no row uses, renumbering ``codes`` in place.

    Only ``rows`` hold codes from ``used_below`` on; the labels below it are known
    to be used. A row with several problems registers each but shows the first,
    and a categorical column should list only values that occur.
    """
    if not len(rows):
        return labels
    used = np.zeros(len(labels) + 1, dtype=bool)
    used[:used_below] = True
    used[codes[rows]] = True
    if used[:-1].all():
        return labels
    kept = np.flatnonzero(used[:-1])
    remap = np.full(len(labels) + 1, -1, dtype=codes.dtype)
    remap[kept] = np.arange(len(kept))
    codes[rows] = remap[codes[rows]]
    return tuple(labels[i] for i in kept.tolist())
