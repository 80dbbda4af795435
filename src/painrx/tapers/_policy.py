"""How to taper, as one frozen value: :class:`TaperPolicy`, and presets from the cited tables.

A policy says how fast and in what shape a dose comes down (percent, interval, basis,
the hybrid's phase 2, the stop point, rounding ties, the per-step cap, the end rule,
the guideline the pace is checked against). What is tapered (the product, its
strengths, the doses a day) is not part of it, so one policy serves every drug.

The presets read their pace from the guideline tables under ``data/tapers`` (the
fastest pace each guideline accepts for a duration-of-use class), so a corrected
table corrects the preset.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Final, cast, get_args

import attrs

from painrx.errors import InputError
from painrx.tapers import _args
from painrx.tapers import _data as data
from painrx.tapers._build import Phase
from painrx.tapers._round import Ties
from painrx.tapers._schedule import Basis, FinalStep
from painrx.tapers._schedule import fmt as _fmt
from painrx.units import Q, Quantity, QuantityLike, format_units, quantity_arg

__all__ = ["TAPER_PRESETS", "TaperPolicy"]

_BASES: tuple[str, ...] = get_args(Basis)
_TIES: tuple[str, ...] = get_args(Ties)
_FINAL_STEPS: tuple[str, ...] = get_args(FinalStep)

#: Preset name → (guideline id, duration-of-use class whose pace it takes, basis).
_PRESETS: Final = {
    "cdc_2022_long_term": ("CDC_2022", "long_term", "original"),
    "cdc_2022_weeks_to_months": ("CDC_2022", "weeks_to_months", "original"),
    "hhs_2019_hybrid": ("HHS_2019", "weeks_to_months", "hybrid"),
    "va_dod_2017": ("VA_DOD_2017", "long_term", "original"),
    "post_operative": ("HYLAND_2023", "post_operative", "original"),
}

#: The preset names :meth:`TaperPolicy.preset` accepts.
TAPER_PRESETS: Final = tuple(_PRESETS)


def _interval(value: QuantityLike) -> Quantity:
    return _args.whole_days(value, "interval")[0]


def _phase2_interval(value: QuantityLike | None) -> Quantity | None:
    return None if value is None else _args.whole_days(value, "phase2_interval")[0]


def _stop_at(value: QuantityLike | None) -> Quantity | None:
    return None if value is None else quantity_arg(value, name="stop_at", kinds="mass_rate")


def _optional_percent(value: object, name: str) -> None:
    if value is not None:
        _args.percent(value, name)


@attrs.frozen(repr=False)
class TaperPolicy:
    """How a taper comes down: pace, shape, stop point, rounding ties, cap and end rule.

    Every field is checked when the policy is made (an :class:`~painrx.errors.InputError`
    names the bad value and what is accepted); :func:`painrx.tapers.taper` takes a
    policy with ``policy=`` and its flat keywords replace single fields.

    >>> p = TaperPolicy.preset("cdc_2022_long_term")
    >>> p
    TaperPolicy(10% of the original dose every 30 day, guideline='CDC_2022')
    >>> TaperPolicy(percent=25, interval="1 day").basis
    'original'

    Attributes:
        percent: Percent cut per interval, above 0 and below 100 (phase 1 of a hybrid).
        interval: Time between steps, a whole number of days (see ``taper``).
        basis: ``"original"`` (linear), ``"current"`` (exponential) or ``"hybrid"``.
        phase2_percent: Hybrid only: percent of the current dose in phase 2.
        phase2_interval: Hybrid only: the phase 2 interval.
        switch_fraction: Hybrid only: fraction of the original dose that starts
            phase 2 (None: HHS 2019's, from the data file).
        stop_at: Daily dose at or below which the next step is 0 (needed by the
            ``"current"`` and ``"hybrid"`` bases).
        ties: How an ideal dose halfway between two makeable doses rounds.
        max_step_fraction: Largest accepted cut as a fraction of the current dose.
        final_step: ``"lengthen_interval"`` (CDC end rule) or ``"stop"``.
        guideline: Pace table checked for use beyond 14 days.
        max_steps: Refuse a schedule longer than this many steps (at most
            :data:`~painrx.tapers.MAX_STEPS_BOUND`).
    """

    percent: float
    interval: Quantity = attrs.field(converter=_interval)
    basis: Basis = "original"
    phase2_percent: float | None = None
    phase2_interval: Quantity | None = attrs.field(default=None, converter=_phase2_interval)
    switch_fraction: float | None = None
    stop_at: Quantity | None = attrs.field(default=None, converter=_stop_at)
    ties: Ties = "up"
    max_step_fraction: float = 0.25
    final_step: FinalStep = "lengthen_interval"
    guideline: str = "CDC_2022"
    max_steps: int = 1000

    def __attrs_post_init__(self) -> None:
        # The converters made text quantities painrx quantities (equal policies compare
        # equal); the other fields are checked here.
        how = _args.choice(self.basis, "basis", _BASES)
        _args.percent(self.percent, "percent")
        for name in ("phase2_percent", "phase2_interval", "switch_fraction"):
            if getattr(self, name) is not None and how != "hybrid":
                msg = f"{name} applies to basis='hybrid' only (basis={how!r})."
                raise InputError(msg)
        _optional_percent(self.phase2_percent, "phase2_percent")
        if self.switch_fraction is not None:
            _args.fraction(self.switch_fraction, "switch_fraction", upper_inclusive=False)
        _args.choice(self.ties, "ties", _TIES)
        _args.fraction(self.max_step_fraction, "max_step_fraction", upper_inclusive=True)
        _args.choice(self.final_step, "final_step", _FINAL_STEPS)
        _args.choice(self.guideline, "guideline", tuple(data.guideline_ids()))
        _args.bounded_count(self.max_steps, "max_steps", _args.MAX_STEPS_BOUND)

    def __repr__(self) -> str:
        shape = f"{_fmt(self.percent)}% of the {self.basis} dose every {self.interval}"
        return f"TaperPolicy({shape}, guideline={self.guideline!r})"

    @classmethod
    def preset(cls, name: str) -> TaperPolicy:
        """Return a preset policy whose pace comes from a cited guideline table.

        ``"cdc_2022_long_term"`` (10% of the original dose per 30 days),
        ``"cdc_2022_weeks_to_months"`` (10% per 7 days), ``"hhs_2019_hybrid"``
        (10% per 7 days of the original dose, then of the current dose once 30% of the
        original remains; give ``stop_at``), ``"va_dod_2017"`` (20% per 28 days) and
        ``"post_operative"`` (Hyland 2023: 25% per day). The numbers are read from the
        data files, each at the fastest pace its guideline accepts.

        >>> TaperPolicy.preset("hhs_2019_hybrid")
        TaperPolicy(10% of the hybrid dose every 7 day, guideline='HHS_2019')

        Raises:
            InputError: An unknown preset name.
        """
        if name not in _PRESETS:
            msg = f"Unknown taper preset {name!r}; use one of {', '.join(map(repr, _PRESETS))}."
            raise InputError(msg)
        guideline, use, basis = _PRESETS[name]
        table = data.guideline(data.guideline_ids()[guideline])
        pace = table.paces[use]
        return cls(
            percent=float(pace.max_percent),
            interval=Q(float(pace.per_days), "day"),
            basis=cast("Basis", basis),
            guideline=guideline,
        )

    def replace(self, **changes: Any) -> TaperPolicy:
        """Return this policy with some fields replaced (checked like a new policy).

        Raises:
            InputError: A field that does not exist, or a bad value.
        """
        unknown = sorted(set(changes) - {f.name for f in attrs.fields(TaperPolicy)})
        if unknown:
            msg = f"TaperPolicy has no field {unknown[0]!r}."
            raise InputError(msg)
        return attrs.evolve(self, **changes)

    def phases(self) -> tuple[Phase, ...]:
        """Return the taper's phases as exact fractions cut per interval."""
        p1 = _args.percent(self.percent, "percent")
        days1 = _args.whole_days(self.interval, "interval")[1]
        first = Phase(p1, days1, "current" if self.basis == "current" else "original")
        if self.basis != "hybrid":
            return (first,)
        p2 = p1 if self.phase2_percent is None else _args.percent(self.phase2_percent, "")
        days2 = (
            days1
            if self.phase2_interval is None
            else _args.whole_days(self.phase2_interval, "phase2_interval")[1]
        )
        return first, Phase(p2, days2, "current")

    def switch(self) -> Fraction:
        """Return the hybrid switch point as an exact fraction of the original dose."""
        if self.switch_fraction is None:
            return data.hybrid().switch_fraction
        return _args.fraction(self.switch_fraction, "switch_fraction", upper_inclusive=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""

        def q(value: Quantity | None) -> dict[str, Any] | None:
            if value is None:
                return None
            return {"value": float(value.magnitude), "unit": format_units(value)}

        return {
            "percent": self.percent,
            "interval": q(self.interval),
            "basis": self.basis,
            "phase2_percent": self.phase2_percent,
            "phase2_interval": q(self.phase2_interval),
            "switch_fraction": self.switch_fraction,
            "stop_at": q(self.stop_at),
            "ties": self.ties,
            "max_step_fraction": self.max_step_fraction,
            "final_step": self.final_step,
            "guideline": self.guideline,
            "max_steps": self.max_steps,
        }
