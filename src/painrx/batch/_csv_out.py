"""Writing ``painrx validate``'s output CSV: safe cells, and a target that is never clobbered.

* Spreadsheet formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is read as a formula by spreadsheet programs. As the
  OWASP "CSV Injection" page advises, such cells in the columns passed through
  from the input (and such header names) are written with a leading ``'``, which
  the spreadsheet shows as text. A plain number (``-5``, ``+2.5``) is no formula and
  is written as it is.
* The target: ``-`` is standard output. A regular file (or a new one) is written
  as ``NAME.partial`` and renamed over it when complete, so a failure never leaves
  half a file. Anything else that exists (a symlink, a device such as
  ``/dev/null``, a named pipe) is written through, never replaced: a symlink keeps
  pointing where it did. A directory, or a file in a directory that does not
  exist, is refused.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import IO, Any, Final

from painrx.batch._csv_in import CSVError

__all__ = ["Target", "neutralise", "neutralise_name", "open_target"]

_FORMULA: Final = r"^[=+\-@\t\r]"
_PLAIN_NUMBER: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_FORMULA_CHARS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise(column: Any) -> Any:
    """Return an Arrow text column with formula-like cells prefixed by ``'``."""
    import pyarrow.compute as pc

    risky = pc.and_(
        pc.match_substring_regex(column, _FORMULA),
        pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)),
    )
    if not pc.any(risky).as_py():
        return column
    return pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)


def neutralise_name(name: str) -> str:
    """Return a header name, prefixed by ``'`` when a spreadsheet would read a formula."""
    import re

    if name.startswith(_FORMULA_CHARS) and not re.match(_PLAIN_NUMBER, name):
        return "'" + name
    return name


class Target:
    """Where the output goes: a byte stream to write, then :meth:`commit` or :meth:`abort`."""

    def __init__(self, stream: IO[bytes], final: Path | None, partial: Path | None) -> None:
        """Write to ``stream``; on commit, rename ``partial`` to ``final`` (when given).

        ``final`` None means standard output, which is flushed but never closed.
        """
        self.stream = stream
        self._final = final
        self._partial = partial

    @property
    def name(self) -> str:
        """The output's name for the summary."""
        return "-" if self._final is None else str(self._final)

    def commit(self) -> None:
        """Finish the output (rename a partial file over the target)."""
        if self._final is None:
            self.stream.flush()
        else:
            self.stream.close()
        if self._partial is not None and self._final is not None:
            self._partial.replace(self._final)

    def abort(self) -> None:
        """Drop a partial file (an output written through is left as it is)."""
        if self._final is not None:
            self.stream.close()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)


def open_target(out: str | os.PathLike[str], source: Path) -> Target:
    """Open the output ``out`` (see the module docstring).

    Raises:
        CSVError: ``out`` is the input file, a directory, or in a missing directory.
    """
    if str(out) == "-":
        return Target(sys.stdout.buffer, None, None)
    target = Path(out)
    if target.exists() and target.resolve() == source.resolve():
        msg = "the output file must not be the input file"
        raise CSVError(msg)
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        msg = f"cannot write {str(target)!r}: {exc.strerror or exc}"
        raise CSVError(msg) from None
    if target.is_dir():
        msg = f"cannot write {str(target)!r}: it is a directory"
        raise CSVError(msg)
    try:
        if mode is not None and not stat.S_ISREG(mode):
            # A symlink, a device, a pipe: write through it, never replace it.
            return Target(target.open("wb"), target, None)
        partial = target.with_name(target.name + ".partial")
        return Target(partial.open("wb"), target, partial)
    except OSError as exc:
        reason = "no such directory" if not target.parent.is_dir() else (exc.strerror or str(exc))
        msg = f"cannot write {str(target)!r}: {reason}"
        raise CSVError(msg) from None
