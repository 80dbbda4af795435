"""``painrx validate FILE.csv``: MME/day for every row of a CSV file, in bounded memory.

The file is read in blocks by pyarrow's streaming CSV reader, every column as text
(so an NDC keeps its leading zeros and a bad number becomes that row's error, not a
failed read). Each block goes through the same vectorised formula as
:func:`painrx.batch.mme_prescriptions` and, with ``out``, is written straight back
out with the added columns. The summary keeps only counters and a histogram, so
memory does not grow with the file: a 10 GB file streams like a 10 MB one.
"""

from __future__ import annotations

import csv
import math
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch import ADDED_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from painrx.batch import _core as _batch_core
from painrx.vocabulary import MAX_DAILY_MME

__all__ = ["CSVError", "MMEDistribution", "ProgressBar", "Summary", "validate_csv"]

#: Default read block: about 80,000 prescription rows, a few MB of memory per block.
BLOCK_SIZE: Final = 4 << 20
# The MME/day histogram resolution (percentiles are exact to this step).
_STEP: Final = 0.1
_BINS: Final = round(MAX_DAILY_MME / _STEP) + 1
_PERCENTILES: Final = (("p25", 0.25), ("median", 0.50), ("p75", 0.75), ("p90", 0.90), ("p99", 0.99))
_TOP_ERRORS: Final = 5
_MALFORMED_EXAMPLES: Final = 5

Progress = Callable[[int, int, int], None]


class CSVError(Exception):
    """The file cannot be validated at all (missing, empty, no required column)."""


def _normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            row = next(csv.reader(handle), None)
    except OSError as exc:
        msg = f"cannot read {str(path)!r}: {exc.strerror or exc}"
        raise CSVError(msg) from None
    except UnicodeDecodeError:
        msg = f"{str(path)!r} is not UTF-8 text"
        raise CSVError(msg) from None
    if not row:
        msg = f"{str(path)!r} is empty: expected a header line"
        raise CSVError(msg)
    return row


def _columns_of(header: list[str], path: Path) -> dict[str, str]:
    """Map each known column (normalised name) to its header spelling."""
    found: dict[str, str] = {}
    for name in header:
        key = _normalise(name)
        if key in found:
            msg = f"{str(path)!r} has two columns named {key!r} ({found[key]!r}, {name!r})"
            raise CSVError(msg)
        found[key] = name
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        msg = (
            f"{str(path)!r} has no column(s) {', '.join(missing)}; required: "
            f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)}); "
            f"found: {', '.join(header)}"
        )
        raise CSVError(msg)
    return {c: found[c] for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in found}


@attrs.frozen
class MMEDistribution:
    """MME/day over the rows that have one (percentiles to the nearest 0.1 MME/day).

    Attributes:
        count: Rows with an MME/day.
        mean: Mean MME/day (exact).
        min: Smallest (exact).
        p25: 25th percentile.
        median: Median.
        p75: 75th percentile.
        p90: 90th percentile.
        p99: 99th percentile.
        max: Largest (exact).
    """

    count: int
    mean: float | None
    min: float | None
    p25: float | None
    median: float | None
    p75: float | None
    p90: float | None
    p99: float | None
    max: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return attrs.asdict(self)


@attrs.frozen
class Summary:
    """What ``painrx validate`` found in one file.

    Attributes:
        path: The file validated.
        table: MME table id.
        thresholds: Threshold policy id (None: no threshold counts).
        rows: Data rows read.
        rows_with_errors: Rows with an error (no MME/day).
        errors_by_kind: ``(error class, rows)``, most frequent first.
        top_errors: ``(error text, rows)`` of the most frequent errors.
        malformed_lines: Lines with the wrong number of fields (not rows; not written).
        malformed_examples: Line numbers of the first malformed lines, when known.
        mme: The MME/day distribution.
        at_or_above: ``(MME/day, alert code, rows)`` for each threshold of the policy.
        output: The file written, or None.
    """

    path: str
    table: str
    thresholds: str | None
    rows: int
    rows_with_errors: int
    errors_by_kind: tuple[tuple[str, int], ...]
    top_errors: tuple[tuple[str, int], ...]
    malformed_lines: int
    malformed_examples: tuple[int, ...]
    mme: MMEDistribution
    at_or_above: tuple[tuple[float, str, int], ...]
    output: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "path": self.path,
            "table": self.table,
            "thresholds": self.thresholds,
            "rows": self.rows,
            "rows_with_mme": self.mme.count,
            "rows_with_errors": self.rows_with_errors,
            "errors_by_kind": dict(self.errors_by_kind),
            "top_errors": [{"error": e, "rows": n} for e, n in self.top_errors],
            "malformed_lines": self.malformed_lines,
            "malformed_examples": list(self.malformed_examples),
            "mme_per_day": self.mme.to_dict(),
            "at_or_above": [
                {"mme_per_day": b, "alert": code, "rows": n} for b, code, n in self.at_or_above
            ],
            "output": self.output,
        }

    def to_text(self) -> str:
        """Return the summary as a short report."""
        m = self.mme
        head = f"{self.path}: {self.rows:,} rows, {m.count:,} with MME/day, "
        lines = [f"{head}{self.rows_with_errors:,} with errors (table {self.table})"]
        if m.count:
            parts = [f"mean {_fmt(m.mean)}", f"min {_fmt(m.min)}"]
            parts += [f"{label} {_fmt(getattr(m, label))}" for label, _ in _PERCENTILES]
            parts.append(f"max {_fmt(m.max)}")
            lines.append("MME/day: " + ", ".join(parts))
            for bound, code, count in self.at_or_above:
                share = 100 * count / m.count
                lines.append(
                    f"  ≥ {_fmt(bound)} MME/day ({code}): {_rows(count)} ({share:.1f}% of rows "
                    "with MME/day)"
                )
        if self.errors_by_kind:
            lines.append("errors by kind:")
            width = max(len(kind) for kind, _ in self.errors_by_kind)
            lines += [f"  {kind:<{width}}  {n:>10,}" for kind, n in self.errors_by_kind]
            lines.append("most frequent errors:")
            lines += [f"  {n:>10,}  {text}" for text, n in self.top_errors]
        if self.malformed_lines:
            where = ", ".join(str(n) for n in self.malformed_examples)
            lines.append(
                f"{self.malformed_lines:,} malformed line(s) with the wrong number of fields "
                f"were skipped{f' (lines {where}…)' if where else ''}"
            )
        if self.output:
            lines.append(f"written: {self.output}")
        return "\n".join(lines)


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}".removesuffix(".0")


