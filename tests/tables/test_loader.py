"""The declared table loader: one error format, discovery by kind, checksums, read-only views."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import painrx as rx
from painrx.errors import InputError, Severity
from painrx.infusions import _data as infusion_data
from painrx.opioids import _tables as opioid_tables
from painrx.pathways import _data as pathway_data
from painrx.provenance import Provenance
from painrx.tables import (
    Form,
    Frequency,
    NonEmpty,
    NonNegative,
    OfKind,
    OneOf,
    Positive,
    Range,
    Route,
    ShapeError,
    TableError,
    data_file,
    load,
    load_all,
    parse_table,
    read_table,
    shape_for,
    structure,
    table_error,
    table_info,
    table_shape,
)
from painrx.tapers import _data as taper_data
from painrx.units import Quantity
from tests.update_checksums import DATA, write

_files = sys.modules["painrx.tables._files"]
_read = sys.modules["painrx.tables._read"]
_shape = sys.modules["painrx.tables._shape"]

FILE = "test/example.toml"


@attrs.frozen
class _Inner:
    dose: Annotated[Quantity, OfKind("mass")]
    source: Provenance


@attrs.frozen
class _Example:
    """A shape using every hook the loader offers."""

    number: Fraction
    positive: Positive
    share: NonNegative
    percent: Annotated[Fraction, Range(low=0, low_open=True, high=100)]
    count: int
    ratio: float
    flag: bool
    text: Annotated[str, NonEmpty()]
    severity: Severity
    route: Route
    forms: tuple[Form, ...]
    frequency: Frequency
    basis: Literal["mg/day", "mcg/h"]
    colour: Annotated[str, OneOf({"red", "blue"})]
    dose: Annotated[Quantity, OfKind("mass")]
    label: Annotated[str, OfKind("concentration")]
    source: Provenance
    inner: _Inner
    rows: tuple[_Inner, ...]
    named: Any = attrs.field(default=None, metadata={"key": "from"})


def _doc(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": 0.1,
        "positive": 7.2,
        "share": 0,
        "percent": 25,
        "count": 3,
        "ratio": 1.2,
        "flag": True,
        "text": "x",
        "severity": "major",
        "route": "oral",
        "forms": ["tablet"],
        "frequency": "q6h",
        "basis": "mg/day",
        "colour": "red",
        "dose": "10 mg",
        "label": "2 mg/mL",
        "source": "label",
        "inner": {"dose": "5 mg", "source": "provenance"},
        "rows": [{"dose": "1 mg", "source": "label"}],
    }
    body.update(changes)
    return {
        "provenance": {
            "id": "EXAMPLE",
            "kind": "example",
            "title": "An example",
            "year": 2026,
            "citation": "An example citation.",
        },
        "sources": {"label": {"title": "A label", "year": 2024, "citation": "A label, 2024."}},
    } | {k: v for k, v in body.items() if v is not None}


def test_a_valid_document_is_structured_exactly() -> None:
    example = structure(_doc(), _Example, file=FILE)
    assert example.number == Fraction(1, 10)  # the decimal as written, not a binary float
    assert example.positive == Fraction(36, 5)
    assert example.severity is Severity.MAJOR
    assert example.forms == ("tablet",)
    assert example.dose == rx.Q("10 mg")
    assert example.label == "2 mg/mL"  # a checked quantity kept as written
    assert example.source.id == "EXAMPLE/label"
    assert example.inner.source.id == "EXAMPLE"
    assert example.rows[0].source.title == "A label"
    assert structure(_doc(**{"from": 3}), _Example, file=FILE).named == 3


# Every hook's refusal names the file, the path inside it and what was expected.
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"number": "4"}, "number: expected a number, got '4'"),
        ({"number": True}, "number: expected a number, got True"),
        ({"number": float("nan")}, "number: expected a finite number, got nan"),
        ({"ratio": float("inf")}, "ratio: expected a finite number, got inf"),
        ({"positive": 0}, "positive: must be greater than 0, got 0"),
        ({"share": -1}, "share: must be at least 0, got -1"),
        ({"percent": 101}, "percent: must be at most 100, got 101"),
        ({"count": 2.5}, "count: expected a whole number, got 2.5"),
        ({"ratio": "1.2"}, "ratio: expected a number, got '1.2'"),
        ({"flag": "yes"}, "flag: expected true or false, got 'yes'"),
        ({"text": ""}, "text: must not be empty"),
        ({"text": 5}, "text: expected text, got 5"),
        (
            {"severity": "urgent"},
            (
                "severity: unknown severity 'urgent'; accepted: "
                "['contraindicated', 'info', 'major', 'minor', 'moderate']"
            ),
        ),
        ({"route": "mouth"}, "route: expected one of ['buccal', "),
        ({"forms": ["pill"]}, "forms[0]: expected one of "),
        ({"forms": "tablet"}, "forms: expected a list, got 'tablet'"),
        ({"frequency": "sometimes"}, "frequency: "),
        ({"basis": "mg"}, "basis: expected one of ['mg/day', 'mcg/h'], got 'mg'"),
        ({"colour": "green"}, "colour: expected one of ['blue', 'red'], got 'green'"),
        ({"dose": "10 mg/mL"}, "dose: expected a positive mass, got '10 mg/mL'"),
        ({"dose": "0 mg"}, "dose: expected a positive mass, got '0 mg'"),
        ({"dose": 10}, "dose: expected a quantity such as '10 mg', got 10"),
        ({"dose": "ten mg"}, "dose: cannot read 'ten mg' as a quantity"),
        ({"label": "2 mg"}, "label: expected a positive concentration, got '2 mg'"),
        ({"source": "nowhere"}, "source: a source must be one of ['label', 'provenance'], got"),
        ({"inner": "x"}, "inner: expected a table, got 'x'"),
        ({"inner": {"dose": "5 mg"}}, "inner: missing key 'source'"),
        ({"rows": [{"dose": "1 mg", "source": "label", "x": 1}]}, "rows[0]: unknown key(s) ['x']"),
        ({"rows": [{"dose": "1 mL", "source": "label"}]}, "rows[0].dose: expected a positive mass"),
        ({"extra": 1}, "(top level): unknown key(s) ['extra']; accepted: ['basis', "),
        ({"count": None}, "(top level): missing key 'count'"),
    ],
)
def test_each_hook_names_file_path_and_expected_shape(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TableError) as caught:
        structure(_doc(**change), _Example, file=FILE)
    assert str(caught.value).startswith(f"data/{FILE}: {message}")


_toml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["10 mg", "0 mg", "-1 mg/mL", "1e309 mg", "q6h", "oral", "major"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(field=st.sampled_from([a.name for a in attrs.fields(_Example)]), value=_toml_values)
def test_any_value_in_any_field_is_structured_or_refused_as_a_table_error(
    field: str, value: Any
) -> None:
    key = "from" if field == "named" else field
    message = ""
    try:
        structure(_doc(**{key: value}), _Example, file=FILE)
    except TableError as exc:
        message = str(exc)
    assert message == "" or message.startswith(f"data/{FILE}: ")
    assert len(message) < 1_500


def test_the_issue_example_message() -> None:
    """Issue 13's example, on the shipped CDC 2016 file."""
    doc = parse_table("mme/cdc_2016.toml")
    doc["factor"][3]["factor"] = "4"
    with pytest.raises(TableError) as caught:
        structure(doc, opioid_tables._MMEFile, file="mme/cdc_2016.toml")
    assert (
        str(caught.value) == "data/mme/cdc_2016.toml: factor[3].factor: expected a number, got '4'"
    )


