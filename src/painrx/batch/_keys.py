"""Key slots of the batch path: one key per row, resolved once per distinct text combination.

The text columns (drug, strength unit, route, form) are encoded to integer codes and
combined into one key per row; each key slot is resolved through
:func:`painrx.opioids.prescription_factor`, the function the scalar path uses, and
tabulated for the fast passes (factor as an exact ratio, alert label blocks, errors).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._encode import Encoded
from painrx.batch._exact import _FAST_LIMIT, _SCALE, _rational
from painrx.errors import PainRxError

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.signedinteger[Any]]

#: Separator of the alert codes in the ``alerts`` column.
ALERT_SEPARATOR: Final = ";"
# A combined key space up to this size is indexed directly instead of sorted.
_DIRECT_KEYS: Final = 1 << 22
# A key space up to this size is resolved whole rather than where rows use it.
_ALL_SLOTS: Final = 1024


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
