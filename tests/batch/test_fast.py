"""The batch fast pass: its exactness conditions, the paths that feed it, and what it leaves.

Every check compares with ``rx.mme_prescription`` (exact fractions) or with the same
table through another input path, so the speed-ups never change a result.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import painrx as rx
from benchmarks.generate import as_arrow, as_frame, prescriptions
from painrx.batch import _core as _batch_core
from painrx.batch import mme_prescriptions
from painrx.batch._loader import Loader
from painrx.batch._opioids import scalar_mme

# Every test runs with the compiled (numba) fast pass and with the numpy one.
pytestmark = pytest.mark.usefixtures("fast_pass")

NAMES = ("drug", "strength", "strength_unit", "quantity", "days_supply")


def _rows(n: int, seed: int) -> dict[str, np.ndarray[Any, Any]]:
    """``n`` rows over a few keys (so the whole key space is resolved) and awkward numbers."""
    rng = np.random.default_rng(seed)
    drugs = np.array(["codeine", "oxycodone", "tramadol", "Norco", "oxycodoen", None], object)
    return {
        "drug": drugs[rng.integers(0, len(drugs), n)],
        "strength": rng.choice([10.0, 7.5, 0.1, 2.5, 1e-6, 0.3, 30.0, 0.0, -5.0, np.nan], n),
        "strength_unit": np.array(["mg", "g", ""], object)[rng.choice(3, n, p=[0.9, 0.05, 0.05])],
        "quantity": rng.choice([100.0, 60.0, 0.5, 1 / 3, 120.0, 2.0**50, np.inf], n),
        "days_supply": rng.choice([3.0, 30.0, 7.25, 0.1, 1.0, 0.0], n),
    }


def _expected(row: tuple[Any, ...]) -> tuple[float | None, str | None]:
    drug, strength, unit, quantity, days = row
    try:
        result = rx.mme_prescription(
            drug, strength=rx.Q(strength, unit), quantity=quantity, days_supply=days
        )
    except (rx.PainRxError, TypeError, ValueError):
        return None, None
    return result.value, ";".join(a.code for a in result.alerts)


def test_whole_key_space_path_equals_the_scalar_function() -> None:
    """Enough rows per key that every key combination is resolved up front (and cached)."""
    data = _rows(6_000, seed=1)
    out = mme_prescriptions(data)
    seen: set[str] = set()
    for i in range(len(data["drug"])):
        row = tuple(data[name][i] for name in NAMES)
        key = repr(row)
        if key in seen:
            continue
        seen.add(key)
        value, alerts = _expected(row)
        if value is None:
            assert out["error"][i] is not None, row
            assert np.isnan(out["mme_per_day"][i]), row
            continue
        assert out["error"][i] is None, (row, out["error"][i])
        assert out["mme_per_day"][i] == value, row
        assert out["alerts"][i] == alerts, row
    # The same rows through the per-row key path agree too.
    small = {name: column[:50] for name, column in data.items()}
    per_row = mme_prescriptions(small)
    np.testing.assert_array_equal(per_row["mme_per_day"], out["mme_per_day"][:50])
    for name in ("alerts", "error"):
        assert list(per_row[name]) == list(out[name][:50])


def test_rows_exactly_at_a_threshold_in_a_large_table() -> None:
    """codeine 10 mg × 100 / 3 days × 0.15 = 50 MME/day exactly (CDC file factor 0.15)."""
    n = 5_000
    data = {
        "drug": np.full(n, "codeine", dtype=object),
        "strength": np.full(n, 10.0),
        "strength_unit": np.full(n, "mg", dtype=object),
        "quantity": np.where(np.arange(n) % 2 == 0, 100.0, 99.0),
        "days_supply": np.full(n, 3.0),
    }
    out = mme_prescriptions(data)
    assert out["mme_per_day"][0] == 50.0
    assert out["alerts"][0] == "mme_threshold_50"
    assert out["mme_per_day"][1] == _expected(("codeine", 10.0, "mg", 99.0, 3.0))[0]
    assert out["alerts"][1] == ""


def test_a_fractional_bound_is_decided_on_integers() -> None:
    """A policy bound such as 49.5 (99/2) is compared as num × 2 >= den × 99."""
    n = 4
    columns = {
        "drug": np.full(n, "codeine", dtype=object),
        "strength": np.array([10.0, 10.0, 10.0, 7.5]),
        "strength_unit": np.full(n, "mg", dtype=object),
        "quantity": np.array([99.0, 100.0, 98.0, 132.0]),
        "days_supply": np.array([3.0, 3.0, 3.0, 3.0]),
    }
    thresholds = [(49.5, "at_49_5"), (50.0, "at_50")]
    scalar = scalar_mme("CDC_NDC_2018", None)
    out = _batch_core.compute(columns, n, "CDC_NDC_2018", thresholds, scalar)
    for i in range(n):
        exact = (
            Fraction(repr(float(columns["strength"][i])))
            * Fraction(repr(float(columns["quantity"][i])))
            / Fraction(repr(float(columns["days_supply"][i])))
            * Fraction(3, 20)
        )
        assert out.mme[i] == float(exact)
        codes = [code for bound, code in thresholds if exact >= Fraction(repr(bound))]
        assert out.alert_labels[out.alert_codes[i]] == ";".join(codes)


@pytest.mark.parametrize("seed", [2, 3])
def test_arrow_text_dominated_by_one_value(seed: int) -> None:
    """A unit column that is mostly "mg" is encoded by comparison; results are the same."""
    data = {name: prescriptions(10_000, seed=seed)[name] for name in NAMES}
    table = as_arrow(data)
    out = mme_prescriptions(table)
    reference = mme_prescriptions(data)
    assert out["mme_per_day"].to_numpy(zero_copy_only=False).tolist() == pytest.approx(
        reference["mme_per_day"].tolist(), nan_ok=True, rel=0, abs=0
    )
    for name in ("alerts", "error"):
        assert out[name].to_pylist() == list(reference[name])
    sliced = pa.chunked_array([table["strength_unit"].chunk(0).slice(0, 5_000)] * 2)
    again = mme_prescriptions(table.set_column(2, "strength_unit", sliced))
    assert again["error"].to_pylist()[:5_000] == list(reference["error"][:5_000])


def test_the_compiled_pass_is_chosen_unless_switched_off(fast_pass: str) -> None:
    """The test environment installs numba (painrx[fast]); PAINRX_NUMBA=0 turns it off."""
    assert (_batch_core._compiled(10) is not None) == (fast_pass == "numba")


def test_by_default_the_compiled_pass_is_for_large_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading compiled code costs more than it saves on a small table."""
    monkeypatch.delenv("PAINRX_NUMBA")
    assert _batch_core._import_compiled() is not None
    assert _batch_core._compiled(_batch_core.COMPILED_MIN_ROWS - 1) is None
    assert _batch_core._compiled(_batch_core.COMPILED_MIN_ROWS) is not None


