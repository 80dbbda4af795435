"""Text columns encoded by numba: one hash-table pass over the rows, no Python object per row.

Used by :mod:`painrx.batch._encode` when numba is installed (``pip install
painrx[fast]``), loaded in the background like the fast pass (see
:mod:`painrx.batch._loader`); without numba the pandas and Arrow encoders give the
same codes and texts. Two kernels, measured on 1M rows of the benchmark table
(36 distinct drugs) on the 2-core development machine:

* :func:`factorize_words`: an object column by object *identity* (one pointer per
  row; a CSV reader or ``take`` repeats the same few string objects): 1.2-1.5 ms,
  against 3.4 ms for ``pandas.factorize`` of the pointers and 37 ms for
  ``pandas.factorize`` of the objects;
* :func:`factorize_text`: an Arrow string column (all its chunks, one table)
  straight from its offsets and data buffers: 6-8 ms for drug names, 3 ms for
  texts of up to 8 bytes (numbers, units), against 20-29 ms for Arrow's
  ``dictionary_encode``. A row's first 32 bytes are read as up to four words
  (masked to its length, so no branch depends on the length) and compared with
  its slot's words; longer texts compare the rest byte for byte. Two texts share a
  code only when they are equal byte for byte; the hash only picks the slot.

Both give up (None) past ``cap`` distinct values, so a column of mostly distinct
values costs a short pass before the general encoder takes it. :func:`take` then
gives each row its distinct value's code or number.
"""

from __future__ import annotations

import bisect
import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

__all__ = [
    "CODE",
    "MASKS",
    "MAX_CODES",
    "WIDTH",
    "Piece",
    "Table",
    "factorize_text",
    "factorize_words",
    "take",
]

#: The kernels' code type: two bytes a row to write, and to combine (see
#: :func:`painrx.batch._keys._combine`), where four or eight cost 3-9 times more.
CODE = np.int16
#: Most distinct values a kernel numbers (the largest ``cap``): its codes fit :data:`CODE`.
MAX_CODES = int(np.iinfo(CODE).max)

_T = TypeVar("_T")

