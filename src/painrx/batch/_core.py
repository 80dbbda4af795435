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

import importlib
import math
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final, cast

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._encode import Encoded, Numbers, encode_text, to_numbers
from painrx.errors import Alert, InputError, PainRxError
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
_NUMBERS: Final = ("strength", "quantity", "days_supply")
# A row reports the first of these: column by column, then check by check.
_NUMBER_CHECKS: Final = (
    "is missing",
    "is not a number",
    "must be a finite number",
    "must be greater than zero",
)
_NUMBER_ERRORS: Final = tuple(
    f"InputError: {name} {check}." for name in _NUMBERS for check in _NUMBER_CHECKS
)
#: Separator of the alert codes in the ``alerts`` column.
ALERT_SEPARATOR: Final = ";"
# A combined key space up to this size is indexed directly instead of sorted.
_DIRECT_KEYS: Final = 1 << 22
_IMPLAUSIBLE: Final = (
    f"InputError: the prescription gives more than {MAX_DAILY_MME:,.0f} MME/day, above "
    "painrx's plausibility bound: check for a mg/g or mcg/mg slip."
)
# Decimals with up to this many places are exact ratios (longer ones: the scalar path).
_DECIMALS: Final = 6
# Integers below this are exact in float64, and so are their sums and products below it.
_EXACT_FLOAT: Final = float(2**53)
# The fast pass reads strength and quantity as eighths (7.5 mg is 60/8, 2.5 mL 20/8).
_SCALE: Final = 8.0
# Its products stay below this: strength and quantity then stay below 2**43, where a
# multiple of 1/8 prints as its exact decimal, so painrx reads it as its binary value.
_FAST_LIMIT: Final = float(2**46)
# Rows per block of the fast pass: its dozen buffers stay in the CPU cache.
_BLOCK: Final = 1 << 17
# A key space up to this size is resolved whole rather than where rows use it.
_ALL_SLOTS: Final = 1024
#: Rows from which the compiled pass is used: loading numba and the cached machine
#: code costs about 0.3 s in a fresh process, and it saves about 7 ns a row.
COMPILED_MIN_ROWS: Final = 100_000
# Up to this many alert labels, the used ones are found by comparison, not counting.
_COMPARE_LABELS: Final = 24

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.signedinteger[Any]]
Mask = npt.NDArray[np.bool_]
Scalar = Callable[["KeyResult", float, float, float], tuple[float, tuple[Alert, ...]]]


# --------------------------------------------------------------------------- keys


@attrs.frozen
class KeyResult:
    """What one distinct (drug, strength unit, route, form) resolves to.

    Attributes:
        drug: The drug text as given.
        unit: The strength unit text as given.
        route: The route text (None: not given).
        form: The form text (None: not given).
        factor: The multiplier of the file formula for a strength in ``unit`` (NaN on
            error or when banded).
        days_per_unit: The patch days-supply rule (days one unit lasts), NaN if none.
        volume: Whether the quantity is a volume in mL rather than a count.
        banded: Whether the factor depends on the dose (decided per row).
        alerts: Drug-level alert codes.
        error: The error text, or None.
    """

    drug: str | None
    unit: str | None
    route: str | None
    form: str | None
    factor: float = math.nan
    days_per_unit: float = math.nan
    volume: bool = False
    banded: bool = False
    alerts: tuple[str, ...] = ()
    error: str | None = None

    @property
    def special(self) -> bool:
        """Whether rows of this key skip the fast pass."""
        return self.error is not None or self.banded or not math.isnan(self.days_per_unit)