def test_several_problems_are_listed_briefly() -> None:
    doc = _doc(number="a", positive="b", share="c", percent="d", count="e")
    with pytest.raises(TableError) as caught:
        structure(doc, _Example, file=FILE)
    lines = str(caught.value).splitlines()
    assert len(lines) == 4
    assert lines[-1] == f"(and 2 more problem(s) in data/{FILE})"


def test_a_long_bad_value_is_quoted_briefly() -> None:
    with pytest.raises(TableError) as caught:
        structure(_doc(number="9" * 10_000), _Example, file=FILE)
    assert len(str(caught.value)) < 200


def test_rules_across_fields_use_the_same_format() -> None:
    assert str(table_error("a.toml", "x[0].y", "why")) == "data/a.toml: x[0].y: why"
    assert str(ShapeError("why", at="y")) == "why"


def test_the_header_is_checked_too() -> None:
    doc = _doc()
    doc["provenance"]["year"] = "2026"
    with pytest.raises(TableError, match=r"provenance\.year: expected a whole number, got '2026'"):
        structure(doc, _Example, file=FILE)
    doc = _doc()
    del doc["provenance"]["citation"]
    with pytest.raises(TableError, match="provenance: missing key 'citation'"):
        structure(doc, _Example, file=FILE)
    doc = _doc()
    doc["sources"]["label"]["colour"] = "red"
    with pytest.raises(TableError, match=r"sources\.label: unknown key\(s\) \['colour'\]"):
        structure(doc, _Example, file=FILE)


