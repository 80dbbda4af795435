"""What people read: ``str(result)`` and the HTML Jupyter shows, for every result type.

The numbers are the worked examples of the docs: CDC 2022 oxycodone factor 1.5 and
morphine 1; the seed article's oxycodone 5 mg = morphine 10 mg; ketamine 0.25 mg/kg/h
for 80 kg at 1 mg/mL is 20 mL/h.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from html.parser import HTMLParser

import pytest

import painrx as rx


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v]


def _html(result: object) -> _Text:
    parser = _Text()
    parser.feed(result._repr_html_())  # type: ignore[attr-defined]
    return parser


def test_mme_str_golden() -> None:
    """CDC 2022: oxycodone 10 mg BID = 20 mg/day x 1.5 = 30 MME/day."""
    result = rx.mme("oxycodone", "10 mg", frequency="BID", table="CDC_2022")
    assert str(result) == "oxycodone 20 mg/day oral → 30 MME/day (table CDC_2022); no alerts"


def test_mme_str_names_the_alerts_with_their_severity() -> None:
    """CDC 2022: morphine 30 mg TID = 90 MME/day, at both CDC 2016 thresholds."""
    result = rx.mme("morphine", "30 mg", frequency="TID", table="CDC_2022", thresholds="CDC_2016")
    assert str(result) == (
        "morphine 90 mg/day oral → 90 MME/day (table CDC_2022); "
        "alerts: mme_threshold_50 (MODERATE), mme_threshold_90 (MAJOR)"
    )


def test_total_and_period_str_golden() -> None:
    total = rx.total_mme(
        [
            rx.OpioidDose("oxycodone", "10 mg", frequency="BID"),
            rx.OpioidDose("morphine", "15 mg", frequency="TID"),
        ],
        table="CDC_2022",
    )
    assert str(total).startswith("total 75 MME/day (table CDC_2022): oxycodone 30 + morphine 45;")
    period = rx.mme_over_period(
        [rx.Prescription("oxycodone", "5 mg", 60, 10, start=dt.date(2026, 1, 1))],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 10),
        definition="on_therapy_days",
    )
    # NIH HEAL oxycodone 1.5: 5 mg x 60 / 10 days = 30 mg/day -> 45 MME/day over 10 days.
    assert str(period).startswith("45 MME/day (on_therapy_days over 10 days) from 1 prescription")


def test_conversion_and_rotation_str_golden() -> None:
    conversion = rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED")
    assert str(conversion) == (
        "oxycodone 5 mg oral = morphine 10 mg oral (ratio 2, table SEED); no alerts"
    )
    rotation = rx.rotate("oxycodone", "60 mg/day", to="hydromorphone", ratios="MSD_MANUAL")
    assert str(rotation).startswith(
        "oxycodone 60 mg/day oral → hydromorphone oral: equianalgesic 22.5 mg/day, "
    )


def test_infusion_str_golden() -> None:
    rate = rx.infusion_rate(
        "0.25 mg/kg/h", "80 kg", "1 mg/mL", profile="ketamine/perioperative_analgesia"
    )
    assert str(rate) == (
        "ketamine 0.25 mg/kg/h × 80 kg at 1 mg/mL → set the pump to 20.0 mL/h "
        "(delivers 0.25 mg/kg/h; profile ketamine/perioperative_analgesia); no alerts"
    )
    check = rx.concentration_check(
        "20 mL/h", programmed="1 mg/mL", actual="10 mg/mL", weight="80 kg"
    )
    assert str(check).startswith("pump shows 0.25 mg/kg/h, delivers 2.5 mg/kg/h (10-fold;")
    assert str(check).endswith("alerts: wrong_concentration (MAJOR)")


def test_interaction_report_str_has_risk_and_management() -> None:
    report = rx.check_interactions(["warfarin", "ibuprofen 400 mg"])
    lines = str(report).splitlines()
    assert lines[0] == f"{len(report.findings)} finding(s), most severe: MAJOR"
    (finding,) = [f for f in report.findings if f.rule_id == "nsaid_anticoagulant"]
    shown = f"  MAJOR ibuprofen + warfarin: {finding.message} Management: {finding.management}"
    assert shown in lines


def test_incomplete_report_says_so() -> None:
    report = rx.check_interactions(["warfarin", "zzzfloxacin"], on_unknown="report")
    assert str(report).splitlines()[-1] == "  INCOMPLETE: not checked: zzzfloxacin"


def test_taper_str_golden() -> None:
    schedule = rx.taper(
        "oxycodone",
        "20 mg/day",
        percent=50,
        interval="2 day",
        strengths=["5 mg"],
        splittable=False,
        doses_per_day=2,
    )
    assert str(schedule).startswith(
        "oxycodone taper from 20 mg/day: 50% of the original dose every 2 day, 5 steps, "
        "0 on day 8; dispense 5 mg × "
    )
    assert str(schedule.steps[0]) == "day 0: 20 mg/day (starting dose)"


def test_severity_prints_its_name() -> None:
    assert str(rx.Severity.MAJOR) == "MAJOR"
    assert f"{rx.Severity.CONTRAINDICATED}" == "CONTRAINDICATED"
    assert f"{rx.Severity.MINOR:>7}|{rx.Severity.MAJOR:d}" == "  MINOR|3"


def test_conversion_html_golden() -> None:
    """The seed article: oxycodone 5 mg = morphine 10 mg orally (ratio 2); SEED has no URL."""
    html = rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED")._repr_html_()
    row = "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>"
    source = rx.ratio_tables()[-1]
    assert source.id == "SEED"
    assert html == (
        "<table><caption>Equianalgesic conversion</caption>"
        + row.format("from", "5 mg oxycodone (oral)")
        + row.format("to", "10 mg morphine (oral)")
        + row.format("ratio", "2 (mg per mg)")
        + row.format("table", escape(f"SEED: {source.citation}"))
        + "</table>"
        + f"<p>Source: SEED: {source.title} ({source.year})</p>"
    )


def _every_result() -> list[object]:
    patient = rx.Patient(age=54, weight="82 kg", height="178 cm", sex="male")
    return [
        rx.mme("oxycodone", "10 mg", frequency="BID"),
        rx.total_mme([rx.OpioidDose("oxycodone", "10 mg", frequency="BID")]),
        rx.mme_over_period(
            [rx.Prescription("oxycodone", "5 mg", 60, 10, start=dt.date(2026, 1, 1))],
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 1, 10),
        ),
        rx.convert_opioid("oxycodone", "5 mg", to="morphine", ratios="SEED"),
        rx.rotate("oxycodone", "60 mg/day", to="hydromorphone", ratios="MSD_MANUAL"),
        rx.infusion_rate(
            "0.25 mg/kg/h", "80 kg", "1 mg/mL", profile="ketamine/perioperative_analgesia"
        ),
        rx.bolus("0.35 mg/kg", "80 kg", "10 mg/mL"),
        rx.concentration_check("20 mL/h", programmed="1 mg/mL", actual="10 mg/mL", weight="80 kg"),
        rx.dosing_weight("120 kg", height="170 cm", sex="male"),
        rx.check_interactions(["warfarin", "ibuprofen 400 mg"]),
        rx.taper("oxycodone", "30 mg/day", percent=25, interval="7 day", strengths=["5 mg"]),
        rx.post_interstim_removal_plan(patient, pain_severity=8, neuropathic=True),
    ]


@pytest.mark.parametrize("result", _every_result(), ids=lambda r: type(r).__name__)
def test_every_result_html_has_units_sources_and_severities(result: object) -> None:
    parsed = _html(result)
    text = " ".join(parsed.parts)
    assert text.strip()
    # No bare quantity repr, no lower-case severity, no Python repr of a tuple of alerts.
    assert "<Quantity" not in text
    assert not re.search(r"\((minor|moderate|major|info)\)", text)
    # Every number that follows a dose label carries a unit.
    for label in ("daily dose", "dose_rate", "display_rate", "weight"):
        match = re.search(rf"{label}\s+([\d.]+)(\s+\S+)?", text)
        if match:
            assert match.group(2), (label, match.group(0))
    source = getattr(result, "source", None)
    if source is not None and source.url:
        assert source.url in parsed.links


@pytest.mark.parametrize("result", _every_result(), ids=lambda r: type(r).__name__)
def test_every_result_str_is_short_and_human(result: object) -> None:
    text = str(result)
    assert not text.startswith(type(result).__name__ + "(")
    assert "Quantity(" not in text
    first = text.splitlines()[0]
    assert len(first) < 400
