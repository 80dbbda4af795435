"""Value objects returned by :mod:`painrx.opioids` (frozen, picklable, JSON-ready)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

import attrs

from painrx._html import alerts_text, key_value_table
from painrx._numbers import round_places
from painrx.catalog import NDC_SYSTEM, Coding
from painrx.errors import Alert
from painrx.provenance import Provenance
from painrx.types import (
    CodedMMEResultDict,
    ConversionDict,
    ExcludedDict,
    MMEResultDict,
    PeriodMMEDict,
    QuantityDict,
    RotationDict,
    TotalMMEDict,
)
from painrx.units import Q, Quantity, QuantityLike, format_units

__all__ = [
    "CodedMMEResult",
    "Conversion",
    "ExcludedPrescription",
    "FactorRow",
    "MMEResult",
    "OpioidDose",
    "PeriodMME",
    "Prescription",
    "PrescriptionFactor",
    "Rotation",
    "TotalMME",
]


def _q(value: float, unit: str) -> Quantity:
    return Q(value, unit)


def _qdict(q: Quantity) -> QuantityDict:
    return {"value": float(q.magnitude), "unit": format_units(q)}


def _codes(alerts: Iterable[Alert]) -> list[str]:
    return [a.code for a in alerts]


def _fmt(q: Quantity) -> str:
    return f"{float(q.magnitude):.6g} {format_units(q)}"


# --------------------------------------------------------------------------- inputs


@attrs.frozen
class OpioidDose:
    """One opioid dose for :func:`painrx.opioids.total_mme`.

    Attributes:
        drug: Drug name (ingredient, brand or combination product).
        dose: Daily dose (``"30 mg/day"``), per-administration dose with ``frequency``,
            or a patch strength (``"25 mcg/h"``).
        route: Route; None means the product's route, else oral.
        frequency: Frequency code (``"BID"``) or administrations per day.
        form: Dose form, where the table distinguishes forms.
    """

    drug: str
    dose: QuantityLike
    route: str | None = None
    frequency: str | float | None = None
    form: str | None = None


@attrs.frozen
class Prescription:
    """One dispensed prescription for :func:`painrx.opioids.mme_over_period`.

    Attributes:
        drug: Drug name.
        strength: Strength per unit (``"10 mg"``, ``"25 mcg/h"``, ``"10 mg/mL"``); for a
            combination product the opioid part or both (``"10/325 mg"``).
        quantity: Units dispensed (a number), or a volume (``"2.5 mL"``) for liquids.
        days_supply: Days the prescription lasts (a number or ``"30 day"``).
        start: First day of supply (covered days are ``start`` … ``start + days − 1``).
        route: Route; None means the product's route, else oral.
        form: Dose form, where the table distinguishes forms.
    """

    drug: str
    strength: QuantityLike
    quantity: float | QuantityLike
    days_supply: float | QuantityLike
    start: dt.date
    route: str | None = None
    form: str | None = None


# --------------------------------------------------------------------------- results


@attrs.frozen(repr=False)
class MMEResult:
    """Morphine milligram equivalents per day of one dose or prescription.

    Attributes:
        value: MME/day, unrounded.
        exact: The same value as an exact fraction.
        drug: Catalog ingredient id of the opioid.
        route: Route used.
        form: Dose form used (None when the table does not distinguish forms).
        factor: The factor applied.
        factor_basis: Its unit (``"mg/day"``, ``"mcg/day"``, ``"mcg/h"``).
        daily_dose_value: The daily dose in ``factor_basis``.
        days_supply: Days supply used (after the patch rule), for prescriptions.
        table: The factor table's id.
        source: The factor table's provenance.
        factor_source: The citation behind this factor (may be more specific).
        alerts: Drug, threshold and days-supply alerts.
    """

    value: float
    exact: Fraction = attrs.field(eq=False)
    drug: str
    route: str
    form: str | None
    factor: float
    factor_basis: str
    daily_dose_value: float
    days_supply: float | None
    table: str
    source: Provenance
    factor_source: Provenance
    alerts: tuple[Alert, ...]

    @property
    def daily_dose(self) -> Quantity:
        """The daily dose the factor multiplied, as a Quantity in ``factor_basis``."""
        return _q(self.daily_dose_value, self.factor_basis)

    def rounded(self, dp: int = 1) -> float:
        """Return MME/day rounded half-up to ``dp`` decimals, for display."""
        return round_places(self.exact, dp)

    def __str__(self) -> str:
        """``oxycodone 20 mg/day oral → 30 MME/day (table CDC_2022); no alerts``."""
        return (
            f"{self.drug} {_fmt(self.daily_dose)} {self.route} → {self.rounded():g} MME/day "
            f"(table {self.table}); {alerts_text(self.alerts)}"
        )

    def __repr__(self) -> str:
        codes = ", ".join(_codes(self.alerts))
        return (
            f"MMEResult(value={self.value!r}, drug={self.drug!r}, route={self.route!r}, "
            f"factor={self.factor!r} per {self.factor_basis}, table={self.table!r}, "
            f"alerts=[{codes}])"
        )

    def to_dict(self) -> MMEResultDict:
        """Return a JSON-ready mapping."""
        return {
            "value": self.value,
            "drug": self.drug,
            "route": self.route,
            "form": self.form,
            "factor": self.factor,
            "factor_basis": self.factor_basis,
            "daily_dose": _qdict(self.daily_dose),
            "days_supply": self.days_supply,
            "table": self.table,
            "source": self.source.id,
            "factor_source": self.factor_source.id,
            "alerts": _codes(self.alerts),
        }

    def _rows(self) -> list[tuple[str, object]]:
        return [
            ("MME/day", f"{self.rounded()} (exact {self.value:g})"),
            ("drug", f"{self.drug} ({self.route}{', ' + self.form if self.form else ''})"),
            ("daily dose", _fmt(self.daily_dose)),
            ("factor", f"{self.factor:g} per {self.factor_basis}"),
            ("table", f"{self.table}: {self.source.citation}"),
        ]

    def _repr_html_(self) -> str:
        return key_value_table("MME", self._rows(), self.alerts, self.source)


def _code_text(coding: Coding) -> str:
    return f"{'NDC' if coding.system == NDC_SYSTEM else 'RxNorm'} {coding.code}"


@attrs.frozen(repr=False)
class CodedMMEResult(MMEResult):
    """An :class:`MMEResult` computed from a drug code (an NDC or an RxCUI).

    A subclass, so results pickled before codes existed still load as plain results.

    Attributes:
        codes: The codes the result was computed from: the NDC or the drug's RxCUI,
            then the opioid ingredient's RxCUI when painrx records one.
        product: The product the code denotes, as its code system names it.
    """

    codes: tuple[Coding, ...] = ()
    product: str | None = None

    def __str__(self) -> str:
        """The plain result's line, then ``codes: NDC 00228298311, RxNorm 7804``."""
        codes = ", ".join(_code_text(c) for c in self.codes) or "none"
        return f"{super().__str__()}; codes: {codes}"

    def __repr__(self) -> str:
        return f"Coded{super().__repr__()[:-1]}, codes=[{', '.join(c.code for c in self.codes)}])"

    def to_dict(self) -> CodedMMEResultDict:
        """Return a JSON-ready mapping (with ``codes`` and ``product``)."""
        return {
            **super().to_dict(),
            "codes": [c.to_dict() for c in self.codes],
            "product": self.product,
        }

    def _repr_html_(self) -> str:
        codes = ", ".join(f"{_code_text(c)} ({c.display or '—'})" for c in self.codes)
        rows = [*self._rows(), ("product", self.product or "—"), ("codes", codes or "—")]
        return key_value_table("MME", rows, self.alerts, self.source)


