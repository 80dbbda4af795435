"""Which daily totals a patient can take from given strengths, and rounding to them.

All arithmetic is exact: amounts are :class:`~fractions.Fraction` values in the
schedule's display unit (``mg`` or ``mcg/h``), mapped onto an integer grid whose step
is the greatest common divisor of the pieces (whole units, and halves when the
product may be split). A per-dose amount is makeable when it is a sum of pieces; a
daily total is makeable when it can be split into ``doses_per_day`` makeable doses
(all equal, or as even as the pieces allow).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Literal

import attrs

from painrx.errors import InputError

__all__ = ["Maker", "Piece", "Ties", "make_maker"]

Ties = Literal["up", "down", "even"]

# Bounds the dynamic programme below (an engineering bound that keeps a call well under a
# second). Real strengths need far fewer points: halves of 2 mg and 2.5 mg tablets give a
# 0.25 mg step, so 10,000 points reach 2,500 mg/day. A finer grid means strengths far
# smaller than the dose, where exact (liquid) dosing with strengths=None is the honest choice.
_MAX_GRID = 10_000


def _gcd(values: tuple[Fraction, ...]) -> Fraction:
    denominator = math.lcm(*(v.denominator for v in values))
    numerator = math.gcd(*(v.numerator * (denominator // v.denominator) for v in values))
    return Fraction(numerator, denominator)


@attrs.frozen
class Piece:
    """One kind of piece a dose is built from: a whole unit or half of one."""

    strength: Fraction
    half: bool

    @property
    def value(self) -> Fraction:
        """The amount this piece holds."""
        return self.strength / 2 if self.half else self.strength


@lru_cache(maxsize=64)
def _tables(
    sizes: tuple[int, ...], halves: tuple[bool, ...], limit: int
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Return (fewest pieces, piece choice, most pieces) for every grid amount up to ``limit``.

    ``sizes`` come largest first. The fewest-pieces table breaks ties by fewer halves,
    then by the larger piece; -1 marks an amount no combination of pieces makes.
    """
    count = [0] + [-1] * limit
    half_count = [0] * (limit + 1)
    choice = [-1] * (limit + 1)
    most = [0] + [-1] * limit
    for amount in range(1, limit + 1):
        best: tuple[int, int] | None = None
        for i, size in enumerate(sizes):
            if size > amount:
                continue
            rest = amount - size
            if count[rest] >= 0:
                candidate = (count[rest] + 1, half_count[rest] + halves[i])
                if best is None or candidate < best:
                    best = candidate
                    choice[amount] = i
            if most[rest] >= 0:
                most[amount] = max(most[amount], most[rest] + 1)
        if best is not None:
            count[amount], half_count[amount] = best
    return tuple(count), tuple(choice), tuple(most)


