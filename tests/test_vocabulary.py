"""The closed vocabulary: routes, forms, frequencies, sex."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx import vocabulary
from painrx.errors import InputError


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("PO", "oral"),
        ("oral", "oral"),
        ("IV", "iv"),
        ("intravenous", "iv"),
        ("SQ", "sc"),
        ("subcutaneous", "sc"),
        ("IM", "im"),
        ("TD", "transdermal"),
        ("patch", "transdermal"),
        ("SL", "sublingual"),
        ("PR", "rectal"),
        ("Epidural", "epidural"),
        ("intrathecal", "intrathecal"),
        ("buccal", "buccal"),
        ("nasal", "nasal"),
        ("topical", "topical"),
    ],
)
def test_routes(alias: str, canonical: str) -> None:
    assert vocabulary.route(alias) == canonical


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("tab", "tablet"),
        ("ER tablet", "er_tablet"),
        ("er_tablet", "er_tablet"),
        ("capsule", "capsule"),
        ("oral solution", "solution"),
        ("patch", "patch"),
        ("buccal tablet", "buccal_tablet"),
        ("lozenge", "lozenge"),
        ("buccal film", "buccal_film"),
        ("nasal spray", "nasal_spray"),
        ("oral spray", "oral_spray"),
        ("injection", "injection"),
    ],
)
def test_forms(alias: str, canonical: str) -> None:
    assert vocabulary.form(alias) == canonical


@pytest.mark.parametrize(
    ("code", "per_day"),
    [
        ("QD", 1.0),
        ("daily", 1.0),
        ("bid", 2.0),
        ("TID", 3.0),
        ("QID", 4.0),
        ("q4h", 6.0),
        ("q6h", 4.0),
        ("Q8H", 3.0),
        ("q12h", 2.0),
        ("q24h", 1.0),
        ("q72h", 1.0 / 3.0),
        (3, 3.0),
        (0.5, 0.5),
        # Issue 15: frequencies people write.
        ("q2h", 12.0),
        ("q3h", 8.0),
        ("nightly", 1.0),
        ("QHS", 1.0),
        ("every 4 hours", 6.0),
        ("every 12 hrs", 2.0),
        ("4 times a day", 4.0),
        ("3 times daily", 3.0),
        ("q48h", 0.5),
    ],
)
def test_frequencies(code: str | float, per_day: float) -> None:
    assert vocabulary.doses_per_day(code) == pytest.approx(per_day)


@pytest.mark.parametrize(
    ("code", "per_day"),
    [
        ("q4h PRN", 6.0),
        ("q4-6h prn", 6.0),
        ("every 6 to 8 hours as needed", 4.0),
        ("3-4 times a day", 4.0),
    ],
)
def test_prn_and_ranges_count_at_their_maximum(code: str, per_day: float) -> None:
    """As needed and interval ranges count at the most the order allows (CQF MMECalculator.cql)."""
    assert vocabulary.doses_per_day(code) == per_day


def test_is_prn() -> None:
    assert vocabulary.is_prn("q4h PRN")
    assert vocabulary.is_prn("every 6 hours as needed")
    assert not vocabulary.is_prn("q4h")
    assert not vocabulary.is_prn(4)
    assert vocabulary.frequency_label("every 4 hours as needed") == "q4h"


@pytest.mark.parametrize("bad", ["q0h", "prn", "every hours", "", None, 0, -1, float("nan"), True])
def test_bad_frequency(bad: object) -> None:
    with pytest.raises(InputError, match=r"Unknown frequency|must be a finite number"):
        vocabulary.doses_per_day(bad)


def test_unknown_route_lists_accepted() -> None:
    with pytest.raises(InputError, match="accepted: oral, iv, sc"):
        vocabulary.route("intraosseous")


def test_sex() -> None:
    assert vocabulary.sex("M") == "male"
    assert vocabulary.sex("female") == "female"
    with pytest.raises(InputError):
        vocabulary.sex("x")


def test_frequency_label() -> None:
    assert vocabulary.frequency_label("bid") == "BID"
    assert vocabulary.frequency_label(3) == "3/day"


@given(hours=st.integers(min_value=1, max_value=72), prn=st.booleans())
def test_every_n_hours_is_24_over_n(hours: int, prn: bool) -> None:
    suffix = " PRN" if prn else ""
    for text in (f"q{hours}h{suffix}", f"every {hours} hours{suffix}"):
        assert vocabulary.doses_per_day(text) == 24 / hours
        assert vocabulary.is_prn(text) == prn


@given(count=st.integers(min_value=1, max_value=24))
def test_n_times_a_day_is_n(count: int) -> None:
    assert vocabulary.doses_per_day(f"{count} times a day") == count
    assert vocabulary.doses_per_day(f"{count} times daily") == count


@pytest.mark.parametrize(
    ("text", "form"),
    [
        # SUBOXONE prescribing information: "sublingual film"; BELBUCA: "buccal film".
        ("Suboxone 8 mg/2 mg sublingual film", "sublingual_film"),
        ("Belbuca 150 mcg", "buccal_film"),
    ],
)
def test_films_are_read_by_their_route(text: str, form: str) -> None:
    assert rx.catalog.parse_medication(text).form == form