@attrs.frozen(repr=False)
class TotalMME:
    """The sum of several doses' MME/day.

    Attributes:
        value: Total MME/day, unrounded.
        exact: The same as an exact fraction.
        items: One :class:`MMEResult` per dose, in input order.
        table: Factor table id.
        thresholds: Threshold policy id (None: no threshold alerts).
        source: The factor table's provenance.
        alerts: Drug alerts of the items and threshold alerts of the total.
    """

    value: float
    exact: Fraction = attrs.field(eq=False)
    items: tuple[MMEResult, ...]
    table: str
    thresholds: str | None
    source: Provenance
    alerts: tuple[Alert, ...]

    def rounded(self, dp: int = 1) -> float:
        """Return the total rounded half-up to ``dp`` decimals, for display."""
        return round_places(self.exact, dp)

    def __str__(self) -> str:
        """``total 75 MME/day (table CDC_2022): oxycodone 30 + morphine 45; alerts: …``."""
        parts = " + ".join(f"{i.drug} {i.rounded():g}" for i in self.items)
        return (
            f"total {self.rounded():g} MME/day (table {self.table}): {parts}; "
            f"{alerts_text(self.alerts)}"
        )

    def __repr__(self) -> str:
        return (
            f"TotalMME(value={self.value!r}, items={len(self.items)}, table={self.table!r}, "
            f"alerts=[{', '.join(_codes(self.alerts))}])"
        )

    def to_dict(self) -> TotalMMEDict:
        """Return a JSON-ready mapping."""
        return {
            "value": self.value,
            "items": [i.to_dict() for i in self.items],
            "table": self.table,
            "thresholds": self.thresholds,
            "source": self.source.id,
            "alerts": _codes(self.alerts),
        }

    def _repr_html_(self) -> str:
        rows = [(f"{i.drug} ({i.route})", f"{i.rounded()} MME/day") for i in self.items]
        rows += [("total", f"{self.rounded()} MME/day"), ("table", self.table)]
        return key_value_table("Total MME", rows, self.alerts, self.source)


