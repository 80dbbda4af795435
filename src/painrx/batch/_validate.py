"""``painrx validate FILE.csv``: MME/day for every row of a CSV file, in bounded memory.

The file is read in blocks (:mod:`painrx.batch._csv_in`: every line becomes a row,
a malformed line or undecodable bytes an error row with its line number). Each
block goes through the same vectorised formula as
:func:`painrx.batch.mme_prescriptions` and, with ``out``, is written straight back
out with the added columns, formula-like cells neutralised
(:mod:`painrx.batch._csv_out`). The summary keeps only counters and a histogram, so
memory does not grow with the file: a 10 GB file streams like a 10 MB one.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from painrx.batch import ADDED_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from painrx.batch import _core as _batch_core
from painrx.batch._csv_in import (
    MAX_BLOCK_SIZE,
    MIN_BLOCK_SIZE,
    BadLine,
    Block,
    CSVError,
    Source,
    blocks,
    open_source,
    prefetch,
)
from painrx.batch._csv_out import Target, neutralise, neutralise_name, open_target
from painrx.batch._keys import _index_type
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
_LINE: Final = re.compile(r"^CSVError: line \d+: ")

Progress = Callable[[int, int, int], None]


def _normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


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
        malformed_lines: Lines with the wrong number of fields or an unbalanced
            quote (each an error row, counted in ``rows``).
        malformed_examples: Line numbers of the first malformed lines.
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
                f"{self.malformed_lines:,} malformed line(s) (wrong number of fields or an "
                f"unbalanced quote) are error rows{f' (lines {where}…)' if where else ''}"
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

    def add_bad(self, bad: Sequence[BadLine]) -> None:
        """Count the error rows of bad lines (by problem, so memory stays flat)."""
        self.rows += len(bad)
        self.malformed += len(bad)
        for line in bad:
            self.errors[f"CSVError: {line.problem}"] += 1
            if len(self.malformed_at) < _MALFORMED_EXAMPLES:
                self.malformed_at.append(line.line)

    def add(self, result: _batch_core.Computed) -> None:
        self.rows += len(result.mme)
        used = result.error_codes[result.error_codes >= 0]
        if len(used):
            for code, n in enumerate(np.bincount(used).tolist()):
                if n:
                    # Errors of one line are counted by kind, without the line.
                    self.errors[_LINE.sub("CSVError: ", result.error_labels[code])] += n
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
        """Show ``rows`` done, and the share of the file they make up (``done`` of ``total`` bytes)."""
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


def _block_size(block_size: int | None) -> int:
    if block_size is None:
        return BLOCK_SIZE
    if isinstance(block_size, bool) or not MIN_BLOCK_SIZE <= block_size <= MAX_BLOCK_SIZE:
        msg = (
            f"--block-size must be a number of bytes from {MIN_BLOCK_SIZE:,} to "
            f"{MAX_BLOCK_SIZE:,}, not {str(block_size)[:100]}"
        )
        raise CSVError(msg)
    return block_size


def _bad_positions(bad: Sequence[BadLine], first_line: int, rows: int) -> list[int]:
    """Return, for each bad line, the index of the good row it comes before (``rows``: after all).

    Exact when every row of the block takes one line; a value with a line break
    only moves a bad line a little, and its error text names its line.
    """
    return [min(max(b.line - first_line - i, 0), rows) for i, b in enumerate(bad)]


def _line_of(row: int, first_line: int, positions: list[int]) -> int:
    """Return the line number of a good row, given where the bad lines sit."""
    return first_line + row + bisect.bisect_right(positions, row)


def _with_row_errors(
    result: _batch_core.Computed, problems: Mapping[int, str], lines: Sequence[int]
) -> _batch_core.Computed:
    """Return ``result`` with the rows of ``problems`` turned into error rows (``lines``: theirs)."""
    import attrs

    if not problems:
        return result
    rows = np.fromiter(problems, dtype=np.intp, count=len(problems))
    texts = [
        f"CSVError: line {line}: {problems[r]}" for r, line in zip(problems, lines, strict=True)
    ]
    labels = (*result.error_labels, *texts)
    error = result.error_codes.astype(_index_type(len(labels)))
    error[rows] = np.arange(len(result.error_labels), len(labels))
    mme, factor, alerts = result.mme.copy(), result.factor.copy(), result.alert_codes.copy()
    mme[rows] = np.nan
    factor[rows] = np.nan
    alerts[rows] = -1
    return attrs.evolve(
        result, mme=mme, factor=factor, alert_codes=alerts, error_codes=error, error_labels=labels
    )


def _output_batch(batch: Any, result: _batch_core.Computed, names: Sequence[str | None]) -> Any:
    """Return the rows with the added columns (``names``: the input columns passed through)."""
    import pyarrow as pa

    def text(codes: npt.NDArray[Any], labels: tuple[str, ...]) -> Any:
        indices = pa.array(codes, mask=codes < 0, type=pa.int32())
        return pa.array(labels, type=pa.string()).take(indices)

    columns = [neutralise(batch.column(i)) for i, name in enumerate(names) if name is not None]
    columns += [
        pa.array(result.mme, from_pandas=True),
        pa.array(result.factor, from_pandas=True),
        pa.repeat(pa.scalar(result.table_id, pa.string()), len(result.mme)),
        text(result.alert_codes, result.alert_labels),
        text(result.error_codes, result.error_labels),
    ]
    # The NDC pass appends its own columns (``extra``) to these.
    return pa.RecordBatch.from_arrays(columns, schema=_schema(names))


def _schema(names: Sequence[str | None], extra: Sequence[str] = ()) -> Any:
    import pyarrow as pa

    kept = [neutralise_name(n) for n in names if n is not None]
    types = [pa.string()] * len(kept) + [pa.float64(), pa.float64()] + [pa.string()] * 3
    types += [pa.string()] * len(extra)
    return pa.schema(list(zip([*kept, *ADDED_COLUMNS, *extra], types, strict=True)))


def _bad_batch(
    bad: Sequence[BadLine], names: Sequence[str | None], table_id: str, extra: Sequence[str] = ()
) -> Any:
    """Return the error rows of bad lines, their fields passed through as far as they go."""
    import pyarrow as pa

    width = len(names)
    fields = [(*b.fields[:width], *[None] * (width - len(b.fields))) for b in bad]
    columns = [
        neutralise(pa.array([f[i] for f in fields], type=pa.string()))
        for i, name in enumerate(names)
        if name is not None
    ]
    n = len(bad)
    columns += [
        pa.nulls(n, pa.float64()),
        pa.nulls(n, pa.float64()),
        pa.array([table_id] * n, type=pa.string()),
        pa.nulls(n, pa.string()),
        pa.array([b.error for b in bad], type=pa.string()),
        *[pa.nulls(n, pa.string()) for _ in extra],
    ]
    return pa.RecordBatch.from_arrays(columns, schema=_schema(names, extra))


class _Writer:
    """The output CSV, written block by block to a :class:`Target`."""

    def __init__(self, target: Target, schema: Any) -> None:
        import pyarrow.csv as pacsv

        self.target = target
        options = pacsv.WriteOptions(quoting_style="needed")
        self.writer = pacsv.CSVWriter(target.stream, schema, write_options=options)

    def write(self, good: Any, bad: Any, positions: list[int]) -> None:
        import pyarrow as pa

        if bad is None:
            self.writer.write_batch(good)
            return
        if good is None:
            self.writer.write_batch(bad)
            return
        # The bad lines' rows go back where they stood among the good rows.
        table = pa.Table.from_batches([good, bad])
        order = np.insert(
            np.arange(good.num_rows), positions, good.num_rows + np.arange(len(positions))
        )
        self.writer.write_table(table.take(pa.array(order)))

    def close(self) -> None:
        self.writer.close()


@attrs.frozen
class _Job:
    """What every block of one file is computed with."""

    source: Source
    columns: Mapping[str, str]
    table_id: str
    thresholds: str | None
    levels: list[tuple[float, str]]
    scalar: Any
    by_ndc: bool
    names: list[str | None]
    extra: tuple[str, ...]
    write: bool


def _block_result(block: Block, job: _Job) -> tuple[Any, Any, list[int]]:
    """Compute one block: its output rows (None: not written), its result, where its bad lines go."""
    from painrx.batch import _ndc

    if block.rows is None:
        return None, None, [0] * len(block.bad)
    rows, problems = block.rows, block.problems
    n = rows.num_rows
    positions = _bad_positions(block.bad, block.first_line, n)
    header = job.source.header
    named: Mapping[str, Any] = {c: rows.column(header.index(h)) for c, h in job.columns.items()}
    lines = [_line_of(r, block.first_line, positions) for r in problems]
    if job.by_ndc:
        coded = _ndc.compute(named, n, job.table_id, job.levels, job.thresholds)
        coded = attrs.evolve(coded, computed=_with_row_errors(coded.computed, problems, lines))

        def usual(batch: Any, result: _batch_core.Computed) -> Any:
            return _output_batch(batch, result, job.names)

        good = _ndc.output_batch(rows, coded, usual) if job.write else None
        return good, coded.computed, positions
    # Not the compiled pass: reading and writing CSV dominate, and loading
    # compiled code would add a third of a second to every run.
    result = _batch_core.compute(
        named, n, job.table_id, job.levels, job.scalar, allow_compiled=False
    )
    result = _with_row_errors(result, problems, lines)
    good = _output_batch(rows, result, job.names) if job.write else None
    return good, result, positions


def validate_csv(
    path: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    table_id: str = "CDC_2022",
    thresholds: str | None = "CDC_2016",
    block_size: int | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Summary:
    """Compute MME/day for every row of a CSV file and summarise, streaming.

    Args:
        path: CSV with a header and at least ``drug, strength, strength_unit,
            quantity, days_supply`` (header names are matched case-insensitively,
            with spaces or hyphens for underscores).
        out: Write every row with the added columns to this CSV file (``"-"``:
            standard output). Formula-like cells are neutralised; a symlink or a
            device is written through, never replaced.
        table_id: MME table; default ``painrx.opioids.DEFAULT_MME_TABLE`` (CDC 2022).
        thresholds: Threshold policy whose levels are counted, or None.
        block_size: Bytes read per block (memory per block is a small multiple),
            from :data:`MIN_BLOCK_SIZE` to :data:`MAX_BLOCK_SIZE`.
        progress: Called after each block with (bytes of the rows done, file size,
            rows done).
        encoding: The file's encoding (default: UTF-8, or UTF-16 by its byte-order mark).

    Returns:
        The summary.

    Raises:
        CSVError: The file is missing, a directory, empty, its header unreadable or
            without a required column; ``out`` is the input file, a directory or
            in a missing directory; ``block_size`` is out of range; an unknown
            encoding.
        InputError: An unknown ``table_id`` or ``thresholds``.
    """
    from painrx.batch import _ndc
    from painrx.batch._opioids import check_mme_table, scalar_mme, threshold_levels

    size = _block_size(block_size)
    source = open_source(Path(path), encoding)
    header = list(source.header)
    by_ndc = _ndc.wants_ndc([_normalise(h) for h in header])
    if by_ndc:
        columns = _ndc.columns_of(header, _normalise, source.path, CSVError)
        _ndc.check_table(table_id)
    else:
        columns = _columns_of(header, source.path)
        check_mme_table(table_id)
    extra = tuple(_ndc.NDC_ADDED_COLUMNS) if by_ndc else ()
    job = _Job(
        source=source,
        columns=columns,
        table_id=table_id,
        thresholds=thresholds,
        levels=threshold_levels(thresholds),
        scalar=scalar_mme(table_id, thresholds),
        by_ndc=by_ndc,
        # Input columns named like an added column are replaced by it.
        names=[None if n in (*ADDED_COLUMNS, *extra) else n for n in header],
        extra=extra,
        write=out is not None,
    )
    target = open_target(out, source.path) if out is not None else None
    tally = _Tally(job.levels)
    writer: _Writer | None = None
    try:
        if target is not None:
            writer = _Writer(target, _schema(job.names, extra))
        for block in prefetch(blocks(source, size)):
            good, result, positions = _block_result(block, job)
            if result is not None:
                tally.add(result)
            tally.add_bad(block.bad)
            if writer is not None:
                bad = _bad_batch(block.bad, job.names, table_id, extra) if block.bad else None
                writer.write(good, bad, positions)
            if progress is not None:
                progress(block.position, source.size, tally.rows)
    except BaseException:
        if writer is not None:
            writer.close()
        if target is not None:
            target.abort()
        raise
    if writer is not None and target is not None:
        writer.close()
        target.commit()
    shown = _ndc.NDC_TABLE if by_ndc and table_id in _ndc.FILE_TABLES else table_id
    return _summary(source, shown, thresholds, job.levels, tally, target)


def _summary(
    source: Source,
    table_id: str,
    thresholds: str | None,
    levels: list[tuple[float, str]],
    tally: _Tally,
    target: Target | None,
) -> Summary:
    kinds: Counter[str] = Counter()
    for text, n in tally.errors.items():
        kinds[text.split(":", 1)[0]] += n
    return Summary(
        path=str(source.path),
        table=table_id,
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
        output=None if target is None else target.name,
    )
