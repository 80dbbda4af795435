"""The ``painrx`` command line (also ``python -m painrx``).

Subcommands: ``mme``, ``convert``, ``rotate``, ``infusion``, ``taper``, ``check``,
``tables`` and ``validate FILE.csv``. Each prints a readable report, or JSON with
``--json``. Exit codes:

* ``0``: done;
* ``1``: painrx refused the input (one error line on stderr), or ``validate`` found
  rows with errors;
* ``2``: usage error (unknown option, missing argument, unreadable file, a missing
  optional dependency);
* ``3``: ``check`` found an interaction at or above ``--fail-on``;
* ``4``: ``check`` could not check every drug (the report is incomplete).

Errors speak the command line: they name the option (``--weight``), never a Python
keyword argument or function.

Every painrx module is imported only by the subcommand that needs it, so
``painrx mme ...`` starts about as fast as pint itself and never imports pandas.

>>> from painrx.cli import main
>>> main(["tables", "--kind", "mme_thresholds"])
CDC_2016                 mme_thresholds  2016  CDC Guideline for Prescribing Opioids for Chronic Pain, 2016: Recommendation 5 dose thresholds
UK_OPENPRESCRIBING_2025  mme_thresholds  2025  ...
0
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from painrx._version import __version__

if TYPE_CHECKING:
    from painrx.errors import Alert
    from painrx.provenance import Provenance

__all__ = ["EXIT_FINDINGS", "EXIT_INCOMPLETE", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "main"]

#: Exit status: the command completed.
EXIT_OK = 0
#: Exit status: painrx refused the input, or ``validate`` found rows with errors.
EXIT_REFUSED = 1
#: Exit status: a usage error (bad option, unreadable file, missing extra).
EXIT_USAGE = 2
#: Exit status: ``check`` found an interaction at or above ``--fail-on``.
EXIT_FINDINGS = 3
#: Exit status: ``check`` could not check every drug: never read it as "no interaction".
EXIT_INCOMPLETE = 4


class UsageError(Exception):
    """A command-line usage error, reported on one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        msg = f"{self.prog}: error: {message} (see '{self.prog} --help')"
        raise UsageError(msg)


# --------------------------------------------------------------------------- output


def _num(value: float, dp: int = 2) -> str:
    """Return ``value`` rounded to ``dp`` decimals without trailing zeros."""
    text = f"{value:,.{dp}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _q(value: Any) -> str:
    """Return a Quantity, or its ``{"value", "unit"}`` mapping, as ``"12.5 mL/h"``."""
    if isinstance(value, dict):
        return f"{_num(float(value['value']), 4)} {value['unit']}".rstrip()
    from painrx.units import format_units

    return f"{_num(float(value.magnitude), 4)} {format_units(value)}".rstrip()


def _alert_lines(alerts: Iterable[Alert]) -> list[str]:
    return [f"  ! [{a.severity.name.lower()}] {a.code}: {a.message}" for a in alerts]


def _source_line(source: Provenance | None) -> list[str]:
    if source is None:
        return []
    return [f"  source: {source.id}: {source.title} ({source.year})"]


def _emit(args: argparse.Namespace, result: Any, lines: Sequence[str]) -> int:
    if args.json:
        import json

        data = result.to_dict() if hasattr(result, "to_dict") else result
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines))
    return EXIT_OK


def _footer(result: Any) -> list[str]:
    return _alert_lines(getattr(result, "alerts", ())) + _source_line(
        getattr(result, "source", None)
    )


# --------------------------------------------------------------------------- arguments


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        msg = f"expected a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _count_or_quantity(text: str) -> float | str:
    """A count (``120``) or a quantity with a unit (``2.5 mL``, ``30 day``)."""
    try:
        return float(text)
    except ValueError:
        return text


def _frequency(text: str) -> float | str:
    """A frequency code (``BID``) or a number of administrations per day."""
    try:
        return float(text)
    except ValueError:
        return text


def _doses_per_day(text: str) -> int | str:
    """A whole number of administrations per day (``3``) or a code (``TID``)."""
    return int(text) if text.strip().isdigit() else text


