"""Load the seed care plan's data file (``data/pathways/post_interstim_removal.toml``).

The file's shape is declared once below (``_PathwayFile`` and its sections, registered
with :func:`painrx.tables.table_shape`): unknown or missing keys, a quantity of the wrong
kind, an unknown term or an entry that cites a source the file does not declare is one
:class:`~painrx.tables.TableError` naming the path inside the file, the first time the
plan is built (and in the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any, Final

import attrs

from painrx.errors import Severity
from painrx.provenance import Provenance
from painrx.tables import (
    Frequency,
    OfKind,
    OneOf,
    Range,
    Route,
    ShapeError,
    read_table,
    sources_of,
    structure,
    table_part,
    table_shape,
)
from painrx.units import Quantity
from painrx.vocabulary import frequency_label

__all__ = [
    "PATH",
    "TABLE_ID",
    "FindingSpec",
    "ItemSpec",
    "PathwayData",
    "RedFlagSpec",
    "SeverityBand",
    "pathway_data",
]

#: The seed care plan's table (kind ``care_pathway``) and its data file.
TABLE_ID: Final = "POST_INTERSTIM_REMOVAL_SEED_2025"
PATH: Final = "pathways/post_interstim_removal.toml"

KINDS: Final = frozenset(
    {"medication", "avoid", "investigation", "referral", "advice", "assessment"}
)
SECTIONS: Final = (
    "assessment",
    "differential",
    "analgesia",
    "adjuncts",
    "investigations",
    "pitfalls",
    "discharge",
)
WHEN: Final = frozenset(
    {"always", "severe", "not_severe", "neuropathic", "severe_neuropathic", "finding"}
)
COMPUTE: Final = frozenset(
    {
        "none",
        "acetaminophen",
        "nsaid",
        "opioid_oral",
        "opioid_iv",
        "dexamethasone",
        "ketamine",
        "gabapentinoid",
        "discharge",
        "taper",
        "referral",
        "opioid_safety",
        "neuropathic",
    }
)


@attrs.frozen
class SeverityBand:
    """A pain-severity category and its inclusive 0-10 score range."""

    category: str
    low: int
    high: int
    source: Provenance


@attrs.frozen
class FindingSpec:
    """A clinical finding code and the investigations it triggers."""

    code: str
    label: str
    investigations: tuple[str, ...]
    severity: Severity
    source: Provenance


@attrs.frozen
class RedFlagSpec:
    """One piece of standing red-flag advice."""

    code: str
    sign: str
    action: str
    findings: tuple[str, ...]
    source: Provenance


@attrs.frozen
class ItemSpec:
    """One plan item as the data file describes it."""

    code: str
    kind: str
    section: str
    name: str
    rationale: str
    when: str
    compute: str
    source: Provenance
    evidence: tuple[Provenance, ...]
    severities: tuple[str, ...] = ()


@attrs.frozen
class DoseStep:
    """One acetaminophen regimen of the descending ladder."""

    dose: Quantity
    frequency: str
    source: Provenance


@attrs.frozen
class PathwayData:
    """The validated contents of the data file."""

    source: Provenance
    sources: Mapping[str, Provenance]
    severity_bands: tuple[SeverityBand, ...]
    adult_min_age_years: float
    population_source: Provenance
    acetaminophen: Mapping[str, Any]
    acetaminophen_min_weight: Quantity
    acetaminophen_steps: tuple[DoseStep, ...]
    nsaid: Mapping[str, Any]
    nsaid_dose: Quantity
    nsaid_withhold_at: Severity
    dexamethasone: Mapping[str, Any]
    dexamethasone_dose: Quantity
    opioid: Mapping[str, Any]
    opioid_oral_dose: Quantity
    ketamine: Mapping[str, Any]
    gabapentinoid: Mapping[str, Any]
    naloxone: Mapping[str, Any]
    neuropathic: Mapping[str, Any]
    taper: Mapping[str, Any]
    discharge: Mapping[str, Any]
    referral_after: Quantity
    findings: Mapping[str, FindingSpec]
    red_flags: tuple[RedFlagSpec, ...]
    items: tuple[ItemSpec, ...]

    def cite(self, key: str) -> Provenance:
        """Return the source the file declares under ``key``."""
        return self.sources[key]

    def item(self, code: str) -> ItemSpec:
        """Return the item spec with this code."""
        return next(i for i in self.items if i.code == code)


# --------------------------------------------------------------------------- shapes

_Mass = Annotated[Quantity, OfKind("mass")]
_Time = Annotated[Quantity, OfKind("time")]
_Score = Annotated[int, Range(low=1, high=10)]


@table_part
class _BandRow:
    category: str
    low: _Score
    high: _Score
    source: Provenance

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            msg = "low/high must be integers with 0 < low <= high <= 10."
            raise ShapeError(msg)


@table_part
class _Population:
    adult_min_age_years: Annotated[float, Range(low=0, low_open=True)]
    source: Provenance


@table_part
class _Acetaminophen:
    drug: str
    route: Route
    min_weight: _Mass
    source: Provenance


@table_part
class _StepRow:
    dose: _Mass
    frequency: Frequency
    source: Provenance


@table_part
class _Nsaid:
    drug: str
    dose: _Mass
    frequency: Frequency
    route: Route
    withhold_at: Severity
    anticoagulant_stand_in: str
    source: Provenance


@table_part
class _Dexamethasone:
    drug: str
    dose: _Mass
    route: Route
    infection_findings: tuple[str, ...]
    infection_condition: str
    source: Provenance


@table_part
class _Opioid:
    oral_drug: str
    oral_dose: _Mass
    oral_frequency: Frequency
    oral_frequency_max: Frequency
    oral_frequency_text: str
    oral_equivalent: str
    iv_drug: str
    iv_equivalent: str
    iv_reference_dose: str
    ratios: str
    source: Provenance


@table_part
class _Ketamine:
    concentration: Annotated[Quantity, OfKind("concentration")]
    profile: str
    obesity_basis: Annotated[str, OneOf(frozenset({"ideal", "adjusted"}))]
    obesity_bmi_at_least: Annotated[float, Range(low=0, low_open=True)]
    obesity_source: Provenance
    source: Provenance


@table_part
class _Naloxone:
    drug: str
    route: Route
    mme_at_least: Annotated[float, Range(low=0, low_open=True)]
    mme_table: str
    benzodiazepine_class: str
    conditions: tuple[str, ...]
    conditions_source: Provenance
    oud_products: tuple[str, ...]
    source: Provenance


@table_part
class _NeuropathicCandidate:
    item: str
    drug: str
    route: Route


@table_part
class _Neuropathic:
    candidates: tuple[_NeuropathicCandidate, ...]
    withhold_at: Severity
    source: Provenance


@table_part
class _Gabapentinoid:
    candidates: tuple[str, ...]
    source: Provenance


@table_part
class _Taper:
    basis: str
    percent: Annotated[float, Range(low=0, low_open=True, high=100)]
    interval: _Time
    strengths: tuple[_Mass, ...]
    equal_doses: bool
    final_step: str
    stop_at: Annotated[Quantity, OfKind("mass_rate")]
    duration_of_use: _Time
    source: Provenance


@table_part
class _Discharge:
    scheduled_days_min: Annotated[int, Range(low=1)]
    scheduled_days_max: int
    referral_after: _Time
    source: Provenance

    def __attrs_post_init__(self) -> None:
        if self.scheduled_days_min > self.scheduled_days_max:
            msg = "need 0 < scheduled_days_min <= scheduled_days_max."
            raise ShapeError(msg)


@table_part
class _FindingRow:
    code: str
    label: str
    investigations: tuple[str, ...]
    severity: Severity
    source: Provenance


@table_part
class _RedFlagRow:
    code: str
    sign: str
    action: str
    findings: tuple[str, ...]
    source: Provenance


@table_part
class _ItemRow:
    code: str
    kind: Annotated[str, OneOf(KINDS)]
    section: Annotated[str, OneOf(SECTIONS)]
    name: str
    rationale: str
    when: Annotated[str, OneOf(WHEN)]
    compute: Annotated[str, OneOf(COMPUTE)]
    source: Provenance
    evidence: tuple[Provenance, ...]
    severities: tuple[Annotated[str, OneOf(frozenset({"mild", "moderate", "severe"}))], ...] = ()


@table_shape("care_pathway")
@table_part
class _PathwayFile:
    """The seed care plan's data file."""

    severity_bands: tuple[_BandRow, ...]
    population: _Population
    acetaminophen: _Acetaminophen
    acetaminophen_steps: tuple[_StepRow, ...]
    nsaid: _Nsaid
    dexamethasone: _Dexamethasone
    opioid: _Opioid
    ketamine: _Ketamine
    gabapentinoid: _Gabapentinoid
    naloxone: _Naloxone
    neuropathic: _Neuropathic
    taper: _Taper
    discharge: _Discharge
    findings: tuple[_FindingRow, ...]
    red_flags: tuple[_RedFlagRow, ...]
    items: tuple[_ItemRow, ...]

    def __attrs_post_init__(self) -> None:
        covered = sorted(n for b in self.severity_bands for n in range(b.low, b.high + 1))
        if covered != list(range(1, 11)):
            msg = "the bands must cover 1-10 once each."
            raise ShapeError(msg, at="severity_bands")
        codes = [i.code for i in self.items]
        if len(codes) != len(set(codes)):
            msg = "item codes must be unique."
            raise ShapeError(msg, at="items")
        _known(
            "findings",
            "investigations",
            self.findings,
            {i.code for i in self.items if i.when == "finding"},
        )
        _known("red_flags", "findings", self.red_flags, {f.code for f in self.findings})
        items = {i.code for i in self.items}
        for i, candidate in enumerate(self.neuropathic.candidates):
            if candidate.item not in items:
                msg = f"{candidate.item!r} is not one of the item codes."
                raise ShapeError(msg, at=f"neuropathic.candidates[{i}].item")


