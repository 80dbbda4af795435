"""Opioid taper schedules, with every hidden choice an explicit, documented parameter.

Guidelines give taper *rates* (CDC 2022: 10% per month or slower after a year of use;
HHS 2019: 10% of the original dose per week until about 30% remains, then 10% of the
remaining dose; after surgery, 20–25% every 1–2 days). They leave open what the
percentage is of, how to round to real tablets, what to do when rounding gives no
reduction, and how to end. :func:`taper` makes each of these a parameter:

* ``basis``: ``"original"`` (linear), ``"current"`` (exponential, needs ``stop_at``)
  or ``"hybrid"`` (HHS: percent of the original until ``switch_fraction`` of it
  remains, then percent of the current dose, optionally at its own ``phase2_percent``
  and ``phase2_interval``).
* rounding: each step is the *ideal* (unrounded) dose rounded to the nearest daily total
  the ``strengths`` can make (halves only when ``splittable``; ``doses_per_day`` equal
  or unequal doses), exact halfway cases by ``ties``.
* no reduction after rounding: an explicit hold step and a ``taper_no_reduction`` alert,
  never a silent plateau and never an increase.
* a cut larger than ``max_step_fraction`` of the current dose is kept and alerted
  (``taper_step_exceeds_cap``).
* the end (``final_step``): at the smallest available dose, lengthen the dosing interval,
  then stop once the opioid is taken less than once a day (CDC), or, after surgery,
  take fewer doses a day and stop (``"fewer_doses"``).

The choices that shape a taper are one frozen :class:`TaperPolicy`; presets
(``TaperPolicy.preset("cdc_2022_long_term")``, ``"hhs_2019_hybrid"``, ``"post_operative"``,
...) read their pace from the cited tables. Every size a caller controls is bounded
(``data/tapers/bounds.toml``).

>>> import painrx as rx
>>> s = rx.taper("oxycodone", "30 mg/day", percent=25, interval="1 day",
...              strengths=["5 mg"], duration_of_use="5 day")
>>> [(step.day, f"{step.daily_dose:g}") for step in s.steps]
[(0, '30 mg/day'), (1, '22.5 mg/day'), (2, '15 mg/day'), (3, '7.5 mg/day'), (4, '0 mg/day')]

painrx is decision support: a taper must be individualised, paused or slowed for
withdrawal or pain, and checked against the product label by a clinician.
"""

from painrx._public import publish
from painrx.tapers._args import MAX_STEPS_BOUND
from painrx.tapers._pace import GuidelinePace, guideline_paces
from painrx.tapers._policy import TAPER_PRESETS, TaperPolicy
from painrx.tapers._schedule import (
    Basis,
    DispenseLine,
    Dose,
    FinalStep,
    TaperSchedule,
    TaperStep,
)
from painrx.tapers._taper import taper

__all__ = [
    "MAX_STEPS_BOUND",
    "TAPER_PRESETS",
    "Basis",
    "DispenseLine",
    "Dose",
    "FinalStep",
    "GuidelinePace",
    "TaperPolicy",
    "TaperSchedule",
    "TaperStep",
    "guideline_paces",
    "taper",
]

publish(__name__, globals(), __all__)
