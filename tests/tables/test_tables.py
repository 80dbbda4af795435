"""Every shipped table loads, cites its source, and is pinned against silent edits."""

from __future__ import annotations

import json
import pickle
import tomllib
from typing import Any

import pytest

import painrx as rx
from painrx.tables import read_table, sources_of
from tests.update_checksums import DATA, PINS, checksums


def test_every_data_file_is_pinned() -> None:
    """A clinical number never changes without a visible, reviewed change of the pins.

    The pins ship inside the package (painrx/data/checksums.json). If this fails after an
    intended data edit, review it and run `make checksums`.
    """
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    assert checksums() == pinned


def test_tables_lists_every_file_with_provenance() -> None:
    infos = rx.tables()
    assert len(infos) == len(list(DATA.rglob("*.toml")))
    for info in infos:
        assert info.source.id == info.id
        assert info.source.title.strip()
        assert info.source.citation.strip()
        assert 1950 < info.source.year <= 2026
        assert info.to_dict()["source"]["id"] == info.id
    keys = [(i.kind, i.id) for i in infos]
    assert len(keys) == len(set(keys)), "a table id is used twice within one kind"


def test_tables_by_kind() -> None:
    kinds = {i.kind for i in rx.tables()}
    for kind in kinds:
        assert all(i.kind == kind for i in rx.tables(kind))
    assert rx.tables("no-such-kind") == ()


def _entries(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for key, value in doc.items():
        if key in {"provenance", "sources"}:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            found.extend((f"{key}[{i}]", v) for i, v in enumerate(value))
    return found


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.toml"))
)
def test_every_top_level_entry_cites_a_declared_source(path: str) -> None:
    doc = tomllib.loads((DATA / path).read_text(encoding="utf-8"))
    declared = sources_of(path)
    for where, entry in _entries(doc):
        key = entry.get("source")
        assert isinstance(key, str), f"{path} {where}: cites no source"
        assert key in declared, f"{path} {where}: source {key!r} is not declared"
        assert declared[key].citation.strip()


def test_provenance_round_trips() -> None:
    source = rx.tables()[0].source
    assert pickle.loads(pickle.dumps(source)) == source
    assert source.to_dict()["id"] == source.id
    assert source.id in source._repr_html_()


def test_show_versions_lists_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    rx.show_versions()
    out = capsys.readouterr().out
    assert out.startswith(f"painrx: {rx.__version__}\n")
    for line in ("python: ", "pint: ", "attrs: "):
        assert line in out
    for info in rx.tables():
        assert f"table {info.kind}/{info.id}: " in out


def test_listing_reads_the_same_provenance_as_a_full_parse() -> None:
    from painrx.tables._read import _provenance_doc

    for info in rx.tables():
        full = read_table(info.id, kind=info.kind)["provenance"]
        assert dict(_provenance_doc(info.path)["provenance"]) == dict(full)
