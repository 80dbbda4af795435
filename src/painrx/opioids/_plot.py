"""A timeline of MME/day over a period: what was taken each day, against the thresholds."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from painrx._plotting import axes
from painrx.opioids._mme import mme_over_period
from painrx.opioids._results import Prescription
from painrx.opioids._tables import threshold_policy
from painrx.types import PeriodDefinition, ThresholdPolicyId

__all__ = ["daily_mme", "mme_timeline"]

_BAND_COLOURS = ("#fff3cd", "#f8d7da", "#f1aeb5")


def daily_mme(
    prescriptions: Iterable[Prescription],
    *,
    start: dt.date,
    end: dt.date,
    table: str | None = None,
) -> tuple[tuple[dt.date, float], ...]:
    """Return the MME/day taken on each day from ``start`` to ``end`` (inclusive).

    Each prescription counts its MME/day (as :func:`mme_over_period` computes it, under
    ``table``) on every day it covers: ``start`` … ``start + days supply − 1``. A
    prescription :func:`mme_over_period` leaves out counts on no day.

    >>> import datetime as dt
    >>> day = dt.date(2026, 1, 1)
    >>> rxs = [Prescription("oxycodone", "5 mg", 60, 10, start=day)]
    >>> [v for _, v in daily_mme(rxs, start=day, end=day + dt.timedelta(days=11))]
    [45.0, 45.0, 45.0, 45.0, 45.0, 45.0, 45.0, 45.0, 45.0, 45.0, 0.0, 0.0]
    """
    options: dict[str, Any] = {} if table is None else {"table": table}
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    totals = dict.fromkeys(days, 0.0)
    for rx in prescriptions:
        result = mme_over_period([rx], start=start, end=end, thresholds=None, **options)
        for item in result.items:
            for i in range(math.ceil(item.days_supply or 0)):
                day = rx.start + dt.timedelta(days=i)
                if day in totals:
                    totals[day] += item.value
    return tuple(totals.items())


def mme_timeline(
    prescriptions: Iterable[Prescription],
    *,
    start: dt.date,
    end: dt.date,
    table: str | None = None,
    thresholds: ThresholdPolicyId = "CDC_2016",
    definition: PeriodDefinition = "fixed_window",
    ax: Any = None,
) -> Any:
    """Draw the daily MME/day over a period with the threshold bands; return the Axes.

    The bars are :func:`daily_mme`; the shaded bands start at each level of the
    ``thresholds`` policy; the dashed line is the period's MME/day under
    ``definition`` (:func:`mme_over_period`).
    """
    listed = list(prescriptions)
    options: dict[str, Any] = {} if table is None else {"table": table}
    ax = axes(ax)
    series = daily_mme(listed, start=start, end=end, table=table)
    period = mme_over_period(
        listed, start=start, end=end, definition=definition, thresholds=thresholds, **options
    )
    values = [v for _, v in series]
    top = max([*values, *(float(lv.mme) for lv in threshold_policy(thresholds).levels)]) * 1.15
    levels = [float(lv.mme) for lv in threshold_policy(thresholds).levels]
    for i, (low, colour) in enumerate(zip(levels, _BAND_COLOURS, strict=False)):
        high = levels[i + 1] if i + 1 < len(levels) else top
        ax.axhspan(low, high, color=colour, zorder=0, label=f"≥ {low:g} MME/day ({thresholds})")
    ax.bar(
        [d for d, _ in series],
        values,
        width=1.0,
        align="edge",
        color="tab:blue",
        label="MME/day taken",
    )
    ax.axhline(
        period.value,
        linestyle="--",
        color="black",
        label=f"{definition}: {period.rounded():g} MME/day ({period.table})",
    )
    ax.set_ylim(0, top)
    ax.set_ylabel("MME/day")
    ax.set_title(f"MME/day from {start} to {end} (table {period.table})")
    ax.legend(loc="upper right", fontsize="small")
    ax.figure.autofmt_xdate()
    return ax
