"""Guideline paces: which taper speed a guideline accepts, and the alerts when one is exceeded."""

from __future__ import annotations

from typing import Any

import attrs

from painrx._numbers import exact_conversion
from painrx.errors import Alert, Severity
from painrx.provenance import Provenance
from painrx.tapers import _data as data
from painrx.tapers._build import Phase
from painrx.tapers._schedule import fmt as _fmt
from painrx.tapers._schedule import q_dict as _q_dict
from painrx.units import Q, Quantity, magnitude

__all__ = ["GuidelinePace", "guideline_paces", "pace_alerts", "use_class"]


@attrs.frozen(repr=False)
class GuidelinePace:
    """The fastest taper a guideline accepts for one duration-of-use class.

    Attributes:
        guideline: Guideline table id (``"CDC_2022"``).
        use: Duration-of-use class (``"long_term"``, ``"weeks_to_months"``,
            ``"post_operative"``).
        max_percent: Largest accepted cut, in percent, per ``per``.
        per: The period of ``max_percent``.
        source: Where the pace comes from.
    """

    guideline: str
    use: str
    max_percent: float
    per: Quantity
    source: Provenance

    def __repr__(self) -> str:
        return (
            f"GuidelinePace({self.guideline!r}, {self.use!r}, {self.max_percent:g}% per {self.per})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "guideline": self.guideline,
            "use": self.use,
            "max_percent": self.max_percent,
            "per": _q_dict(self.per),
            "source": self.source.id,
        }


def guideline_paces() -> tuple[GuidelinePace, ...]:
    """Return every guideline pace painrx checks tapers against, from the cited data files.

    >>> for pace in guideline_paces():
    ...     print(pace)
    GuidelinePace('CDC_2022', 'long_term', 10% per 30 day)
    GuidelinePace('CDC_2022', 'weeks_to_months', 10% per 7 day)
    GuidelinePace('HHS_2019', 'long_term', 10% per 30 day)
    GuidelinePace('HHS_2019', 'weeks_to_months', 10% per 7 day)
    GuidelinePace('HYLAND_2023', 'post_operative', 25% per 1 day)
    GuidelinePace('VA_DOD_2017', 'long_term', 20% per 28 day)
    """
    return tuple(
        GuidelinePace(
            guideline=table.id,
            use=pace.use,
            max_percent=float(pace.max_percent),
            per=Q(float(pace.per_days), "day"),
            source=pace.source,
        )
        for table in (data.guideline(path) for path in data.guideline_ids().values())
        for pace in table.paces.values()
    )


def use_class(duration: Quantity | None) -> data.DurationClass | None:
    if duration is None:
        return None
    days = exact_conversion(magnitude(duration, "day"))
    return next(c for c in data.duration_classes() if c.contains(days))


def pace_alerts(
    use: data.DurationClass | None,
    chosen: data.Guideline,
    phases: tuple[Phase, ...],
    last_day: int,
) -> tuple[list[Alert], Provenance]:
    if use is None:
        note = Alert(
            "taper_pace_not_checked",
            Severity.INFO,
            "duration_of_use was not given, so the pace was not compared with a guideline.",
            chosen.source,
        )
        return [note], chosen.source
    table = chosen
    if use.name not in table.paces:
        post_op = data.guideline(data.POST_OPERATIVE_PATH)
        if use.name in post_op.paces:
            table = post_op
    pace = table.paces.get(use.name)
    if pace is None:
        note = Alert(
            "taper_pace_not_checked",
            Severity.INFO,
            f"{table.id} gives no taper pace for {use.name.replace('_', ' ')} use; "
            "the pace was not checked.",
            table.source,
        )
        return [note], table.source
    found: list[Alert] = []
    for phase in phases:
        rate = phase.fraction * 100 * pace.per_days / phase.days
        if rate > pace.max_percent:
            found.append(
                Alert(
                    "taper_faster_than_guideline",
                    pace.severity,
                    f"{_fmt(float(phase.fraction * 100))}% of the {phase.of} dose every "
                    f"{phase.days} day(s) is {_fmt(float(rate))}% per "
                    f"{_fmt(float(pace.per_days))} days, faster than {table.id}'s "
                    f"{_fmt(float(pace.max_percent))}% per {_fmt(float(pace.per_days))} days "
                    f"for {use.name.replace('_', ' ')} use.",
                    pace.source,
                )
            )
    expected = table.expected.get(use.name)
    if expected is not None and last_day > expected.max_days:
        found.append(
            Alert(
                "taper_longer_than_expected",
                expected.severity,
                f"The taper ends on day {last_day}; after surgery most patients are off "
                f"opioids within {_fmt(float(expected.max_days))} days ({table.id}). "
                "Review the plan and the pain.",
                expected.source,
            )
        )
    return found, table.source