def test_only_labels_that_occur_are_listed() -> None:
    """Enough rows that the whole key space is resolved: most of its labels never occur."""
    n = 8_000
    rng = np.random.default_rng(5)
    drugs = np.array(["oxycodone", "tramadol", "oxycodoen", "morphine"], dtype=object)
    data = {
        "drug": drugs[rng.integers(0, 3, n)],
        "strength": rng.choice([5.0, 10.0, -1.0], n),
        "strength_unit": np.array(["mg", "mcg/h", "g"], dtype=object)[rng.integers(0, 2, n)],
        "quantity": rng.choice([10.0, 100.0], n),
        "days_supply": np.full(n, 5.0),
    }
    out = mme_prescriptions(as_frame(data, strings="category"))
    for name in ("alerts", "error"):
        column = out[name]
        assert set(column.cat.categories) == set(column.dropna()), name
    # "morphine" is a category of the input but no row has it: none of its labels appear.
    assert not any("morphine" in str(text) for text in out["error"].cat.categories)


def test_more_error_texts_than_the_compiled_pass_tracks() -> None:
    """Over 63 distinct key errors: the used labels are counted, and each row keeps its own."""
    n = 20_000
    names = np.array([f"notadrug{i}" for i in range(100)] + ["oxycodone"], dtype=object)
    rng = np.random.default_rng(6)
    drug = names[rng.integers(0, len(names), n)]
    data = {
        "drug": drug,
        "strength": np.full(n, 10.0),
        "strength_unit": np.full(n, "mg", dtype=object),
        "quantity": np.full(n, 60.0),
        "days_supply": np.full(n, 30.0),
    }
    out = mme_prescriptions(data)
    for i in range(0, n, 97):
        if drug[i] == "oxycodone":
            assert out["error"][i] is None
            assert out["mme_per_day"][i] == 30.0
        else:
            assert f"'{drug[i]}'" in out["error"][i]
            assert np.isnan(out["mme_per_day"][i])
    assert len({text for text in out["error"] if text is not None}) == 100


