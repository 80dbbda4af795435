"""The compiled text encoders (painrx.batch._textkernel) give the general encoders' result.

Every column kind the kernels take (object columns by identity, Arrow ``string`` and
``large_string`` buffers, sliced, chunked, with nulls; numbers as text in each) is
encoded with and without them, and the codes, the distinct texts, the floats (bit
for bit) and the not-a-number flags must be equal. The batch results of a table
given as text are compared with the same table given typed (categorical text,
float64 numbers).
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import as_frame, prescriptions
from painrx.batch import _encode, mme_prescriptions

# The kernels' module (None without numba: every test here is skipped).
_textkernel = _encode._LOADER.get(wait=True)
pytestmark = pytest.mark.skipif(_textkernel is None, reason="numba is not installed")

# Pieces of decimal text: signs, exponents, spaces, words, NUL, non-ASCII digits ("１０" is
# not a number for painrx), overflows, and long digit strings (more than the 32
# bytes the kernel keeps as words, and more than 2**53 as a mantissa).
PIECES = [
    "0", "1", "7", "10", "120", ".", "5", "e", "E", "+", "-", " ", "\t", "309",
    "ten", "inf", "nan", "１０", "µg", "mg", "\x00", "1" * 40, "9" * 17, "0.1", "2.35", "1e309",
]  # fmt: skip
TEXT = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
MAYBE_TEXT = st.one_of(st.none(), TEXT)


def _compiled_and_plain(fn: Any, column: Any, **kwargs: Any) -> tuple[Any, Any, Any]:
    """``column`` through the kernels in one thread, in three, and through the general path."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAINRX_NUMBA", "1")
        patch.setenv("PAINRX_THREADS", "1")
        compiled = fn(column, compiled=True, **kwargs)
        # Parts of two rows and more: the parts' codes are merged.
        patch.setenv("PAINRX_THREADS", "3")
        patch.setattr(_encode, "_ROWS_PER_THREAD", 2)
        threaded = fn(column, compiled=True, **kwargs)
        patch.setenv("PAINRX_NUMBA", "0")
        plain = fn(column, compiled=True, **kwargs)
    return compiled, threaded, plain


