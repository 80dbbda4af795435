"""The error tree, alerts and severities."""

from __future__ import annotations

import pickle

import pytest

import painrx as rx
from painrx.errors import Alert, Severity, dedupe_alerts


@pytest.mark.parametrize(
    "error",
    [
        rx.UnitError("bad unit 'gamma'"),
        rx.InputError("weight=0 kg must be greater than zero"),
        rx.NoFactorError("no factor"),
        rx.UnsafeConversionError("refused"),
        rx.HardLimitError("over the hard limit"),
        rx.UnknownDrugError("oxycodon", ["oxycodone"]),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_error_is_a_painrx_value_error_and_pickles(error: rx.PainRxError) -> None:
    assert isinstance(error, rx.PainRxError)
    assert isinstance(error, ValueError)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)


def test_unknown_drug_is_also_a_key_error_with_suggestions() -> None:
    error = rx.UnknownDrugError("oxycodon", ["oxycodone", "oxymorphone"])
    assert isinstance(error, KeyError)
    assert error.suggestions == ("oxycodone", "oxymorphone")
    assert "'oxycodon'" in str(error)
    assert "Did you mean: 'oxycodone', 'oxymorphone'?" in str(error)
    assert not str(error).startswith('"')  # KeyError would quote the message


def test_severity_is_ordered_and_parsed() -> None:
    assert Severity.INFO < Severity.MINOR < Severity.MODERATE < Severity.MAJOR
    assert Severity.MAJOR < Severity.CONTRAINDICATED
    assert Severity.parse("Major") is Severity.MAJOR
    assert Severity.parse(Severity.INFO) is Severity.INFO
    with pytest.raises(rx.InputError, match="accepted: info, minor"):
        Severity.parse("severe")


def test_alert_to_dict_and_dedupe() -> None:
    source = rx.Provenance("CDC_2022", "CDC guideline", 2022, "MMWR 2022;71(RR-3)")
    alert = Alert("mme_threshold_50", Severity.MODERATE, "At or above 50 MME/day.", source)
    assert alert.to_dict() == {
        "code": "mme_threshold_50",
        "severity": "moderate",
        "message": "At or above 50 MME/day.",
        "source": "CDC_2022",
    }
    other = Alert("methadone_caution", Severity.MAJOR, "Methadone.")
    assert dedupe_alerts([alert, other, alert]) == (alert, other)
    assert pickle.loads(pickle.dumps(alert)) == alert


def test_messages_quote_at_most_100_characters_of_a_bad_value() -> None:
    with pytest.raises(rx.InputError) as info:
        rx.mme("oxycodone", "5 mg", frequency="x" * 100_000)
    message = str(info.value)
    assert len(message) < 400
    assert "(100,000 characters)" in message
    assert message == info.value.message


def test_short_values_are_quoted_whole() -> None:
    with pytest.raises(rx.InputError, match="Unknown frequency 'hourly-ish'"):
        rx.mme("oxycodone", "5 mg", frequency="hourly-ish")


def test_text_between_two_short_quoted_values_is_not_cut() -> None:
    message = "basis='current' never reaches 0 " + "by arithmetic " * 10 + "stop_at='5 mg/day'."
    assert rx.InputError(message).message == message


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("x", "bogus", "m"), "must be a painrx Severity"),
        (("", Severity.MINOR, "m"), "non-empty code"),
        ((3, Severity.MINOR, "m"), "non-empty code"),
        (("x", Severity.MINOR, None), "must be text"),
        (("x", 3, "m"), "must be a painrx Severity"),
    ],
)
def test_alerts_built_with_nonsense_are_refused(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(rx.InputError, match=match):
        Alert(*args)  # type: ignore[arg-type]


def test_alert_source_must_be_a_provenance() -> None:
    with pytest.raises(rx.InputError, match="must be a painrx Provenance"):
        Alert("x", Severity.MINOR, "m", "CDC_2022")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": "", "title": "t", "year": 2022, "citation": "c"}, "id='' must be non-empty"),
        ({"id": "X", "title": "t", "year": "2022", "citation": "c"}, "whole year"),
        ({"id": "X", "title": "t", "year": True, "citation": "c"}, "whole year"),
        ({"id": "X", "title": "t", "year": 2022, "citation": "c", "url": None}, "must be text"),
    ],
)
def test_provenance_built_with_nonsense_is_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(rx.InputError, match=match):
        rx.Provenance(**kwargs)  # type: ignore[arg-type]


def test_long_numbers_are_cut_in_messages() -> None:
    message = rx.InputError(f"Bare number {10**400} is not a dose.").message
    assert "(401 digits)" in message
    assert len(message) < 120