def _amount(example_unit: str) -> Callable[[str], str]:
    """An argument that must carry a unit: a bare number is refused with a CLI example."""

    def parse(text: str) -> str:
        try:
            float(text)
        except ValueError:
            return text
        msg = f"{text!r} has no unit: painrx never guesses one; write e.g. '{text} {example_unit}'"
        raise argparse.ArgumentTypeError(msg)

    parse.__name__ = f"quantity in {example_unit}"
    return parse


# Python spellings in painrx's messages, and what a command-line user writes instead.
_PYTHON_HINTS = (
    (
        re.compile(r"painrx\.catalog\.names\(\) lists every accepted name\."),
        "Check the spelling, or give the generic (ingredient) name.",
    ),
    (re.compile(r"painrx\.catalog\.product\(\)"), "the product's own name"),
)


def _speak_cli(message: str, options: dict[str, str]) -> str:
    """Rewrite a library message for the command line.

    ``options`` maps a keyword argument to the option that fills it
    (``{"frequency": "--frequency"}``): ``give frequency= (e.g. 'BID')`` reads
    ``give --frequency (e.g. 'BID')`` and ``dose='10 mg'`` reads ``DOSE '10 mg'``.
    """
    for name, option in options.items():
        message = re.sub(rf"(?<![\w.-]){name}=\s?", f"{option} ", message)
    for pattern, text in _PYTHON_HINTS:
        message = pattern.sub(text, message)
    return message


# --------------------------------------------------------------------------- commands


def _cmd_mme(args: argparse.Namespace) -> int:
    from painrx import opioids

    if (args.quantity is None) != (args.days_supply is None):
        msg = "painrx mme: error: give both --quantity and --days-supply for a prescription"
        raise UsageError(msg)
    if not any(c.isdigit() for c in args.drug):
        try:
            _amount("mg")(args.dose)
        except argparse.ArgumentTypeError as exc:
            msg = f"painrx mme: error: argument DOSE: {exc} (see 'painrx mme --help')"
            raise UsageError(msg) from None
    if args.quantity is not None:
        if args.frequency is not None:
            msg = "painrx mme: error: --frequency does not apply to a prescription"
            raise UsageError(msg)
        result = opioids.mme_prescription(
            args.drug,
            strength=args.dose,
            quantity=_count_or_quantity(args.quantity),
            days_supply=_count_or_quantity(args.days_supply),
            route=args.route,
            form=args.form,
            table=args.table or opioids.DEFAULT_MME_TABLE,
            thresholds=args.thresholds,
        )
        how = f"{args.dose} × {args.quantity} / {args.days_supply} days"
    else:
        result = opioids.mme(
            args.drug,
            args.dose,
            route=args.route,
            frequency=args.frequency,
            form=args.form,
            table=args.table or opioids.DEFAULT_MME_TABLE,
            thresholds=args.thresholds,
        )
        how = args.dose + (f" {args.frequency}" if args.frequency is not None else "")
    lines = [
        f"{args.drug} {how}: {result.value:,.1f} MME/day",
        f"  factor: {_num(result.factor, 4)} per {result.factor_basis} (table {result.table})",
    ]
    return _emit(args, result, lines + _footer(result))


def _cmd_convert(args: argparse.Namespace) -> int:
    from painrx import opioids

    result = opioids.convert_opioid(
        args.drug,
        args.dose,
        to=args.to,
        route=args.route,
        to_route=args.to_route,
        ratios=args.ratios,
    )
    lines = [
        f"{args.drug} {args.dose} {result.route} = {args.to} {_q(result.dose)} {result.to_route}",
        f"  ratio: {_num(result.ratio, 4)} (table {result.table})",
    ]
    return _emit(args, result, lines + _footer(result))


