"""Opioids: the oral first choice, IV breakthrough equivalents and the discharge taper."""

from __future__ import annotations

from typing import cast

from painrx import catalog
from painrx.errors import Alert, InputError, PainRxError, Severity
from painrx.interactions import Medication
from painrx.opioids import convert_opioid, mme
from painrx.pathways import _checks
from painrx.pathways._builder import Builder, item_alert
from painrx.pathways._model import Regimen
from painrx.pathways._model import quantity_text as _q
from painrx.tapers import TaperSchedule, taper
from painrx.types import MMETable
from painrx.units import Q, Quantity
from painrx.vocabulary import doses_per_day

__all__ = ["opioid_iv", "opioid_oral", "opioid_safety", "opioid_taper"]


def opioid_oral(b: Builder) -> None:
    """Add the oral opioid, or for a patient on buprenorphine the cited advice instead."""
    on_buprenorphine = [
        _checks.describe(m) for m in b.meds if _checks.name_in(m, ("buprenorphine",))
    ]
    if on_buprenorphine:
        b.add(
            "opioid_buprenorphine",
            detail=f"Current buprenorphine: {'; '.join(on_buprenorphine)}. No oxycodone is "
            "proposed by default: if a full agonist is needed, it is added on top of the "
            "continued buprenorphine, with monitoring, in agreement with its prescriber.",
        )
        return
    cfg = b.data.opioid
    oral_dose = b.data.opioid_oral_dose
    conversion = convert_opioid(
        cfg["oral_drug"],
        oral_dose,
        to=cfg["oral_equivalent"],
        route="oral",
        ratios=cfg["ratios"],
    )
    tolerant: tuple[Alert, ...] = ()
    if b.on_opioids:
        tolerant = (
            item_alert(
                "opioid_naive_starting_dose",
                Severity.MODERATE,
                f"The oral starting dose is the label's opioid-naive one, but the patient "
                f"already takes an opioid ({'; '.join(b.on_opioids)}): account for it "
                "(and avoid duplicating the same opioid).",
                b.spec("opioid_oral"),
            ),
        )
    med = Medication(
        cfg["oral_drug"], dose=oral_dose, frequency=cfg["oral_frequency"], route="oral"
    )
    screen, screen_alerts = b.screen(med)
    b.add(
        "opioid_oral",
        alerts=(*tolerant, *screen_alerts),
        regimen=Regimen(
            cfg["oral_drug"],
            "oral",
            oral_dose,
            cfg["oral_frequency"],
            cfg["oral_frequency_text"],
            as_needed=True,
            source=b.data.cite(cfg["source"]),
            frequency_max=cfg["oral_frequency_max"],
        ),
        order=conversion,
        detail=(
            f"Oral equivalent ({conversion.table}): {_q(oral_dose)} oral {cfg['oral_drug']} "
            f"≈ {_q(conversion.dose)} oral {cfg['oral_equivalent']} "
            f"(ratio {conversion.ratio:g}). {screen}"
        ),
    )
    b.proposed.append(med)


def opioid_iv(b: Builder) -> None:
    cfg = b.data.opioid
    iv_dose = b.iv_dose
    shown = iv_dose if iv_dose is not None else Q(cfg["iv_reference_dose"])
    iv_conversion = convert_opioid(
        cfg["iv_drug"],
        shown,
        to=cfg["iv_equivalent"],
        route="iv",
        to_route="iv",
        ratios=cfg["ratios"],
    )
    prescriber = (
        ""
        if iv_dose is not None
        else " The IV dose is the prescriber's (pass iv_breakthrough_dose= to compute its "
        "equivalent); shown for a reference amount."
    )
    b.add(
        "opioid_iv_breakthrough",
        regimen=Regimen(
            cfg["iv_drug"], "iv", iv_dose, None, "for breakthrough pain only", as_needed=True
        ),
        order=iv_conversion,
        detail=(
            f"IV equivalent ({iv_conversion.table}): {_q(shown)} IV {cfg['iv_drug']} ≈ "
            f"{_q(iv_conversion.dose)} IV {cfg['iv_equivalent']} "
            f"(ratio {iv_conversion.ratio:g}).{prescriber}"
        ),
    )


def opioid_safety(b: Builder) -> None:
    """Add the safety items that go with the opioid order: a bowel regimen, and naloxone
    when a cited overdose risk factor is present (CDC 2022 Recommendation 8; HHS 2018).
    """
    b.add("bowel_regimen")
    reasons = _naloxone_reasons(b)
    if not reasons:
        return
    cfg = b.data.naloxone
    b.add(
        "naloxone",
        regimen=Regimen(
            cfg["drug"],
            cfg["route"],
            frequency_text="for suspected opioid overdose",
            as_needed=True,
            source=b.data.cite(cfg["source"]),
        ),
        detail="Overdose risk factors: " + "; ".join(reasons) + ".",
    )