def _known(field: str, key: str, rows: tuple[Any, ...], accepted: set[str]) -> None:
    """Refuse a row that refers to a code the file does not define."""
    for i, row in enumerate(rows):
        for j, code in enumerate(getattr(row, key)):
            if code not in accepted:
                msg = f"{code!r} is not one of {sorted(accepted)}."
                raise ShapeError(msg, at=f"{field}[{i}].{key}[{j}]")


def _pathway_from(doc: Mapping[str, Any]) -> PathwayData:
    """Return the care-plan data of a document (the shipped file, or a test's copy)."""
    shape = structure(doc, _PathwayFile, file=PATH)
    sources = sources_of(PATH)
    return PathwayData(
        source=sources["provenance"],
        sources=sources,
        severity_bands=tuple(
            SeverityBand(b.category, b.low, b.high, b.source) for b in shape.severity_bands
        ),
        adult_min_age_years=shape.population.adult_min_age_years,
        population_source=shape.population.source,
        acetaminophen=doc["acetaminophen"],
        acetaminophen_min_weight=shape.acetaminophen.min_weight,
        acetaminophen_steps=tuple(
            DoseStep(s.dose, frequency_label(s.frequency), s.source)
            for s in shape.acetaminophen_steps
        ),
        nsaid=doc["nsaid"],
        nsaid_dose=shape.nsaid.dose,
        nsaid_withhold_at=shape.nsaid.withhold_at,
        dexamethasone=doc["dexamethasone"],
        dexamethasone_dose=shape.dexamethasone.dose,
        opioid=doc["opioid"],
        opioid_oral_dose=shape.opioid.oral_dose,
        ketamine=doc["ketamine"],
        gabapentinoid=doc["gabapentinoid"],
        naloxone=doc["naloxone"],
        neuropathic=doc["neuropathic"],
        taper=doc["taper"],
        discharge=doc["discharge"],
        referral_after=shape.discharge.referral_after,
        findings=MappingProxyType(
            {
                f.code: FindingSpec(f.code, f.label, f.investigations, f.severity, f.source)
                for f in shape.findings
            }
        ),
        red_flags=tuple(
            RedFlagSpec(r.code, r.sign, r.action, r.findings, r.source) for r in shape.red_flags
        ),
        items=tuple(
            ItemSpec(
                i.code,
                i.kind,
                i.section,
                i.name,
                i.rationale,
                i.when,
                i.compute,
                i.source,
                i.evidence,
                i.severities,
            )
            for i in shape.items
        ),
    )


def _document() -> Mapping[str, Any]:
    return read_table(TABLE_ID, kind="care_pathway")


@cache
def pathway_data() -> PathwayData:
    """Return the validated seed care-plan data (loaded once, shared).

    Raises:
        TableError: The data file is malformed (a packaging bug).
    """
    return _pathway_from(_document())
