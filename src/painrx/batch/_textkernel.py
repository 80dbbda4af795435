"""Text columns encoded by numba: one hash-table pass over the rows, no Python object per row.

Used by :mod:`painrx.batch._encode` when numba is installed (``pip install
painrx[fast]``), loaded in the background like the fast pass (see
:mod:`painrx.batch._loader`); without numba the pandas and Arrow encoders give the
same codes and texts. Two kernels, measured on 1M rows of the benchmark table
(36 distinct drugs) on the 2-core development machine:

* :func:`factorize_words`: an object column by object *identity* (one pointer per
  row; a CSV reader or ``take`` repeats the same few string objects): 1.5 ms,
  against 3.4 ms for ``pandas.factorize`` of the pointers and 37 ms for
  ``pandas.factorize`` of the objects;
* :func:`factorize_text`: an Arrow string column straight from its offsets and
  data buffers: 6 ms, against 20-29 ms for Arrow's ``dictionary_encode``. A row's
  first 32 bytes are read as four words (masked to its length, so no branch
  depends on the length) and compared with its slot's words; longer texts compare
  the rest byte for byte. Two texts share a code only when they are equal byte for
  byte; the hash only picks the slot.

Both refuse (return ``ok = False``) past ``cap`` distinct values, so a column of
mostly distinct values costs a short pass before the general encoder takes it.
:func:`take` then gives each row its distinct value's code or number.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

__all__ = ["MASKS", "WIDTH", "factorize_text", "factorize_words", "take"]

# Fibonacci hashing: the multiplier spreads nearby values over the table's top bits.
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Independent odd multipliers for the other words of a text (xxHash's primes).
_MIX1 = np.uint64(0xC2B2AE3D27D4EB4F)
_MIX2 = np.uint64(0x165667B19E3779F9)
_MIX3 = np.uint64(0x27D4EB2F165667C5)
#: Bytes of a text held as words in the table (four 8-byte words).
WIDTH = 32
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
def _table_bits(cap: int) -> int:
    """Bits of a hash table's index: at least twice ``cap`` slots, so probes stay short."""
    bits = 6
    while (1 << bits) < 2 * cap:
        bits += 1
    return bits


@numba.njit(cache=True, nogil=True)
def factorize_words(words: Any, cap: int) -> tuple[Any, Any, bool]:
    """Number the distinct values of an integer array in order of first appearance.

    Args:
        words: int64 per row (an object column's pointers).
        cap: Most distinct values accepted.

    Returns:
        ``(codes, uniques, ok)``: int32 codes into ``uniques``; ``ok`` is False (and
        the arrays empty) when there are more than ``cap`` distinct values.
    """
    n = words.shape[0]
    bits = _table_bits(cap)
    mask = (1 << bits) - 1
    top = np.uint64(64 - bits)
    slot_word = np.zeros(1 << bits, np.int64)
    slot_code = np.full(1 << bits, -1, np.int32)
    uniques = np.empty(cap, np.int64)
    codes = np.empty(n, np.int32)
    count = 0
    for i in range(n):
        word = words[i]
        j = np.int64((np.uint64(word) * _MIX) >> top)
        while True:
            code = slot_code[j]
            if code < 0:
                if count == cap:
                    return codes[:0], uniques[:0], False
                code = np.int32(count)
                slot_code[j] = code
                slot_word[j] = word
                uniques[count] = word
                count += 1
                break
            if slot_word[j] == word:
                break
            j = (j + 1) & mask
        codes[i] = code
    return codes, uniques[:count], True


@numba.njit(cache=True, nogil=True, inline="always")
def _word(data: Any, byte: Any, end: Any) -> Any:
    """The 8 bytes from ``byte`` on, zero past ``end`` (the buffer's size)."""
    if byte + 8 <= end:
        return _load_word(data, byte)
    word = np.uint64(0)
    for k in range(max(0, end - byte)):
        word |= np.uint64(data[byte + k]) << np.uint64(8 * k)
    return word