# Fibonacci hashing: the multiplier spreads nearby values over the table's top bits.
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Independent odd multipliers for the other words of a text (xxHash's primes).
_MIX1 = np.uint64(0xC2B2AE3D27D4EB4F)
_MIX2 = np.uint64(0x165667B19E3779F9)
_MIX3 = np.uint64(0x27D4EB2F165667C5)
#: Bytes of a text held as words in the table (four 8-byte words).
WIDTH = 32
# Bytes kept of the long texts past WIDTH (more: the general encoder takes the column).
_REST_BYTES = 1 << 20
#: ``MASKS[length, k]``: the bytes of word ``k`` that belong to a text of ``length``
#: bytes (``length`` capped at :data:`WIDTH`).
MASKS = np.array(
    [
        [(1 << (8 * min(max(length - 8 * k, 0), 8))) - 1 for k in range(4)]
        for length in range(WIDTH + 1)
    ],
    dtype=np.uint64,
)
MASKS.flags.writeable = False


def _load_word_typed(typingctx: Any, array: Any, byte: Any) -> Any:  # noqa: ARG001 # numba's signature
    """Read the 8 bytes of a uint8 array from ``byte`` on as one (unaligned) word.

    One machine load, where assembling the word from bytes costs eight loads and
    shifts (measured: 3x the whole kernel's time).
    """
    signature = types.uint64(array, byte)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        word = context.get_value_type(types.uint64).as_pointer()
        pointer = builder.bitcast(builder.gep(data, [args[1]]), word)
        return builder.load(pointer, align=1)

    return signature, codegen


_load_word: Any = intrinsic(_load_word_typed)


@numba.njit(cache=True, nogil=True, inline="always")
def _slot_bits(slots: Any) -> int:
    """Bits of a table's slot index (its size is a power of two)."""
    bits = 0
    while (1 << bits) < slots.shape[0]:
        bits += 1
    return bits


@numba.njit(cache=True, nogil=True, inline="always")
def _table_bits(cap: int) -> int:
    """Bits of a hash table's index: at least twice ``cap`` slots, so probes stay short."""
    bits = 6
    while (1 << bits) < 2 * cap:
        bits += 1
    return bits


@numba.njit(cache=True, nogil=True)
def _factorize_words(words: Any, cap: int) -> tuple[Any, Any, bool]:
    """Number the distinct values of an integer array in order of first appearance.

    Args:
        words: int64 per row (an object column's pointers).
        cap: Most distinct values accepted.

    Returns:
        ``(codes, firsts, ok)``: int16 codes and, per code, the row of its first
        appearance; ``ok`` is False (arrays empty) past ``cap`` distinct values.
    """
    n = words.shape[0]
    codes = np.empty(n, CODE)
    bits = _table_bits(cap)
    mask = (1 << bits) - 1
    top = np.uint64(64 - bits)
    slot_word = np.zeros(1 << bits, np.int64)
    slot_code = np.full(1 << bits, -1, np.int32)
    firsts = np.empty(cap, np.int64)
    count = 0
    for i in range(n):
        word = words[i]
        j = np.int64((np.uint64(word) * _MIX) >> top)
        while True:
            code = slot_code[j]
            if code < 0:
                if count == cap:
                    return codes[:0], firsts[:0], False
                code = np.int32(count)
                slot_code[j] = code
                slot_word[j] = word
                firsts[count] = i
                count += 1
                break
            if slot_word[j] == word:
                break
            j = (j + 1) & mask
        codes[i] = code
    return codes, firsts[:count], True


@numba.njit(cache=True, nogil=True, inline="always")
def _word(data: Any, byte: Any, end: Any) -> Any:
    """The 8 bytes from ``byte`` on, zero past ``end`` (the buffer's size)."""
    if byte + 8 <= end:
        return _load_word(data, byte)
    word = np.uint64(0)
    for k in range(max(0, end - byte)):
        word |= np.uint64(data[byte + k]) << np.uint64(8 * k)
    return word


@numba.njit(cache=True, nogil=True)
def _last_words(data: Any, start: Any, end: Any, masks: Any, short: Any) -> Any:
    """The four masked words of a text in the buffer's last bytes."""
    return (
        _word(data, start, end) & masks[short, 0],
        _word(data, start + 8, end) & masks[short, 1],
        _word(data, start + 16, end) & masks[short, 2],
        _word(data, start + 24, end) & masks[short, 3],
    )


@numba.njit(cache=True, nogil=True, inline="always")
def _same_rest(data: Any, start: Any, length: Any, kept: Any, at: Any) -> bool:
    """Whether bytes ``WIDTH:length`` of the text at ``start`` equal ``kept[at:]``."""
    for k in range(length - WIDTH):  # noqa: SIM110 # numba compiles no generator in all()
        if data[start + WIDTH + k] != kept[at + k]:
            return False
    return True


@attrs.define
class Table:
    """The hash table of distinct texts, carried from one piece of a column to the next.

    Attributes:
        slots: Per slot, the code of its text (-1: empty): a power of two, more than
            ``cap`` (:meth:`empty` makes twice ``cap`` or more, so probes stay short).
        words: Per code, the text's first :data:`WIDTH` bytes as four masked words.
        lengths: Per code, the text's length in bytes.
        firsts: Per code, the (column) row of its first appearance.
        rest_at: Per code, where its bytes past :data:`WIDTH` start in ``rest``.
        rest: The bytes past :data:`WIDTH` of the long texts (a chunk's buffer may
            be gone from the kernel's view when a later chunk meets the text again).
        counts: Codes given, and bytes of ``rest`` used.
    """

    slots: Any
    words: Any
    lengths: Any
    firsts: Any
    rest_at: Any
    rest: Any
    counts: Any

    @classmethod
    def empty(cls, cap: int) -> Table:
        """A table for up to ``cap`` distinct texts."""
        return cls(
            np.full(1 << _table_bits(cap), -1, np.int32),
            np.zeros((cap, 4), np.uint64),
            np.zeros(cap, np.int64),
            np.empty(cap, np.int64),
            np.zeros(cap, np.int64),
            np.empty(_REST_BYTES, np.uint8),
            np.zeros(2, np.int64),
        )

    def fill(self, piece: Piece, codes: Any) -> bool:
        """Number the texts of ``piece``, writing ``codes``; False past the table's room."""
        ok: bool = _factorize_text(
            piece.offsets,
            piece.data,
            piece.valid,
            piece.valid_offset,
            piece.row,
            MASKS,
            codes,
            self.slots,
            self.words,
            self.lengths,
            self.firsts,
            self.rest_at,
            self.rest,
            self.counts,
        )
        return ok


@numba.njit(cache=True, nogil=True)
def _factorize_text(  # numba compiles one flat positional signature
    offsets: Any,
    data: Any,
    valid: Any,
    valid_offset: int,
    row: int,
    masks: Any,
    codes: Any,
    slots: Any,
    words: Any,
    lengths: Any,
    firsts: Any,
    rest_at: Any,
    rest: Any,
    counts: Any,
) -> bool:
    """Number the texts of a piece of an Arrow string column, continuing a :class:`Table`.

    Args:
        offsets: The piece's ``n + 1`` offsets into ``data`` (int32 or int64).
        data: The data buffer (uint8; may be empty).
        valid: The validity bitmap (uint8, Arrow's bit order), empty when no nulls.
        valid_offset: Bit of the piece's first row in ``valid``.
        row: The column row of the piece's first row.
        masks: :data:`MASKS`.
        codes: Filled with each row's int16 code (-1: null).
        slots: See :class:`Table` (this and the rest).
        words: See :class:`Table`.
        lengths: See :class:`Table`.
        firsts: See :class:`Table`.
        rest_at: See :class:`Table`.
        rest: See :class:`Table`.
        counts: See :class:`Table`.

    Returns:
        False when the table is full (more distinct texts, or long-text bytes, than
        it holds); the codes are then incomplete.
    """
    # Words the longest text needs: texts of up to 8 bytes (numbers, units, routes,
    # forms) take a loop a third faster; others load only the words they need.
    longest = 0
    for i in range(offsets.shape[0] - 1):
        longest = max(longest, int(offsets[i + 1] - offsets[i]))
    if longest <= 8:
        return _number_short(
            offsets, data, valid, valid_offset, row, masks, codes,
            slots, words, lengths, firsts, rest_at, counts,
        )  # fmt: skip
    return _number_texts(
        offsets, data, valid, valid_offset, row, masks, codes,
        slots, words, lengths, firsts, rest_at, rest, counts, min(4, (longest + 7) // 8),
    )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _number_texts(  # numba compiles one flat positional signature
    offsets: Any,
    data: Any,
    valid: Any,
    valid_offset: int,
    row: int,
    masks: Any,
    codes: Any,
    slots: Any,
    words: Any,
    lengths: Any,
    firsts: Any,
    rest_at: Any,
    rest: Any,
    counts: Any,
    needed: int,
) -> bool:
    """:func:`_factorize_text` for any texts, loading the first ``needed`` words."""
    n = offsets.shape[0] - 1
    end = data.shape[0]
    cap = firsts.shape[0]
    mask = np.uint64(slots.shape[0] - 1)
    top = np.uint64(64 - _slot_bits(slots))
    nulls = valid.shape[0] > 0
    count = counts[0]
    zero = np.uint64(0)
    for i in range(n):
        if nulls:
            bit = valid_offset + i
            if not (valid[bit >> 3] >> (bit & 7)) & 1:
                codes[i] = -1
                continue
        start = np.int64(offsets[i])
        length = np.int64(offsets[i + 1]) - start
        # Unsigned indices: numba checks no negative index for them.
        short = np.uint64(min(int(length), WIDTH))
        if start + WIDTH <= end:
            w0 = _load_word(data, start) & masks[short, 0]
            w1 = _load_word(data, start + 8) & masks[short, 1] if needed > 1 else zero
            w2 = _load_word(data, start + 16) & masks[short, 2] if needed > 2 else zero
            w3 = _load_word(data, start + 24) & masks[short, 3] if needed > 3 else zero
        else:
            # The buffer's last bytes: no read past its end (out of line: inlined,
            # its byte loops slow the main loop down by a tenth).
            w0, w1, w2, w3 = _last_words(data, start, end, masks, short)
        h = (w0 * _MIX) ^ (w1 * _MIX1) ^ (w2 * _MIX2) ^ (w3 * _MIX3) ^ np.uint64(length)
        for k in range(start + WIDTH, start + length):
            h = (h ^ np.uint64(data[k])) * _MIX1
        h = (h ^ (h >> np.uint64(29))) * _MIX
        j = h >> top
        while True:
            code = slots[j]
            if code < 0:
                used = counts[1]
                extra = max(0, length - WIDTH)
                if count == cap or used + extra > rest.shape[0]:
                    counts[0] = count
                    return False
                code = np.int32(count)
                slots[j] = code
                words[code, 0] = w0
                words[code, 1] = w1
                words[code, 2] = w2
                words[code, 3] = w3
                lengths[code] = length
                firsts[code] = row + i
                rest_at[code] = used
                rest[used : used + extra] = data[start + WIDTH : start + length]
                counts[1] = used + extra
                count += 1
                break
            slot = np.uint64(code)
            differ = (
                (w0 ^ words[slot, 0])
                | (w1 ^ words[slot, 1])
                | (w2 ^ words[slot, 2])
                | (w3 ^ words[slot, 3])
            )
            if (
                differ == 0
                and lengths[slot] == length
                and (length <= WIDTH or _same_rest(data, start, length, rest, rest_at[slot]))
            ):
                break
            j = (j + np.uint64(1)) & mask
        codes[i] = code
    counts[0] = count
    return True


@numba.njit(cache=True, nogil=True)
def _number_short(  # numba compiles one flat positional signature
    offsets: Any,
    data: Any,
    valid: Any,
    valid_offset: int,
    row: int,
    masks: Any,
    codes: Any,
    slots: Any,
    words: Any,
    lengths: Any,
    firsts: Any,
    rest_at: Any,
    counts: Any,
) -> bool:
    """:func:`_factorize_text` for texts of at most 8 bytes: one word each.

    The same words, hash and table as :func:`_number_texts` (the other words are
    zero), so pieces of either kind share a table.
    """
    n = offsets.shape[0] - 1
    end = data.shape[0]
    cap = firsts.shape[0]
    mask = np.uint64(slots.shape[0] - 1)
    top = np.uint64(64 - _slot_bits(slots))
    nulls = valid.shape[0] > 0
    count = counts[0]
    for i in range(n):
        if nulls:
            bit = valid_offset + i
            if not (valid[bit >> 3] >> (bit & 7)) & 1:
                codes[i] = -1
                continue
        start = np.int64(offsets[i])
        length = np.int64(offsets[i + 1]) - start
        if start + 8 <= end:
            w0 = _load_word(data, start) & masks[np.uint64(length), 0]
        else:
            w0 = _word(data, start, end) & masks[np.uint64(length), 0]
        h = (w0 * _MIX) ^ np.uint64(length)
        h = (h ^ (h >> np.uint64(29))) * _MIX
        j = h >> top
        while True:
            code = slots[j]
            if code < 0:
                if count == cap:
                    counts[0] = count
                    return False
                code = np.int32(count)
                slots[j] = code
                words[code, 0] = w0
                words[code, 1:] = 0
                lengths[code] = length
                firsts[code] = row + i
                rest_at[code] = counts[1]
                count += 1
                break
            slot = np.uint64(code)
            if words[slot, 0] == w0 and lengths[slot] == length:
                break
            j = (j + np.uint64(1)) & mask
        codes[i] = code
    counts[0] = count
    return True


@numba.njit(cache=True, nogil=True)
def _renumber(codes: Any, table: Any) -> None:
    """Replace every code ``c`` by ``table[c]`` in place (-1: ``table``'s last entry)."""
    for i in range(codes.shape[0]):
        codes[i] = table[codes[i]]


@numba.njit(cache=True, nogil=True)
def take(table: Any, codes: Any) -> Any:
    """Return ``table[codes]`` (code -1: ``table``'s last entry).

    A fourth of numpy's time: numpy converts int16 codes to intp first.
    """
    out = np.empty(codes.shape[0], table.dtype)
    for i in range(codes.shape[0]):
        out[i] = table[codes[i]]
    return out


# --------------------------------------------------------------------------- threads


def _side_by_side(tasks: Sequence[Callable[[], _T]]) -> list[_T]:
    """Run ``tasks`` in threads (the first in the calling one); the kernels hold no lock."""
    results: list[Any] = [None] * len(tasks)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = tasks[index]()
        except BaseException as exc:  # noqa: BLE001 # re-raised in the calling thread below
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(1, len(tasks))]
    for worker in workers:
        worker.start()
    run(0)
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return results


def factorize_words(words: Any, cap: int) -> tuple[Any, Any] | None:
    """Number the distinct values of ``words`` in order of first appearance.

    One thread: the pass costs about what starting threads and merging their
    parts would.

    Returns:
        int16 codes and each code's first row, or None past ``cap`` distinct values.
    """
    codes, firsts, ok = _factorize_words(words, cap)
    return (codes, firsts) if ok else None


@attrs.frozen
class Piece:
    """Consecutive rows of an Arrow string column, as the kernel reads them.

    Attributes:
        offsets: The rows' ``n + 1`` offsets into ``data`` (int32 or int64, read-only).
        data: The data buffer (uint8, read-only; may be empty).
        valid: The validity bitmap (uint8, read-only), empty when no nulls.
        valid_offset: Bit of the first row in ``valid``.
        row: The column row of the first row.
    """

    offsets: Any
    data: Any
    valid: Any
    valid_offset: int
    row: int

    def __len__(self) -> int:
        return int(self.offsets.shape[0]) - 1

    def cut(self, rows: int) -> tuple[Piece, Piece]:
        """The first ``rows`` rows, and the others."""
        return (
            attrs.evolve(self, offsets=self.offsets[: rows + 1]),
            attrs.evolve(
                self,
                offsets=self.offsets[rows:],
                valid_offset=self.valid_offset + rows,
                row=self.row + rows,
            ),
        )

    def text(self, row: int) -> bytes:
        """The bytes of a (column) row of this piece."""
        local = row - self.row
        return bytes(self.data[self.offsets[local] : self.offsets[local + 1]])


def _share(pieces: Sequence[Piece], threads: int) -> list[list[Piece]]:
    """Deal consecutive rows to ``threads`` lists of about as many rows, in order."""
    n = sum(len(piece) for piece in pieces)
    shares: list[list[Piece]] = [[] for _ in range(threads)]
    quota = [n * (t + 1) // threads - n * t // threads for t in range(threads)]
    thread = 0
    for whole in pieces:
        piece = whole
        while len(piece):
            while thread < threads - 1 and quota[thread] == 0:
                thread += 1
            take = min(len(piece), quota[thread]) if thread < threads - 1 else len(piece)
            head, piece = piece.cut(take)
            shares[thread].append(head)
            quota[thread] -= take
    return [share for share in shares if share]


def factorize_text(
    pieces: Sequence[Piece], cap: int, *, threads: int = 1
) -> tuple[Any, Any] | None:
    """Number the distinct texts of a column given in pieces, in order of first appearance.

    With ``threads`` > 1, the rows are dealt to that many threads in consecutive
    runs, each with its own table, and the tables merged by the texts' bytes: the
    codes are the same as in one pass.

    Returns:
        int16 codes (-1: null) and each code's first row, or None past ``cap``
        distinct texts.
    """
    codes = np.empty(sum(len(piece) for piece in pieces), CODE)
    shares = _share(pieces, threads)

    def run(share: Sequence[Piece]) -> Table | None:
        table = Table.empty(cap)
        for piece in share:
            if not table.fill(piece, codes[piece.row : piece.row + len(piece)]):
                return None
        return table

    tables = _side_by_side([functools.partial(run, share) for share in shares])
    if any(table is None for table in tables):
        return None
    found = [table for table in tables if table is not None]
    if len(found) == 1:
        return codes, found[0].firsts[: found[0].counts[0]]
    index: dict[bytes, int] = {}
    firsts: list[int] = []
    for share, table in zip(shares, found, strict=True):
        rows = table.firsts[: table.counts[0]].tolist()
        starts = [piece.row for piece in share]
        mapping = np.empty(len(rows) + 1, CODE)
        mapping[-1] = -1
        for k, row in enumerate(rows):
            text = share[bisect.bisect_right(starts, row) - 1].text(row)
            if text not in index:
                index[text] = len(firsts)
                firsts.append(row)
            mapping[k] = index[text]
        if share is not shares[0]:
            for piece in share:
                _renumber(codes[piece.row : piece.row + len(piece)], mapping)
    if len(firsts) > cap:
        return None
    return codes, np.array(firsts, dtype=np.int64)
