"""Cited clinical tables: discovery by kind, one declared loader, verified checksums.

Each clinical table is one TOML file under ``painrx/data`` with a ``[provenance]``
block whose ``kind`` says what it holds. :func:`tables` lists them all; a domain
declares the shape of its kind once, as frozen attrs classes registered with
:func:`table_shape`, and reads a table with :func:`load` (by shape and id), which
verifies the file against the checksum shipped in ``painrx/data/checksums.json``,
structures it with cattrs and caches the frozen result. Every malformed value is one
:class:`TableError` naming the file, the path inside it and the expected shape::

    data/mme/cdc_2016.toml: factor[3].factor: expected a number, got '4'

:func:`read_table` returns a whole document by table id (never a path), read-only;
:func:`data_file` returns the verified bytes of any pinned data file (a JSON index, a CSV).
See ``docs/tables.md`` ("Declaring a table") for how a data module adopts the loader.
"""

from painrx._public import publish
from painrx.tables._files import data_file
from painrx.tables._read import (
    Provenance,
    TableError,
    TableInfo,
    parse_table,
    read_table,
    sources_of,
    table_info,
    tables,
)
from painrx.tables._shape import (
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
    load,
    load_all,
    shape_for,
    structure,
    table_error,
    table_ids,
    table_part,
    table_shape,
)

__all__ = [
    "Form",
    "Frequency",
    "NonEmpty",
    "NonNegative",
    "OfKind",
    "OneOf",
    "Positive",
    "Provenance",
    "Range",
    "Route",
    "ShapeError",
    "TableError",
    "TableInfo",
    "data_file",
    "load",
    "load_all",
    "parse_table",
    "read_table",
    "shape_for",
    "sources_of",
    "structure",
    "table_error",
    "table_ids",
    "table_info",
    "table_part",
    "table_shape",
    "tables",
]

publish(__name__, globals(), __all__)
