"""The batch formula for tables with an ``ndc`` column in place of drug/strength/unit.

Each distinct NDC text is looked up once in the CDC 2018 NDC file
(:func:`painrx.opioids.ndc_product`), so a million claims rows cost one dictionary pass
over their distinct codes plus numpy arithmetic. Rows whose numbers are bad, whose
result lies next to a threshold or the plausibility bound, are computed by the scalar
:func:`painrx.opioids.mme_prescription` itself, so both paths give the same answer and
the same error text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._careful import _NUMBER_CHECKS
from painrx.batch._core import Computed, error_text
from painrx.batch._encode import Numbers, encode_text, to_numbers
from painrx.batch._kinds import attach_added, column_names
from painrx.batch._opioids import check_mme_table, scalar_mme, threshold_levels
from painrx.errors import InputError, PainRxError
from painrx.vocabulary import MAX_DAILY_MME

__all__ = [
    "FILE_TABLES",
    "NDC_ADDED_COLUMNS",
    "NDC_REQUIRED_COLUMNS",
    "NDC_TABLE",
    "NDCComputed",
    "attach",
    "check_table",
    "columns_of",
    "compute",
    "mme_prescriptions_ndc",
    "output_batch",
    "wants_ndc",
]

#: Columns an NDC table must have.
NDC_REQUIRED_COLUMNS: Final = ("ndc", "quantity", "days_supply")
#: Columns added to an NDC table besides the usual ones: the NDC as 11 digits, the product.
NDC_ADDED_COLUMNS: Final = ("ndc11", "product")
#: The table NDC rows are priced with under the file's own factors.
NDC_TABLE: Final = "CDC_NDC_2018_PRODUCTS"
#: Table ids that price NDC rows with the CDC 2018 file's own per-product factors.
FILE_TABLES: Final = frozenset({"CDC_NDC_2018", NDC_TABLE})
# Results this close (relatively) to a threshold or bound are decided by the exact path.
_NEAR: Final = 1e-9


@attrs.frozen
class NDCComputed:
    """The usual added columns plus the normalised NDC and product name per row.

    Attributes:
        computed: ``mme_per_day``, ``factor``, ``alerts``, ``error`` as for drug rows.
        ndc_codes: Index into ``ndc_labels`` per row (-1: no product).
        ndc_labels: The 11-digit NDC of each distinct product found.
        name_codes: Index into ``product_labels`` per row (-1: no product).
        product_labels: The distinct product names (products of several NDCs share one).
    """

    computed: Computed
    ndc_codes: npt.NDArray[np.intp]
    ndc_labels: tuple[str, ...]
    name_codes: npt.NDArray[np.intp]
    product_labels: tuple[str, ...]


def wants_ndc(names: Sequence[str]) -> bool:
    """Whether a table is priced by NDC: it has an ``ndc`` column and no ``drug`` column."""
    return "ndc" in names and "drug" not in names


def check_table(table_id: str) -> None:
    """Refuse an unknown table id for NDC rows (the file's own, or any MME table).

    Raises:
        InputError: Naming the accepted ids.
    """
    if table_id not in FILE_TABLES:
        check_mme_table(table_id)


def columns_of(
    header: list[str], normalise: Any, path: Path, error: type[Exception]
) -> dict[str, str]:
    """Map the NDC table's columns (normalised name) to their header spelling.

    Raises:
        error: A required column is missing (the caller's CSV error type).
    """
    found = {normalise(name): name for name in header}
    missing = [c for c in NDC_REQUIRED_COLUMNS if c not in found]
    if missing:
        msg = (
            f"{str(path)!r} has an ndc column but no column(s) {', '.join(missing)}; "
            f"required: {', '.join(NDC_REQUIRED_COLUMNS)}; found: {', '.join(header)}"
        )
        raise error(msg)
    return {c: found[c] for c in NDC_REQUIRED_COLUMNS}


@attrs.frozen
class _Distinct:
    """What each distinct NDC text resolves to (arrays indexed by unique code)."""

    product: npt.NDArray[np.intp]
    multiplier: npt.NDArray[np.float64]
    factor: npt.NDArray[np.float64]
    days_per_unit: npt.NDArray[np.float64]
    alerts: list[tuple[str, ...]]
    error: list[str | None]
    ndc_labels: tuple[str, ...]
    product_labels: tuple[str, ...]
    exact: list[tuple[Fraction, int | None] | None]


def _distinct(uniques: Sequence[str]) -> _Distinct:
    from painrx.opioids import ndc_product

    k = len(uniques)
    product = np.full(k, -1, dtype=np.intp)
    multiplier = np.full(k, math.nan)
    factor = np.full(k, math.nan)
    days = np.full(k, math.nan)
    alerts: list[tuple[str, ...]] = [()] * k
    errors: list[str | None] = [None] * k
    exact: list[tuple[Fraction, int | None] | None] = [None] * k
    index: dict[str, int] = {}
    names: list[str] = []
    for i, text in enumerate(uniques):
        try:
            found = ndc_product(text)
        except PainRxError as exc:
            errors[i] = error_text(exc)
            continue
        product[i] = index.setdefault(found.ndc, len(index))
        if len(names) < len(index):
            names.append(found.name)
        terms = _terms(found.ndc)
        if terms is None:
            # The scalar path words the refusal (buprenorphine has no factor), once per NDC.
            errors[i] = _refusal(found.ndc)
            continue
        multiplier[i], factor[i], exact[i], alerts[i] = terms
        if found.days_per_unit is not None:
            days[i] = found.days_per_unit
    return _Distinct(
        product, multiplier, factor, days, alerts, errors, tuple(index), tuple(names), exact
    )


@lru_cache(maxsize=1 << 15)
def _terms(
    ndc: str,
) -> tuple[float, float, tuple[Fraction, int | None], tuple[str, ...]] | None:
    """Return a product's multiplier, factor, exact multiplier and drug alerts, or None."""
    from painrx.opioids import _tables as _t
    from painrx.opioids import ndc_products

    found = ndc_products()[ndc]
    if found.factor is None or found.strength is None or found.route is None:
        return None
    exact = (_t.exact(found.strength) * _t.exact(found.factor), found.days_per_unit)
    alerts = tuple(a.code for a in _t.drug_alerts(found.ingredient, found.route))
    return found.strength * found.factor, found.factor, exact, alerts


@lru_cache(maxsize=1 << 10)
def _refusal(ndc: str) -> str:
    from painrx.opioids import mme_prescription

    try:
        mme_prescription(ndc=ndc, quantity=1, days_supply=1, table=NDC_TABLE, thresholds=None)
    except PainRxError as exc:
        return error_text(exc)
    msg = f"NDC {ndc!r} was expected to be refused."
    raise AssertionError(msg)


def compute(
    columns: Mapping[str, Any],
    n: int,
    table_id: str,
    thresholds: Sequence[tuple[float, str]],
    policy: str | None,
) -> NDCComputed:
    """Apply the file formula to ``n`` rows of ``ndc, quantity, days_supply`` columns.

    Under ``CDC_NDC_2018`` (or ``CDC_NDC_2018_PRODUCTS``) each product's own factor from
    the CDC file is used; under another table each NDC names its ingredient, strength,
    unit, route and form, and the rows go through the drug-row batch with that table.

    Args:
        columns: The columns by name (numpy, pandas or pyarrow).
        n: Number of rows.
        table_id: The MME table.
        thresholds: ``(MME/day, alert code)`` pairs in increasing order.
        policy: The threshold policy id (for the rows the scalar path computes).
    """
    if table_id in FILE_TABLES:
        return _compute_file(columns, n, thresholds, policy)
    return _compute_by_table(columns, n, table_id, thresholds, policy)


def _compute_by_table(
    columns: Mapping[str, Any],
    n: int,
    table_id: str,
    thresholds: Sequence[tuple[float, str]],
    policy: str | None,
) -> NDCComputed:
    from painrx.batch import _core as _batch_core
    from painrx.opioids import mme_prescription, ndc_product

    encoded = encode_text(columns["ndc"])
    k = len(encoded.uniques)
    index = np.where(encoded.codes >= 0, encoded.codes, k)
    fields: dict[str, list[object]] = {
        "drug": [],
        "strength": [],
        "strength_unit": [],
        "route": [],
        "form": [],
    }
    refused: list[str | None] = []
    products: dict[str, int] = {}
    product_of = np.full(k + 1, -1, dtype=np.intp)
    names: list[str] = []
    for i, text in enumerate(encoded.uniques):
        error = None
        try:
            found = ndc_product(text)
        except PainRxError as exc:
            found, error = None, error_text(exc)
        if found is not None:
            product_of[i] = products.setdefault(found.ndc, len(products))
            if len(names) < len(products):
                names.append(found.name)
            if found.strength is None or found.route is None:
                try:
                    mme_prescription(
                        ndc=found.ndc, quantity=1, days_supply=1, table=table_id, thresholds=None
                    )
                except PainRxError as exc:
                    error = error_text(exc)
        usable = found is not None and error is None
        fields["drug"].append(found.ingredient if usable and found else None)
        fields["strength"].append(found.strength if usable and found else math.nan)
        fields["strength_unit"].append(found.strength_unit if usable and found else None)
        fields["route"].append(found.route if usable and found else None)
        fields["form"].append(found.dose_form if usable and found else None)
        refused.append(error)
    refused.append("InputError: ndc is missing: give the product's NDC.")
    for values in fields.values():
        values.append(None)
    named: dict[str, Any] = {
        name: np.asarray(values, dtype=np.float64 if name == "strength" else object)[index]
        for name, values in fields.items()
    }
    named["strength"] = np.where(np.isnan(named["strength"]), 1.0, named["strength"])
    named["quantity"] = columns["quantity"]
    named["days_supply"] = columns["days_supply"]
    result = _batch_core.compute(
        named, n, table_id, thresholds, scalar_mme(table_id, policy), allow_compiled=False
    )
    # Rows refused for their NDC carry the NDC's refusal, not the stand-in drug's.
    errors = _Labels()
    for label in result.error_labels:
        errors.code(label)
    by_unique = np.array([errors.code(e) if e is not None else -1 for e in refused], dtype=np.intp)[
        index
    ]
    bad = by_unique >= 0
    error_codes = np.where(bad, by_unique, result.error_codes)
    computed = Computed(
        mme=np.where(bad, np.nan, result.mme),
        factor=np.where(bad, np.nan, result.factor),
        alert_codes=np.where(bad, -1, result.alert_codes),
        alert_labels=result.alert_labels,
        error_codes=error_codes,
        error_labels=errors.labels(),
        table_id=table_id,
    )
    error_codes, error_labels = _compact(computed.error_codes, computed.error_labels)
    computed = attrs.evolve(computed, error_codes=error_codes, error_labels=error_labels)
    unique_names: dict[str, int] = {}
    name_of = np.array(
        [unique_names.setdefault(name, len(unique_names)) for name in names] + [-1],
        dtype=np.intp,
    )
    ndc_codes = product_of[index]
    return NDCComputed(
        computed, ndc_codes, tuple(products), name_of[ndc_codes], tuple(unique_names)
    )


def _compute_file(
    columns: Mapping[str, Any], n: int, thresholds: Sequence[tuple[float, str]], policy: str | None
) -> NDCComputed:
    from painrx.opioids import NDC_PRODUCTS

    encoded = encode_text(columns["ndc"])
    distinct = _distinct(encoded.uniques)
    k = len(encoded.uniques)
    # Per-distinct arrays get one more slot, for rows without an NDC (code -1 → k).
    index = np.where(encoded.codes >= 0, encoded.codes, k)
    errors = _Labels()
    unique_error = np.array(
        [errors.code(e) if e is not None else -1 for e in distinct.error]
        + [errors.code("InputError: ndc is missing: give the product's NDC.")],
        dtype=np.intp,
    )
    numbers = {name: to_numbers(columns[name]) for name in NDC_REQUIRED_COLUMNS[1:]}
    error_codes = unique_error[index]
    bad_number = _number_errors(numbers, errors)
    error_codes = np.where(error_codes >= 0, error_codes, bad_number)
    ok = error_codes < 0
    quantity = numbers["quantity"].values
    days = numbers["days_supply"].values
    per_unit = np.append(distinct.days_per_unit, np.nan)[index]
    patch = ~np.isnan(per_unit)
    used_days = np.where(patch, quantity * per_unit, days)
    with np.errstate(all="ignore"):
        mme = np.append(distinct.multiplier, np.nan)[index] * quantity / used_days
        near = mme > MAX_DAILY_MME * (1 - _NEAR)
        level = np.zeros(n, dtype=np.intp)
        for bound, _ in thresholds:
            near |= np.abs(mme - bound) <= bound * _NEAR
            level += mme >= bound
    whole, exact_mme, exact_level, implausible = _whole_rows(
        distinct, index, ok, quantity, days, per_unit, thresholds
    )
    mme = np.where(whole, exact_mme, mme)
    level = np.where(whole, exact_level, level)
    near = np.where(whole, implausible, near)
    fast = ok & ~near
    normalised = patch & (used_days != days)
    alerts = _Labels()
    alert_codes = np.full(n, -1, dtype=np.intp)
    rows = np.flatnonzero(fast)
    # Alert labels depend only on (drug alerts, patch rule, threshold level): a handful
    # of keys, indexed directly (no per-row Python, no sort of a million rows).
    groups: dict[tuple[str, ...], int] = {}
    group = np.array([groups.setdefault(a, len(groups)) for a in distinct.alerts] + [0])
    if len(rows):
        combos = (group[index[rows]] * 2 + normalised[rows]) * (len(thresholds) + 1) + level[rows]
        example = np.full(max(len(groups), 1) * 2 * (len(thresholds) + 1), -1, dtype=np.intp)
        example[combos] = rows
        label_of = np.full(len(example), -1, dtype=np.intp)
        for key in np.flatnonzero(example >= 0).tolist():
            row = int(example[key])
            label_of[key] = alerts.code(
                _alert_label(
                    distinct.alerts[index[row]], normalised[row], int(level[row]), thresholds
                )
            )
        alert_codes[rows] = label_of[combos]
    mme_out = np.where(fast, mme, np.nan)
    factor_out = np.where(ok, np.append(distinct.factor, np.nan)[index], np.nan)
    for row in np.flatnonzero(ok & near).tolist():
        value, reached, error = _exact_row(
            distinct, encoded.uniques, int(index[row]), quantity[row], days[row], thresholds, policy
        )
        if error is not None:
            error_codes[row] = errors.code(error)
            factor_out[row] = np.nan
            continue
        mme_out[row] = value
        alert_codes[row] = alerts.code(
            _alert_label(distinct.alerts[index[row]], normalised[row], reached, thresholds)
        )
    error_codes, error_labels = _compact(error_codes, errors.labels())
    computed = Computed(
        mme=mme_out,
        factor=factor_out,
        alert_codes=alert_codes,
        alert_labels=alerts.labels(),
        error_codes=error_codes,
        error_labels=error_labels,
        table_id=NDC_PRODUCTS,
    )
    names: dict[str, int] = {}
    name_of = np.array(
        [names.setdefault(name, len(names)) for name in distinct.product_labels] + [-1],
        dtype=np.intp,
    )
    ndc_codes = np.append(distinct.product, -1)[index]
    return NDCComputed(computed, ndc_codes, distinct.ndc_labels, name_of[ndc_codes], tuple(names))


# Bounds of the integer pass: a product's exact multiplier p/q with p, q < 2**31 and whole
# quantities and days below 2**20 keep every product below 2**53, so int64 is exact and an
# int64 → float64 division is the correctly rounded value the scalar path's Fraction gives.
_SMALL: Final = 1 << 31
_WHOLE: Final = 1 << 20


def _whole_rows(
    distinct: _Distinct,
    index: npt.NDArray[np.intp],
    ok: npt.NDArray[np.bool_],
    quantity: npt.NDArray[np.float64],
    days: npt.NDArray[np.float64],
    per_unit: npt.NDArray[np.float64],
    thresholds: Sequence[tuple[float, str]],
) -> tuple[npt.NDArray[np.bool_], Any, Any, npt.NDArray[np.bool_]]:
    """Compute rows of whole numbers exactly, in int64 (nearly every claim is one).

    Returns:
        Which rows were computed, their MME/day, the number of thresholds each reaches
        (inclusive, decided exactly) and whether each is above the plausibility bound.
    """
    p = np.zeros(len(distinct.exact) + 1, dtype=np.int64)
    q = np.ones(len(distinct.exact) + 1, dtype=np.int64)
    for i, known in enumerate(distinct.exact):
        if known is not None and known[0].numerator < _SMALL and known[0].denominator < _SMALL:
            p[i], q[i] = known[0].numerator, known[0].denominator
    limits = [Fraction(bound) for bound, _ in thresholds]
    small_limits = all(f.numerator < _WHOLE and f.denominator < _WHOLE for f in limits)
    with np.errstate(invalid="ignore"):
        whole = (
            ok
            & (p[index] > 0)
            & (np.floor(quantity) == quantity)
            & (np.floor(days) == days)
            & (quantity < _WHOLE)
            & (days < _WHOLE)
        )
    if not small_limits:
        whole &= False
    count = np.where(whole, quantity, 0).astype(np.int64)
    supply = np.where(
        np.isnan(per_unit), np.where(whole, days, 1), count * np.nan_to_num(per_unit)
    ).astype(np.int64)
    numerator = p[index] * count
    denominator = np.where(whole, q[index] * supply, 1)
    value = numerator / denominator
    level = np.zeros(len(index), dtype=np.intp)
    for limit in limits:
        level += numerator * limit.denominator >= limit.numerator * denominator
    cap = int(MAX_DAILY_MME)
    whole_part, rest = np.divmod(numerator, denominator)
    implausible = (whole_part > cap) | ((whole_part == cap) & (rest > 0))
    return whole, value, level, whole & implausible


def _compact(
    codes: npt.NDArray[np.intp], labels: tuple[str, ...]
) -> tuple[npt.NDArray[np.intp], tuple[str, ...]]:
    """Drop labels no row uses (an error of a column on a row refused for its NDC)."""
    used = np.zeros(len(labels) + 1, dtype=bool)
    used[codes + 1] = True
    kept = np.flatnonzero(used[1:])
    if len(kept) == len(labels):
        return codes, labels
    renumber = np.full(len(labels) + 1, -1, dtype=np.intp)
    renumber[kept + 1] = np.arange(len(kept))
    return renumber[codes + 1], tuple(labels[i] for i in kept)


class _Labels:
    """Distinct label texts, numbered in order of first use."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def code(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def labels(self) -> tuple[str, ...]:
        return tuple(self.index)


def _alert_label(
    drug: tuple[str, ...], normalised: bool, level: int, thresholds: Sequence[tuple[float, str]]
) -> str:
    found = [*drug, *(["days_supply_normalised"] if normalised else [])]
    return ";".join([*found, *(code for _, code in thresholds[:level])])


def _exact_row(
    distinct: _Distinct,
    uniques: Sequence[str],
    unique: int,
    quantity: float,
    days: float,
    thresholds: Sequence[tuple[float, str]],
    policy: str | None,
) -> tuple[float, int, str | None]:
    """Decide a row next to a threshold or the bound exactly, as the scalar path does.

    Returns:
        MME/day (correctly rounded), the number of thresholds reached, and the error
        text when the row is above the plausibility bound.
    """
    from painrx.opioids import _tables as _t
    from painrx.opioids import mme_prescription

    known = distinct.exact[unique]
    if known is None:  # pragma: no cover -- rows without a factor carry an error already
        msg = "a row without a factor reached the exact path"
        raise AssertionError(msg)
    multiplier, per_unit = known
    if quantity.is_integer() and days.is_integer():
        # Whole numbers (nearly every claim): integer arithmetic, much cheaper than
        # Fractions; an int / int division in Python is correctly rounded.
        count = int(quantity)
        num = multiplier.numerator * count
        den = multiplier.denominator * (count * per_unit if per_unit is not None else int(days))
    else:
        count_exact = _t.exact(quantity)
        used = count_exact * per_unit if per_unit is not None else _t.exact(days)
        value = multiplier * count_exact / used
        num, den = value.numerator, value.denominator
    if num > MAX_DAILY_MME * den:
        try:
            mme_prescription(
                ndc=uniques[unique],
                quantity=quantity,
                days_supply=days,
                table=NDC_TABLE,
                thresholds=policy,
            )
        except PainRxError as exc:
            return math.nan, 0, error_text(exc)
    reached = 0
    for bound, _ in thresholds:
        limit = Fraction(bound)
        reached += num * limit.denominator >= limit.numerator * den
    return num / den, reached, None


def _number_errors(numbers: Mapping[str, Numbers], errors: _Labels) -> npt.NDArray[np.intp]:
    """Return the drug-row batch's error code for a bad quantity or days supply (-1: none).

    The first failing column, then the first failing check, is reported, in the same
    words as for drug rows.
    """
    n = len(next(iter(numbers.values())).values)
    codes = np.full(n, -1, dtype=np.intp)
    for name, column in reversed(list(numbers.items())):
        values = column.values
        with np.errstate(invalid="ignore"):
            masks = (
                np.isnan(values) & ~column.not_a_number,
                column.not_a_number,
                np.isinf(values),
                values <= 0,
            )
        for mask, text in reversed(list(zip(masks, _NUMBER_CHECKS, strict=True))):
            if mask.any():
                codes[mask] = errors.code(f"InputError: {name} {text}.")
    return codes


def _labelled(codes: npt.NDArray[np.intp], labels: tuple[str, ...]) -> npt.NDArray[Any]:
    return np.array([*labels, None], dtype=object)[codes]


def attach(table: Any, kind: str, result: NDCComputed, attach_usual: Any) -> Any:
    """Return ``table`` with the usual added columns and ``ndc11``, ``product``."""
    out = attach_usual(table, kind, result.computed)
    labelled = (
        ("ndc11", result.ndc_codes, result.ndc_labels),
        ("product", result.name_codes, result.product_labels),
    )
    if kind == "dict":
        for column, codes, labels in labelled:
            out[column] = _labelled(codes, labels)
        return out
    if kind == "pandas":
        import pandas as pd

        def category(codes: npt.NDArray[np.intp], labels: tuple[str, ...]) -> Any:
            dtype = pd.CategoricalDtype(pd.Index(list(labels), dtype=object))
            return pd.Series(
                pd.Categorical.from_codes(codes, dtype=dtype, validate=False),
                index=out.index,
                copy=False,
            )

        return out.assign(**{column: category(c, labels) for column, c, labels in labelled})
    import pyarrow as pa

    for column, codes, labels in labelled:
        array = pa.array(_labelled(codes, labels), type=pa.string())
        index = out.schema.get_field_index(column)
        out = (
            out.set_column(index, column, array) if index >= 0 else out.append_column(column, array)
        )
    return out


def output_batch(batch: Any, result: NDCComputed, usual: Any) -> Any:
    """Return a CSV block with the usual added columns plus ``ndc11`` and ``product``."""
    import pyarrow as pa

    rows = usual(batch, result.computed)
    names = [n for n in rows.schema.names if n not in NDC_ADDED_COLUMNS]
    columns = [rows.column(n) for n in names]
    columns += [
        pa.array(_labelled(result.ndc_codes, result.ndc_labels), type=pa.string()),
        pa.array(_labelled(result.name_codes, result.product_labels), type=pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, names=[*names, *NDC_ADDED_COLUMNS])


def mme_prescriptions_ndc(table: Any, kind: str, table_id: str, thresholds: str | None) -> Any:
    """The NDC branch of :func:`painrx.batch.mme_prescriptions` (same kinds of table).

    Raises:
        InputError: A required column missing, columns of different lengths, or an
            unknown ``table_id`` or ``thresholds``.
    """
    check_table(table_id)
    levels = threshold_levels(thresholds)
    names = column_names(table, kind)  # type: ignore[arg-type]
    missing = [c for c in NDC_REQUIRED_COLUMNS if c not in names]
    if missing:
        msg = (
            f"The table has an ndc column but no column(s) {', '.join(missing)}; required: "
            f"{', '.join(NDC_REQUIRED_COLUMNS)}."
        )
        raise InputError(msg)
    if kind == "dask":
        meta = mme_prescriptions_ndc(table._meta, "pandas", table_id, thresholds)
        from dask.dataframe.utils import clear_known_categories

        meta = clear_known_categories(  # type: ignore[no-untyped-call] # dask's helper is untyped
            meta, cols=["table", "alerts", "error", "ndc11", "product"]
        )
        return table.map_partitions(
            mme_prescriptions_ndc, "pandas", table_id, thresholds, meta=meta
        )
    if kind == "dict":
        columns = {c: table[c] for c in NDC_REQUIRED_COLUMNS}
        lengths = {c: len(v) for c, v in columns.items()}
        if len(set(lengths.values())) > 1:
            msg = f"The columns have different lengths: {lengths}."
            raise InputError(msg)
        n = lengths["ndc"]
    elif kind == "arrow":
        columns = {c: table.column(c) for c in NDC_REQUIRED_COLUMNS}
        n = int(table.num_rows)
    else:
        columns = {c: table[c] for c in NDC_REQUIRED_COLUMNS}
        n = len(table)
    computed = compute(columns, n, table_id, levels, thresholds)
    return attach(table, kind, computed, attach_added)
