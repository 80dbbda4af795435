"""Synthetic outpatient opioid prescriptions for tests and benchmarks.

The rows look like a pharmacy claims extract in the shape the CDC NDC/MME file
formula needs (``drug, strength, strength_unit, quantity, days_supply, route,
form``): a realistic drug mix, marketed strengths, quantities derived from a dosing
frequency and days supply, and a few percent of malformed rows (unknown or
misspelled drugs, disallowed units, a mg↔g slip, missing, zero or negative
numbers, and, in CSV files, text where a number belongs).

Nothing here is clinical data: the shares, strengths and quantities only make the
synthetic workload resemble real extracts. painrx computes every MME from its own
cited tables.

>>> data = prescriptions(1_000, seed=1)
>>> sorted(data)
['days_supply', 'drug', 'form', 'quantity', 'route', 'strength', 'strength_unit']
>>> len(data["drug"]), data["strength"].dtype.name
(1000, 'float64')
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "COLUMNS",
    "MALFORMED_KINDS",
    "PRODUCTS",
    "Product",
    "as_arrow",
    "as_frame",
    "prescriptions",
    "write_csv",
]

#: Column order of every generated table.
COLUMNS: Final = ("drug", "strength", "strength_unit", "quantity", "days_supply", "route", "form")


@attrs.frozen
class Product:
    """One prescribed product of the synthetic mix.

    Attributes:
        names: Spellings a pharmacy file uses for it (generic, salt, brand, upper case).
        share: Relative share of prescriptions.
        strengths: Strengths per unit (per tablet, per patch, per mL).
        strength_unit: Unit of ``strengths`` as the NDC file writes it.
        route: Route column value.
        form: Form column value.
        per_day: Units taken per day (tablets, mL); patches are per day as 1/3.
        days: Days-supply choices.
    """

    names: tuple[str, ...]
    share: float
    strengths: tuple[float, ...]
    strength_unit: str
    route: str
    form: str
    per_day: tuple[float, ...]
    days: tuple[float, ...]


_ACUTE = (3.0, 5.0, 7.0, 10.0)
_CHRONIC = (14.0, 28.0, 30.0)

#: The synthetic product mix (illustrative shares, marketed strengths).
PRODUCTS: Final[tuple[Product, ...]] = (
    Product(
        ("hydrocodone/acetaminophen", "Norco", "HYDROCODONE/APAP", "Vicodin"),
        0.30,
        (5.0, 7.5, 10.0),
        "mg",
        "oral",
        "tablet",
        (2.0, 3.0, 4.0, 6.0),
        _ACUTE + _CHRONIC,
    ),
    Product(
        ("oxycodone", "Oxycodone HCl", "OXYCODONE", "Roxicodone"),
        0.17,
        (5.0, 10.0, 15.0, 20.0, 30.0),
        "mg",
        "oral",
        "tablet",
        (2.0, 3.0, 4.0, 6.0),
        _ACUTE + _CHRONIC,
    ),
    Product(
        ("oxycodone/acetaminophen", "Percocet"),
        0.10,
        (5.0, 7.5, 10.0),
        "mg",
        "oral",
        "tablet",
        (2.0, 3.0, 4.0, 6.0),
        _ACUTE,
    ),
    Product(
        ("tramadol", "Tramadol HCl", "Ultram", "TRAMADOL"),
        0.15,
        (50.0, 100.0),
        "mg",
        "oral",
        "tablet",
        (1.0, 2.0, 3.0, 4.0),
        _ACUTE + _CHRONIC,
    ),
    Product(
        ("codeine/acetaminophen", "Tylenol with Codeine"),
        0.05,
        (30.0, 60.0),
        "mg",
        "oral",
        "tablet",
        (3.0, 4.0, 6.0),
        _ACUTE,
    ),
    Product(
        ("morphine", "MS Contin", "MORPHINE SULFATE"),
        0.05,
        (15.0, 30.0, 60.0),
        "mg",
        "oral",
        "er_tablet",
        (2.0, 3.0),
        _CHRONIC,
    ),
    Product(
        ("hydromorphone", "Dilaudid"),
        0.04,
        (2.0, 4.0, 8.0),
        "mg",
        "oral",
        "tablet",
        (3.0, 4.0, 6.0),
        _ACUTE + _CHRONIC,
    ),
    Product(
        ("tapentadol", "Nucynta"),
        0.02,
        (50.0, 75.0, 100.0),
        "mg",
        "oral",
        "tablet",
        (2.0, 3.0, 4.0),
        _ACUTE + _CHRONIC,
    ),
    Product(
        ("methadone",),
        0.02,
        (5.0, 10.0),
        "mg",
        "oral",
        "tablet",
        (2.0, 3.0),
        _CHRONIC,
    ),
    Product(
        ("methadone",),
        0.005,
        (10.0,),
        "mg/mL",
        "oral",
        "solution",
        (2.0, 4.0, 8.0),
        _CHRONIC,
    ),
    Product(
        ("oxymorphone", "Opana"),
        0.01,
        (5.0, 10.0),
        "mg",
        "oral",
        "tablet",
        (2.0, 4.0),
        _CHRONIC,
    ),
    Product(
        ("fentanyl", "Duragesic"),
        0.025,
        (12.0, 25.0, 50.0, 75.0, 100.0),
        "mcg/h",
        "transdermal",
        "patch",
        (1.0 / 3.0, 0.5),
        (15.0, 30.0),
    ),
    Product(
        ("buprenorphine",),
        0.02,
        (2.0, 8.0),
        "mg",
        "sublingual",
        "tablet",
        (1.0, 2.0),
        _CHRONIC,
    ),
    Product(
        ("butorphanol",),
        0.005,
        (10.0,),
        "mg/mL",
        "nasal",
        "nasal_spray",
        (2.5 / 30.0, 2.5 / 15.0),
        (15.0, 30.0),
    ),
)

#: The kinds of malformed row injected, in the order their share is split.
MALFORMED_KINDS: Final = (
    "unknown_drug",
    "missing_drug",
    "bad_unit",
    "unit_slip",
    "missing_number",
    "zero_days_supply",
    "negative_quantity",
)
_UNKNOWN_DRUGS: Final = ("oxycodoen", "hydrocodon", "asprin", "morphene", "Oxycontinn")
_BAD_UNITS: Final = ("mg/kg", "units", "gr", "")
_TEXT_NUMBERS: Final = ("ten", "n/a", "1O", "5 mg", "?")

Arrays = dict[str, npt.NDArray[Any]]


def prescriptions(n: int, *, seed: int = 0, malformed: float = 0.03) -> Arrays:
    """Return ``n`` synthetic prescriptions as a dict of numpy arrays.

    Text columns are object arrays, numbers are float64 (NaN for a missing value).

    Args:
        n: Number of rows.
        seed: Seed of the random generator (same seed, same rows).
        malformed: Share of rows made malformed, split evenly over
            :data:`MALFORMED_KINDS`.

    Returns:
        ``{column: array}`` in :data:`COLUMNS` order.
    """
    rng = np.random.default_rng(seed)
    shares = np.array([p.share for p in PRODUCTS])
    product = rng.choice(len(PRODUCTS), size=n, p=shares / shares.sum())

    drug_names = sorted({name for p in PRODUCTS for name in p.names})
    name_index = {name: i for i, name in enumerate(drug_names)}
    units = sorted({p.strength_unit for p in PRODUCTS} | set(_BAD_UNITS) | {"g", "mg/h"})
    unit_index = {u: i for i, u in enumerate(units)}
    routes = sorted({p.route for p in PRODUCTS})
    forms = sorted({p.form for p in PRODUCTS})

    drug_code = np.empty(n, dtype=np.intp)
    unit_code = np.empty(n, dtype=np.intp)
    route_code = np.empty(n, dtype=np.intp)
    form_code = np.empty(n, dtype=np.intp)
    strength = np.empty(n)
    quantity = np.empty(n)
    days = np.empty(n)
    for i, p in enumerate(PRODUCTS):
        rows = np.flatnonzero(product == i)
        k = len(rows)
        # The first spelling dominates, as generic names do in claims data.
        weights = np.array([4.0] + [1.0] * (len(p.names) - 1))
        picks = rng.choice(len(p.names), size=k, p=weights / weights.sum())
        drug_code[rows] = np.array([name_index[nm] for nm in p.names])[picks]
        unit_code[rows] = unit_index[p.strength_unit]
        route_code[rows] = routes.index(p.route)
        form_code[rows] = forms.index(p.form)
        strength[rows] = rng.choice(p.strengths, size=k)
        d = rng.choice(p.days, size=k)
        days[rows] = d
        amount = rng.choice(p.per_day, size=k) * d
        # Liquids are dispensed by the half mL, everything else by whole units.
        step = 2.0 if p.strength_unit.endswith("/mL") else 1.0
        quantity[rows] = np.ceil(amount * step) / step

    data: Arrays = {
        "drug": np.array(drug_names, dtype=object)[drug_code],
        "strength": strength,
        "strength_unit": np.array(units, dtype=object)[unit_code],
        "quantity": quantity,
        "days_supply": days,
        "route": np.array(routes, dtype=object)[route_code],
        "form": np.array(forms, dtype=object)[form_code],
    }
    _inject_malformed(data, rng, malformed)
    return data


def _inject_malformed(data: Arrays, rng: np.random.Generator, share: float) -> None:
    n = len(data["drug"])
    bad = rng.choice(n, size=round(n * share), replace=False)
    for kind, rows in zip(MALFORMED_KINDS, np.array_split(bad, len(MALFORMED_KINDS)), strict=True):
        if kind == "unknown_drug":
            data["drug"][rows] = rng.choice(np.array(_UNKNOWN_DRUGS, dtype=object), len(rows))
        elif kind == "missing_drug":
            data["drug"][rows] = None
        elif kind == "bad_unit":
            data["strength_unit"][rows] = rng.choice(np.array(_BAD_UNITS, dtype=object), len(rows))
        elif kind == "unit_slip":
            slip = {"mg": "g", "mcg/h": "mg/h"}
            data["strength_unit"][rows] = [slip.get(u, u) for u in data["strength_unit"][rows]]
        elif kind == "missing_number":
            column = rng.choice(np.array(["strength", "quantity", "days_supply"]), len(rows))
            for name in ("strength", "quantity", "days_supply"):
                data[name][rows[column == name]] = np.nan
        elif kind == "zero_days_supply":
            data["days_supply"][rows] = 0.0
        else:
            data["quantity"][rows] = -data["quantity"][rows]


def as_frame(data: Arrays, *, strings: str = "str") -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame.

    Args:
        data: Output of :func:`prescriptions`.
        strings: dtype of the text columns: ``"str"`` (pandas' default string dtype),
            ``"object"`` (the arrays' own string objects) or ``"category"``.
    """
    import pandas as pd

    # dtype=object keeps the very string objects (shared, as pandas.read_csv(...,
    # dtype=object) shares them); other dtypes convert.
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=strings if values.dtype == object else None)
            for name, values in data.items()
        }
    )