def _span(low: Any, high: Any) -> str:
    """Return a Quantity range as ``"1.2–2.4 mg"`` (one number when both ends agree)."""
    if low == high:
        return _q(low)
    from painrx.units import format_units

    return (
        f"{_num(float(low.magnitude), 4)}–{_q(high)}"
        if format_units(low) == format_units(high)
        else f"{_q(low)} to {_q(high)}"
    )


def _cmd_rotate(args: argparse.Namespace) -> int:
    from painrx import opioids

    options: dict[str, Any] = {}
    if args.reduction is not None:
        options["cross_tolerance_reduction"] = args.reduction
    if args.breakthrough is not None:
        options["breakthrough_fraction"] = tuple(args.breakthrough)
    result = opioids.rotate(
        args.drug,
        args.dose,
        to=args.to,
        route=args.route,
        to_route=args.to_route,
        ratios=args.ratios,
        method=args.method,
        opioid_tolerant_days=args.tolerant_days,
        **options,
    )
    least, most = (f"{r:.0%}" for r in result.reduction)
    cut = least if least == most else f"{least.rstrip('%')}–{most}"
    lines = [
        f"{args.drug} {args.dose} {result.route} → {args.to} {result.to_route}",
        f"  equianalgesic: {_q(result.equianalgesic)}",
        (
            f"  recommended:   {_span(*result.recommended_range)} "
            f"(after a {cut} cross-tolerance reduction)"
        ),
        (
            f"  breakthrough:  {result.breakthrough_drug} {result.breakthrough_route} "
            f"{_span(*result.breakthrough)} per dose"
        ),
    ]
    return _emit(args, result, lines + _footer(result))


def _cmd_infusion(args: argparse.Namespace) -> int:
    from painrx import infusions

    result = infusions.infusion_rate(
        args.dose,
        args.weight,
        args.concentration,
        drug=args.drug,
        profile=args.profile,
        pump_resolution=args.pump_resolution,
    )
    head = f"{args.drug} {args.dose}, {args.weight}, {args.concentration}"
    lines = [
        f"{head}: set the pump to {result.display_rate} mL/h",
        f"  exact rate: {_q(result.rate)}; dose rate {_q(result.dose_rate)}",
        f"  delivered at the set rate: {_q(result.delivered)}",
        f"  profile: {result.profile or 'none'}",
    ]
    return _emit(args, result, lines + _footer(result))


def _cmd_taper(args: argparse.Namespace) -> int:
    from painrx import tapers

    options: dict[str, Any] = {"doses_per_day": args.doses_per_day}
    if args.strength:
        options["strengths"] = args.strength
    if args.no_split:
        options["splittable"] = False
    if args.stop_at is not None:
        options["stop_at"] = args.stop_at
    if args.duration_of_use is not None:
        options["duration_of_use"] = args.duration_of_use
    result = tapers.taper(
        args.drug,
        args.daily_dose,
        percent=args.percent,
        interval=args.interval,
        basis=args.basis,
        ties=args.ties,
        route=args.route,
        **options,
    )
    return _emit(args, result, _taper_lines(args, result) + _footer(result))


def _taper_lines(args: argparse.Namespace, result: Any) -> list[str]:
    """The schedule as a pharmacist reads it: per-dose units, then what to dispense."""
    rows = result.to_rows()
    width = max(len(str(row["daily_dose"])) for row in rows)
    per_dose = max(len(str(row["tablets_per_dose"])) for row in rows)
    lines = [f"{args.drug} {args.daily_dose}: taper by {_num(args.percent)}% every {args.interval}"]
    lines.append(f"  {'day':>5}  {'daily dose':<{width}}  {'per dose':<{per_dose}}  note".rstrip())
    for step, row in zip(result.steps, rows, strict=True):
        note = ("hold; " if step.hold else "") + (step.note or "")
        cells = (
            f"{row['day']:>5}  {row['daily_dose']:<{width}}  {row['tablets_per_dose']:<{per_dose}}"
        )
        lines.append(f"  {cells}  {note}".rstrip())
    dispense = result.dispensing()
    if dispense:
        lines.append("  dispense for the whole taper:")
        lines += [f"    {line.strength}: {line.quantity} (uses {line.used:g})" for line in dispense]
    return lines


