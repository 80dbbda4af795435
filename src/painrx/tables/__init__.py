"""Cited clinical tables: loading, validation and the list of every edition.

Each clinical table is one TOML file under ``painrx/data/`` with a
``[provenance]`` block. Domain modules read their files through
:func:`read_table` and validate them with :func:`check_keys` and
:func:`entry_source`, so a table with an unknown key, a missing citation or an
entry that cites nothing fails loudly the first time it is used (and in the
test suite, which loads every table).
"""

from painrx._public import publish
from painrx.tables._read import (
    Provenance,
    TableError,
    TableInfo,
    check_keys,
    entry_source,
    read_table,
    sources_of,
    tables,
)

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

publish(__name__, globals(), __all__)