@attrs.frozen
class Maker:
    """The makeable doses for one set of strengths, split rule and doses per day.

    Attributes:
        pieces: The pieces doses are built from (largest first).
        step: The grid step (an amount).
        doses_per_day: Administrations per day.
        equal_doses: Whether every administration of a day must be equal.
        limit: The largest grid amount covered (the starting daily dose).
        max_pieces: Most units (tablets, halves or patches) in one administration; None
            for no limit.
    """

    pieces: tuple[Piece, ...]
    step: Fraction
    doses_per_day: int
    equal_doses: bool
    limit: int
    max_pieces: int | None
    _sizes: tuple[int, ...]
    _fewest: tuple[int, ...]
    _choice: tuple[int, ...]
    _most: tuple[int, ...]
    # With a piece limit and unequal doses: bit k of _reach[j] is set when k is a sum of
    # j allowed doses.
    _reach: tuple[int, ...] = ()
    _memo: dict[int, tuple[tuple[Fraction, Fraction], ...]] = attrs.field(
        factory=dict, eq=False, repr=False
    )

    @property
    def smallest_dose(self) -> Fraction:
        """The smallest makeable single administration (the smallest piece)."""
        return self.pieces[-1].value

    @property
    def smallest_daily(self) -> Fraction:
        """The smallest makeable daily total (one smallest piece per administration)."""
        return self.pieces[-1].value * self.doses_per_day

    def _dose_ok(self, k: int) -> bool:
        if not 0 < k <= self.limit:
            return False
        pieces = self._fewest[k]
        return pieces > 0 and (self.max_pieces is None or pieces <= self.max_pieces)

    def _fits(self, k: int, doses: int) -> bool:
        """Whether ``k`` is a sum of exactly ``doses`` makeable administrations."""
        if doses == 0 or k == 0:
            return doses == 0 and k == 0
        if self._reach:
            return bool(self._reach[doses] >> k & 1)
        return self._most[k] >= doses

    def _daily_ok(self, k: int) -> bool:
        if k == 0:
            return True
        if k < 0 or k > self.limit:
            return False
        n = self.doses_per_day
        if self.equal_doses:
            return k % n == 0 and self._dose_ok(k // n)
        return self._fits(k, n)

    def makeable(self, amount: Fraction) -> bool:
        """Return whether ``amount`` (a daily total, or 0) can be made."""
        k = amount / self.step
        return k.denominator == 1 and self._daily_ok(k.numerator)

    def round(self, ideal: Fraction, ties: Ties) -> Fraction:
        """Return the makeable daily total nearest ``ideal`` (0 included), ties by ``ties``."""
        x = ideal / self.step
        lo = math.floor(x)
        while not self._daily_ok(lo):
            lo -= 1
        hi = math.ceil(x)
        while hi <= self.limit and not self._daily_ok(hi):
            hi += 1
        if hi > self.limit or hi == lo:
            return lo * self.step
        below = x - lo
        above = hi - x
        if below != above:
            return (lo if below < above else hi) * self.step
        if ties == "up":
            return hi * self.step
        if ties == "down":
            return lo * self.step
        width = self.doses_per_day if self.equal_doses else 1
        hi_even = (hi // width) % 2 == 0
        lo_even = (lo // width) % 2 == 0
        return (hi if hi_even and not lo_even else lo) * self.step

    def split(self, daily: Fraction) -> tuple[Fraction, ...]:
        """Split a makeable daily total into administrations, smallest first.

        Equal doses split evenly; otherwise each dose is the largest makeable amount not
        above an even share that still leaves a makeable remainder, so any larger dose
        comes last in the day.
        """
        k = daily / self.step
        if k.denominator != 1 or not self._daily_ok(k.numerator) or k == 0:
            msg = f"{daily} is not a makeable daily total."
            raise InputError(msg)
        n = self.doses_per_day
        total = k.numerator
        if self.equal_doses:
            return (Fraction(total // n) * self.step,) * n
        doses: list[int] = []
        remaining = total
        for left in range(n, 0, -1):
            if left == 1:
                doses.append(remaining)
                break
            dose = remaining // left
            while dose > 0 and not (self._dose_ok(dose) and self._fits(remaining - dose, left - 1)):
                dose -= 1
            doses.append(dose)
            remaining -= dose
        return tuple(Fraction(d) * self.step for d in sorted(doses))

    def pieces_of(self, dose: Fraction) -> tuple[tuple[Fraction, Fraction], ...]:
        """Return ``(strength, count)`` pairs making one administration, largest strength first.

        Counts are whole units plus 1/2 for each half piece; fewest pieces are used.
        """
        k = dose / self.step
        if k.denominator != 1 or not self._dose_ok(k.numerator):
            msg = f"{dose} cannot be made from the strengths."
            raise InputError(msg)
        amount = k.numerator
        found = self._memo.get(amount)
        if found is None:
            counts: dict[Fraction, Fraction] = {}
            while amount > 0:
                i = self._choice[amount]
                piece = self.pieces[i]
                counts[piece.strength] = counts.get(piece.strength, Fraction(0)) + (
                    Fraction(1, 2) if piece.half else Fraction(1)
                )
                amount -= self._sizes[i]
            found = tuple(sorted(counts.items(), reverse=True))
            self._memo[k.numerator] = found
        return found


def make_maker(
    strengths: tuple[Fraction, ...],
    *,
    splittable: bool,
    doses_per_day: int,
    equal_doses: bool,
    limit: Fraction,
    max_pieces: int | None = None,
) -> Maker:
    """Build the :class:`Maker` for these strengths up to the daily total ``limit``.

    Raises:
        InputError: The strengths are so fine against ``limit`` that the grid would be huge.
    """
    pieces = [Piece(s, half=False) for s in strengths]
    if splittable:
        pieces += [Piece(s, half=True) for s in strengths]
    # Largest first; the last piece is the smallest makeable administration.
    pieces.sort(key=lambda p: (-p.value, p.half))
    step = _gcd(tuple(p.value for p in pieces))
    top = math.ceil(limit / step)
    if top > _MAX_GRID:
        msg = (
            f"The strengths give {top} possible doses up to the starting dose; painrx builds "
            f"tablet schedules over at most {_MAX_GRID}. Use strengths=None for exact doses."
        )
        raise InputError(msg)
    sizes = tuple(int(p.value / step) for p in pieces)
    halves = tuple(p.half for p in pieces)
    fewest, choice, most = _tables(sizes, halves, top)
    reach: tuple[int, ...] = ()
    if max_pieces is not None and not equal_doses:
        allowed = [k for k in range(1, top + 1) if 0 < fewest[k] <= max_pieces]
        mask = (1 << (top + 1)) - 1
        rows = [1]
        for _ in range(doses_per_day):
            row = 0
            for k in allowed:
                row |= rows[-1] << k
            rows.append(row & mask)
        reach = tuple(rows)
    return Maker(
        pieces=tuple(pieces),
        step=step,
        doses_per_day=doses_per_day,
        equal_doses=equal_doses,
        limit=top,
        max_pieces=max_pieces,
        sizes=sizes,
        fewest=fewest,
        choice=choice,
        most=most,
        reach=reach,
    )