def _cmd_check(args: argparse.Namespace) -> int:
    from painrx import interactions
    from painrx.errors import Severity

    patient = None
    fields = {
        "age": args.age,
        "weight": args.weight,
        "height": args.height,
        "sex": args.sex,
    }
    given = {k: v for k, v in fields.items() if v is not None}
    if given or args.condition:
        patient = interactions.Patient(**given, conditions=tuple(args.condition))
    result = interactions.check_interactions(args.meds, patient=patient, on_unknown=args.on_unknown)
    worst = result.max_severity.name.lower() if result.max_severity is not None else "none"
    lines = [f"{len(result.findings)} finding(s), most severe: {worst}"]
    for finding in result.findings:
        drugs = " + ".join((*finding.drugs, *finding.conditions))
        lines.append(f"  [{finding.severity.name.lower()}] {drugs}: {finding.message}")
        if finding.management:
            lines.append(f"      management: {finding.management}")
    if result.unchecked:
        lines.append(f"  NOT CHECKED (unknown): {', '.join(result.unchecked)}")
    lines += _footer(result)
    _emit(args, result, lines)
    if not result.complete:
        return EXIT_INCOMPLETE
    fail_on = None if args.fail_on == "never" else Severity.parse(args.fail_on)
    if fail_on is not None and result.max_severity is not None and result.max_severity >= fail_on:
        return EXIT_FINDINGS
    return EXIT_OK


def _cmd_tables(args: argparse.Namespace) -> int:
    from painrx.tables import tables

    found = tables()
    if args.kind is not None:
        # A kind or its first word: "mme" lists mme_factors, mme_thresholds, ...
        found = tuple(t for t in found if args.kind in {t.kind, t.kind.split("_")[0]})
        if not found:
            known = ", ".join(sorted({t.kind for t in tables()}))
            msg = f"painrx tables: error: no table of kind {args.kind!r}; kinds: {known}"
            raise UsageError(msg)
    if args.json:
        import json

        print(json.dumps([t.to_dict() for t in found], indent=2, ensure_ascii=False))
        return EXIT_OK
    width = max((len(t.id) for t in found), default=0)
    kinds = max((len(t.kind) for t in found), default=0)
    for t in sorted(found, key=lambda t: (t.kind, t.id)):
        print(f"{t.id:<{width}}  {t.kind:<{kinds}}  {t.source.year}  {t.source.title}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    if find_spec("pandas") is None or find_spec("pyarrow") is None:
        msg = (
            "painrx validate: error: reading CSV files needs pandas and pyarrow; "
            "install them with: pip install painrx[pandas]"
        )
        raise UsageError(msg) from None
    from painrx.batch import _validate as validate
    from painrx.errors import InputError

    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    bar = validate.ProgressBar(sys.stderr, args.file) if show else None
    try:
        summary = validate.validate_csv(
            args.file,
            out=args.output,
            table_id=args.table,
            thresholds=args.thresholds,
            block_size=args.block_size,
            progress=bar,
            encoding=args.encoding,
        )
    except (validate.CSVError, InputError) as exc:
        msg = f"painrx validate: error: {' '.join(str(exc).split())}"
        raise UsageError(msg) from None
    finally:
        if bar is not None:
            bar.close()
    # With the rows on standard output (-o -), the summary goes to standard error.
    report = sys.stderr if args.output == "-" else sys.stdout
    if args.json:
        import json

        print(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False), file=report)
    else:
        print(summary.to_text(), file=report)
    return EXIT_REFUSED if summary.rows_with_errors or summary.malformed_lines else EXIT_OK


# --------------------------------------------------------------------------- parser

_DRUG = {"drug": "DRUG", "route": "--route", "form": "--form"}


def _add(
    subparsers: Any,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    text: str,
    *,
    examples: Sequence[str],
    options: dict[str, str],
) -> argparse.ArgumentParser:
    """Add a subcommand with ``--json``, its examples and its keyword → option map."""
    shown = "\n".join(f"  {line}" for line in examples)
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=text,
        description=text,
        epilog=f"example{'s' if len(examples) > 1 else ''}:\n{shown}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a report")
    parser.set_defaults(handler=handler, options=options)
    return parser