@numba.njit(cache=True, nogil=True, inline="always")
def _same_rest(data: Any, a: Any, b: Any, length: Any) -> bool:
    """Whether bytes ``WIDTH:length`` of the texts at ``a`` and ``b`` are equal."""
    for k in range(WIDTH, length):  # noqa: SIM110 # numba compiles no generator in all()
        if data[a + k] != data[b + k]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def factorize_text(
    offsets: Any, data: Any, valid: Any, valid_offset: int, cap: int, masks: Any
) -> tuple[Any, Any, bool]:
    """Number the distinct texts of an Arrow string array in order of first appearance.

    Args:
        offsets: The array's ``n + 1`` offsets into ``data`` (int32 or int64),
            already sliced to the array.
        data: The data buffer (uint8; may be empty).
        valid: The validity bitmap (uint8, Arrow's bit order), empty when no nulls.
        valid_offset: Bit of the array's first row in ``valid``.
        cap: Most distinct texts accepted.
        masks: :data:`MASKS`.

    Returns:
        ``(codes, firsts, ok)``: int32 codes (-1: null) and, per code, the row of
        its first appearance; ``ok`` is False (arrays empty) past ``cap`` texts.
    """
    n = offsets.shape[0] - 1
    end = data.shape[0]
    bits = _table_bits(cap)
    mask = np.uint64((1 << bits) - 1)
    top = np.uint64(64 - bits)
    slot_code = np.full(1 << bits, -1, np.int32)
    known = np.zeros((cap, 4), np.uint64)
    known_length = np.zeros(cap, np.int64)
    firsts = np.empty(cap, np.int64)
    codes = np.empty(n, np.int32)
    nulls = valid.shape[0] > 0
    count = 0
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
            w1 = _load_word(data, start + 8) & masks[short, 1]
            w2 = _load_word(data, start + 16) & masks[short, 2]
            w3 = _load_word(data, start + 24) & masks[short, 3]
        else:
            # The buffer's last bytes: no read past its end.
            w0 = _word(data, start, end) & masks[short, 0]
            w1 = _word(data, start + 8, end) & masks[short, 1]
            w2 = _word(data, start + 16, end) & masks[short, 2]
            w3 = _word(data, start + 24, end) & masks[short, 3]
        h = (w0 * _MIX) ^ (w1 * _MIX1) ^ (w2 * _MIX2) ^ (w3 * _MIX3) ^ np.uint64(length)
        for k in range(start + WIDTH, start + length):
            h = (h ^ np.uint64(data[k])) * _MIX1
        h = (h ^ (h >> np.uint64(29))) * _MIX
        j = h >> top
        while True:
            code = slot_code[j]
            if code < 0:
                if count == cap:
                    return codes[:0], firsts[:0], False
                code = np.int32(count)
                slot_code[j] = code
                known[code, 0] = w0
                known[code, 1] = w1
                known[code, 2] = w2
                known[code, 3] = w3
                known_length[code] = length
                firsts[count] = i
                count += 1
                break
            slot = np.uint64(code)
            differ = (
                (w0 ^ known[slot, 0])
                | (w1 ^ known[slot, 1])
                | (w2 ^ known[slot, 2])
                | (w3 ^ known[slot, 3])
            )
            if (
                differ == 0
                and known_length[slot] == length
                and (
                    length <= WIDTH
                    or _same_rest(data, start, np.int64(offsets[firsts[code]]), length)
                )
            ):
                break
            j = (j + np.uint64(1)) & mask
        codes[i] = code
    return codes, firsts[:count], True


@numba.njit(cache=True, nogil=True)
def take(table: Any, codes: Any) -> Any:
    """Return ``table[codes]`` (code -1: ``table``'s last entry).

    A fourth of numpy's time: numpy converts int32 codes to intp first.
    """
    out = np.empty(codes.shape[0], table.dtype)
    for i in range(codes.shape[0]):
        out[i] = table[codes[i]]
    return out