def _naloxone_reasons(b: Builder) -> list[str]:
    """Return the cited overdose risk factors present with the plan's opioid order."""
    cfg = b.data.naloxone
    reasons: list[str] = []
    table = cfg["mme_table"]
    opioid = b.data.opioid
    planned = b.daily_dose
    if planned is None and b.has("opioid_oral"):
        planned = mme(
            opioid["oral_drug"], b.data.opioid_oral_dose, frequency=opioid["oral_frequency"]
        ).daily_dose
    total = 0.0
    counted: list[str] = []
    if planned is not None:
        total = mme(opioid["oral_drug"], planned, table=table, thresholds=None).value
        counted.append(f"{_q(planned)} {opioid['oral_drug']} ({total:g} MME/day)")
    uncounted: list[str] = []
    for med in b.meds:
        if not _checks.in_class(med, "opioid"):
            continue
        value = _med_mme(med, table)
        if value is None:
            uncounted.append(_checks.describe(med))
            continue
        total += value
        counted.append(f"{_checks.describe(med)} ({value:g} MME/day)")
    pending: list[Alert] = []
    if uncounted and total < cfg["mme_at_least"]:
        pending.append(
            Alert(
                "naloxone_mme_not_counted",
                Severity.MODERATE,
                f"The MME/day of {'; '.join(uncounted)} could not be counted (dose or frequency "
                f"not given): the plan's total without them is {total:g} MME/day; offer "
                f"naloxone if the whole is {cfg['mme_at_least']} MME/day or more.",
                b.data.cite(cfg["source"]),
            )
        )
    if total >= cfg["mme_at_least"]:
        reasons.append(
            f"{total:g} MME/day ({' + '.join(counted)}; {table}), at or above "
            f"{cfg['mme_at_least']} MME/day"
        )
    oud = [_checks.describe(m) for m in b.meds if _checks.product_is(m, cfg["oud_products"])]
    if oud:
        reasons.append(
            f"treatment for opioid use disorder ({'; '.join(oud)}): a history of substance "
            "use disorder"
        )
    benzodiazepines = [
        _checks.describe(m) for m in b.meds if _checks.in_class(m, cfg["benzodiazepine_class"])
    ]
    if benzodiazepines:
        reasons.append(f"a benzodiazepine with the opioid ({'; '.join(benzodiazepines)})")
    conditions = b.patient.conditions if b.patient is not None else ()
    present = [c for c in cfg["conditions"] if c in conditions]
    if present:
        reasons.append(f"{', '.join(present)} ({b.data.cite(cfg['conditions_source']).title})")
    if not reasons:
        # Only when nothing else calls for naloxone does the uncounted MME matter.
        b.alerts.extend(pending)
    return reasons


def _med_mme(med: str | Medication, table: str) -> float | None:
    """Return a current opioid's MME/day, or None when its dose or frequency is unknown."""
    if isinstance(med, Medication):
        name, dose, frequency = med.name, med.dose, med.frequency
    else:
        try:
            parsed = catalog.parse_medication(med)
        except PainRxError:
            return None
        if len(parsed.strengths) != 1:
            return None
        name, dose, frequency = parsed.product.id, parsed.strengths[0], parsed.frequency
    if dose is None or frequency is None:
        return None
    try:
        # The plan's table id comes from its caller; mme refuses an unknown one.
        return mme(
            name, dose, frequency=frequency, table=cast("MMETable", table), thresholds=None
        ).value
    except PainRxError:
        return None


def opioid_taper(b: Builder) -> None:
    opioid = b.data.opioid
    regimen = Regimen(
        opioid["oral_drug"],
        "oral",
        None,
        None,
        "the most to take each day, tapering",
        as_needed=True,
        dose_text="see the taper schedule",
    )
    if b.on_opioids:
        alert = item_alert(
            "rapid_taper_not_for_opioid_tolerant",
            Severity.MODERATE,
            f"The patient already takes an opioid ({'; '.join(b.on_opioids)}): the rapid "
            "post-operative taper is for opioid-naive patients. Taper more slowly, back "
            "to the pre-operative regimen, not to zero.",
            b.spec("opioid_taper"),
        )
        b.add(
            "opioid_taper",
            regimen=regimen,
            detail="No rapid taper computed: the patient was on an opioid before surgery.",
            alerts=(alert,),
        )
        b.alerts.append(alert)
        return
    schedule, start, alerts = _discharge_taper(b)
    steps = "; ".join(
        f"day {s.day}: {_q(s.daily_dose)}, {s.describe_doses()}" for s in schedule.steps
    )
    supply = ", ".join(
        f"{line.quantity} × {_q(line.strength)} tablet(s)" for line in schedule.dispensing()
    )
    b.add(
        "opioid_taper",
        regimen=regimen,
        order=schedule,
        detail=f"{' '.join(schedule.notes)} {start} Schedule: {steps}. Dispense {supply}: the "
        "smallest supply that covers the whole taper." + _taper_caveats(schedule),
        alerts=alerts,
    )
    b.alerts.extend(alerts)