def _same_floats(a: Any, b: Any) -> bool:
    """Equal to the bit, NaN where NaN (whatever its payload)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    nan = np.isnan(a)
    return bool(
        np.array_equal(nan, np.isnan(b))
        and np.array_equal(a[~nan].view(np.uint64), b[~nan].view(np.uint64))
    )


def _check_text(column: Any) -> _encode.Encoded:
    *compiled, plain = _compiled_and_plain(_encode.encode_text, column)
    for found in compiled:
        assert found.uniques == plain.uniques
        assert np.array_equal(found.codes, plain.codes)
    assert isinstance(plain, _encode.Encoded)
    return plain


def _check_numbers(column: Any) -> _encode.Numbers:
    *compiled, plain = _compiled_and_plain(_encode.to_numbers, column)
    for found in compiled:
        assert _same_floats(found.values, plain.values)
        assert np.array_equal(found.not_a_number, plain.not_a_number)
    assert isinstance(plain, _encode.Numbers)
    return plain


def _objects(texts: list[str | None], *, shared: bool) -> Any:
    """An object column; ``shared`` repeats the same objects as a CSV reader does."""
    if shared:
        return np.array(texts, dtype=object)
    fresh = [None if t is None else (t + "_")[:-1] for t in texts]
    return np.array(fresh, dtype=object)


COLUMN_KINDS = ["string", "large_string", "sliced", "chunked", "shared", "fresh", "pandas str"]


def _column(texts: list[str | None], kind: str, cut: int) -> Any:
    if kind in ("shared", "fresh"):
        return _objects(texts, shared=kind == "shared")
    if kind == "pandas str":
        return pd.Series(texts, dtype="str")
    if kind == "large_string":
        return pa.array(texts, type=pa.large_string())
    if kind == "sliced":
        # Offsets and validity bits that start inside their buffers.
        return pa.array([None, "x" * 33, *texts], type=pa.string()).slice(min(cut, 2))
    if kind == "chunked":
        return pa.chunked_array([texts[:cut], texts[cut:]], type=pa.string())
    return pa.array(texts, type=pa.string())


@settings(max_examples=150)
@given(
    texts=st.lists(MAYBE_TEXT, max_size=60),
    repeat=st.sampled_from([1, 3]),
    kind=st.sampled_from(COLUMN_KINDS),
    cut=st.integers(0, 20),
)
def test_compiled_text_codes_are_the_general_encoders(
    texts: list[str | None], repeat: int, kind: str, cut: int
) -> None:
    column = _column(texts * repeat, kind, cut)
    encoded = _check_text(column)
    decoded = [None if c < 0 else encoded.uniques[c] for c in encoded.codes]
    expected = column.to_pylist() if isinstance(column, (pa.Array, pa.ChunkedArray)) else column
    assert decoded == [None if pd.isna(t) else t for t in expected]


@settings(max_examples=150)
@given(
    texts=st.lists(MAYBE_TEXT, max_size=60),
    repeat=st.sampled_from([1, 3]),
    kind=st.sampled_from(COLUMN_KINDS),
    cut=st.integers(0, 20),
)
def test_compiled_numbers_as_text_are_the_general_parsers_to_the_bit(
    texts: list[str | None], repeat: int, kind: str, cut: int
) -> None:
    _check_numbers(_column(texts * repeat, kind, cut))


@settings(max_examples=60)
@given(
    prefix=st.text(alphabet="ab", min_size=30, max_size=40),
    tails=st.lists(st.text("ab", max_size=3), min_size=1, max_size=40),
)
def test_texts_differing_only_past_the_kept_words_are_told_apart(
    prefix: str, tails: list[str]
) -> None:
    """Texts longer than the 32 bytes held as words are compared byte for byte."""
    texts: list[str | None] = [prefix + tail for tail in tails]
    encoded = _check_text(pa.array(texts))
    assert len(encoded.uniques) == len(set(texts))


def test_texts_one_byte_apart_share_no_code() -> None:
    """Texts equal but for one byte, at every position: the table's probes compare them.

    Few rows per distinct text keep the hash table half full, so slots collide often
    and every compared word (and the bytes past them) must tell the texts apart.
    """
    base = "x" * 40
    texts: list[str | None] = [
        base[:position] + letter + base[position + 1 :]
        for position in range(len(base))
        for letter in "abcdefghijklmnopqrstuvwyz"
    ]
    texts += [base[:length] for length in range(len(base))]
    for column in (pa.array(texts + texts[::-1]), pa.array(texts, pa.large_string())):
        encoded = _check_text(column)
        assert len(encoded.uniques) == len(texts)
        assert [encoded.uniques[c] for c in encoded.codes] == column.to_pylist()


def _crowded(texts: list[str]) -> list[str | None]:
    """``texts`` numbered in a table of ``2**k`` slots (one free for ``2**k - 1`` texts)."""
    assert _textkernel is not None
    array = pa.array(texts + texts[::-1])
    _, offsets, data = array.buffers()
    piece = _textkernel.Piece(
        _encode._frozen(np.frombuffer(offsets, dtype=np.int32, count=len(array) + 1)),
        _encode._frozen(np.frombuffer(data, dtype=np.uint8)),
        _encode._EMPTY_BYTES,
        0,
        0,
    )
    table = _textkernel.Table.empty(len(texts))
    size = 1 << len(texts).bit_length()
    table.slots = np.full(size, -1, dtype=np.int32)
    codes = np.empty(len(array), dtype=_textkernel.CODE)
    assert table.fill(piece, codes)
    firsts = table.firsts[: table.counts[0]]
    return [texts[row] if row < len(texts) else None for row in firsts[codes]]


def test_a_crowded_table_tells_every_text_apart() -> None:
    """Texts alike but for a byte or a length ("a", "a\\0", "a\\0\\0"), short and long.

    In a table with one free slot, each text meets most others on its probe, so
    every word, length and byte past the words is compared.
    """
    short = ["".join(p) for size in range(6) for p in itertools.product("\x00ab", repeat=size)]
    long = [
        "x" * 31 + "".join(p) for size in range(4) for p in itertools.product("\x00ab", repeat=size)
    ]
    for texts in (short[:255], long[:31], (long + short)[:255]):
        assert _crowded(texts) == texts + texts[::-1]


def test_many_distinct_texts_and_the_kernels_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of distinct texts (long probe chains), then past the kernels' cap."""
    rng = np.random.default_rng(3)
    texts: list[str | None] = [f"drug {i}" for i in rng.integers(0, 5_000, 40_000)]
    for column in (pa.array(texts), _objects(texts, shared=False), _objects(texts, shared=True)):
        assert len(_check_text(column).uniques) == len(set(texts))
    monkeypatch.setattr(_encode, "_KERNEL_MAX_DISTINCT", 100)
    for column in (pa.array(texts), _objects(texts, shared=True)):
        assert len(_check_text(column).uniques) == len(set(texts))
    # Long texts' bytes past the words fill the kernel's store: the general encoder again.
    long_texts: list[str | None] = [f"{'x' * 40} {i}" for i in rng.integers(0, 50, 1_000)]
    monkeypatch.setattr(_textkernel, "_REST_BYTES", 64)
    assert len(_check_text(pa.chunked_array([long_texts[:500], long_texts[500:]])).uniques) == len(
        set(long_texts)
    )
    numbers = [str(x) for x in rng.integers(0, 1_000, 20_000)]
    found = _check_numbers(pa.array(numbers))
    assert found.values.tolist() == [float(x) for x in numbers]  # noqa: PD011 # attrs field


