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
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch._core import _NUMBER_CHECKS, Computed, error_text
from painrx.batch._encode import Numbers, encode_text, to_numbers
from painrx.errors import InputError, PainRxError
from painrx.vocabulary import MAX_DAILY_MME

__all__ = [
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
#: The table NDC rows are priced with.
NDC_TABLE: Final = "CDC_NDC_2018_PRODUCTS"
# Results this close (relatively) to a threshold or bound are decided by the exact path.
_NEAR: Final = 1e-9


@attrs.frozen
class NDCComputed:
    """The usual added columns plus the normalised NDC and product name per row.

    Attributes:
        computed: ``mme_per_day``, ``factor``, ``alerts``, ``error`` as for drug rows.
        product_codes: Index into ``ndc_labels``/``product_labels`` per row (-1: unknown).
        ndc_labels: The 11-digit NDC of each distinct product found.
        product_labels: Its product name.
    """

    computed: Computed
    product_codes: npt.NDArray[np.intp]
    ndc_labels: tuple[str, ...]
    product_labels: tuple[str, ...]


def wants_ndc(names: Sequence[str]) -> bool:
    """Whether a table is priced by NDC: it has an ``ndc`` column and no ``drug`` column."""
    return "ndc" in names and "drug" not in names


def check_table(table_id: str) -> None:
    """Refuse a table other than the CDC 2018 NDC file for NDC rows.

    Raises:
        InputError: Naming the accepted ids.
    """
    from painrx.opioids import NDC_PRODUCTS

    if table_id not in {"CDC_NDC_2018", NDC_PRODUCTS}:
        msg = (
            f"table {table_id!r}: NDC rows are priced with the CDC 2018 NDC file's own "
            f"factors ({NDC_PRODUCTS}, or its default CDC_NDC_2018); give drug, strength "
            "and strength_unit columns to use another table."
        )
        raise InputError(msg)


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


def _distinct(uniques: Sequence[str]) -> _Distinct:
    from painrx.opioids import _tables as _t
    from painrx.opioids import ndc_product

    k = len(uniques)
    product = np.full(k, -1, dtype=np.intp)
    multiplier = np.full(k, math.nan)
    factor = np.full(k, math.nan)
    days = np.full(k, math.nan)
    alerts: list[tuple[str, ...]] = [()] * k
    errors: list[str | None] = [None] * k
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
        if found.factor is None or found.strength is None or found.route is None:
            # The scalar path words the refusal (buprenorphine has no factor).
            continue
        multiplier[i] = found.strength * found.factor
        factor[i] = found.factor
        if found.days_per_unit is not None:
            days[i] = found.days_per_unit
        alerts[i] = tuple(a.code for a in _t.drug_alerts(found.ingredient, found.route))
    return _Distinct(product, multiplier, factor, days, alerts, errors, tuple(index), tuple(names))


def compute(
    columns: Mapping[str, Any], n: int, thresholds: Sequence[tuple[float, str]], policy: str | None
) -> NDCComputed:
    """Apply the file formula to ``n`` rows of ``ndc, quantity, days_supply`` columns.

    Args:
        columns: The columns by name (numpy, pandas or pyarrow).
        n: Number of rows.
        thresholds: ``(MME/day, alert code)`` pairs in increasing order.
        policy: The threshold policy id (for the rows the scalar path computes).
    """
    from painrx.opioids import NDC_PRODUCTS, mme_prescription

    encoded = encode_text(columns["ndc"])
    distinct = _distinct(encoded.uniques)
    codes = encoded.codes
    valid = codes >= 0
    safe = np.where(valid, codes, 0)
    numbers = {name: to_numbers(columns[name]) for name in NDC_REQUIRED_COLUMNS[1:]}
    quantity = numbers["quantity"].values
    days = numbers["days_supply"].values
    multiplier = np.where(
        valid, distinct.multiplier[safe] if len(distinct.multiplier) else np.nan, np.nan
    )
    per_unit = distinct.days_per_unit[safe] if len(distinct.days_per_unit) else np.full(n, np.nan)
    patch = valid & ~np.isnan(per_unit)
    used_days = np.where(patch, quantity * per_unit, days)
    with np.errstate(all="ignore"):
        mme = multiplier * quantity / used_days
        good = (
            np.isfinite(mme)
            & (quantity > 0)
            & (days > 0)
            & np.isfinite(quantity)
            & np.isfinite(days)
            & (mme <= MAX_DAILY_MME * (1 - _NEAR))
        )
        level = np.zeros(n, dtype=np.intp)
        for bound, _ in thresholds:
            good &= np.abs(mme - bound) > bound * _NEAR
            level += mme >= bound
    normalised = patch & (used_days != days)
    fallback = np.flatnonzero(~good)
    alert_of: dict[tuple[str, ...], int] = {}
    alert_codes = np.full(n, -1, dtype=np.intp)
    error_of: dict[str, int] = {}
    error_codes = np.full(n, -1, dtype=np.intp)
    product_codes = np.where(valid, distinct.product[safe] if len(distinct.product) else -1, -1)
    mme_out = np.where(good, mme, np.nan)
    factor_out = np.where(good, distinct.factor[safe] if len(distinct.factor) else np.nan, np.nan)
    # Good rows: one label per distinct (NDC text, patch rule, threshold level).
    combo = (safe * 2 + normalised) * (len(thresholds) + 1) + level
    rows = np.flatnonzero(good)
    if len(rows):
        kinds, first, inverse = np.unique(combo[rows], return_index=True, return_inverse=True)
        labels = []
        for j in range(len(kinds)):
            row = rows[first[j]]
            found = list(distinct.alerts[codes[row]])
            if normalised[row]:
                found.append("days_supply_normalised")
            found += [code for _, code in thresholds[: level[row]]]
            labels.append(alert_of.setdefault(tuple(found), len(alert_of)))
        alert_codes[rows] = np.asarray(labels, dtype=np.intp)[inverse]
    for row in fallback.tolist():
        code = codes[row]
        known = distinct.error[code] if code >= 0 else None
        if code < 0:
            known = "InputError: ndc is missing: give the product's NDC."
        known = known or _number_error(numbers, row)
        if known is None:
            try:
                result = mme_prescription(
                    ndc=encoded.uniques[code],
                    quantity=float(quantity[row]),
                    days_supply=float(days[row]),
                    thresholds=policy,
                )
            except PainRxError as exc:
                known = error_text(exc)
            else:
                mme_out[row] = result.value
                factor_out[row] = result.factor
                found_codes = tuple(a.code for a in result.alerts)
                alert_codes[row] = alert_of.setdefault(found_codes, len(alert_of))
                continue
        error_codes[row] = error_of.setdefault(known, len(error_of))
    computed = Computed(
        mme=mme_out,
        factor=factor_out,
        alert_codes=alert_codes,
        alert_labels=tuple(";".join(a) for a in alert_of),
        error_codes=error_codes,
        error_labels=tuple(error_of),
        table_id=NDC_PRODUCTS,
    )
    return NDCComputed(computed, product_codes, distinct.ndc_labels, distinct.product_labels)


def _number_error(numbers: Mapping[str, Numbers], row: int) -> str | None:
    """Return the drug-row batch's text for a bad quantity or days supply, else None."""
    for name, column in numbers.items():
        value = float(column.values[row])
        checks = (
            math.isnan(value) and not column.not_a_number[row],
            bool(column.not_a_number[row]),
            math.isinf(value),
            value <= 0,
        )
        for failed, text in zip(checks, _NUMBER_CHECKS, strict=True):
            if failed:
                return f"InputError: {name} {text}."
    return None


def _labelled(codes: npt.NDArray[np.intp], labels: tuple[str, ...]) -> npt.NDArray[Any]:
    return np.array([*labels, None], dtype=object)[codes]


def attach(table: Any, kind: str, result: NDCComputed, attach_usual: Any) -> Any:
    """Return ``table`` with the usual added columns and ``ndc11``, ``product``."""
    out = attach_usual(table, kind, result.computed)
    ndc = _labelled(result.product_codes, result.ndc_labels)
    name = _labelled(result.product_codes, result.product_labels)
    if kind == "dict":
        out["ndc11"] = ndc
        out["product"] = name
        return out
    if kind == "pandas":
        import pandas as pd

        def category(labels: tuple[str, ...]) -> Any:
            dtype = pd.CategoricalDtype(pd.Index(list(labels), dtype=object))
            return pd.Series(
                pd.Categorical.from_codes(result.product_codes, dtype=dtype, validate=False),
                index=out.index,
                copy=False,
            )

        return out.assign(
            ndc11=category(result.ndc_labels), product=category(result.product_labels)
        )
    import pyarrow as pa

    for column, values in (("ndc11", ndc), ("product", name)):
        array = pa.array(values, type=pa.string())
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
        pa.array(_labelled(result.product_codes, result.ndc_labels), type=pa.string()),
        pa.array(_labelled(result.product_codes, result.product_labels), type=pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, names=[*names, *NDC_ADDED_COLUMNS])


def mme_prescriptions_ndc(table: Any, kind: str, table_id: str, thresholds: str | None) -> Any:
    """The NDC branch of :func:`painrx.batch.mme_prescriptions` (same kinds of table).

    Raises:
        InputError: A required column missing, columns of different lengths, or an
            unknown ``table_id`` or ``thresholds``.
    """
    from painrx.batch import _frames

    check_table(table_id)
    levels = _frames._thresholds(thresholds)
    names = _frames._names(table, kind)  # type: ignore[arg-type]
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
    return attach(table, kind, compute(columns, n, levels, thresholds), _frames._attach)
