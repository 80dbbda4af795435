"""Pictures (``painrx[plot]``): the tests read the plotted data back, never the pixels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import painrx as rx
from painrx.errors import MissingDependencyError

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_taper_plot_draws_each_step() -> None:
    schedule = rx.taper(
        "oxycodone", "20 mg/day", percent=50, interval="2 day", strengths=["5 mg"],
        splittable=False, doses_per_day=2,
    )  # fmt: skip
    ax = schedule.plot()
    line = ax.get_lines()[0]
    # The docstring example of TaperSchedule.to_rows: 20, 10, 5, 2.5, 0 mg/day every 2 days.
    assert list(line.get_xdata()) == [0, 2, 4, 6, 8]
    assert list(line.get_ydata()) == [20, 10, 5, 2.5, 0]
    assert ax.get_ylabel() == "daily dose (mg/day)"
    assert any("day 8: stop" in t.get_text() for t in ax.texts)


def test_taper_plot_marks_holds() -> None:
    schedule = rx.taper("oxycodone", "30 mg/day", percent=10, interval="7 day", strengths=["10 mg"])
    held = [(s.day, s.daily_dose.magnitude) for s in schedule.steps if s.hold]
    assert held, "10 mg tablets cannot make a 10% cut of 30 mg/day: some steps hold"
    ax = schedule.plot()
    (marks,) = [ln for ln in ax.get_lines() if ln.get_label() == "hold"]
    assert list(zip(marks.get_xdata(), marks.get_ydata(), strict=True)) == held


def test_taper_plot_draws_on_a_given_axes() -> None:
    _, ax = plt.subplots()
    schedule = rx.taper("oxycodone", "20 mg/day", percent=50, interval="2 day")
    assert schedule.plot(ax=ax) is ax


def _prescriptions() -> list[rx.Prescription]:
    start = dt.date(2026, 1, 1)
    return [
        # NIH HEAL: oxycodone 10 mg x 60 / 10 days = 60 mg/day x 1.5 = 90 MME/day.
        rx.Prescription("oxycodone", "10 mg", 60, 10, start=start),
        # morphine 30 mg x 60 / 20 days = 90 mg/day x 1 = 90 MME/day, from day 6.
        rx.Prescription("morphine", "30 mg", 60, 20, start=start + dt.timedelta(days=5)),
    ]


def test_daily_mme_adds_overlapping_prescriptions() -> None:
    start = dt.date(2026, 1, 1)
    series = rx.opioids.daily_mme(_prescriptions(), start=start, end=start + dt.timedelta(days=29))
    values = [v for _, v in series]
    assert values[:5] == [90.0] * 5
    assert values[5:10] == [180.0] * 5
    assert values[10:25] == [90.0] * 15
    assert values[25:] == [0.0] * 5
    # The same total as the period function: 90 x 10 + 90 x 20 = 2700 MME.
    period = rx.mme_over_period(_prescriptions(), start=start, end=start + dt.timedelta(days=29))
    assert sum(values) == period.total_mme == 2700


def test_mme_timeline_plots_the_days_the_bands_and_the_period_value() -> None:
    start = dt.date(2026, 1, 1)
    end = start + dt.timedelta(days=29)
    ax = rx.opioids.mme_timeline(_prescriptions(), start=start, end=end, thresholds="CDC_2016")
    bars = ax.containers[0]
    assert [b.get_height() for b in bars] == [v for _, v in rx.opioids.daily_mme(
        _prescriptions(), start=start, end=end
    )]  # fmt: skip
    # CDC 2016 Recommendation 5: bands from 50 and from 90 MME/day.
    labels = [c.get_label() for c in ax.collections + ax.patches]
    assert "≥ 50 MME/day (CDC_2016)" in labels
    assert "≥ 90 MME/day (CDC_2016)" in labels
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("fixed_window")]
    assert list(line.get_ydata()) == [90.0, 90.0]  # 2700 MME over 30 days


def test_infusion_profile_chart_is_dose_times_weight_over_concentration() -> None:
    profile = rx.infusion_profile("ketamine/perioperative_analgesia")
    ax = profile.plot()
    # Labels read "soft max 0.25 mg/kg/h (source)": the first two words name the limit.
    lines = {"_".join(str(ln.get_label()).split()[:2]): ln for ln in ax.get_lines()}
    for name, line in lines.items():
        limit = getattr(profile.infusion, name)
        for weight, rate in zip(line.get_xdata(), line.get_ydata(), strict=True):
            expected = rx.infusion_rate(
                limit.value, f"{weight} kg", "1 mg/mL", drug="ketamine"
            ).rate.magnitude
            assert rate == pytest.approx(expected)
    assert set(lines) == {name for name, _ in profile.infusion.items()}


def test_infusion_rate_table_at_80_kg() -> None:
    """SFAR 2009 soft max 0.25 mg/kg/h, ASRA 2018 hard max 1 mg/kg/h; 80 kg at 1 mg/mL."""
    table = rx.infusion_profile("ketamine/perioperative_analgesia").rate_table(weights_kg=(80,))
    assert table == {"soft_min": (10.0,), "soft_max": (20.0,), "hard_max": (80.0,)}
    table = rx.infusion_profile("ketamine/perioperative_analgesia").rate_table(
        "2 mg/mL", weights_kg=(80,)
    )
    assert table["soft_max"] == (10.0,)


def test_without_matplotlib_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    schedule = rx.taper("oxycodone", "20 mg/day", percent=50, interval="2 day")
    with pytest.raises(MissingDependencyError, match=r"pip install 'painrx\[plot\]'"):
        schedule.plot()
