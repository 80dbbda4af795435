"""The taper pipeline: policy, product, start dose, makeable doses, steps, alerts, schedule.

(public face: ``painrx.tapers``). Each step is a small function; :func:`taper` runs them
in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from painrx._numbers import exact_conversion
from painrx.errors import Alert, InputError, dedupe_alerts
from painrx.tapers import _args
from painrx.tapers import _data as data
from painrx.tapers._build import Phase, RawStep, build, ideals
from painrx.tapers._drug import TaperDrug, patch_rule, resolve, strength_values, unsplittable
from painrx.tapers._pace import pace_alerts, use_class
from painrx.tapers._policy import TaperPolicy
from painrx.tapers._round import Maker, Ties, make_maker
from painrx.tapers._schedule import Basis, FinalStep, TaperSchedule
from painrx.tapers._schedule import fmt as _fmt
from painrx.tapers._steps import public_steps, schedule_notes, snap
from painrx.units import Q, Quantity, QuantityLike, magnitude, quantity_arg

__all__ = ["taper"]


def _policy(policy: object, fields: dict[str, Any]) -> TaperPolicy:
    """Fill a policy from the flat keywords (a keyword given replaces the policy's field)."""
    given = {k: v for k, v in fields.items() if v is not None}
    if policy is None:
        missing = [k for k in ("percent", "interval") if k not in given]
        if missing:
            msg = (
                f"taper() needs {' and '.join(f'{k}=' for k in missing)} (e.g. percent=10, "
                "interval='30 day'), or policy=TaperPolicy.preset('cdc_2022_long_term')."
            )
            raise InputError(msg)
        return TaperPolicy(**given)
    if not isinstance(policy, TaperPolicy):
        msg = f"policy={policy!r} must be a painrx.tapers.TaperPolicy or None."
        raise InputError(msg)
    return policy.replace(**given) if given else policy


def _units(product: TaperDrug) -> tuple[str, str]:
    """Return (daily unit, per-administration unit): mg/day and mg, or mcg/h for a patch."""
    return ("mcg/h", "mcg/h") if product.is_patch else ("mg/day", "mg")


def _start(daily_dose: object, product: TaperDrug) -> tuple[Quantity, Fraction]:
    """Return the starting dose and its exact value in the schedule's unit."""
    start_q = _args.dose_rate_arg(daily_dose, "daily_dose", product)
    start = exact_conversion(magnitude(start_q, _units(product)[0]))
    if start <= 0:
        msg = f"daily_dose={daily_dose!r} is too small to taper."
        raise InputError(msg)
    return start_q, start


def _stop(
    policy: TaperPolicy, product: TaperDrug, start_q: Quantity, start: Fraction
) -> tuple[Quantity | None, Fraction | None]:
    """Return the stop point, below the start; required by the current and hybrid bases."""
    if policy.stop_at is None:
        if policy.basis != "original":
            msg = (
                f"basis={policy.basis!r} never reaches 0 by arithmetic: give stop_at, the daily "
                "dose at or below which the next step is 0 (e.g. stop_at='5 mg/day')."
            )
            raise InputError(msg)
        return None, None
    stop_q = _args.dose_rate_arg(policy.stop_at, "stop_at", product)
    stop = exact_conversion(magnitude(stop_q, _units(product)[0]))
    if stop >= start:
        msg = f"stop_at={format(stop_q)!r} must be below daily_dose={format(start_q)!r}."
        raise InputError(msg)
    return stop_q, stop


def _halves(product: TaperDrug, splittable: object) -> bool:
    """Return whether half tablets are allowed (refusing halves of an unsplittable form)."""
    no_split = unsplittable(product)
    if splittable is None:
        return no_split is None
    halves = _args.flag(splittable, "splittable")
    if halves and no_split is not None:
        msg = (
            f"splittable=True is refused for a {no_split.form}: {no_split.reason} "
            f"({no_split.source.title})."
        )
        raise InputError(msg)
    return halves


def _patch_phases(
    policy: TaperPolicy,
    product: TaperDrug,
    strengths: object,
    change_interval: QuantityLike | None,
    alerts: list[Alert],
) -> tuple[tuple[Phase, ...], data.PatchRule | None, Quantity, Quantity]:
    """Return the phases with patch intervals snapped up to whole changes, and both intervals."""
    phases = policy.phases()
    interval_q = policy.interval
    interval2_q = policy.phase2_interval or interval_q
    if not product.is_patch:
        if change_interval is not None:
            msg = "change_interval applies to patches (route='transdermal') only."
            raise InputError(msg)
        return phases, None, interval_q, interval2_q
    if strengths is None:
        msg = "Patches come in fixed strengths: give strengths=['12 mcg/h', '25 mcg/h', ...]."
        raise InputError(msg)
    rule = patch_rule(product, change_interval)
    days1 = snap(phases[0].days, rule, "interval", alerts)
    if days1 != phases[0].days:
        interval_q = Q(days1, "day")
    snapped = [Phase(phases[0].fraction, days1, phases[0].of)]
    interval2_q = interval_q
    if len(phases) > 1:
        days2 = days1
        if policy.phase2_interval is not None:
            days2 = snap(phases[1].days, rule, "phase2_interval", alerts)
            interval2_q = policy.phase2_interval if days2 == phases[1].days else Q(days2, "day")
        snapped.append(Phase(phases[1].fraction, days2, phases[1].of))
    return tuple(snapped), rule, interval_q, interval2_q


def _maker(
    product: TaperDrug,
    strengths: Sequence[QuantityLike] | None,
    *,
    halves: bool,
    per_day: int,
    equal: bool,
    max_units: int | None,
    start_q: Quantity,
    start: Fraction,
) -> tuple[Maker | None, tuple[Quantity, ...]]:
    """Return the makeable doses for the strengths (None for exact doses) and the strengths."""
    if strengths is None:
        return None, ()
    amount_unit = _units(product)[1]
    values = strength_values(product, strengths)
    maker = make_maker(
        values,
        splittable=halves,
        doses_per_day=per_day,
        equal_doses=equal,
        limit=start,
        max_pieces=max_units,
    )
    if not maker.makeable(start):
        how_split = "equal" if equal else "possibly unequal"
        most = f" of at most {max_units} unit(s)." if max_units is not None else "."
        msg = (
            f"daily_dose={format(start_q)!r} cannot be made from strengths "
            f"{[f'{_fmt(float(v))} {amount_unit}' for v in values]} in {per_day} "
            f"{how_split} dose(s) a day{' with halves' if maker.pieces[-1].half else ''}{most}"
        )
        raise InputError(msg)
    return maker, tuple(Q(float(v), amount_unit) for v in values)


def _raw_steps(
    policy: TaperPolicy,
    phases: tuple[Phase, ...],
    start: Fraction,
    stop: Fraction | None,
    maker: Maker | None,
    *,
    per_day: int,
    patch: bool,
) -> list[RawStep]:
    """Run the engine: the ideal sequence, rounded to makeable doses, with the end rule."""
    hybrid = policy.basis == "hybrid"
    lengthen = {
        "lengthen_interval": data.final_step().every_days,
        "fewer_doses": 1,
        "stop": None,
    }[policy.final_step]
    if patch:
        lengthen = None
    return build(
        start,
        ideals(start, phases, switch_at=policy.switch() * start if hybrid else None, stop_at=stop),
        maker=maker,
        ties=policy.ties,
        doses_per_day=per_day,
        lengthen_every=lengthen,
        max_steps=policy.max_steps,
    )


# --- the public function ----------------------------------------------------------------


def taper(
    drug: str,
    daily_dose: QuantityLike,
    *,
    percent: float | None = None,
    interval: QuantityLike | None = None,
    basis: Basis | None = None,
    strengths: Sequence[QuantityLike] | None = None,
    splittable: bool | None = None,
    ties: Ties | None = None,
    max_step_fraction: float | None = None,
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
    final_step: FinalStep | None = None,
    guideline: str | None = None,
    change_interval: QuantityLike | None = None,
    max_units_per_dose: int | None = None,
    max_steps: int | None = None,
    policy: TaperPolicy | None = None,
) -> TaperSchedule:
    """Build an opioid taper schedule.

    The taper's shape and pace is a :class:`TaperPolicy` (``policy=``, e.g.
    ``TaperPolicy.preset("cdc_2022_long_term")``); the flat keywords ``percent``,
    ``interval``, ``basis``, ``ties``, ``max_step_fraction``, ``stop_at``,
    ``phase2_percent``, ``phase2_interval``, ``switch_fraction``, ``final_step``,
    ``guideline`` and ``max_steps`` fill it, replacing the policy's field when both are
    given. Without a policy, ``percent`` and ``interval`` are required.

    Args:
        drug: Drug, brand or combination name (``"oxycodone"``, ``"OxyContin"``,
            ``"Percocet"``, ``"Duragesic"``); doses are of the opioid component.
        daily_dose: The starting daily dose (``"60 mg/day"``), or for a patch its strength
            (``"50 mcg/h"``, with ``route="transdermal"``).
        percent: Percent cut per interval, above 0 and below 100 (10 means 10%).
        interval: Time between steps, a whole number of days (``"7 day"``, ``"1 month"``:
            30 days), at most 365 days (``data/tapers/bounds.toml``). Patch intervals snap
            *up* to whole change intervals.
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
        doses_per_day: Administrations per day (1, 2, ``"BID"``, …), at most 8 (every
            3 hours, the most frequent labelled oral opioid schedule); 1 for patches.
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
            interval, then stop. ``"fewer_doses"`` (post-operative, Hyland 2023: reduce
            the dose before lengthening the interval): fewer doses a day down to one,
            then stop, without the every-other-day step of the chronic-pain rule.
            ``"stop"``: stop from the smallest dose. Patches stop from the smallest patch
            whatever the end rule.
        guideline: Pace table for ``duration_of_use`` beyond 14 days: ``"CDC_2022"``
            (default), ``"HHS_2019"`` or ``"VA_DOD_2017"``. Post-operative use is always
            checked against the post-operative guidance (``"HYLAND_2023"``).
        change_interval: Patch change interval, needed only for a generic patch name whose
            products differ (buprenorphine: 7 days or 96 h); must be a labelled one.
        max_units_per_dose: Most units (tablets, half tablets or patches) in one
            administration; None (default) sets no limit. A limit leaves out totals that
            need more units, e.g. five 12 mcg/h patches for 60 mcg/h.
        max_steps: Refuse a schedule longer than this many steps (never sped up); at
            most 1000 (default 1000).
        policy: The taper policy the flat keywords above fill (None: built from them).

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
            value and what is accepted), or a size beyond its bound.
    """
    how = _policy(
        policy,
        {
            "percent": percent,
            "interval": interval,
            "basis": basis,
            "ties": ties,
            "max_step_fraction": max_step_fraction,
            "stop_at": stop_at,
            "phase2_percent": phase2_percent,
            "phase2_interval": phase2_interval,
            "switch_fraction": switch_fraction,
            "final_step": final_step,
            "guideline": guideline,
            "max_steps": max_steps,
        },
    )
    product = resolve(drug, route=route, form=form, indication=indication)
    patch = product.is_patch
    start_q, start = _start(daily_dose, product)
    stop_q, stop = _stop(how, product, start_q, start)
    per_day = _args.administrations(doses_per_day, patch)
    equal = _args.flag(equal_doses, "equal_doses")
    if max_units_per_dose is not None:
        _args.count_arg(max_units_per_dose, "max_units_per_dose")
    duration_q = (
        quantity_arg(duration_of_use, name="duration_of_use", kinds="time")
        if duration_of_use is not None
        else None
    )
    halves = _halves(product, splittable)

    alerts: list[Alert] = _args.screen_dose(product, start_q)
    phases, rule, interval_q, interval2_q = _patch_phases(
        how, product, strengths, change_interval, alerts
    )
    maker, strength_qs = _maker(
        product,
        strengths,
        halves=halves,
        per_day=per_day,
        equal=equal,
        max_units=max_units_per_dose,
        start_q=start_q,
        start=start,
    )
    raw = _raw_steps(how, phases, start, stop, maker, per_day=per_day, patch=patch)
    steps, step_alerts = public_steps(
        raw,
        maker,
        strength_qs,
        cap=_args.fraction(how.max_step_fraction, "", upper_inclusive=True),
        patch=patch,
    )
    alerts.extend(step_alerts)
    use = use_class(duration_q)
    chosen = data.guideline(data.guideline_ids()[how.guideline])
    paced, source = pace_alerts(use, chosen, phases, steps[-1].day)
    alerts.extend(paced)

    hybrid = how.basis == "hybrid"
    switch = how.switch()
    tie: Ties = how.ties
    notes = schedule_notes(
        how.basis,
        phases[0].fraction,
        phases[-1].fraction,
        switch,
        tie if maker is not None else None,
        lengthened=any(step.kind == "lengthen" for step in steps),
        final_step=how.final_step,
        product=product,
        rule=rule,
    )
    return TaperSchedule(
        drug=drug,
        product=product.product.id,
        route=product.route,
        form=product.form,
        basis=how.basis,
        percent=float(how.percent),
        interval=interval_q,
        phase2_percent=float(phases[-1].fraction * 100) if hybrid else None,
        phase2_interval=interval2_q if hybrid else None,
        switch_fraction=float(switch) if hybrid else None,
        strengths=strength_qs,
        splittable=halves,
        ties=tie,
        doses_per_day=per_day,
        equal_doses=equal,
        max_step_fraction=float(how.max_step_fraction),
        stop_at=stop_q,
        duration_of_use=duration_q,
        use=use.name if use is not None else None,
        guideline=chosen.id,
        final_step=how.final_step,
        change_interval=Q(float(rule.change_hours), "h") if rule is not None else None,
        steps=tuple(steps),
        alerts=dedupe_alerts(alerts),
        source=source,
        notes=notes,
    )