def _opioid_args(
    parser: argparse.ArgumentParser, dose_help: str, *, count_ok: bool = False
) -> None:
    parser.add_argument("drug", help="drug, brand or combination (oxycodone, Norco)")
    # With count_ok, a bare number is left to _cmd_mme: it is a count of units when the
    # drug names its strength ("Percocet 10/325 mg" 2), and refused otherwise.
    parser.add_argument("dose", type=str if count_ok else _amount("mg"), help=dose_help)
    parser.add_argument("--route", help="route (oral, iv, transdermal…; default: the product's)")


def _add_mme(sub: Any) -> None:
    mme = _add(
        sub,
        "mme",
        _cmd_mme,
        "Morphine milligram equivalents of one opioid dose.",
        examples=(
            "painrx mme oxycodone '10 mg' --frequency BID",
            "painrx mme fentanyl '25 mcg/h' --route transdermal --quantity 10 --days-supply 30",
        ),
        options={
            **_DRUG,
            "dose": "DOSE",
            "strength": "DOSE",
            "frequency": "--frequency",
            "table": "--table",
            "thresholds": "--thresholds",
            "quantity": "--quantity",
            "days_supply": "--days-supply",
        },
    )
    _opioid_args(
        mme,
        "dose: '10 mg' with --frequency, '30 mg/day', '25 mcg/h' (patch); a count of units "
        "for a drug that names its strength ('Percocet 10/325 mg' 2)",
        count_ok=True,
    )
    mme.add_argument("--frequency", type=_frequency, help="BID, q6h, … or times per day")
    mme.add_argument("--form", help="dose form (patch, buccal_film, …)")
    mme.add_argument("--table", help="MME table (default CDC_2022, with or without --quantity)")
    mme.add_argument("--thresholds", default="CDC_2016", help="threshold policy (CDC_2016)")
    mme.add_argument("--quantity", help="units dispensed (or '2.5 mL'): DOSE is the strength")
    mme.add_argument("--days-supply", help="days supply of the prescription (30 or '30 day')")


_CONVERSION = {"dose": "DOSE", "to": "--to", "to_route": "--to-route", "ratios": "--ratios"}


def _add_convert(sub: Any) -> None:
    convert = _add(
        sub,
        "convert",
        _cmd_convert,
        "Equianalgesic dose under a named ratio table.",
        examples=("painrx convert oxycodone '5 mg' --to morphine --ratios SEED",),
        options={**_DRUG, **_CONVERSION},
    )
    _opioid_args(convert, "dose: '10 mg', '30 mg/day'")
    convert.add_argument("--to", required=True, help="target drug")
    convert.add_argument("--to-route", help="target route (default: same as --route)")
    convert.add_argument("--ratios", default="CDC_2022", help="ratio table (SEED, MSD_MANUAL, …)")


def _add_rotate(sub: Any) -> None:
    rotate = _add(
        sub,
        "rotate",
        _cmd_rotate,
        "Opioid rotation: equianalgesic, reduction, breakthrough.",
        examples=("painrx rotate oxycodone '60 mg/day' --to hydromorphone --ratios MSD_MANUAL",),
        options={
            **_DRUG,
            **_CONVERSION,
            "method": "--method",
            "cross_tolerance_reduction": "--reduction",
            "breakthrough_fraction": "--breakthrough",
        },
    )
    _opioid_args(rotate, "current daily dose, e.g. '60 mg/day'")
    rotate.add_argument("--to", required=True, help="target drug")
    rotate.add_argument("--to-route", help="target route (default: same as --route)")
    rotate.add_argument("--ratios", default="CDC_2022", help="ratio table (SEED, MSD_MANUAL, …)")
    rotate.add_argument("--method", help="method for methadone/patch targets (MSD_METHADONE, …)")
    rotate.add_argument(
        "--tolerant-days",
        type=int,
        help="days on at least the opioid-tolerant dose (a patch target needs 7 or more)",
    )
    rotate.add_argument(
        "--reduction", type=_number, help="cross-tolerance reduction, a fraction (0.25)"
    )
    rotate.add_argument(
        "--breakthrough",
        type=_number,
        nargs=2,
        metavar=("LOW", "HIGH"),
        help="breakthrough fractions",
    )