def as_arrow(data: Arrays, *, dictionary: bool = False) -> pa.Table:
    """Return ``data`` as a pyarrow Table (text columns dictionary-encoded if asked)."""
    import pyarrow as pa

    columns: dict[str, pa.Array] = {}
    for name, values in data.items():
        array = pa.array(values, from_pandas=True)
        columns[name] = (
            array.dictionary_encode() if dictionary and values.dtype == object else array
        )
    return pa.table(columns)


def write_csv(path: str | Path, n: int, *, seed: int = 0, malformed: float = 0.03) -> Path:
    """Write ``n`` synthetic prescriptions to a CSV file, streaming in blocks.

    On top of :func:`prescriptions`' malformed rows, about ``malformed / 8`` of the
    rows get text where a number belongs (``"ten"``, ``"n/a"``), as hand-keyed
    extracts do.

    Returns:
        The path written.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    path = Path(path)
    block = 250_000
    options = pacsv.WriteOptions(quoting_style="needed")
    with pacsv.CSVWriter(path, _csv_schema(), write_options=options) as writer:
        for start in range(0, n, block):
            size = min(block, n - start)
            data = prescriptions(size, seed=seed + start, malformed=malformed)
            rng = np.random.default_rng([seed, start])
            columns = []
            for name in COLUMNS:
                array = pa.array(data[name], from_pandas=True)
                if array.type != pa.string():
                    array = pc.cast(array, pa.string())
                    junk = rng.random(size) < malformed / 8 / 3
                    if junk.any():
                        text = rng.choice(np.array(_TEXT_NUMBERS, dtype=object), size)
                        array = pc.if_else(pa.array(junk), pa.array(text), array)
                columns.append(array)
            writer.write_table(pa.table(columns, schema=_csv_schema()))
    return path


def _csv_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in COLUMNS])


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m benchmarks.generate OUT.csv --rows N``: write a synthetic CSV."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--malformed", type=float, default=0.03)
    args = parser.parse_args(argv)
    write_csv(args.out, args.rows, seed=args.seed, malformed=args.malformed)


if __name__ == "__main__":
    main()