def error_text(exc: PainRxError) -> str:
    """Return ``"<ErrorClass>: <message>"`` on one line."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@lru_cache(maxsize=8192)
def resolve_key(
    table_id: str, drug: str | None, unit: str | None, route: str | None, form: str | None
) -> KeyResult:
    """Resolve one distinct key through ``prescription_factor`` (cached across calls).

    A missing route or form is passed as None, exactly as the scalar function
    receives it (the product's own route, else oral).
    """
    from painrx import opioids

    given = KeyResult(drug, unit, None if _blank(route) else route, None if _blank(form) else form)
    if drug is None or _blank(drug):
        return attrs.evolve(given, error="InputError: drug is missing.")
    if unit is None or _blank(unit):
        return attrs.evolve(
            given, error="UnitError: strength_unit is missing: painrx never guesses a unit."
        )
    try:
        found = opioids.prescription_factor(
            drug, strength_unit=unit, route=given.route, form=given.form, table=table_id
        )
    except PainRxError as exc:
        return attrs.evolve(given, error=error_text(exc))
    per_unit = found.days_per_unit if found.patch_days_rule else None
    return attrs.evolve(
        given,
        factor=float(found.factor),
        days_per_unit=float(per_unit) if per_unit is not None else math.nan,
        volume=found.quantity_kind == "volume",
        banded=found.banded,
        alerts=tuple(a.code for a in found.alerts),
    )


@attrs.frozen
class _Keys:
    """One key per row into the (drug, unit, route, form) code combinations.

    Attributes:
        key: Per row, an index below ``size`` (the smallest integer type that holds it).
        size: Number of key slots.
        sizes: Codes per text column (distinct values + 1 for missing).
        encoded: The encoded text columns (None: column absent).
        distinct: When the combinations were renumbered, the combined code of each slot.
    """

    key: Codes
    size: int
    sizes: tuple[int, ...]
    encoded: tuple[Encoded | None, ...]
    distinct: npt.NDArray[np.intp] | None = None

    def parts(self, slot: int) -> tuple[str | None, ...]:
        """Return the texts a key slot stands for (None: missing or no column)."""
        combined = int(self.distinct[slot]) if self.distinct is not None else slot
        codes = []
        for size in reversed(self.sizes):
            combined, code = divmod(combined, size)
            codes.append(code - 1)
        codes.reverse()
        return tuple(
            None if e is None or c < 0 else e.uniques[c]
            for e, c in zip(self.encoded, codes, strict=True)
        )

    def uniques(self) -> tuple[tuple[str, ...] | None, ...]:
        """Return the distinct texts of each column (None: column absent)."""
        return tuple(None if e is None else e.uniques for e in self.encoded)


def _index_type(size: int) -> type[np.signedinteger[Any]]:
    for candidate in (np.int8, np.int16, np.int32):
        if size <= np.iinfo(candidate).max:
            return candidate
    return np.int64


def _combine(encoded: Sequence[Encoded | None], n: int) -> _Keys:
    """Combine the text columns' codes into one key per row (missing is a code too).

    The key is ``sum((code + 1) * stride)``, built in the smallest integer type that
    holds it: on a million rows, 2-byte arithmetic costs a quarter of 8-byte.
    """
    sizes = tuple(len(e.uniques) + 1 if e is not None else 1 for e in encoded)
    total = math.prod(sizes)
    work = _index_type(total)
    key: Codes | None = None
    offset = 0
    for e, size in zip(encoded, sizes, strict=True):
        offset *= size
        if e is None:
            continue
        offset += 1
        if key is None:
            key = e.codes.astype(work)
        else:
            key *= size
            key += e.codes
    if key is None:
        key = np.zeros(n, dtype=work)
    else:
        key += offset
    if total <= _DIRECT_KEYS:
        return _Keys(key, total, sizes, tuple(encoded))
    distinct, inverse = np.unique(key, return_inverse=True)
    return _Keys(inverse.astype(np.intp), len(distinct), sizes, tuple(encoded), distinct)


# --------------------------------------------------------------------------- labels


class _Labels:
    """Distinct texts, numbered in order of first use."""

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self.index: dict[str, int] = {}
        for text in texts:
            self.code(text)

    def code(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def labels(self) -> tuple[str, ...]:
        return tuple(self.index)


def _alert_text(
    alerts: str, normalised: bool, level: int, thresholds: Sequence[tuple[float, str]]
) -> str:
    """Join drug alerts, the patch rule and threshold alerts, in the scalar order."""
    codes = [c for c in alerts.split(ALERT_SEPARATOR) if c]
    if normalised:
        codes.append("days_supply_normalised")
    codes.extend(code for _, code in thresholds[:level])
    return ALERT_SEPARATOR.join(codes)


def _label_combos(
    combo: Codes,
    sentinel: int,
    decode: Callable[[int], str],
    labels: _Labels,
) -> Codes:
    """Map combination codes (``sentinel``: none) to label codes, labelling used ones."""
    counts = np.bincount(combo, minlength=sentinel + 1)
    lookup = np.full(sentinel + 1, -1, dtype=np.intp)
    for value in np.flatnonzero(counts[:sentinel]).tolist():
        lookup[value] = labels.code(decode(value))
    return lookup[combo]


# --------------------------------------------------------------------------- slots


@attrs.frozen
class _Slots:
    """What every key slot resolves to, as small lookup tables for the fast pass.

    Attributes:
        found: Per slot, the resolved key (None: not resolved, no row has it).
        numerator: The factor's numerator P (NaN: the slot's rows take the careful pass).
        denominator: The factor's denominator Q times 64 (the scale of strength
            and quantity read as eighths).
        factor: The factor (NaN on error or when banded).
        alert_base: Per slot computed exactly, the label code of its drug alerts
            at threshold level 0; level ``k`` is ``alert_base + k``, and under the
            patch rule a normalised days supply adds the number of levels.
        labels: Alert texts, in blocks of one per threshold level (two blocks for
            a slot with the patch rule: as given, then normalised).
        error_code: Per slot, the code of its key's error in ``error_labels`` (-1: none).
        error_labels: The distinct error texts of the resolved keys.
        exact_num: The factor's numerator P for every slot computed exactly (not
            banded, no error), else NaN.
        exact_den: The factor's denominator Q of those slots.
        rule_num: The patch rule's days per unit as ``rule_num / rule_den`` (NaN: no rule).
        rule_den: See ``rule_num``.
    """

    found: tuple[KeyResult | None, ...]
    numerator: Floats
    denominator: Floats
    factor: Floats
    alert_base: Codes
    labels: tuple[str, ...]
    error_code: npt.NDArray[np.int32]
    error_labels: tuple[str, ...]
    exact_num: Floats
    exact_den: Floats
    rule_num: Floats
    rule_den: Floats


def _slots(
    keys: _Keys, which: Sequence[int], table_id: str, thresholds: Sequence[tuple[float, str]]
) -> _Slots:
    """Resolve the key slots ``which`` and tabulate them."""
    found: list[KeyResult | None] = [None] * keys.size
    numerator, denominator, factor, exact_num, exact_den, rule_num, rule_den = (
        np.full(keys.size, np.nan) for _ in range(7)
    )
    alert_base = np.zeros(keys.size, dtype=np.intp)
    error_code = np.full(keys.size, -1, dtype=np.int32)
    levels = len(thresholds) + 1
    labels: list[str] = []
    blocks: dict[tuple[str, bool], int] = {}
    errors = _Labels()
    for slot in which:
        key = resolve_key(table_id, *keys.parts(slot))
        found[slot] = key
        factor[slot] = key.factor
        if key.error is not None:
            error_code[slot] = errors.code(key.error)
        p, q = _rational(key.factor)
        if key.error is not None or key.banded or not p > 0:
            continue
        exact_num[slot], exact_den[slot] = p, q
        rule = not math.isnan(key.days_per_unit)
        if rule:
            rule_num[slot], rule_den[slot] = _rational(key.days_per_unit)
        alerts = ALERT_SEPARATOR.join(key.alerts)
        if (alerts, rule) not in blocks:
            blocks[alerts, rule] = len(labels)
            labels.extend(
                _alert_text(alerts, normalised, level, thresholds)
                for normalised in ((False, True) if rule else (False,))
                for level in range(levels)
            )
        alert_base[slot] = blocks[alerts, rule]
        if not key.special and 0 < p < _FAST_LIMIT and 0 < q * _SCALE**2 < _FAST_LIMIT:
            numerator[slot] = p
            denominator[slot] = q * _SCALE**2
    return _Slots(
        tuple(found),
        numerator,
        denominator,
        factor,
        alert_base.astype(_index_type(len(labels))),
        tuple(labels),
        error_code,
        errors.labels(),
        exact_num,
        exact_den,
        rule_num,
        rule_den,
    )


@lru_cache(maxsize=64)
def _all_slots(
    table_id: str,
    thresholds: tuple[tuple[float, str], ...],
    uniques: tuple[tuple[str, ...] | None, ...],
    sizes: tuple[int, ...],
) -> _Slots:
    """Tabulate every combination of the columns' texts (cached: the same categories recur)."""
    encoded = tuple(None if u is None else Encoded(np.empty(0, np.intp), u) for u in uniques)
    keys = _Keys(np.empty(0, np.intp), math.prod(sizes), sizes, encoded)
    return _slots(keys, range(keys.size), table_id, thresholds)


