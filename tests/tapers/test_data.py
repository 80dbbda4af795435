"""The cited taper tables: every number pinned, every entry validated on load."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import pytest

import painrx as rx
from painrx.tables import TableError, parse_table, read_table, sources_of, structure, table_info
from painrx.tables import load as real_load
from painrx.tapers import _data as data

_LOADERS: tuple[Any, ...] = (
    data.guideline,
    data.guideline_ids,
    data.duration_classes,
    data.final_step,
    data.hybrid,
    data.product_rules,
)


def _clear() -> None:
    for loader in _LOADERS:
        loader.cache_clear()


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Any], None]]:
    """Serve an edited copy of one data file to the taper loaders."""
    docs: dict[str, Any] = {}

    def edit(path: str, change: Any) -> None:
        doc = parse_table(path)
        change(doc)
        docs[path] = doc

    def load(shape: type[Any], table_id: str) -> Any:
        path = table_info(table_id, kind=shape.__table_kind__).path
        return (
            structure(docs[path], shape, file=path) if path in docs else real_load(shape, table_id)
        )

    monkeypatch.setattr(data, "load", load)
    _clear()
    yield edit
    _clear()


# --- pinned values, each with its source -------------------------------------------------


@pytest.mark.parametrize(
    ("guideline", "use", "max_percent", "per_days"),
    [
        ("CDC_2022", "long_term", 10, 30),  # CDC 2022 Rec 5: 10% per month or slower
        ("CDC_2022", "weeks_to_months", 10, 7),  # CDC 2022: 10% per week
        ("HHS_2019", "long_term", 10, 30),  # HHS 2019 guide
        ("HHS_2019", "weeks_to_months", 10, 7),
        ("VA_DOD_2017", "long_term", 20, 28),  # VA/DoD 2017: 5–20% every 4 weeks
        ("HYLAND_2023", "post_operative", 25, 1),  # Hyland 2023 Table 4: 20–25% every 1–2 days
    ],
)
def test_paces(guideline: str, use: str, max_percent: int, per_days: int) -> None:
    table = data.guideline(data.guideline_ids()[guideline])
    pace = table.paces[use]
    assert pace.max_percent == Fraction(max_percent)
    assert pace.per_days == Fraction(per_days)
    assert pace.severity is rx.Severity.MODERATE
    assert pace.source.id == guideline


def test_guideline_tables_cover_only_their_classes() -> None:
    ids = data.guideline_ids()
    assert set(ids) == {"CDC_2022", "HHS_2019", "VA_DOD_2017", "HYLAND_2023"}
    assert set(data.guideline(ids["VA_DOD_2017"]).paces) == {"long_term"}
    assert set(data.guideline(ids["HYLAND_2023"]).paces) == {"post_operative"}


def test_post_operative_expected_length() -> None:
    # Hyland 2023: most patients taper off within 3–7 days after major surgery.
    expected = data.guideline(data.POST_OPERATIVE_PATH).expected["post_operative"]
    assert expected.max_days == 7
    assert expected.severity is rx.Severity.MINOR


def test_hybrid_switch_and_final_step() -> None:
    assert data.hybrid().switch_fraction == Fraction(3, 10)  # HHS 2019: until ~30% remains
    assert data.hybrid().source.id == "HHS_2019"
    final = data.final_step()  # CDC pocket guide: lengthen the interval, stop when < daily
    assert final.every_days == 2
    assert final.source.id == "CDC_2022/cdc_2016_pocket"


def test_duration_classes() -> None:
    classes = {c.name: c for c in data.duration_classes()}
    assert list(classes) == ["post_operative", "long_term", "weeks_to_months"]
    assert classes["post_operative"].from_days is None
    assert classes["post_operative"].up_to_days == Fraction(14)
    assert classes["long_term"].from_days == Fraction(365)
    assert classes["long_term"].up_to_days is None
    assert classes["long_term"].source.year == 2022
    assert classes["weeks_to_months"].contains(Fraction(100))


def test_patch_change_intervals() -> None:
    rules = {(r.ingredient, r.products): r for r in data.product_rules().patches}
    assert rules[("fentanyl", ())].change_hours == 72  # Duragesic label
    assert rules[("buprenorphine", ("butrans",))].change_hours == 168  # Butrans label: 7 days
    assert rules[("buprenorphine", ("reletrans",))].change_hours == 168  # Reletrans SmPC
    assert rules[("buprenorphine", ("transtec",))].change_hours == 96  # Transtec SmPC
    assert len(rules) == 4
    assert rules[("buprenorphine", ("transtec",))].source.year == 2024


def test_unsplittable_forms_and_refusals() -> None:
    rules = data.product_rules()
    assert set(rules.unsplittable) == {
        "er_tablet",
        "er_capsule",
        "patch",
        "capsule",
    }  # er_capsule: KADIAN PI
    refusals = [(r.products, r.ingredient, r.routes, r.indications) for r in rules.refusals]
    assert refusals == [
        (None, "methadone", None, None),
        # Buprenorphine has no swallowed product: "oral" is a sublingual product too.
        (None, "buprenorphine", ("sublingual", "oral"), None),
        # Buprenorphine/naloxone is only an OUD treatment (contract; ATC N07BC51).
        (("buprenorphine/naloxone",), None, None, None),
        (None, None, None, ("oud",)),
    ]


@pytest.mark.parametrize(
    ("path", "table_id", "year"),
    [
        ("tapers/cdc_2022.toml", "CDC_2022", 2022),
        ("tapers/hhs_2019.toml", "HHS_2019", 2019),
        ("tapers/va_dod_2017.toml", "VA_DOD_2017", 2017),
        ("tapers/post_operative.toml", "HYLAND_2023", 2023),
        ("tapers/duration_of_use.toml", "TAPER_DURATION_CLASSES", 2026),
        ("tapers/products.toml", "TAPER_PRODUCT_RULES", 2026),
    ],
)
def test_provenance(path: str, table_id: str, year: int) -> None:
    info = next(i for i in rx.tables() if i.path == path)
    block = read_table(info.id, kind=info.kind)["provenance"]
    assert (block["id"], block["year"]) == (table_id, year)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tapers/cdc_2022.toml", {"provenance": 2022, "cdc_2016_pocket": 2016}),
        ("tapers/hhs_2019.toml", {"provenance": 2019, "jama_2019": 2019}),
        ("tapers/va_dod_2017.toml", {"provenance": 2017}),
        ("tapers/post_operative.toml", {"provenance": 2023}),
        (
            "tapers/duration_of_use.toml",
            {"provenance": 2026, "cdc_2022": 2022, "cdc_2016_pocket": 2016, "painrx_api": 2026},
        ),
    ],
)
def test_guideline_source_years(path: str, expected: dict[str, int]) -> None:
    assert {key: src.year for key, src in sources_of(path).items()} == expected


def test_source_years() -> None:
    years = {key: source.year for key, source in sources_of("tapers/products.toml").items()}
    assert years == {
        "provenance": 2026,
        "duragesic_pi": 2009,
        "butrans_pi": 2024,
        "transtec_smpc": 2024,
        "reletrans_smpc": 2021,
        "oxycontin_pi": 2023,
        "kadian_pi": 2023,
        "fda_scoring_2013": 2013,
        "cdc_2022": 2022,
        "painrx_api": 2026,
    }


# --- validation on load ------------------------------------------------------------------


def _set(table: str, index: int, key: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        doc[table][index][key] = value

    return change


@pytest.mark.parametrize(
    ("path", "change", "loader", "match"),
    [
        (
            "tapers/cdc_2022.toml",
            _set("paces", 0, "max_percent", 0),
            "cdc",
            r"paces\[0\]\.max_percent: must be greater than 0, got 0",
        ),
        (
            "tapers/cdc_2022.toml",
            _set("paces", 0, "max_percent", 101),
            "cdc",
            r"paces\[0\]\.max_percent: must be at most 100, got 101",
        ),
        (
            "tapers/cdc_2022.toml",
            _set("paces", 0, "max_percent", "10"),
            "cdc",
            r"paces\[0\]\.max_percent: expected a number, got '10'",
        ),
        (
            "tapers/cdc_2022.toml",
            _set("paces", 0, "per", "30 mg"),
            "cdc",
            r"paces\[0\]\.per: expected a positive time, got '30 mg'",
        ),
        (
            "tapers/cdc_2022.toml",
            _set("paces", 0, "per", "thirty"),
            "cdc",
            r"paces\[0\]\.per: cannot read 'thirty' as a quantity",
        ),
        (
            "tapers/cdc_2022.toml",
            _set("paces", 0, "use", "chronic"),
            "cdc",
            r"paces\[0\]\.use: expected one of \[.*\], got 'chronic'",
        ),
        ("tapers/cdc_2022.toml", _set("paces", 0, "severity", "huge"), "cdc", "severity"),
        ("tapers/cdc_2022.toml", _set("paces", 0, "source", "nowhere"), "cdc", "source"),
        ("tapers/cdc_2022.toml", _set("paces", 0, "extra", 1), "cdc", "unknown key"),
        ("tapers/cdc_2022.toml", _set("paces", 1, "use", "long_term"), "cdc", "second pace"),
        ("tapers/cdc_2022.toml", _set("final_steps", 0, "every_days", 1), "final", "at least 2"),
        ("tapers/hhs_2019.toml", _set("hybrid", 0, "switch_fraction", 1), "hybrid", "below 1"),
        (
            "tapers/products.toml",
            _set("patches", 0, "change_interval", "70 h"),
            "products",
            "whole number of days",
        ),
        ("tapers/products.toml", _set("patches", 0, "products", "all"), "products", "list"),
        (
            "tapers/duration_of_use.toml",
            _set("classes", 2, "from", "1 day"),
            "classes",
            "neither",
        ),
    ],
)
def test_malformed_tables_fail_loudly(
    patched: Callable[[str, Any], None], path: str, change: Any, loader: str, match: str
) -> None:
    patched(path, change)
    loaders: dict[str, Callable[[], object]] = {
        "cdc": lambda: data.guideline("tapers/cdc_2022.toml"),
        "final": data.final_step,
        "hybrid": data.hybrid,
        "products": data.product_rules,
        "classes": data.duration_classes,
    }
    with pytest.raises(TableError, match=match):
        loaders[loader]()


def test_structural_errors(patched: Callable[[str, Any], None]) -> None:
    def no_array(doc: dict[str, Any]) -> None:
        doc["paces"] = {"use": "long_term"}

    patched("tapers/cdc_2022.toml", no_array)
    with pytest.raises(TableError, match="paces: expected a list"):
        data.guideline("tapers/cdc_2022.toml")

    def two_final_steps(doc: dict[str, Any]) -> None:
        doc["final_steps"] = doc["final_steps"] * 2

    patched("tapers/cdc_2022.toml", two_final_steps)
    with pytest.raises(TableError, match="exactly one"):
        data.final_step()

    def no_hybrid(doc: dict[str, Any]) -> None:
        doc["hybrid"] = []

    patched("tapers/hhs_2019.toml", no_hybrid)
    with pytest.raises(TableError, match="exactly one"):
        data.hybrid()

    def empty_refusal(doc: dict[str, Any]) -> None:
        doc["refusals"] = [{"reason": "x", "source": "painrx_api"}]

    patched("tapers/products.toml", empty_refusal)
    with pytest.raises(TableError, match="at least one of"):
        data.product_rules()


def test_a_changed_number_changes_the_schedule(patched: Callable[[str, Any], None]) -> None:
    # The data file, not the code, sets the pace: a stricter CDC pace flags 10% per month.
    patched("tapers/cdc_2022.toml", _set("paces", 0, "max_percent", 5))
    s = rx.taper("morphine", "60 mg/day", percent=10, interval="1 month", duration_of_use="2 year")
    assert "taper_faster_than_guideline" in [a.code for a in s.alerts]