def test_arrow_outputs_of_separate_chunks_concatenate() -> None:
    """Chunks with different label counts get one schema (int32 dictionary indices)."""
    few = pa.table(
        {
            "drug": ["oxycodone"],
            "strength": [10.0],
            "strength_unit": ["mg"],
            "quantity": [60.0],
            "days_supply": [30.0],
        }
    )
    many = pa.table(
        {
            "drug": ["oxycodone", "oxycodoen", "tramadol", None],
            "strength": [10.0, 5.0, -1.0, 2.0],
            "strength_unit": ["mg", "mg", "mg", "mg"],
            "quantity": [60.0, 1.0, 2.0, 3.0],
            "days_supply": [30.0, 1.0, 1.0, 1.0],
        }
    )
    joined = pa.concat_tables([mme_prescriptions(few), mme_prescriptions(many)])
    assert joined.num_rows == 5
    assert joined["mme_per_day"].to_pylist()[0] == 30.0
    assert joined.schema.field("error").type == pa.dictionary(pa.int32(), pa.string())


def test_an_unusable_numba_falls_back_to_numpy_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numba installed but failing to load (no writable cache, say): same results, a warning."""

    real = importlib.import_module

    def broken(name: str, package: str | None = None) -> Any:
        if name != "painrx.batch._kernel":
            return real(name, package)
        msg = f"cannot cache function in {name}"
        raise RuntimeError(msg)

    monkeypatch.setattr(importlib, "import_module", broken)
    loader = Loader(_batch_core._warm)
    monkeypatch.setattr(_batch_core, "LOADER", loader)
    with pytest.warns(RuntimeWarning, match="using the numpy pass"):
        assert _batch_core._import_compiled() is None
    # Once: later calls take the numpy pass without a new warning.
    assert _batch_core._compiled(_batch_core.COMPILED_MIN_ROWS) is None
    data = prescriptions(200, seed=4)
    monkeypatch.setenv("PAINRX_NUMBA", "1")
    fallback = mme_prescriptions(data)
    monkeypatch.setenv("PAINRX_NUMBA", "0")
    plain = mme_prescriptions(data)
    np.testing.assert_array_equal(fallback["mme_per_day"], plain["mme_per_day"])


def test_a_call_never_waits_for_numba_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the kernels load, a large table takes the numpy pass: same rows, no wait."""
    release = threading.Event()

    def slow(_module: Any) -> None:
        release.wait()

    loader = Loader(slow)
    monkeypatch.setattr(_batch_core, "LOADER", loader)
    monkeypatch.delenv("PAINRX_NUMBA", raising=False)
    data = prescriptions(_batch_core.COMPILED_MIN_ROWS, seed=5)
    try:
        while_loading = mme_prescriptions(data)
        assert _batch_core._compiled(_batch_core.COMPILED_MIN_ROWS) is None
    finally:
        release.set()
    assert _batch_core._import_compiled() is not None
    loaded = mme_prescriptions(data)
    np.testing.assert_array_equal(while_loading["mme_per_day"], loaded["mme_per_day"])
    assert list(while_loading["error"]) == list(loaded["error"])
    assert list(while_loading["alerts"]) == list(loaded["alerts"])


FRESH_PROCESS = """
from benchmarks.generate import as_arrow, as_frame, prescriptions
from painrx.batch import _core, _kernel, mme_prescriptions

data = prescriptions(_core.COMPILED_MIN_ROWS, seed=6)
tables = [as_frame(data, strings="category"), as_frame(data, strings="object"), as_arrow(data)]
assert _core._import_compiled() is not None
loaded = (len(_kernel._fast_rows.signatures), len(_kernel._renumber.signatures))
for table in tables:
    mme_prescriptions(table)
print(loaded == (len(_kernel._fast_rows.signatures), len(_kernel._renumber.signatures)))
"""


def test_once_loaded_a_first_call_loads_no_compiled_variant() -> None:
    """In a fresh process, the background load covers the variants real tables need.

    So the first compiled call neither compiles nor loads machine code (its time is
    a warm call's, see benchmarks/test_bench_batch.py).
    """
    found = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert found.stdout.strip() == "True"


QUIET_STREAMS = """
import contextlib, io, os, sys
os.environ.pop("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", None)
from painrx.batch import _core
buffer = io.StringIO()
with contextlib.redirect_stderr(buffer):
    assert _core._import_compiled() is not None
    redirected = sys.stderr is buffer
import numba.core.errors
print(redirected, type(numba.core.errors.termcolor()).__name__)
"""


def test_loading_numba_in_the_background_leaves_the_callers_streams_alone() -> None:
    """numba's coloured messages reassign sys.stderr from the loading thread (colorama).

    That undid a caller's redirection at random (a rare test_validate failure: the CLI
    summary escaped pytest's capsys). The loader turns numba's colours off first.
    """
    found = subprocess.run(
        [sys.executable, "-c", QUIET_STREAMS],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert found.stdout.split() == ["True", "NOPColorScheme"]
