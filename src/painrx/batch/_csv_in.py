"""Reading a prescription CSV file for ``painrx validate``: every line becomes a row.

pyarrow's streaming reader parses the file in blocks, every column as bytes (so an
NDC keeps its leading zeros and a bad number becomes that row's error, not a failed
read). Nothing is dropped:

* a line with too many or too few fields, or an unbalanced quote that swallows the
  lines after it, is handed back as a *bad line* with its line number (pyarrow
  reports line numbers when it parses in one thread; a second thread still overlaps
  parsing with the arithmetic, see :func:`prefetch`);
* bytes that are not valid in the file's encoding are read as U+FFFD and mark their
  row (see :class:`_Decoded`: a valid UTF-8 file passes through unchanged);
* a UTF-8 byte-order mark is skipped, a UTF-16 one selects UTF-16.

Only a header that cannot be read refuses the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import queue
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

import attrs

__all__ = [
    "MAX_BLOCK_SIZE",
    "MIN_BLOCK_SIZE",
    "BadLine",
    "Block",
    "CSVError",
    "Source",
    "blocks",
    "open_source",
    "prefetch",
]

#: Smallest and largest read block accepted (bytes): a block must hold a whole line,
#: and memory per block is a small multiple of it.
MIN_BLOCK_SIZE: Final = 1 << 10
MAX_BLOCK_SIZE: Final = 1 << 30
# Characters of a bad line quoted in its error text.
_QUOTED: Final = 60
_REPLACEMENT: Final = "\ufffd"
# Bytes read from the file at a time.
_CHUNK: Final = 1 << 20
# Undecodable bytes, as the "surrogateescape" error handler writes them.
_ESCAPED: Final = re.compile("[\udc80-\udcff]")


class CSVError(Exception):
    """The file cannot be validated at all (missing, empty, no required column)."""


@attrs.frozen
class Source:
    """A CSV file opened for reading.

    Attributes:
        path: The file.
        encoding: The codec name the file is read with.
        header: The header fields.
        size: File size in bytes.
    """

    path: Path
    encoding: str
    header: tuple[str, ...]
    size: int


@attrs.frozen
class BadLine:
    """A line that is no row of the table.

    Attributes:
        line: Its line number in the file (1 is the header).
        fields: The fields it was split into, as far as they could be.
        problem: What is wrong with it (without the line).
        error: The error text for its row.
    """

    line: int
    fields: tuple[str, ...]
    problem: str
    error: str


@attrs.frozen
class Block:
    """One parsed block: its rows (Arrow record batch, text columns) and its bad lines.

    Attributes:
        rows: The well-formed rows (None: none left).
        bad: The bad lines met while parsing this block, in line order.
        first_line: The line number of the block's first line, when every earlier
            row took one line.
        position: Bytes of the file read when the block was parsed.
        problems: Rows with undecodable bytes, and what is wrong.
    """

    rows: Any
    bad: tuple[BadLine, ...]
    first_line: int
    position: int
    problems: dict[int, str] = attrs.field(factory=dict)


def _detect(path: Path, encoding: str | None) -> str:
    """Return the codec to read ``path`` with: ``encoding``, else by byte-order mark, else UTF-8."""
    if encoding is not None:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            msg = f"unknown encoding {encoding[:100]!r}; e.g. utf-8, utf-16, cp1252, latin-1"
            raise CSVError(msg) from None
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError as exc:
        msg = f"cannot read {str(path)!r}: {exc.strerror or exc}"
        raise CSVError(msg) from None
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def open_source(path: str | Path, encoding: str | None = None) -> Source:
    """Check ``path`` and read its header.

    Raises:
        CSVError: The file is missing, a directory, empty, or its header cannot be
            decoded in the encoding.
    """
    source = Path(path)
    if source.is_dir():
        msg = f"{str(source)!r} is a directory, not a CSV file"
        raise CSVError(msg)
    codec = _detect(source, encoding)
    # The BOM is no part of the first column's name.
    text_codec = "utf-8-sig" if codec == "utf-8" else codec
    try:
        # Bytes after the header are the rows' business: they are decoded leniently
        # here (the text reader decodes ahead) and the header alone is checked.
        with source.open(newline="", encoding=text_codec, errors="surrogateescape") as handle:
            row = next(csv.reader(handle), None)
        size = source.stat().st_size
    except OSError as exc:
        msg = f"cannot read {str(source)!r}: {exc.strerror or exc}"
        raise CSVError(msg) from None
    except UnicodeError:
        row = ["\udcff"]
    except csv.Error as exc:
        msg = f"the header of {str(source)!r} cannot be read: {exc}"
        raise CSVError(msg) from None
    if row and any(_ESCAPED.search(field) for field in row):
        msg = (
            f"the header of {str(source)!r} is not {codec} text "
            "(give the file's encoding with --encoding)"
        )
        raise CSVError(msg)
    if not row:
        msg = f"{str(source)!r} is empty: expected a header line"
        raise CSVError(msg)
    return Source(source, codec, tuple(row), size)


class _Decoded(io.RawIOBase):
    """A file as a UTF-8 byte stream that is always valid (undecodable bytes: U+FFFD).

    A UTF-8 file passes through unchanged while it is valid (one C-speed check per
    chunk); a chunk with a bad byte, and any file in another encoding, is decoded
    by Python's codec with U+FFFD for each undecodable byte. pyarrow never sees an
    invalid byte (it cannot report a malformed line holding one), and ``replaced``
    tells whether any row may carry a U+FFFD of painrx's making.
    """

    def __init__(self, raw: IO[bytes], encoding: str) -> None:
        self._raw = raw
        self._utf8 = encoding in {"utf-8", "utf-8-sig"}
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._carry = b""
        self._pending = memoryview(b"")
        self._offset = 0
        self._done = False
        self.consumed = 0
        self.replaced = False

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        chunk = self._raw.read(_CHUNK)
        self.consumed += len(chunk)
        self._done = not chunk
        if not self._utf8:
            text = self._decoder.decode(chunk, final=self._done)
            self.replaced = self.replaced or _REPLACEMENT in text
            return text.encode("utf-8")
        data, self._carry = _complete(self._carry + chunk, final=self._done)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            self.replaced = True
            return data.decode("utf-8", "replace").encode("utf-8")
        return data

    def readinto(self, buffer: Any) -> int:
        # Filled as far as the file goes: pyarrow makes a block of each read.
        filled = 0
        while filled < len(buffer):
            while self._offset >= len(self._pending) and not self._done:
                self._pending, self._offset = memoryview(self._next()), 0
            size = min(len(buffer) - filled, len(self._pending) - self._offset)
            if not size:
                break
            buffer[filled : filled + size] = self._pending[self._offset : self._offset + size]
            self._offset += size
            filled += size
        return filled


def _complete(data: bytes, *, final: bool) -> tuple[bytes, bytes]:
    """Split UTF-8 bytes before a multi-byte sequence cut at the end (kept for the next chunk)."""
    if final:
        return data, b""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back
            continue
        if byte >= 0xC0:  # a lead byte: is its sequence complete?
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if length > back:
                return data[:-back], data[-back:]
        break
    return data, b""


def _split(text: str) -> tuple[str, ...]:
    """Split one raw line into fields, as far as it goes (an open quote runs to the end)."""
    try:
        return tuple(next(csv.reader([text]), []))
    except csv.Error:
        return tuple(text.split(","))


def _shown(text: str) -> str:
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED] + "…")


def _bad_lines(row: Any) -> list[BadLine]:
    """Return the bad lines of an invalid row (an open quote may have swallowed several)."""
    first, *rest = str(row.text).split("\n")
    number = int(row.number)
    if rest or first.count('"') % 2:
        problem = "an unbalanced quote"
    else:
        problem = f"{row.actual_columns} field(s), expected {row.expected_columns}"
    lines = [
        BadLine(
            number, _split(first), problem, f"CSVError: line {number}: {problem}: {_shown(first)}"
        )
    ]
    # Each line an open quote ran over is a row of its own, flagged rather than lost.
    follows = f"after an unbalanced quote on line {number}"
    lines += [
        BadLine(number + i, _split(text), follows, f"CSVError: line {number + i}: {follows}")
        for i, text in enumerate(rest, start=1)
    ]
    return lines


def blocks(source: Source, block_size: int) -> Iterator[Block]:
    """Parse ``source`` block by block (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad: list[BadLine] = []

    def keep(row: Any) -> str:
        bad.extend(_bad_lines(row))
        return "skip"

    with source.path.open("rb") as raw:
        stream = _Decoded(raw, source.encoding)
        reader = pacsv.open_csv(
            stream,
            # One parsing thread: pyarrow then reports line numbers, and in order.
            read_options=pacsv.ReadOptions(block_size=block_size, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=keep),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(source.header, pa.string()),
                strings_can_be_null=False,
                # The stream is valid UTF-8 by construction.
                check_utf8=False,
            ),
        )
        line = 2
        while True:
            try:
                rows = reader.read_next_batch()
            except StopIteration:
                rows = None
            except pa.ArrowInvalid as exc:
                # Parsing gave up (a quote left open to the end of the file, say):
                # the rest of the file is one bad line from where it stood.
                problem = f"unreadable from here on: {' '.join(str(exc).split())[:200]}"
                bad.append(BadLine(line, (), problem, f"CSVError: line {line}: {problem}"))
                rows = None
            found, bad[:] = tuple(sorted(bad, key=lambda b: b.line)), []
            if rows is None:
                if found:
                    yield Block(None, found, line, source.size)
                return
            problems = _replaced(rows, source.encoding) if stream.replaced else {}
            yield Block(rows, found, line, stream.consumed, problems)
            line += rows.num_rows + len(found)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Produce ``items`` in a thread, ``depth`` ahead of the consumer.

    Parsing the next block (pyarrow releases the GIL) overlaps with computing the
    current one, on a second core. Memory stays bounded by ``depth`` blocks.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(done)
        except BaseException as error:  # noqa: BLE001 -- handed to the consumer, re-raised there
            ready.put(_Failed(error))

    worker = threading.Thread(target=produce, name="painrx-csv-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is done:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                continue
        worker.join()


def _replaced(rows: Any, encoding: str) -> dict[int, str]:
    """Return the rows holding U+FFFD (an undecodable byte, once any was met), by column."""
    import pyarrow.compute as pc

    problems: dict[int, str] = {}
    for name, column in zip(rows.schema.names, rows.columns, strict=True):
        marked = pc.match_substring(column, _REPLACEMENT)
        if pc.any(marked).as_py():
            for row in pc.indices_nonzero(marked).to_pylist():
                problems.setdefault(row, f"bytes that are not {encoding} in column {name!r}")
    return problems