def test_the_last_bytes_of_a_buffer_are_read_safely() -> None:
    """Rows near the data buffer's end are read without going past it (short buffers too)."""
    for texts in (["a"], ["", None, ""], ["mg", "mcg"], ["x" * 31, "y"], ["z" * 70]):
        column = pa.array(texts)
        encoded = _check_text(column)
        assert [None if c < 0 else encoded.uniques[c] for c in encoded.codes] == texts


# CDC file formula, CDC_2022 factor 1.5: oxycodone 10 mg x 120 / 30 days = 60 MME/day.
ROW_TEXTS = {
    "10": (60.0, None),
    "10.0": (60.0, None),
    " 10 ": (60.0, None),
    "+10": (60.0, None),
    "1E1": (60.0, None),
    "1e309": (None, "InputError: strength must be a finite number."),
    "ten": (None, "InputError: strength is not a number."),
    "１０": (None, "InputError: strength is not a number."),
    "": (None, "InputError: strength is missing."),
}


@pytest.mark.parametrize("kind", ["string", "large_string", "shared", "fresh", "pandas str"])
@pytest.mark.parametrize("numba", ["1", "0"])
def test_row_errors_of_numbers_as_text(
    kind: str, numba: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAINRX_NUMBA", numba)
    texts: list[str | None] = [*ROW_TEXTS] * 3
    n = len(texts)
    table = pd.DataFrame(
        {
            "drug": ["oxycodone"] * n,
            "strength": _column(texts, kind, 0),
            "strength_unit": ["mg"] * n,
            "quantity": [120.0] * n,
            "days_supply": [30.0] * n,
        }
    )
    out = mme_prescriptions(table)
    for i, text in enumerate(texts):
        mme, error = ROW_TEXTS[str(text)]
        assert out["error"].iloc[i] == error or (error is None and pd.isna(out["error"].iloc[i]))
        if mme is None:
            assert np.isnan(out["mme_per_day"].iloc[i])
        else:
            assert out["mme_per_day"].iloc[i] == mme


@pytest.fixture(scope="module")
def typed_and_text() -> tuple[pd.DataFrame, dict[str, Any]]:
    """A generated table typed (categorical text, float64 numbers), and as text in four ways."""
    data = prescriptions(120_000, seed=11)
    columns = ("drug", "strength", "strength_unit", "quantity", "days_supply")
    typed = as_frame({c: data[c] for c in columns}, strings="category")
    typed["strength_unit"] = typed["strength_unit"].astype("category")
    csv = typed.to_csv(index=False)
    as_text = {
        "read_csv dtype=object": pd.read_csv(io.StringIO(csv), dtype=object),
        "read_csv dtype=str": pd.read_csv(io.StringIO(csv), dtype="str"),
        "object strings": as_frame({c: data[c] for c in columns}, strings="object"),
        "arrow strings": pa.Table.from_pandas(pd.read_csv(io.StringIO(csv), dtype="str")),
    }
    return typed, as_text


@pytest.mark.parametrize(
    "kind", ["read_csv dtype=object", "read_csv dtype=str", "object strings", "arrow strings"]
)
@pytest.mark.parametrize("numba", ["1", "0"])
def test_text_tables_give_the_typed_result_to_the_bit(
    typed_and_text: tuple[pd.DataFrame, dict[str, Any]],
    kind: str,
    numba: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    typed, as_text = typed_and_text
    monkeypatch.setenv("PAINRX_NUMBA", numba)
    expected = mme_prescriptions(typed)
    out = mme_prescriptions(as_text[kind])
    got = out.to_pandas() if isinstance(out, pa.Table) else out
    assert _same_floats(got["mme_per_day"], expected["mme_per_day"])
    assert _same_floats(got["factor"], expected["factor"])
    for name in ("alerts", "error"):
        assert got[name].astype(object).where(got[name].notna(), None).tolist() == (
            expected[name].astype(object).where(expected[name].notna(), None).tolist()
        )