def _add_infusion(sub: Any) -> None:
    infusion = _add(
        sub,
        "infusion",
        _cmd_infusion,
        "Pump rate for a weight-based infusion.",
        examples=(
            (
                "painrx infusion '0.25 mg/kg/h' --weight '80 kg' --concentration '1 mg/mL' "
                "--profile ketamine/perioperative_analgesia"
            ),
        ),
        options={
            "dose": "DOSE",
            "weight": "--weight",
            "concentration": "--concentration",
            "drug": "--drug",
            "profile": "--profile",
            "pump_resolution": "--pump-resolution",
        },
    )
    infusion.add_argument("dose", type=_amount("mg/kg/h"), help="dose rate, e.g. '0.25 mg/kg/h'")
    infusion.add_argument(
        "--weight", type=_amount("kg"), required=True, help="body weight, e.g. '70 kg'"
    )
    infusion.add_argument(
        "--concentration", type=_amount("mg/mL"), required=True, help="e.g. '1 mg/mL'"
    )
    infusion.add_argument("--drug", default="ketamine", help="drug (default ketamine)")
    infusion.add_argument("--profile", help="dosing profile, e.g. ketamine/perioperative_analgesia")
    infusion.add_argument(
        "--pump-resolution", type=_amount("mL/h"), default="0.1 mL/h", help="pump step (0.1 mL/h)"
    )


def _add_taper(sub: Any) -> None:
    taper = _add(
        sub,
        "taper",
        _cmd_taper,
        "Opioid taper schedule: tablets per dose and what to dispense.",
        examples=(
            (
                "painrx taper oxycodone '30 mg/day' --percent 25 --interval '7 day' "
                "--strength '5 mg' --doses-per-day 3"
            ),
        ),
        options={
            "drug": "DRUG",
            "daily_dose": "DAILY_DOSE",
            "percent": "--percent",
            "interval": "--interval",
            "basis": "--basis",
            "strengths": "--strength",
            "splittable": "--no-split",
            "ties": "--ties",
            "stop_at": "--stop-at",
            "duration_of_use": "--duration-of-use",
            "doses_per_day": "--doses-per-day",
            "route": "--route",
        },
    )
    taper.add_argument("drug", help="drug or product (oxycodone, OxyContin)")
    taper.add_argument(
        "daily_dose", type=_amount("mg/day"), help="current daily dose, e.g. '60 mg/day'"
    )
    taper.add_argument("--percent", type=_number, required=True, help="reduction per step, in %%")
    taper.add_argument(
        "--interval", type=_amount("day"), required=True, help="time between steps, e.g. '7 day'"
    )
    taper.add_argument("--basis", default="original", help="original, current or hybrid")
    taper.add_argument(
        "--strength", type=_amount("mg"), action="append", help="available unit dose (repeatable)"
    )
    taper.add_argument("--no-split", action="store_true", help="tablets may not be halved")
    taper.add_argument(
        "--doses-per-day",
        type=_doses_per_day,
        default=1,
        help="administrations per day: a number (3) or a code (TID); default 1",
    )
    taper.add_argument("--ties", default="up", help="rounding ties: up, down or even")
    taper.add_argument(
        "--stop-at", type=_amount("mg/day"), help="daily dose at or below which the next step is 0"
    )
    taper.add_argument(
        "--duration-of-use", type=_amount("year"), help="how long the opioid was taken ('2 year')"
    )
    taper.add_argument("--route", default="oral", help="route (default oral)")


