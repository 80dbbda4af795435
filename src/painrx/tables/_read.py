"""Loading, validating and listing the cited data tables. (public face: ``painrx.tables``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, cast

import attrs

from painrx.errors import TableError
from painrx.provenance import Provenance

__all__ = [
    "Provenance",
    "TableError",
    "TableInfo",
    "check_keys",
    "entry_source",
    "read_table",
    "sources_of",
    "tables",
]

_PROVENANCE_REQUIRED = frozenset({"id", "kind", "title", "year", "citation"})
_PROVENANCE_OPTIONAL = frozenset({"url", "edition", "retrieved", "licence", "notes"})
_SOURCE_REQUIRED = frozenset({"title", "year", "citation"})
_SOURCE_OPTIONAL = frozenset({"url", "edition", "notes"})


@attrs.frozen
class TableInfo:
    """One table edition shipped with painrx, as listed by :func:`tables`.

    Attributes:
        id: Table id, e.g. ``"CDC_2022"``.
        kind: What the table holds, e.g. ``"mme_factors"`` or ``"interaction_rules"``.
        path: The data file, relative to ``painrx/data``.
        source: The table's provenance.
    """

    id: str
    kind: str
    path: str
    source: Provenance

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"id": self.id, "kind": self.kind, "path": self.path} | {
            "source": self.source.to_dict()
        }


def check_keys(
    mapping: Mapping[str, Any],
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    where: str,
) -> None:
    """Refuse a data mapping with a missing or unknown key.

    Raises:
        TableError: Naming the file location, the key and the accepted keys.
    """
    required = frozenset(required)
    allowed = required | frozenset(optional)
    missing = sorted(required - mapping.keys())
    unknown = sorted(mapping.keys() - allowed)
    if missing:
        msg = f"{where}: missing key(s) {missing}."
        raise TableError(msg)
    if unknown:
        msg = f"{where}: unknown key(s) {unknown}; accepted: {sorted(allowed)}."
        raise TableError(msg)


def _data_files() -> list[str]:
    root = resources.files("painrx") / "data"
    found: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".toml"):
                found.append(f"{prefix}{child.name}")

    walk(root, "")
    return found


@cache
def read_table(path: str) -> Mapping[str, Any]:
    """Load one data file (``"mme/cdc_2022.toml"``) and validate its provenance block.

    The result is cached: every caller shares one parsed table.

    Raises:
        TableError: The file is missing, not valid TOML, or its provenance is incomplete.
    """
    try:
        doc = tomllib.loads(_data_text(path))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"data/{path}: cannot be read ({exc})."
        raise TableError(msg) from None
    block = doc.get("provenance")
    if not isinstance(block, dict):
        msg = f"data/{path}: no [provenance] block."
        raise TableError(msg)
    check_keys(
        block,
        required=_PROVENANCE_REQUIRED,
        optional=_PROVENANCE_OPTIONAL,
        where=f"data/{path} [provenance]",
    )
    for key in ("id", "title", "citation"):
        if not str(block[key]).strip():
            msg = f"data/{path} [provenance]: {key!r} is empty."
            raise TableError(msg)
    return doc


def _provenance(block: Mapping[str, Any], pid: str) -> Provenance:
    return Provenance(
        id=pid,
        title=str(block["title"]),
        year=int(block["year"]),
        citation=str(block["citation"]),
        url=str(block.get("url", "")),
        edition=str(block.get("edition", "")),
    )


@cache
def sources_of(path: str) -> Mapping[str, Provenance]:
    """Return the sources a data file declares, by key.

    The key ``"provenance"`` is the file's own provenance; each ``[sources.KEY]``
    table adds another citable source (its id is ``"<table id>/KEY"``).
    """
    doc = read_table(path)
    main = doc["provenance"]
    found: dict[str, Provenance] = {"provenance": _provenance(main, str(main["id"]))}
    for key, block in doc.get("sources", {}).items():
        where = f"data/{path} [sources.{key}]"
        if not isinstance(block, dict):
            msg = f"{where}: must be a table."
            raise TableError(msg)
        check_keys(block, required=_SOURCE_REQUIRED, optional=_SOURCE_OPTIONAL, where=where)
        found[key] = _provenance(block, f"{main['id']}/{key}")
    return found


def entry_source(entry: Mapping[str, Any], path: str, where: str) -> Provenance:
    """Return the source an entry cites through its ``source`` key.

    Raises:
        TableError: The entry cites nothing, or a source the file does not declare.
    """
    key = entry.get("source")
    known = sources_of(path)
    if not isinstance(key, str) or key not in known:
        msg = f"data/{path} {where}: 'source' must be one of {sorted(known)}, got {key!r}."
        raise TableError(msg)
    return known[key]


def _data_text(path: str) -> str:
    node = resources.files("painrx") / "data"
    for part in path.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


_HEADER = re.compile(r"^\s*\[", re.MULTILINE)


def _provenance_block(path: str) -> Mapping[str, Any]:
    """Return a file's ``[provenance]`` block without parsing the whole file.

    Listing tables must not parse every large table (the CLI's time to first result
    depends on it). The block is the text from its header to the next table header;
    anything unexpected falls back to the full, validated :func:`read_table`.
    """
    text = _data_text(path)
    start = text.find("[provenance]")
    if start >= 0:
        body_start = start + len("[provenance]")
        following = _HEADER.search(text, body_start)
        block_text = text[start : following.start() if following else len(text)]
        try:
            block = tomllib.loads(block_text).get("provenance")
            if isinstance(block, dict):
                check_keys(
                    block,
                    required=_PROVENANCE_REQUIRED,
                    optional=_PROVENANCE_OPTIONAL,
                    where=f"data/{path} [provenance]",
                )
                return block
        except (tomllib.TOMLDecodeError, TableError):
            pass
    return cast("Mapping[str, Any]", read_table(path)["provenance"])


@cache
def _all_tables() -> tuple[TableInfo, ...]:
    infos = []
    for path in _data_files():
        block = _provenance_block(path)
        infos.append(
            TableInfo(
                id=str(block["id"]),
                kind=str(block["kind"]),
                path=path,
                source=_provenance(block, str(block["id"])),
            )
        )
    return tuple(infos)


def tables(kind: str | None = None) -> tuple[TableInfo, ...]:
    """List every clinical table painrx ships, optionally of one ``kind``."""
    infos = _all_tables()
    if kind is None:
        return infos
    return tuple(i for i in infos if i.kind == kind)
