"""Taper schedules rounded to real products. (public face: ``painrx.tapers``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast, get_args

from painrx.errors import Alert, InputError, dedupe_alerts
from painrx.tapers import _args
from painrx.tapers import _data as data
from painrx.tapers._build import Phase, build, ideals
from painrx.tapers._drug import patch_rule, resolve, strength_values, unsplittable
from painrx.tapers._pace import pace_alerts, use_class
from painrx.tapers._round import Maker, Ties, make_maker
from painrx.tapers._schedule import Basis, FinalStep, TaperSchedule
from painrx.tapers._schedule import fmt as _fmt
from painrx.tapers._steps import public_steps, schedule_notes, snap
from painrx.units import Q, Quantity, QuantityLike, magnitude, quantity_arg

__all__ = ["taper"]

_BASES: tuple[str, ...] = get_args(Basis)
_TIES: tuple[str, ...] = get_args(Ties)
_FINAL_STEPS: tuple[str, ...] = get_args(FinalStep)


def taper(
    drug: str,
    daily_dose: QuantityLike,
    *,
    percent: float,
    interval: QuantityLike,
    basis: Basis = "original",
    strengths: Sequence[QuantityLike] | None = None,
    splittable: bool | None = None,
    ties: Ties = "up",
    max_step_fraction: float = 0.25,
    stop_at: QuantityLike | None = None,
    duration_of_use: QuantityLike | None = None,
    route: str = "oral",
    doses_per_day: int | str = 1,
    equal_doses: bool = True,
    indication: str | None = None,
    form: str | None = None,
    phase2_percent: float | None = None,
    phase2_interval: QuantityLike | None = None,
    switch_fraction: float | None = None,
    final_step: FinalStep = "lengthen_interval",
    guideline: str = "CDC_2022",
    change_interval: QuantityLike | None = None,
    max_units_per_dose: int | None = None,
    max_steps: int = 1000,
) -> TaperSchedule:
    """Build an opioid taper schedule.

    Args:
        drug: Drug, brand or combination name (``"oxycodone"``, ``"OxyContin"``,
            ``"Percocet"``, ``"Duragesic"``); doses are of the opioid component.
        daily_dose: The starting daily dose (``"60 mg/day"``), or for a patch its strength
            (``"50 mcg/h"``, with ``route="transdermal"``).
        percent: Percent cut per interval, above 0 and below 100 (10 means 10%).
        interval: Time between steps, a whole number of days (``"7 day"``, ``"1 month"``:
            30 days). Patch intervals snap *up* to whole change intervals.
        basis: ``"original"`` (percent of the starting dose: linear, reaches 0 after
            ``ceil(100/percent)`` steps), ``"current"`` (percent of the current ideal dose:
            exponential, needs ``stop_at``) or ``"hybrid"`` (HHS 2019: percent of the
            original until ``switch_fraction`` of it remains, then percent of the current;
            needs ``stop_at``).
        strengths: Available unit strengths (``["5 mg", "10 mg"]``; ``"10/325 mg"`` for a
            combination). None means exact doses (a liquid). Required for patches.
        splittable: Allow half tablets. None (default): allowed unless the dose form must
            not be split (ER tablets, capsules, patches; see the data file). True is
            refused for such forms. Only tablets with a functional score should be split.
        ties: An ideal dose exactly halfway between two makeable doses rounds ``"up"``
            (the default: avoids under-dosing), ``"down"``, or to the ``"even"`` multiple of
            the daily dose step (the lower one where both are even or both odd).
        max_step_fraction: Largest accepted cut as a fraction of the current dose; a bigger
            cut is kept and alerted. The stop after every-other-day dosing and the
            interval lengthening (CDC's end rule) are exempt.
        stop_at: A daily dose at or below which the next step is 0.
        duration_of_use: How long the patient has taken opioids (``"2 year"``,
            ``"5 day"``): 365 days or more is long-term, 14 days or less post-operative,
            between is weeks to months. None: the pace is not checked (alert
            ``taper_pace_not_checked``).
        route: ``"oral"`` (default) or ``"transdermal"``.
        doses_per_day: Administrations per day (1, 2, ``"BID"``, …); 1 for patches.
        equal_doses: Every administration of a day equal (default), or as even as the
            strengths allow with any larger dose last.
        indication: None or ``"pain"``; ``"oud"`` is refused.
        form: Dose form when the name does not imply it (``"er_tablet"`` for a generic
            extended-release product).
        phase2_percent: Hybrid only: percent of the current dose in phase 2 (default:
            ``percent``).
        phase2_interval: Hybrid only: the phase 2 interval (default: ``interval``).
        switch_fraction: Hybrid only: fraction of the original dose that starts phase 2
            (default: HHS 2019's 0.3).
        final_step: ``"lengthen_interval"`` (default, CDC): at the smallest available dose,
            fewer doses a day down to one, then one dose every other day for an
            interval, then stop. ``"stop"``: stop from the smallest dose. Patches stop
            from the smallest patch either way.
        guideline: Pace table for ``duration_of_use`` beyond 14 days: ``"CDC_2022"``
            (default), ``"HHS_2019"`` or ``"VA_DOD_2017"``. Post-operative use is always
            checked against the post-operative guidance (``"HYLAND_2023"``).
        change_interval: Patch change interval, needed only for a generic patch name whose
            products differ (buprenorphine: 7 days or 96 h); must be a labelled one.
        max_units_per_dose: Most units (tablets, half tablets or patches) in one
            administration; None (default) sets no limit. A limit leaves out totals that
            need more units, e.g. five 12 mcg/h patches for 60 mcg/h.
        max_steps: Refuse a schedule longer than this many steps (never sped up).

    Returns:
        The schedule: ``.steps`` (day 0 the starting dose, the last the 0 dose),
        ``.alerts``, ``.source``, ``.to_rows()``, ``.dispensing()``.

    Raises:
        UnknownDrugError: The drug is not in the catalog.
        UnsafeConversionError: Methadone, sublingual buprenorphine, or
            ``indication="oud"``: refer to a specialist.
        UnitError: A dose, strength or duration of the wrong kind or without a unit; an
            oral daily dose written per hour or per minute (``"25 mcg/h"``: a patch slip).
        InputError: Any other invalid or contradictory argument (the message names the
            value and what is accepted).
    """
    product = resolve(drug, route=route, form=form, indication=indication)
    patch = product.is_patch
    unit = "mcg/h" if patch else "mg/day"
    amount_unit = "mcg/h" if patch else "mg"
    start_q = _args.dose_rate_arg(daily_dose, "daily_dose", product)
    start = data.exact(magnitude(start_q, unit))
    if start <= 0:
        msg = f"daily_dose={daily_dose!r} is too small to taper."
        raise InputError(msg)
    how = cast("Basis", _args.choice(basis, "basis", _BASES))
    p1 = _args.percent(percent, "percent")
    interval_q, days1 = _args.whole_days(interval, "interval")
    hybrid = how == "hybrid"
    for name, value in (
        ("phase2_percent", phase2_percent),
        ("phase2_interval", phase2_interval),
        ("switch_fraction", switch_fraction),
    ):
        if value is not None and not hybrid:
            msg = f"{name} applies to basis='hybrid' only (basis={how!r})."
            raise InputError(msg)
    p2 = _args.percent(phase2_percent, "phase2_percent") if phase2_percent is not None else p1
    interval2_q, days2 = (
        _args.whole_days(phase2_interval, "phase2_interval")
        if phase2_interval is not None
        else (interval_q, days1)
    )
    switch = (
        _args.fraction(switch_fraction, "switch_fraction", upper_inclusive=False)
        if switch_fraction is not None
        else data.hybrid().switch_fraction
    )
    stop = None
    stop_q = None
    if stop_at is not None:
        stop_q = _args.dose_rate_arg(stop_at, "stop_at", product)
        stop = data.exact(magnitude(stop_q, unit))
        if stop >= start:
            msg = f"stop_at={format(stop_q)!r} must be below daily_dose={format(start_q)!r}."
            raise InputError(msg)
    elif how != "original":
        msg = (
            f"basis={how!r} never reaches 0 by arithmetic: give stop_at, the daily dose at "
            "or below which the next step is 0 (e.g. stop_at='5 mg/day')."
        )
        raise InputError(msg)
    tie = cast("Ties", _args.choice(ties, "ties", _TIES))
    cap = _args.fraction(max_step_fraction, "max_step_fraction", upper_inclusive=True)
    per_day = _args.administrations(doses_per_day, patch)
    equal = _args.flag(equal_doses, "equal_doses")
    ending = cast("FinalStep", _args.choice(final_step, "final_step", _FINAL_STEPS))
    pace_table = data.guideline_ids()
    chosen = data.guideline(pace_table[_args.choice(guideline, "guideline", tuple(pace_table))])
    _args.count_arg(max_steps, "max_steps")
    if max_units_per_dose is not None:
        _args.count_arg(max_units_per_dose, "max_units_per_dose")
    duration_q = (
        quantity_arg(duration_of_use, name="duration_of_use", kinds="time")
        if duration_of_use is not None
        else None
    )

    no_split = unsplittable(product)
    if splittable is None:
        halves = no_split is None
    else:
        halves = _args.flag(splittable, "splittable")
        if halves and no_split is not None:
            msg = (
                f"splittable=True is refused for a {no_split.form}: {no_split.reason} "
                f"({no_split.source.title})."
            )
            raise InputError(msg)

    alerts: list[Alert] = _args.screen_dose(product, start_q)
    rule = None
    if patch:
        if strengths is None:
            msg = "Patches come in fixed strengths: give strengths=['12 mcg/h', '25 mcg/h', ...]."
            raise InputError(msg)
        rule = patch_rule(product, change_interval)
        whole = snap(days1, rule, "interval", alerts)
        if whole != days1:
            interval_q = Q(whole, "day")
        if phase2_interval is None:
            interval2_q, days2 = interval_q, whole
        else:
            whole2 = snap(days2, rule, "phase2_interval", alerts)
            if whole2 != days2:
                interval2_q = Q(whole2, "day")
            days2 = whole2
        days1 = whole
    elif change_interval is not None:
        msg = "change_interval applies to patches (route='transdermal') only."
        raise InputError(msg)

    maker: Maker | None = None
    strength_qs: tuple[Quantity, ...] = ()
    if strengths is not None:
        values = strength_values(product, strengths)
        maker = make_maker(
            values,
            splittable=halves,
            doses_per_day=per_day,
            equal_doses=equal,
            limit=start,
            max_pieces=max_units_per_dose,
        )
        if not maker.makeable(start):
            how_split = "equal" if equal else "possibly unequal"
            msg = (
                f"daily_dose={format(start_q)!r} cannot be made from strengths "
                f"{[f'{_fmt(float(v))} {amount_unit}' for v in values]} in {per_day} "
                f"{how_split} dose(s) a day{' with halves' if maker.pieces[-1].half else ''}"
                + (
                    f" of at most {max_units_per_dose} unit(s)."
                    if max_units_per_dose is not None
                    else "."
                )
            )
            raise InputError(msg)
        strength_qs = tuple(Q(float(v), amount_unit) for v in values)

    phases: tuple[Phase, ...] = (Phase(p1, days1, "current" if how == "current" else "original"),)
    if hybrid:
        phases += (Phase(p2, days2, "current"),)
    lengthen = data.final_step().every_days if ending == "lengthen_interval" and not patch else None
    raw_steps = build(
        start,
        ideals(start, phases, switch_at=switch * start if hybrid else None, stop_at=stop),
        maker=maker,
        ties=tie,
        doses_per_day=per_day,
        lengthen_every=lengthen,
        max_steps=max_steps,
    )

    steps, step_alerts = public_steps(raw_steps, maker, strength_qs, cap=cap, patch=patch)
    alerts.extend(step_alerts)

    use = use_class(duration_q)
    paced, source = pace_alerts(use, chosen, phases, steps[-1].day)
    alerts.extend(paced)

    notes = schedule_notes(
        how,
        p1,
        p2,
        switch,
        tie if maker is not None else None,
        lengthened=any(step.kind == "lengthen" for step in steps),
        product=product,
        rule=rule,
    )

    return TaperSchedule(
        drug=drug,
        product=product.product.id,
        route=product.route,
        form=product.form,
        basis=how,
        percent=float(percent),
        interval=interval_q,
        phase2_percent=float(p2 * 100) if hybrid else None,
        phase2_interval=interval2_q if hybrid else None,
        switch_fraction=float(switch) if hybrid else None,
        strengths=strength_qs,
        splittable=halves,
        ties=tie,
        doses_per_day=per_day,
        equal_doses=equal,
        max_step_fraction=float(cap),
        stop_at=stop_q,
        duration_of_use=duration_q,
        use=use.name if use is not None else None,
        guideline=chosen.id,
        final_step=ending,
        change_interval=Q(float(rule.change_hours), "h") if rule is not None else None,
        steps=tuple(steps),
        alerts=dedupe_alerts(alerts),
        source=source,
        notes=notes,
    )