class _Tally:
    """Running counters over the blocks (constant memory)."""

    def __init__(self, thresholds: list[tuple[float, str]]) -> None:
        self.thresholds = thresholds
        self.rows = 0
        self.errors: Counter[str] = Counter()
        self.histogram = np.zeros(_BINS, dtype=np.int64)
        self.count = 0
        self.total = 0.0
        self.low = math.inf
        self.high = -math.inf
        self.at_or_above = [0] * len(thresholds)
        self.malformed = 0
        self.malformed_at: list[int] = []

    def add(self, result: _batch_core.Computed) -> None:
        self.rows += len(result.mme)
        used = result.error_codes[result.error_codes >= 0]
        if len(used):
            for code, n in enumerate(np.bincount(used).tolist()):
                if n:
                    self.errors[result.error_labels[code]] += n
        values = result.mme[~np.isnan(result.mme)]
        if not len(values):
            return
        self.count += len(values)
        self.total += float(values.sum())
        self.low = min(self.low, float(values.min()))
        self.high = max(self.high, float(values.max()))
        bins = np.minimum(np.rint(values / _STEP).astype(np.intp), _BINS - 1)
        self.histogram += np.bincount(bins, minlength=_BINS)
        codes = result.alert_codes[~np.isnan(result.mme)]
        # Threshold alerts are decided exactly per row; count them from the alert texts.
        for i, (_, alert) in enumerate(self.thresholds):
            hits = np.array([alert in label.split(";") for label in result.alert_labels] + [False])
            self.at_or_above[i] += int(hits[codes].sum())

    def distribution(self) -> MMEDistribution:
        if not self.count:
            return MMEDistribution(0, None, None, None, None, None, None, None, None)
        cumulative = np.cumsum(self.histogram)
        found = {}
        for label, share in _PERCENTILES:
            rank = max(1, math.ceil(share * self.count))
            found[label] = float(np.searchsorted(cumulative, rank)) * _STEP
        return MMEDistribution(
            count=self.count,
            mean=self.total / self.count,
            min=self.low,
            max=self.high,
            **found,
        )


