"""The picture of a taper: daily dose by day, holds marked, and how it ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from painrx._plotting import axes
from painrx.units import magnitude

if TYPE_CHECKING:
    from painrx.tapers._schedule import TaperSchedule

__all__ = ["plot_taper", "taper_points"]


def taper_points(schedule: TaperSchedule) -> tuple[tuple[int, float], ...]:
    """Return ``(day, daily dose)`` for every step, the dose in the unit of the first step."""
    unit = _unit(schedule)
    return tuple((step.day, magnitude(step.daily_dose, unit)) for step in schedule.steps)


def _unit(schedule: TaperSchedule) -> str:
    from painrx.units import format_units

    return format_units(schedule.steps[0].daily_dose)


def plot_taper(schedule: TaperSchedule, ax: Any = None) -> Any:
    """Draw the schedule as a step line (one step per change) and return the Axes.

    Held steps (rounding gave no cut) are marked with open circles; the last step is
    labelled with the rule that ends the taper (a stop, or a lengthened interval).
    """
    ax = axes(ax)
    points = taper_points(schedule)
    days = [d for d, _ in points]
    doses = [v for _, v in points]
    ax.step(days, doses, where="post", label="daily dose", color="tab:blue")
    held = [(s.day, v) for s, (_, v) in zip(schedule.steps, points, strict=True) if s.hold]
    if held:
        ax.plot(*zip(*held, strict=True), "o", mfc="none", color="tab:orange", label="hold")
    last = schedule.steps[-1]
    ax.annotate(
        f"day {last.day}: {last.kind}",
        (last.day, doses[-1]),
        textcoords="offset points",
        xytext=(-10, 12),
        ha="right",
    )
    ax.set_xlabel("day")
    ax.set_ylabel(f"daily dose ({_unit(schedule)})")
    ax.set_title(
        f"{schedule.drug}: {schedule.percent:g}% of the {schedule.basis} dose every "
        f"{schedule.interval} ({schedule.source.id})"
    )
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right")
    return ax