@attrs.frozen
class ExcludedPrescription:
    """A prescription left out of a period total, and why (never silently zero).

    Attributes:
        prescription: The prescription.
        reason: Why it was left out.
    """

    prescription: Prescription
    reason: str

    def to_dict(self) -> ExcludedDict:
        """Return a JSON-ready mapping."""
        return {"drug": self.prescription.drug, "reason": self.reason}


@attrs.frozen(repr=False)
class PeriodMME:
    """MME/day over a period, under one NIH HEAL (``mmequiv``) definition.

    Attributes:
        value: MME/day under ``definition``, unrounded.
        exact: The same as an exact fraction.
        total_mme: Total MME of the counted prescriptions (daily MME × days supply).
        definition: ``"total_days_supply"``, ``"on_therapy_days"``, ``"fixed_window"``
            or ``"max_daily"``.
        denominator_days: The days divided by (None for ``"max_daily"``).
        items: One :class:`MMEResult` per counted prescription, in input order.
        excluded: Prescriptions left out, with the reason.
        table: Factor table id.
        thresholds: Threshold policy id.
        source: The factor table's provenance.
        alerts: Threshold alerts on ``value`` plus the items' alerts.
    """

    value: float
    exact: Fraction = attrs.field(eq=False)
    total_mme: float
    definition: str
    denominator_days: int | float | None
    items: tuple[MMEResult, ...]
    excluded: tuple[ExcludedPrescription, ...]
    table: str
    thresholds: str | None
    source: Provenance
    alerts: tuple[Alert, ...]

    def rounded(self, dp: int = 1) -> float:
        """Return the value rounded half-up to ``dp`` decimals, for display."""
        return round_places(self.exact, dp)

    def __str__(self) -> str:
        """``45 MME/day (on_therapy_days over 10 days) from 1 prescription(s) …``."""
        days = f" over {self.denominator_days:g} days" if self.denominator_days is not None else ""
        excluded = f", {len(self.excluded)} excluded" if self.excluded else ""
        return (
            f"{self.rounded():g} MME/day ({self.definition}{days}) from {len(self.items)} "
            f"prescription(s){excluded} (table {self.table}); {alerts_text(self.alerts)}"
        )

    def __repr__(self) -> str:
        return (
            f"PeriodMME(value={self.value!r}, definition={self.definition!r}, "
            f"total_mme={self.total_mme!r}, denominator_days={self.denominator_days!r}, "
            f"items={len(self.items)}, excluded={len(self.excluded)}, table={self.table!r}, "
            f"alerts=[{', '.join(_codes(self.alerts))}])"
        )

    def to_dict(self) -> PeriodMMEDict:
        """Return a JSON-ready mapping."""
        return {
            "value": self.value,
            "total_mme": self.total_mme,
            "definition": self.definition,
            "denominator_days": self.denominator_days,
            "items": [i.to_dict() for i in self.items],
            "excluded": [e.to_dict() for e in self.excluded],
            "table": self.table,
            "thresholds": self.thresholds,
            "source": self.source.id,
            "alerts": _codes(self.alerts),
        }

    def _repr_html_(self) -> str:
        rows: list[tuple[str, object]] = [
            ("MME/day", f"{self.rounded()} ({self.definition})"),
            ("total MME", f"{self.total_mme:g} MME"),
            (
                "days",
                f"{self.denominator_days:g} days" if self.denominator_days is not None else "—",
            ),
            ("prescriptions", f"{len(self.items)} counted, {len(self.excluded)} excluded"),
            ("table", self.table),
        ]
        rows += [(f"excluded: {e.prescription.drug}", e.reason) for e in self.excluded]
        return key_value_table("MME over a period", rows, self.alerts, self.source)