class ProgressBar:
    """A one-line progress bar on a terminal stream (redrawn at most ten times a second)."""

    def __init__(self, stream: IO[str], label: str, width: int = 28) -> None:
        """Draw on ``stream``, prefixed by ``label``."""
        self.stream = stream
        self.label = Path(label).name
        self.width = width
        self.start = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int, rows: int) -> None:
        """Show ``done`` of ``total`` bytes read and ``rows`` rows so far."""
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        share = min(1.0, done / total) if total else 1.0
        filled = round(share * self.width)
        bar = "█" * filled + "·" * (self.width - filled)
        text = f"\r{self.label} {share:4.0%} {bar} {rows:,} rows {now - self.start:.1f} s"
        self.stream.write(text)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Erase the bar."""
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _batches(
    path: Path, header: list[str], block_size: int, tally: _Tally, progress: Progress | None
) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def skip(row: Any) -> str:
        tally.malformed += 1
        if row.number is not None and len(tally.malformed_at) < _MALFORMED_EXAMPLES:
            tally.malformed_at.append(int(row.number))
        return "skip"

    total = path.stat().st_size
    with pa.OSFile(str(path), "rb") as raw:
        try:
            reader = pacsv.open_csv(
                raw,
                read_options=pacsv.ReadOptions(block_size=block_size, use_threads=True),
                parse_options=pacsv.ParseOptions(invalid_row_handler=skip),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
                ),
            )
            for batch, position in _prefetch((batch, raw.tell()) for batch in reader):
                yield batch
                if progress is not None:
                    progress(position, total, tally.rows)
        except pa.ArrowInvalid as exc:
            msg = f"{str(path)!r} cannot be read after row {tally.rows:,}: {exc}"
            raise CSVError(msg) from None


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _prefetch(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
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


def _output_batch(batch: Any, result: _batch_core.Computed) -> Any:
    import pyarrow as pa

    def text(codes: npt.NDArray[Any], labels: tuple[str, ...]) -> Any:
        indices = pa.array(codes, mask=codes < 0, type=pa.int32())
        return pa.array(labels, type=pa.string()).take(indices)

    names = [n for n in batch.schema.names if n not in ADDED_COLUMNS]
    columns = [batch.column(n) for n in names]
    columns += [
        pa.array(result.mme, from_pandas=True),
        pa.array(result.factor, from_pandas=True),
        pa.repeat(pa.scalar(result.table_id, pa.string()), len(result.mme)),
        text(result.alert_codes, result.alert_labels),
        text(result.error_codes, result.error_labels),
    ]
    return pa.RecordBatch.from_arrays(columns, names=[*names, *ADDED_COLUMNS])


def validate_csv(
    path: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    table_id: str = "CDC_2022",
    thresholds: str | None = "CDC_2016",
    block_size: int | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Compute MME/day for every row of a CSV file and summarise, streaming.

    Args:
        path: CSV with a header and at least ``drug, strength, strength_unit,
            quantity, days_supply`` (header names are matched case-insensitively,
            with spaces or hyphens for underscores).
        out: Write every row with the added columns to this CSV file.
        table_id: MME table; default ``painrx.opioids.DEFAULT_MME_TABLE`` (CDC 2022).
        thresholds: Threshold policy whose levels are counted, or None.
        block_size: Bytes read per block (memory per block is a small multiple).
        progress: Called after each block with (bytes read, file size, rows so far).

    Returns:
        The summary.

    Raises:
        CSVError: The file is missing, empty or lacks a required column, or ``out``
            is the input file.
        InputError: An unknown ``table_id`` or ``thresholds``.
    """
    from painrx.batch import _frames as batch_api
    from painrx.batch import _ndc

    source = Path(path)
    header = _header(source)
    by_ndc = _ndc.wants_ndc([_normalise(h) for h in header])
    if by_ndc:
        columns = _ndc.columns_of(header, _normalise, source, CSVError)
        _ndc.check_table(table_id)
    else:
        columns = _columns_of(header, source)
        batch_api._check_table(table_id)
    levels = batch_api._thresholds(thresholds)
    scalar = batch_api._scalar(table_id, thresholds)
    target = Path(out) if out is not None else None
    if target is not None and target.resolve() == source.resolve():
        msg = "the output file must not be the input file"
        raise CSVError(msg)
    tally = _Tally(levels)
    writer: Any = None
    partial = target.with_name(target.name + ".partial") if target is not None else None
    try:
        for block in _batches(source, header, block_size or BLOCK_SIZE, tally, progress):
            named: Mapping[str, Any] = {c: block.column(h) for c, h in columns.items()}
            # Not the compiled pass: reading and writing CSV dominate, and loading
            # compiled code would add a third of a second to every run.
            coded = (
                _ndc.compute(named, block.num_rows, table_id, levels, thresholds)
                if by_ndc
                else None
            )
            result = (
                coded.computed
                if coded is not None
                else _batch_core.compute(
                    named, block.num_rows, table_id, levels, scalar, allow_compiled=False
                )
            )
            tally.add(result)
            if partial is not None:
                import pyarrow.csv as pacsv

                rows = (
                    _ndc.output_batch(block, coded, _output_batch)
                    if coded is not None
                    else _output_batch(block, result)
                )
                if writer is None:
                    options = pacsv.WriteOptions(quoting_style="needed")
                    writer = pacsv.CSVWriter(str(partial), rows.schema, write_options=options)
                writer.write_batch(rows)
    except Exception:
        if writer is not None:
            writer.close()
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    if partial is not None and target is not None:
        if writer is None:
            added = [*ADDED_COLUMNS, *(_ndc.NDC_ADDED_COLUMNS if by_ndc else ())]
            partial.write_text(",".join([*header, *added]) + "\n", encoding="utf-8")
        else:
            writer.close()
        partial.replace(target)
    kinds: Counter[str] = Counter()
    for text, n in tally.errors.items():
        kinds[text.split(":", 1)[0]] += n
    return Summary(
        path=str(source),
        table=_ndc.NDC_TABLE if by_ndc and table_id in _ndc.FILE_TABLES else table_id,
        thresholds=thresholds,
        rows=tally.rows,
        rows_with_errors=sum(tally.errors.values()),
        errors_by_kind=tuple(kinds.most_common()),
        top_errors=tuple(tally.errors.most_common(_TOP_ERRORS)),
        malformed_lines=tally.malformed,
        malformed_examples=tuple(tally.malformed_at),
        mme=tally.distribution(),
        at_or_above=tuple(
            (bound, code, n) for (bound, code), n in zip(levels, tally.at_or_above, strict=True)
        ),
        output=str(target) if target is not None else None,
    )
