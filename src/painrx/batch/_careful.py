"""The careful pass: the rows the fast pass left, with error texts and exact decisions.

Key errors and number errors first (column by column, check by check, as the scalar
path reports them); then exact integers for decimals and the patch rule
(:func:`painrx.batch._exact._decide_exactly`); only banded rows and numbers too long
for exact integers go through the scalar function row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, cast

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._encode import Numbers
from painrx.batch._exact import _decide_exactly, _rationals
from painrx.batch._keys import (
    ALERT_SEPARATOR,
    KeyResult,
    _alert_text,
    _label_combos,
    _Labels,
    error_text,
)
from painrx.errors import Alert, PainRxError
from painrx.vocabulary import MAX_DAILY_MME

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.signedinteger[Any]]
Scalar = Callable[[KeyResult, float, float, float], tuple[float, tuple[Alert, ...]]]

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
_IMPLAUSIBLE: Final = (
    f"InputError: the prescription gives more than {MAX_DAILY_MME:,.0f} MME/day, above "
    "painrx's plausibility bound: check for a mg/g or mcg/mg slip."
)


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
