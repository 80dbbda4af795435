"""Listing the cited data tables and reading one by id. (public face: ``painrx.tables``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from painrx.errors import InputError, TableError
from painrx.provenance import Provenance
from painrx.tables import _files
from painrx.tables._header import TableInfo, table_header

__all__ = [
    "Provenance",
    "TableError",
    "TableInfo",
    "parse_table",
    "read_table",
    "sources_of",
    "table_info",
    "tables",
]


_HEADER = re.compile(r"^\s*\[", re.MULTILINE)


def _provenance_doc(path: str) -> Mapping[str, Any]:
    """Return a file's ``[provenance]`` block (as ``{"provenance": ...}``) without parsing the rest.

    Listing tables must not parse every large table (the CLI's time to first result
    depends on it). The block is the text from its header to the next table header;
    anything unexpected falls back to parsing the whole file.
    """
    text = _files.data_text(path)
    start = text.find("[provenance]")
    if start >= 0:
        following = _HEADER.search(text, start + len("[provenance]"))
        try:
            doc = tomllib.loads(text[start : following.start() if following else len(text)])
            if isinstance(doc.get("provenance"), dict):
                return doc
        except tomllib.TOMLDecodeError:
            pass
    return {"provenance": _document(path).get("provenance")}


@cache
def _document(path: str) -> Mapping[str, Any]:
    try:
        return _files.freeze(tomllib.loads(_files.data_text(path)))  # type: ignore[no-any-return]
    except tomllib.TOMLDecodeError as exc:
        msg = f"data/{path}: not valid TOML ({exc})."
        raise TableError(msg) from None


@cache
def _index() -> tuple[TableInfo, ...]:
    found = [
        table_header(_provenance_doc(path)["provenance"], path) for path in _files.data_files()
    ]
    keys = [(info.kind, info.id) for info in found]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        msg = f"Several data files declare the same kind and id: {twice}."
        raise TableError(msg)
    return tuple(found)


def tables(kind: str | None = None) -> tuple[TableInfo, ...]:
    """List every clinical table painrx ships, optionally of one ``kind``.

    Raises:
        TableError: A data file fails its checksum or has a malformed provenance block.
    """
    if not isinstance(cast("object", kind), str | None):
        msg = f"kind={kind!r:.100} must be a table kind such as 'mme_factors', or None for all."
        raise InputError(msg)
    return tuple(info for info in _index() if kind is None or info.kind == kind)


def _how_to_list() -> str:
    return "list the ids with painrx.tables() or `painrx tables`"


def table_info(table_id: object, *, kind: str | None = None) -> TableInfo:
    """Return the listing of one table by its id (and kind, when ids repeat across kinds).

    Raises:
        InputError: ``table_id`` is not a table id (a path is never one), the kind is
            unknown, or the id names tables of several kinds and no ``kind`` was given.
    """
    infos = tables()
    if kind is not None and kind not in {i.kind for i in infos}:
        kinds = sorted({i.kind for i in infos})
        msg = f"Unknown table kind {kind!r}; accepted: {', '.join(kinds)}."
        raise InputError(msg)
    found = [i for i in infos if i.id == table_id and (kind is None or i.kind == kind)]
    if not found:
        shown = repr(table_id)[:100]
        ids = sorted({i.id for i in infos if kind is None or i.kind == kind})
        what = f"{kind} table" if kind else "table"
        msg = (
            f"Unknown {what} id {shown}: read_table takes a table id, never a path; "
            f"{_how_to_list()} (ids: {', '.join(ids)})."
        )
        raise InputError(msg)
    if len(found) > 1:
        shared = ", ".join(sorted(i.kind for i in found))
        msg = f"Table id {table_id!r} names tables of several kinds ({shared}); give kind=."
        raise InputError(msg)
    return found[0]


def read_table(table_id: str, *, kind: str | None = None) -> Mapping[str, Any]:
    """Return one shipped table by id: the whole document, verified and read-only.

    The document is checked against its shipped checksum and cached; the view is
    read-only all the way down (mappings are proxies, arrays tuples), so no caller can
    change what later callers read.

    Args:
        table_id: A table id as listed by :func:`tables`, e.g. ``"BNF"``. Never a path.
        kind: The table's kind, needed when an id is used by several kinds
            (``"CDC_2022"`` is an MME, a ratio and a taper table).

    Raises:
        InputError: ``table_id`` is not the id of a shipped table.
        TableError: The file fails its checksum or is not valid TOML.
    """
    return _document(table_info(table_id, kind=kind).path)


def parse_table(table: str) -> dict[str, Any]:
    """Return a fresh, verified parse of one table that the caller may change.

    For data modules not yet declared as shapes, and for tests that edit a copy of a
    table to see it refused; every call parses the file again, so no caller's edits
    reach another. Everything else reads :func:`read_table` or a declared shape.

    Args:
        table: A table id, or the data path :func:`tables` lists for it; nothing
            outside that list.

    Raises:
        InputError: ``table`` is neither.
        TableError: The file fails its checksum or is not valid TOML.
    """
    path = _path_of(table)
    try:
        return tomllib.loads(_files.data_text(path))
    except tomllib.TOMLDecodeError as exc:
        msg = f"data/{path}: not valid TOML ({exc})."
        raise TableError(msg) from None


def _path_of(table: str) -> str:
    """Resolve a table id, or a data path listed by :func:`tables`, to its data path."""
    for info in tables():
        if table == info.path:
            return info.path
    return table_info(table).path


def sources_of(table: str) -> Mapping[str, Provenance]:
    """Return the sources a table declares, by key.

    The key ``"provenance"`` is the table's own provenance; each ``[sources.KEY]``
    block adds another citable source (its id is ``"<table id>/KEY"``).

    Args:
        table: A table id, or the data path :func:`tables` lists for it
            (``"infusions/profiles.toml"``); nothing outside that list.

    Raises:
        InputError: ``table`` is neither.
    """
    return _sources(_path_of(table))


@cache
def _sources(path: str) -> Mapping[str, Provenance]:
    from painrx.tables._structure import header

    return header(_document(path), path)[1]