# ---------------------------------------------------------------- discovery by kind


def test_every_kind_has_one_declared_shape_and_every_table_loads() -> None:
    # A shape registers when its domain is imported; these are every domain with tables.
    for domain in ("catalog", "interactions", "opioids", "infusions", "tapers", "pathways"):
        importlib.import_module(f"painrx.{domain}")
    kinds = {info.kind for info in rx.tables()}
    assert {kind for kind in kinds if shape_for(kind) is None} == set()
    for kind in kinds:
        shape = shape_for(kind)
        assert shape is not None
        loaded = load_all(shape)
        assert sorted(loaded) == sorted(i.id for i in rx.tables(kind))


def test_a_kind_has_one_shape() -> None:
    with pytest.raises(TableError, match="Two shapes for table kind 'mme_factors'"):
        table_shape("mme_factors")(_Example)


def test_load_finds_tables_by_kind_and_id() -> None:
    table = load(opioid_tables._MMEFile, "CDC_2022")
    oxycodone = next(r for r in table.factor if r.ingredient == "oxycodone")
    assert oxycodone.factor == Fraction(3, 2)  # CDC 2022 table: oxycodone 1.5
    with pytest.raises(InputError, match="Unknown mme_factors table id 'BNF'"):
        load(opioid_tables._MMEFile, "BNF")


# ---------------------------------------------------------------- read_table by id only


@pytest.mark.parametrize("bad", ["../../x.toml", "mme/cdc_2022.toml", "/etc/passwd", "", 3, None])
def test_read_table_takes_only_ids(bad: Any) -> None:
    with pytest.raises(InputError) as caught:
        read_table(bad)
    message = str(caught.value)
    assert "never a path" in message
    assert "painrx.tables()" in message
    assert "CDC_2022" in message


def test_read_table_names_the_kinds_of_a_shared_id() -> None:
    with pytest.raises(
        InputError, match=r"several kinds \(mme_factors, opioid_ratios, taper_guideline\)"
    ):
        read_table("CDC_2022")
    with pytest.raises(InputError, match="Unknown table kind 'mme'; accepted: care_pathway"):
        read_table("CDC_2022", kind="mme")
    assert read_table("CDC_2022", kind="taper_guideline")["provenance"]["kind"] == "taper_guideline"
    assert table_info("BNF").path == "ratios/bnf.toml"


# ---------------------------------------------------------------- read-only views


def test_read_table_hands_out_a_read_only_view() -> None:
    doc = read_table("CDC_2022", kind="mme_factors")
    with pytest.raises(TypeError):
        doc["provenance"]["id"] = "X"
    with pytest.raises(TypeError):
        doc["factor"][0]["factor"] = 0.15
    assert isinstance(doc["factor"], tuple)
    assert rx.mme("oxycodone", "10 mg", frequency="q6h").value == 60.0


def test_an_edited_copy_never_reaches_other_callers() -> None:
    copy = parse_table("mme/cdc_2022.toml")
    copy["factor"][0]["factor"] = 0.015
    assert parse_table("mme/cdc_2022.toml")["factor"][0]["factor"] != 0.015
    assert read_table("CDC_2022", kind="mme_factors")["factor"][0]["factor"] != 0.015


def test_loaded_tables_are_frozen() -> None:
    table = opioid_tables.mme_table("CDC_2022")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        table.entries[0].factor = Fraction(0)  # type: ignore[misc]
    for mapping in (
        infusion_data.profiles(),
        infusion_data.drug_products(),
        taper_data.guideline_ids(),
        taper_data.guideline("tapers/cdc_2022.toml").paces,
        pathway_data.pathway_data().findings,
        pathway_data.pathway_data().nsaid,
    ):
        with pytest.raises(TypeError):
            mapping["x"] = None  # type: ignore[index]