def _tabulate(keys: _Keys, table_id: str, thresholds: Sequence[tuple[float, str]]) -> _Slots:
    """Resolve the key slots the rows use.

    A small key space is resolved whole (no pass over the rows to find the used
    slots, and cached by the columns' distinct texts); a large one only where used.
    """
    if keys.distinct is None and keys.size <= min(_ALL_SLOTS, len(keys.key) // 64):
        return _all_slots(table_id, tuple(thresholds), keys.uniques(), keys.sizes)
    present = np.zeros(keys.size, dtype=bool)
    present[keys.key] = True
    return _slots(keys, np.flatnonzero(present).tolist(), table_id, thresholds)


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
    mme = np.empty(n)
    factor = np.empty(n)
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
    keys = _combine([encode_text(columns[c]) if c in columns else None for c in _TEXT], n)
    slots = _tabulate(keys, table_id, thresholds)
    compiled = _compiled(n) if allow_compiled else None
    if compiled is not None:
        numbers = {name: to_numbers(columns[name], keep_nulls=True) for name in _NUMBERS}
        return _compute_compiled(compiled, keys.key, slots, numbers, table_id, thresholds, scalar)
    numbers = {name: to_numbers(columns[name]) for name in _NUMBERS}
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
    installed); by default they are used from :data:`COMPILED_MIN_ROWS` rows on.
    """
    choice = os.environ.get("PAINRX_NUMBA", "").strip()
    if choice == "0" or (choice != "1" and n < COMPILED_MIN_ROWS):
        return None
    return _import_compiled()


@lru_cache(maxsize=1)
def _import_compiled() -> Any:
    try:
        return importlib.import_module("painrx.batch._kernel")
    except ImportError:
        return None
    except Exception as exc:  # noqa: BLE001 # any failure to load numba means: use numpy
        # numba is installed but unusable (say, no writable cache directory):
        # the numpy pass gives the same results, only slower.
        warnings.warn(
            f"painrx: numba is installed but the compiled batch pass could not be "
            f"loaded ({type(exc).__name__}: {exc}); using the numpy pass.",
            RuntimeWarning,
            stacklevel=2,
        )
        return None


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
    mme = np.empty(n)
    factor = np.empty(n)
    alert_codes = np.empty(n, dtype=slots.alert_base.dtype)
    error = np.empty(n, dtype=_index_type(len(error_labels)))
    rows, left_numbers, alerts_used, errors_used = compiled.fast_rows(
        [
            _unsigned(key),
            # Contiguous, so numba compiles no variant for strided columns.
            *(np.ascontiguousarray(numbers[name].values) for name in _NUMBERS),
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
        [mme, factor, alert_codes, error, np.empty(n, dtype=np.intp)],
        threads=_threads(n),
    )
    labels = _Labels(_used_of(compiled, alert_codes, slots.labels, alerts_used))
    errors = _Labels(_used_of(compiled, error, error_labels, errors_used))
    kernel_errors = len(errors.index)
    careful = _careful(
        key[rows],
        slots.found,
        _cut(numbers, rows, left_numbers),
        thresholds,
        scalar,
        labels,
        errors,
    )
    return _merged(
        mme, factor, alert_codes, error, rows, careful, labels, errors, table_id, kernel_errors
    )


def _threads(n: int) -> int:
    """Return how many threads run the compiled pass over ``n`` rows.

    ``PAINRX_THREADS`` sets it; by default the usable cores, at least
    :data:`COMPILED_MIN_ROWS` rows each, and one when the caller is itself a
    worker thread (Dask's threaded scheduler already runs batches side by side).
    """
    text = os.environ.get("PAINRX_THREADS", "").strip()
    if text:
        try:
            wanted = int(text)
        except ValueError:
            wanted = 0
        if wanted < 1:
            msg = f"PAINRX_THREADS must be a whole number of threads of at least 1, not {text!r}."
            raise InputError(msg)
    elif threading.current_thread() is not threading.main_thread():
        return 1
    else:
        wanted = (
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1
        )
    return max(1, min(wanted, n // COMPILED_MIN_ROWS))


def _unsigned(codes: Codes) -> npt.NDArray[np.unsignedinteger[Any]]:
    """View non-negative codes as unsigned: indexing with them needs no wraparound check."""
    return codes.view(codes.dtype.str.replace("i", "u"))


def _presence(numbers: Mapping[str, Numbers], n: int) -> list[npt.NDArray[np.uint8]]:
    """Return per row whether all of strength, quantity and days supply are present, then each.

    1 is present, 0 null. Without nulls, four views of one byte that every row reads;
    with some, four arrays (numba compiles one variant for each case).
    """
    columns = [numbers[name].present for name in _NUMBERS]
    known = [present for present in columns if present is not None]
    if not known:
        return [np.broadcast_to(np.uint8(1), (n,))] * 4
    everywhere = np.ones(n, dtype=np.uint8)
    every = known[0].copy()
    for present in known[1:]:
        every &= present
    each = [everywhere if present is None else present for present in columns]
    return [_frozen(x) for x in (every, *each)]


def _frozen(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Return a contiguous read-only view (or copy) of ``values``.

    numba compiles one variant per argument type, and writability and layout are
    part of it: presence arrays always arrive read-only and contiguous.
    """
    frozen = np.ascontiguousarray(values).view()
    frozen.flags.writeable = False
    return frozen


def _kernel_bounds(bounds: Sequence[tuple[int, int]]) -> tuple[tuple[float, float], ...]:
    """Return the bounds as ``(numerator, denominator)`` floats for the compiled pass.

    numba cannot iterate an empty tuple, so no bounds become one that no computed
    row reaches: ``num × 0 >= den × 1`` is false for every row with ``den > 0``.
    """
    return tuple((float(b), float(d)) for b, d in bounds) or ((1.0, 0.0),)


def _distinct(labels: Sequence[str], kept: Sequence[int]) -> tuple[list[int], tuple[str, ...]]:
    """Return the new code of every label in ``kept``, equal texts sharing one, and the texts."""
    index: dict[str, int] = {}
    codes = [index.setdefault(labels[code], len(index)) for code in kept]
    return codes, tuple(index)


def _used_of(compiled: Any, codes: Codes, labels: tuple[str, ...], mask: int) -> tuple[str, ...]:
    """Drop labels no row uses, by the compiled pass's mask of used codes (see :func:`_used`)."""
    if len(labels) >= compiled.MASK_BITS:
        return _used(codes, labels)
    kept = [code for code in range(len(labels)) if mask >> code & 1]
    new, texts = _distinct(labels, kept)
    if new == list(range(len(labels))):
        return texts
    if codes.dtype.itemsize > 2:
        return _used(codes, labels)
    # Indexed by the unsigned codes: -1 reads the last entry, which stays -1.
    table = np.full(1 << (8 * codes.dtype.itemsize), -1, dtype=codes.dtype)
    table[kept] = new
    compiled.renumber(_unsigned(codes), table)
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


# --------------------------------------------------------------------------- careful pass


@attrs.frozen
class _Careful:
    """The careful pass's output for its rows: label codes are -1 for none."""

    mme: Floats
    factor: Floats
    alert: Codes
    error: Codes


def _number_errors(numbers: Mapping[str, Numbers], errors: _Labels) -> Codes:
    """Return the first numeric error code per row (-1: none), in column order."""
    n = len(numbers[_NUMBERS[0]].values)
    codes = np.full(n, -1, dtype=np.intp)
    for column_index, name in reversed(list(enumerate(_NUMBERS))):
        column = numbers[name]
        values = column.values
        masks = (
            np.isnan(values) & ~column.not_a_number,
            column.not_a_number,
            np.isinf(values),
            values <= 0,
        )
        for check, mask in reversed(list(enumerate(masks))):
            if mask.any():
                codes[mask] = errors.code(_NUMBER_ERRORS[column_index * len(masks) + check])
    return codes


def _careful(
    slots: Codes,
    resolved: Sequence[KeyResult | None],
    numbers: Mapping[str, Numbers],
    thresholds: Sequence[tuple[float, str]],
    scalar: Scalar,
    labels: _Labels,
    errors: _Labels,
) -> _Careful:
    """Compute the rows the fast pass left (``numbers`` already cut to them)."""
    n = len(slots)
    out = _Careful(
        np.full(n, np.nan),
        np.full(n, np.nan),
        np.full(n, -1, dtype=np.intp),
        np.full(n, -1, dtype=np.intp),
    )
    if not n:
        return out
    # Slots are small integers: mark, then renumber (sorting would cost more).
    present = np.zeros(len(resolved), dtype=bool)
    present[slots] = True
    distinct = np.flatnonzero(present)
    renumber = np.zeros(len(resolved), dtype=np.intp)
    renumber[distinct] = np.arange(len(distinct))
    local = renumber[slots]
    found = [cast("KeyResult", resolved[s]) for s in distinct.tolist()]
    key_error = np.array([errors.code(f.error) if f.error else -1 for f in found])[local]
    error = np.where(key_error >= 0, key_error, _number_errors(numbers, errors))
    out.error[:] = error
    good = np.flatnonzero(error < 0)
    if len(good):
        _compute_good(
            good,
            local[good],
            found,
            numbers["strength"].values[good],
            numbers["quantity"].values[good],
            numbers["days_supply"].values[good],
            thresholds,
            scalar,
            labels,
            errors,
            out,
        )
    return out


def _compute_good(
    rows: Codes,
    local: Codes,
    found: Sequence[KeyResult],
    strength: Floats,
    quantity: Floats,
    days: Floats,
    thresholds: Sequence[tuple[float, str]],
    scalar: Scalar,
    labels: _Labels,
    errors: _Labels,
    out: _Careful,
) -> None:
    """Compute careful rows without errors: patch rule, exact decisions, banded rows."""
    factor = np.array([f.factor for f in found])[local]
    banded = np.array([f.banded for f in found])[local]
    sets = _Labels()
    alert_set = np.array([sets.code(ALERT_SEPARATOR.join(f.alerts)) for f in found])[local]
    mme = np.full(len(rows), np.nan)
    level = np.zeros(len(rows), dtype=np.int8)
    above = np.zeros(len(rows), dtype=bool)
    normalised = np.zeros(len(rows), dtype=bool)
    by_scalar = banded.copy()
    exact = np.flatnonzero(~banded)
    if len(exact):
        decided = _decide_exactly(
            strength[exact],
            quantity[exact],
            days[exact],
            local[exact],
            _rationals(np.array([f.factor for f in found])),
            _rationals(np.array([f.days_per_unit for f in found])),
            [t for t, _ in thresholds],
        )
        mme[exact] = decided.value
        level[exact] = decided.level
        above[exact] = decided.above
        normalised[exact] = decided.normalised
        by_scalar[exact[~decided.ok]] = True
    refused = above & ~by_scalar

    levels = len(thresholds) + 1
    names = list(sets.index)
    combo = (alert_set * 2 + normalised) * levels + level
    sentinel = len(names) * 2 * levels
    combo[refused | by_scalar] = sentinel
    alert_codes = _label_combos(
        combo,
        sentinel,
        lambda v: _alert_text(
            names[v // (2 * levels)], bool(v // levels % 2), v % levels, thresholds
        ),
        labels,
    )
    error = np.full(len(rows), -1, dtype=np.intp)
    error[refused] = errors.code(_IMPLAUSIBLE)
    for i in np.flatnonzero(by_scalar).tolist():
        key = found[local[i]]
        try:
            value, alerts = scalar(key, strength[i], quantity[i], days[i])
        except PainRxError as exc:
            error[i] = errors.code(error_text(exc))
            continue
        mme[i] = value
        if key.banded:
            # The band's factor, as a multiplier of the strength like every other row's.
            factor[i] = value * days[i] / (strength[i] * quantity[i])
        alert_codes[i] = labels.code(ALERT_SEPARATOR.join(a.code for a in alerts))
    failed = error >= 0
    mme[failed] = np.nan
    factor[failed] = np.nan
    alert_codes[failed] = -1
    out.mme[rows] = mme
    out.factor[rows] = factor
    out.alert[rows] = alert_codes
    out.error[rows] = error


# --------------------------------------------------------------------------- exact decisions


@attrs.frozen
class _Decided:
    ok: Mask
    value: Floats
    level: npt.NDArray[np.int8]
    above: Mask
    normalised: Mask


@lru_cache(maxsize=4096)
def _rational(value: float) -> tuple[int, int]:
    """Return the rational painrx reads a float as: a short decimal or a simple fraction.

    The rule of :mod:`painrx.opioids` for numbers typed by people: ``0.1`` is 1/10,
    ``7.2`` is 36/5 and ``3.3333333333333335`` is 10/3. ``(0, 0)``: not finite.
    """
    if not math.isfinite(value):
        return 0, 0
    decimal = Fraction(repr(value))
    simple = decimal.limit_denominator(10_000)
    exact = simple if float(simple) == value else decimal
    return exact.numerator, exact.denominator


@attrs.frozen
class _Decimal:
    """A column as exact decimals: ``x == mantissa / 10**k`` (k ≤ 6, shortest).

    Attributes:
        mantissa: Integer-valued floats (meaningful where ``ok``).
        ok: Whether ``x`` is such a decimal.
        rows: Rows with k > 0 (few: most counts and strengths are integers).
        scale: ``10**k`` of those rows.
    """

    mantissa: Floats
    ok: Mask
    rows: Codes
    scale: Floats

    def scale_of(self, n: int) -> Floats | None:
        """Return the full scale column, or None when it is 1 everywhere."""
        if not len(self.rows):
            return None
        full = np.ones(n)
        full[self.rows] = self.scale
        return full


def _decimals(x: Floats, scratch: Floats) -> _Decimal:
    """Return ``x`` as exact decimals (``scratch``: a float buffer of ``x``'s length).

    ``x == m / 10**k`` for the shortest ``k`` ≤ 6.

    ``m / 10**k`` rounds to ``x`` and is its shortest decimal, so it is the rational
    ``x`` stands for (and :func:`_rational` of ``x``). When every finite value is an
    integer, ``x`` itself is the mantissa (no copy).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        rounded = np.rint(x, out=scratch)
        found = rounded == x
        pending = np.flatnonzero(~found)
        # NaN is no decimal: only finite non-integers are worth the scaled tries.
        pending = pending[np.isfinite(x[pending])]
        if not len(pending):
            return _Decimal(x, found, np.empty(0, dtype=np.intp), np.empty(0))
        mantissa = rounded.copy()
        scaled: list[Codes] = []
        scales: list[Floats] = []
        for k in range(1, _DECIMALS + 1):
            power = 10.0**k
            candidate = np.rint(x[pending] * power)
            hit = candidate / power == x[pending]
            rows = pending[hit]
            mantissa[rows] = candidate[hit]
            found[rows] = True
            scaled.append(rows)
            scales.append(np.full(len(rows), power))
            pending = pending[~hit]
            if not len(pending):
                break
    return _Decimal(mantissa, found, np.concatenate(scaled), np.concatenate(scales))


def _product(*factors: Floats | None) -> Floats:
    """Multiply arrays, skipping None (a scale of exactly 1 everywhere)."""
    present = [f for f in factors if f is not None]
    result = present[0] * present[1] if len(present) > 1 else present[0].copy()
    for f in present[2:]:
        # In place: a fresh million-row array costs more in page faults than the multiply.
        result *= f
    return result


def _rationals(values: Floats) -> tuple[Floats, Floats]:
    """Return numerators and denominators of :func:`_rational` as floats (0/0: not finite)."""
    pairs = [_rational(v) for v in values.tolist()]
    return (
        np.array([float(p) for p, _ in pairs]),
        np.array([float(q) for _, q in pairs]),
    )


def _exact_bounds(thresholds: Sequence[float]) -> tuple[list[tuple[int, int]], float]:
    """Return the thresholds and the plausibility bound as rationals, and the exact path's limit.

    Numerators and denominators below the limit keep every product with a bound
    below 2**53, so the comparisons are exact.
    """
    bounds = [_rational(b) for b in (*thresholds, MAX_DAILY_MME)]
    return bounds, _EXACT_FLOAT / max(max(a, b) for a, b in bounds)


def _decide_exactly(
    strength: Floats,
    quantity: Floats,
    days: Floats,
    slot: Codes,
    factors: tuple[Floats, Floats],
    days_per_unit: tuple[Floats, Floats] | None,
    thresholds: Sequence[float],
) -> _Decided:
    """Compute MME/day and decide threshold levels and the patch rule on exact integers.

    ``factors`` is each slot's factor as numerators and denominators (0/0: none, the
    row is not decided) and ``days_per_unit`` likewise its patch rule (denominator
    0: no rule; None: no slot has one); ``slot`` picks each row's. MME/day is
    s·q·(P/Q) ÷ supply with every number a ratio of integers. Held in floats below
    2**53 those integers are exact, so ``MME ≥ bound`` is an exact comparison and the
    value one correctly rounded division, as ``float(Fraction(...))`` in the scalar
    path. A row whose numbers do not fit (long decimals, very large products) is not
    decided (``ok`` False) and is left to the scalar path.
    """
    n = len(strength)
    # A few buffers reused with out=: on a million rows a fresh array costs more in
    # page faults than the arithmetic done in it.
    scratch = np.empty(n)
    s = _decimals(strength, scratch)
    q = _decimals(quantity, scratch)
    d = _decimals(days, scratch)
    ms, mq, md = s.mantissa, q.mantissa, d.mantissa
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        ok = np.greater(ms, 0)
        for mask in (s.ok, q.ok, d.ok, mq > 0):
            ok &= mask
        num = np.multiply(ms, mq)
        num *= np.take(factors[0], slot, out=scratch)
        den = np.take(factors[1], slot)
        if days_per_unit is None:
            den *= md
            # Decimal scales touch only the few rows that have one.
            den[s.rows] *= s.scale
            den[q.rows] *= q.scale
            num[d.rows] *= d.scale
            normalised = np.zeros(n, dtype=bool)
        else:
            ua, ub = (table[slot] for table in days_per_unit)
            ss, sq, sdays = s.scale_of(n), q.scale_of(n), d.scale_of(n)
            # Supply in days as sn / sd: quantity × days per unit under the patch rule.
            rule = ub > 0
            num *= np.where(rule, _product(ub, sq), _product(np.ones(n), sdays))
            den *= _product(np.where(rule, mq * ua, md), ss, sq)
            left = _product(mq, ua, sdays)
            right = _product(md, ub, sq)
            normalised = rule & (left != right)
            ok &= (left < _EXACT_FLOAT) & (right < _EXACT_FLOAT)
        # den > 0 covers a slot without a factor (0/0) and days ≤ 0 or NaN.
        ok &= den > 0
        bounds, limit = _exact_bounds(thresholds)
        ok &= num < limit
        ok &= den < limit
        value = np.divide(num, den, out=scratch)
        level = np.zeros(n, dtype=np.int8)
        reached = np.empty(n, dtype=bool)
        for bn, bd in bounds[:-1]:
            level += (
                np.greater_equal(num * bd, den * bn, out=reached)
                if bd != 1
                # For a whole bound B and den < 2**53 / B, num / den and its rounded value
                # are on the same side of B: when num / den ≠ B they differ from B by at
                # least 1/den, more than half a unit in the last place of B.
                else (np.greater_equal(value, bn, out=reached))
            )
        mn, md_ = bounds[-1]
        above = num * md_ > den * mn if md_ != 1 else value > mn
    return _Decided(ok, value, level, above, normalised)