def _discharge_taper(b: Builder) -> tuple[TaperSchedule, str, tuple[Alert, ...]]:
    """Return the discharge taper, its start in words, and the alert when the start is assumed.

    The start is the opioid actually used in the last 24 hours when given
    (``discharge_opioid_daily_dose``), split over ``discharge_opioid_frequency`` or, when
    that is not given, over as many doses a day as the dose allows, at most the oral
    regimen's. Without it the taper starts from the most the oral regimen allows (from
    :func:`painrx.opioids.mme`, which owns dose × frequency), which is alerted.
    """
    opioid = b.data.opioid
    daily_dose = b.daily_dose
    if daily_dose is None:
        frequency = opioid["oral_frequency"]
        daily_dose = mme(
            opioid["oral_drug"], b.data.opioid_oral_dose, frequency=frequency
        ).daily_dose
        start = (
            f"Starts from the most the oral regimen allows ({_q(b.data.opioid_oral_dose)} "
            f"{frequency} = {_q(daily_dose)})."
        )
        alert = item_alert(
            "discharge_dose_assumed",
            Severity.MODERATE,
            f"The discharge taper starts from the regimen's theoretical maximum, "
            f"{_q(daily_dose)}: pass discharge_opioid_daily_dose= with the opioid actually "
            "used in the last 24 hours, so the supply is sized from use.",
            b.spec("opioid_taper"),
        )
        return _build_taper(b, daily_dose, [frequency]), start, (alert,)
    start = f"Starts from the opioid used in the last 24 hours, {_q(daily_dose)}."
    if b.discharge_frequency is not None:
        return _build_taper(b, daily_dose, [b.discharge_frequency]), start, ()
    most = round(doses_per_day(opioid["oral_frequency"]))
    return _build_taper(b, daily_dose, list(range(most, 0, -1))), start, ()


def _build_taper(b: Builder, daily_dose: Quantity, frequencies: list[str | int]) -> TaperSchedule:
    """Return the taper for the first frequency the daily dose can be split over.

    Raises:
        InputError: No frequency works (the message names the dose and the frequencies).
    """
    cfg = b.data.taper
    error: InputError | None = None
    for frequency in frequencies:
        try:
            return taper(
                b.data.opioid["oral_drug"],
                daily_dose,
                percent=cfg["percent"],
                interval=cfg["interval"],
                basis=cfg["basis"],
                strengths=list(cfg["strengths"]),
                stop_at=cfg["stop_at"],
                duration_of_use=cfg["duration_of_use"],
                route="oral",
                doses_per_day=frequency,
                equal_doses=cfg["equal_doses"],
                final_step=cfg["final_step"],
            )
        except InputError as exc:
            error = exc
    tried = ", ".join(map(repr, frequencies))
    msg = (
        f"The discharge taper from {_q(daily_dose)} taken {tried} time(s) a day cannot be "
        f"built: {error} Check discharge_opioid_daily_dose= and discharge_opioid_frequency=."
    )
    raise InputError(msg) from error


def _taper_caveats(schedule: TaperSchedule) -> str:
    """Return why the taper's own alerts fire, in words (empty when none does)."""
    codes = {a.code for a in schedule.alerts}
    text = ""
    if "taper_step_exceeds_cap" in codes:
        text += (
            " At these doses half a tablet is a large share of the daily dose, so some cuts "
            f"exceed the {schedule.max_step_fraction:.0%} per-step cap (taper_step_exceeds_cap); "
            "a post-operative course is expected to end within days (Hyland 2023)."
        )
    if "taper_longer_than_expected" in codes:
        text += (
            f" The schedule ends on day {schedule.steps[-1].day}, later than the 3-7 days most "
            "patients need after major surgery (Hyland 2023), because no cut is larger than "
            f"{schedule.percent:g}% of the day's dose; review it against the pain "
            "(taper_longer_than_expected)."
        )
    return text