# ---------------------------------------------------------------- checksums


def _clear() -> None:
    for cached in (
        _files.data_files,
        _files.pins,
        _read._index,
        _read._document,
        _read._sources,
        _shape._load,
        opioid_tables.MME_TABLES,
        opioid_tables._lookup,
    ):
        cached.cache_clear()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of painrx/data that the loader reads instead of the shipped one."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    monkeypatch.setattr(_files, "root", lambda: root)
    _clear()
    yield root
    monkeypatch.undo()
    _clear()


def _tamper(root: Path) -> None:
    path = root / "mme" / "cdc_2022.toml"
    text = path.read_text(encoding="utf-8")
    old = 'ingredient = "oxycodone"\nroutes = ["oral"]\nbasis = "mg/day"\nfactor = 1.5\n'
    assert old in text
    path.write_text(text.replace(old, old.replace("1.5", "0.15")), encoding="utf-8")


def test_an_unchanged_copy_loads(data_copy: Path) -> None:
    assert rx.mme("oxycodone", "10 mg", frequency="q6h").value == 60.0
    assert len(rx.tables()) == len(list(data_copy.rglob("*.toml")))


def test_a_tampered_table_fails_closed(data_copy: Path) -> None:
    """Oxycodone 1.5 → 0.15 would give 6 MME/day instead of 60: refused instead."""
    _tamper(data_copy)
    expected = r"data/mme/cdc_2022\.toml: SHA-256 .* differs from the reviewed pin"
    with pytest.raises(TableError, match=expected):
        read_table("CDC_2022", kind="mme_factors")
    with pytest.raises(TableError, match=expected):
        rx.mme("oxycodone", "10 mg", frequency="q6h")
    with pytest.raises(TableError, match=expected):
        rx.tables()


def test_a_reviewed_change_loads_after_repinning(data_copy: Path) -> None:
    _tamper(data_copy)
    write(data_copy)  # what `make checksums` does after review
    _clear()
    entry = opioid_tables.mme_table("CDC_2022").lookup("oxycodone", "oral", None)
    assert entry.factor == Fraction(3, 20)


def test_an_unpinned_table_is_refused(data_copy: Path) -> None:
    shutil.copy(data_copy / "ratios" / "seed.toml", data_copy / "ratios" / "copy.toml")
    with pytest.raises(TableError, match=r"data/ratios/copy\.toml: not pinned"):
        rx.tables()


def test_missing_pins_refuse_every_table(data_copy: Path) -> None:
    (data_copy / "checksums.json").unlink()
    with pytest.raises(TableError, match="painrx refuses unverified tables"):
        rx.tables()


def test_the_data_modules_name_files_that_are_listed() -> None:
    listed = {info.path for info in rx.tables()}
    for path in (
        infusion_data.PROFILES_PATH,
        infusion_data.PRODUCTS_PATH,
        infusion_data.BODY_WEIGHT_PATH,
        taper_data.POST_OPERATIVE_PATH,
        pathway_data.PATH,
    ):
        assert path in listed
    assert table_info(pathway_data.TABLE_ID, kind="care_pathway").path == pathway_data.PATH


def test_import_and_listing_stay_light() -> None:
    """cattrs and pint load with the first table, not with `import painrx` or `rx.tables()`."""
    import subprocess

    code = (
        "import sys, painrx; a = sorted(m for m in ('cattrs', 'pint', 'fractions') "
        "if m in sys.modules); painrx.tables(); "
        "print(a, sorted(m for m in ('cattrs', 'pint') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []"


def test_every_shipped_file_is_pinned_and_verified(data_copy: Path) -> None:
    """JSON indexes and CSVs are pinned like the tables; anything unpinned is refused."""
    index = "catalog/drugs.index.json"
    assert data_file(index) == (data_copy / index).read_bytes()
    (data_copy / index).write_bytes(b"{}")
    with pytest.raises(TableError, match=r"data/catalog/drugs\.index\.json: SHA-256 .* differs"):
        data_file(index)
    with pytest.raises(TableError, match=r"data/\.\./\.\./x\.toml: not pinned"):
        data_file("../../x.toml")