def _add_check(sub: Any) -> None:
    check = _add(
        sub,
        "check",
        _cmd_check,
        "Drug interaction check. Exit status 3: a finding at or above --fail-on; "
        "4: a drug could not be checked.",
        examples=(
            "painrx check warfarin 'ibuprofen 400 mg' --fail-on major",
            "painrx check apixaban naproxen --age 82 --condition ckd",
        ),
        options={
            "age": "--age",
            "weight": "--weight",
            "height": "--height",
            "sex": "--sex",
            "conditions": "--condition",
            "on_unknown": "--on-unknown",
        },
    )
    check.add_argument("meds", nargs="+", help="medications (names or free text)")
    check.add_argument("--age", type=_number, help="age in years")
    check.add_argument("--weight", type=_amount("kg"), help="body weight, e.g. '70 kg'")
    check.add_argument("--height", type=_amount("cm"), help="height, e.g. '170 cm'")
    check.add_argument("--sex", help="male or female")
    check.add_argument("--condition", action="append", default=[], help="condition (repeatable)")
    check.add_argument(
        "--on-unknown",
        choices=("raise", "report"),
        default="raise",
        help="unknown drugs: refuse (default) or report them, with exit status 4",
    )
    check.add_argument(
        "--fail-on",
        choices=("never", "info", "minor", "moderate", "major", "contraindicated"),
        default="never",
        metavar="SEVERITY",
        help="exit with status 3 when a finding is at least this severe: info, minor, "
        "moderate, major or contraindicated (default never)",
    )


def _add_tables(sub: Any) -> None:
    tables = _add(
        sub,
        "tables",
        _cmd_tables,
        "List every cited table painrx ships.",
        examples=("painrx tables --kind mme",),
        options={"kind": "--kind"},
    )
    tables.add_argument(
        "--kind", help="only tables of this kind, or its first word (mme, mme_factors, taper)"
    )


def _add_validate(sub: Any) -> None:
    validate = _add(
        sub,
        "validate",
        _cmd_validate,
        "Compute MME/day for every row of a prescription CSV file, streaming.",
        examples=("painrx validate prescriptions.csv -o checked.csv",),
        options={"table": "--table", "thresholds": "--thresholds"},
    )
    validate.add_argument(
        "file", help="CSV with drug, strength, strength_unit, quantity, days_supply"
    )
    validate.add_argument(
        "-o", "--output", help="write the rows with the added columns here ('-': stdout)"
    )
    validate.add_argument(
        "--encoding", help="the file's encoding (default: UTF-8, or UTF-16 by its BOM)"
    )
    validate.add_argument("--table", default="CDC_2022", help="MME table (CDC_2022)")
    validate.add_argument(
        "--thresholds", default="CDC_2016", help="threshold policy counted in the summary"
    )
    validate.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr",
    )
    validate.add_argument(
        "--block-size",
        type=int,
        default=None,
        help="bytes read per block, 1 KiB to 1 GiB (default 4 MiB)",
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="painrx",
        description="Unit-safe, cited perioperative pain pharmacology.",
        epilog="Exit status: 0 ok, 1 refused input or rows with errors, 2 usage error, "
        "3 'check' findings at or above --fail-on, 4 'check' incomplete. "
        "Example: painrx mme oxycodone '10 mg' --frequency BID",
    )
    parser.add_argument("--version", action="version", version=f"painrx {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in (
        _add_mme,
        _add_convert,
        _add_rotate,
        _add_infusion,
        _add_taper,
        _add_check,
        _add_tables,
        _add_validate,
    ):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``painrx`` command line and return its exit status.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 1 when painrx refused the input or a file had rows with
        errors, 2 on a usage error.
    """
    parser = _build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args))
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:
        # The reader went away (`painrx tables | head`): stop quietly, as the docs advise.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_REFUSED
    except ValueError as exc:
        from painrx.errors import PainRxError

        if not isinstance(exc, PainRxError):
            raise
        message = _speak_cli(" ".join(str(exc).split()), getattr(args, "options", {}))
        print(f"painrx: error: {type(exc).__name__}: {message}", file=sys.stderr)
        return EXIT_REFUSED