@attrs.frozen(repr=False)
class Conversion:
    """An equianalgesic dose under a named ratio table (no cross-tolerance reduction).

    Attributes:
        dose: The equivalent dose of the target (same time basis as the input; a
            patch source gives a daily dose).
        exact: Its magnitude as an exact fraction.
        ratio: Output dose = input dose × ratio, both in mg (``ratio_basis`` says
            otherwise for a patch source).
        ratio_basis: ``"mg per mg"`` or, for a patch source, ``"mg/day per mcg/h"``.
        drug: Source ingredient id.
        route: Source route.
        input: The source dose as given.
        to: Target ingredient id.
        to_route: Target route.
        table: Ratio table id.
        source: The ratio table's provenance.
        ratio_source: The citation of the equivalence used.
        alerts: Drug alerts of both drugs and the table's alerts.
    """

    dose: Quantity
    exact: Fraction = attrs.field(eq=False)
    ratio: float
    ratio_basis: str
    drug: str
    route: str
    input: Quantity
    to: str
    to_route: str
    table: str
    source: Provenance
    ratio_source: Provenance
    alerts: tuple[Alert, ...]

    def __str__(self) -> str:
        """``oxycodone 5 mg oral = morphine 10 mg oral (ratio 2, table SEED); no alerts``."""
        return (
            f"{self.drug} {_fmt(self.input)} {self.route} = {self.to} {_fmt(self.dose)} "
            f"{self.to_route} (ratio {self.ratio:g}, table {self.table}); "
            f"{alerts_text(self.alerts)}"
        )

    def __repr__(self) -> str:
        return (
            f"Conversion({_fmt(self.input)} {self.drug} {self.route} → {_fmt(self.dose)} "
            f"{self.to} {self.to_route}, ratio={self.ratio!r}, table={self.table!r}, "
            f"alerts=[{', '.join(_codes(self.alerts))}])"
        )

    def to_dict(self) -> ConversionDict:
        """Return a JSON-ready mapping."""
        return {
            "dose": _qdict(self.dose),
            "ratio": self.ratio,
            "ratio_basis": self.ratio_basis,
            "drug": self.drug,
            "route": self.route,
            "input": _qdict(self.input),
            "to": self.to,
            "to_route": self.to_route,
            "table": self.table,
            "source": self.source.id,
            "ratio_source": self.ratio_source.id,
            "alerts": _codes(self.alerts),
        }

    def _repr_html_(self) -> str:
        rows = [
            ("from", f"{_fmt(self.input)} {self.drug} ({self.route})"),
            ("to", f"{_fmt(self.dose)} {self.to} ({self.to_route})"),
            ("ratio", f"{self.ratio:g} ({self.ratio_basis})"),
            ("table", f"{self.table}: {self.source.citation}"),
        ]
        return key_value_table("Equianalgesic conversion", rows, self.alerts, self.source)


@attrs.frozen(repr=False)
class Rotation:
    """An opioid rotation: equianalgesic dose, reduced dose, breakthrough range.

    Attributes:
        drug: Source ingredient id.
        route: Source route.
        dose: The source 24-h dose.
        to: Target ingredient id.
        to_route: Target route.
        equianalgesic: The target 24-h dose before any reduction (for a patch method,
            the exact strength before rounding down).
        recommended: The suggested 24-h dose (or patch strength) after the reduction:
            the most conservative end of ``recommended_range``.
        recommended_range: (lowest, highest) suggested dose.
        reduction: (least, most) reduction applied, as fractions of ``equianalgesic``.
        breakthrough: (low, high) breakthrough dose per administration, from the
            recommended 24-h dose (for a patch table, from the least oral morphine the
            table maps to the recommended strength, never read back from its top).
        breakthrough_drug: Ingredient of the breakthrough dose.
        breakthrough_route: Route of the breakthrough dose.
        table: Ratio table id.
        method: Method id for a methadone or patch target, else None.
        source: The method's provenance, else the ratio table's.
        alerts: Drug alerts of both drugs and the table's alerts.
    """

    drug: str
    route: str
    dose: Quantity
    to: str
    to_route: str
    equianalgesic: Quantity
    recommended: Quantity
    recommended_range: tuple[Quantity, Quantity]
    reduction: tuple[float, float]
    breakthrough: tuple[Quantity, Quantity]
    breakthrough_drug: str
    breakthrough_route: str
    table: str
    method: str | None
    source: Provenance
    alerts: tuple[Alert, ...]

    def __str__(self) -> str:
        """Source dose → target: equianalgesic, recommended and breakthrough doses."""
        low, high = self.breakthrough
        return (
            f"{self.drug} {_fmt(self.dose)} {self.route} → {self.to} {self.to_route}: "
            f"equianalgesic {_fmt(self.equianalgesic)}, recommended {_fmt(self.recommended)}, "
            f"breakthrough {float(low.magnitude):.6g}–{_fmt(high)} {self.breakthrough_drug} "
            f"per dose (table {self.table}); {alerts_text(self.alerts)}"
        )

    def __repr__(self) -> str:
        low, high = self.breakthrough
        return (
            f"Rotation({_fmt(self.dose)} {self.drug} {self.route} → {self.to} "
            f"{self.to_route}: equianalgesic {_fmt(self.equianalgesic)}, recommended "
            f"{_fmt(self.recommended)}, breakthrough {float(low.magnitude):.3g}–"
            f"{_fmt(high)} {self.breakthrough_drug} {self.breakthrough_route}, "
            f"table={self.table!r}, method={self.method!r}, "
            f"alerts=[{', '.join(_codes(self.alerts))}])"
        )

    def to_dict(self) -> RotationDict:
        """Return a JSON-ready mapping."""
        return {
            "drug": self.drug,
            "route": self.route,
            "dose": _qdict(self.dose),
            "to": self.to,
            "to_route": self.to_route,
            "equianalgesic": _qdict(self.equianalgesic),
            "recommended": _qdict(self.recommended),
            "recommended_range": [_qdict(q) for q in self.recommended_range],
            "reduction": list(self.reduction),
            "breakthrough": [_qdict(q) for q in self.breakthrough],
            "breakthrough_drug": self.breakthrough_drug,
            "breakthrough_route": self.breakthrough_route,
            "table": self.table,
            "method": self.method,
            "source": self.source.id,
            "alerts": _codes(self.alerts),
        }

    def _repr_html_(self) -> str:
        low, high = self.breakthrough
        rows = [
            ("from", f"{_fmt(self.dose)} {self.drug} ({self.route})"),
            ("equianalgesic", f"{_fmt(self.equianalgesic)} {self.to} ({self.to_route})"),
            ("reduction", f"{self.reduction[0]:.0%}–{self.reduction[1]:.0%}"),
            ("recommended", _fmt(self.recommended)),
            (
                "breakthrough",
                f"{float(low.magnitude):.3g}–{_fmt(high)} {self.breakthrough_drug} per dose",
            ),
            ("table / method", f"{self.table} / {self.method or '—'}"),
            ("source", self.source.citation),
        ]
        return key_value_table("Opioid rotation", rows, self.alerts, self.source)


@attrs.frozen
class PrescriptionFactor:
    """What the CDC file formula needs for one (drug, strength unit, route, form).

    ``MME/day = strength (in strength_unit) × quantity / days_supply × factor``, where
    for a fentanyl patch (``patch_days_rule``) the days supply is replaced by
    ``quantity × days_per_unit``.

    Attributes:
        ingredient: Catalog ingredient id of the opioid component.
        factor: Factor for a strength in ``strength_unit`` (the table factor times the
            unit scale); NaN when ``banded`` (the factor depends on the daily dose, or,
            for a patch counted as written under ``NIH_HEAL_2025``, on nothing the
            formula holds: MME/day = strength × factor whatever the quantity).
        strength_unit: The unit the strength must be expressed in (as given, spelled
            as painrx writes it).
        quantity_kind: ``"count"`` (tablets, patches, films, sprays) or ``"volume"``
            (mL of a liquid or spray).
        banded: No single formula factor (a dose-banded factor, or a patch whose days
            supply counts as written): compute the row with
            :func:`~painrx.opioids.mme_prescription`.
        patch_days_rule: Days supply := quantity × ``days_per_unit`` (alert
            ``days_supply_normalised`` when that changes the answer).
        alerts: Drug-level alerts.
        table: Factor table id.
        source: The citation of the factor.
        days_per_unit: Days one patch lasts under the patch rule, else None.
    """

    ingredient: str
    factor: float
    strength_unit: str
    quantity_kind: str
    banded: bool
    patch_days_rule: bool
    alerts: tuple[Alert, ...]
    table: str
    source: Provenance
    days_per_unit: float | None = None


@attrs.frozen
class FactorRow:
    """One row of an MME factor table, for documentation and review.

    Attributes:
        table: Table id.
        ingredient: Ingredient id.
        routes: Routes, joined with ``/``.
        forms: Forms, joined with ``/`` (empty: any form).
        basis: Daily-dose unit the factor multiplies.
        factor: The factor as printed (bands spelled out).
        source: Id of the citation.
    """

    table: str
    ingredient: str
    routes: str
    forms: str
    basis: str
    factor: str
    source: str
