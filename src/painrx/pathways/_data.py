"""Load and validate the seed care plan's data file (``data/pathways/post_interstim_removal.toml``).

Every section is checked for unknown or missing keys, and every entry must cite a
source the file declares, the first time the plan is built (and in the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

import attrs

from painrx.errors import Severity, TableError
from painrx.provenance import Provenance
from painrx.tables import check_keys, entry_source, read_table, sources_of
from painrx.units import Quantity, quantity_arg
from painrx.vocabulary import frequency_label, route

__all__ = [
    "PATH",
    "FindingSpec",
    "ItemSpec",
    "PathwayData",
    "RedFlagSpec",
    "SeverityBand",
    "pathway_data",
]

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
_TOP_LEVEL: Final = frozenset(
    {
        "provenance",
        "sources",
        "severity_bands",
        "population",
        "acetaminophen",
        "acetaminophen_steps",
        "nsaid",
        "dexamethasone",
        "opioid",
        "ketamine",
        "gabapentinoid",
        "naloxone",
        "neuropathic",
        "taper",
        "discharge",
        "findings",
        "red_flags",
        "items",
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


def _block(doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = doc.get(name)
    if not isinstance(value, dict):
        msg = f"data/{PATH}: [{name}] must be a table."
        raise TableError(msg)
    return value


def _entries(doc: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = doc.get(name)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        msg = f"data/{PATH}: [[{name}]] must be an array of tables."
        raise TableError(msg)
    return value


def _quantity(value: object, where: str, kind: Any) -> Quantity:
    try:
        return quantity_arg(value, name=where, kinds=kind)
    except ValueError as exc:
        msg = f"data/{PATH} {where}: {exc}"
        raise TableError(msg) from None


def _one_of(value: object, accepted: frozenset[str], where: str) -> str:
    if not isinstance(value, str) or value not in accepted:
        msg = f"data/{PATH} {where}: {value!r} is not one of {sorted(accepted)}."
        raise TableError(msg)
    return value


def _section(
    doc: Mapping[str, Any], name: str, required: set[str], optional: frozenset[str] = frozenset()
) -> Mapping[str, Any]:
    block = _block(doc, name)
    where = f"data/{PATH} [{name}]"
    check_keys(block, required=required | {"source"}, optional=optional, where=where)
    entry_source(block, PATH, f"[{name}]")
    return block


def _evidence(entry: Mapping[str, Any], where: str) -> tuple[Provenance, ...]:
    keys = entry["evidence"]
    known = sources_of(PATH)
    if not isinstance(keys, list) or any(k not in known for k in keys):
        msg = (
            f"data/{PATH} {where}: 'evidence' must list sources from {sorted(known)}, got {keys!r}."
        )
        raise TableError(msg)
    return tuple(known[k] for k in keys)


def _bands(doc: Mapping[str, Any]) -> tuple[SeverityBand, ...]:
    bands = []
    for i, entry in enumerate(_entries(doc, "severity_bands")):
        where = f"[[severity_bands]][{i}]"
        check_keys(entry, required={"category", "low", "high", "source"}, where=where)
        low, high = entry["low"], entry["high"]
        if not (isinstance(low, int) and isinstance(high, int) and 0 < low <= high <= 10):
            msg = f"data/{PATH} {where}: low/high must be integers with 0 < low <= high <= 10."
            raise TableError(msg)
        bands.append(
            SeverityBand(str(entry["category"]), low, high, entry_source(entry, PATH, where))
        )
    covered = sorted(n for b in bands for n in range(b.low, b.high + 1))
    if covered != list(range(1, 11)):
        msg = f"data/{PATH} [[severity_bands]]: the bands must cover 1-10 once each."
        raise TableError(msg)
    return tuple(bands)


def _findings(doc: Mapping[str, Any], investigations: frozenset[str]) -> dict[str, FindingSpec]:
    found: dict[str, FindingSpec] = {}
    for i, entry in enumerate(_entries(doc, "findings")):
        where = f"[[findings]][{i}]"
        check_keys(
            entry,
            required={"code", "label", "investigations", "severity", "source"},
            where=where,
        )
        for code in entry["investigations"]:
            _one_of(code, investigations, f"{where} investigations")
        code = str(entry["code"])
        found[code] = FindingSpec(
            code=code,
            label=str(entry["label"]),
            investigations=tuple(entry["investigations"]),
            severity=Severity.parse(entry["severity"]),
            source=entry_source(entry, PATH, where),
        )
    return found


def _red_flags(
    doc: Mapping[str, Any], findings: Mapping[str, FindingSpec]
) -> tuple[RedFlagSpec, ...]:
    flags = []
    for i, entry in enumerate(_entries(doc, "red_flags")):
        where = f"[[red_flags]][{i}]"
        check_keys(entry, required={"code", "sign", "action", "findings", "source"}, where=where)
        for code in entry["findings"]:
            _one_of(code, frozenset(findings), f"{where} findings")
        flags.append(
            RedFlagSpec(
                code=str(entry["code"]),
                sign=str(entry["sign"]),
                action=str(entry["action"]),
                findings=tuple(entry["findings"]),
                source=entry_source(entry, PATH, where),
            )
        )
    return tuple(flags)


def _items(doc: Mapping[str, Any]) -> tuple[ItemSpec, ...]:
    items = []
    for i, entry in enumerate(_entries(doc, "items")):
        where = f"[[items]][{i}]"
        check_keys(
            entry,
            required={
                "code",
                "kind",
                "section",
                "name",
                "rationale",
                "when",
                "compute",
                "source",
                "evidence",
            },
            optional={"severities"},
            where=where,
        )
        items.append(
            ItemSpec(
                code=str(entry["code"]),
                kind=_one_of(entry["kind"], KINDS, f"{where} kind"),
                section=_one_of(entry["section"], frozenset(SECTIONS), f"{where} section"),
                name=str(entry["name"]),
                rationale=str(entry["rationale"]),
                when=_one_of(entry["when"], WHEN, f"{where} when"),
                compute=_one_of(entry["compute"], COMPUTE, f"{where} compute"),
                source=entry_source(entry, PATH, where),
                evidence=_evidence(entry, where),
                severities=tuple(
                    _one_of(v, frozenset(("mild", "moderate", "severe")), f"{where} severities")
                    for v in entry.get("severities", ())
                ),
            )
        )
    codes = [i.code for i in items]
    if len(codes) != len(set(codes)):
        msg = f"data/{PATH} [[items]]: item codes must be unique."
        raise TableError(msg)
    return tuple(items)


def _steps(doc: Mapping[str, Any]) -> tuple[DoseStep, ...]:
    steps = []
    for i, entry in enumerate(_entries(doc, "acetaminophen_steps")):
        where = f"[[acetaminophen_steps]][{i}]"
        check_keys(entry, required={"dose", "frequency", "source"}, where=where)
        steps.append(
            DoseStep(
                dose=_quantity(entry["dose"], where, "mass"),
                frequency=frequency_label(entry["frequency"]),
                source=entry_source(entry, PATH, where),
            )
        )
    return tuple(steps)


@cache
def pathway_data() -> PathwayData:
    """Return the validated seed care-plan data (loaded once, shared).

    Raises:
        TableError: The data file is malformed (a packaging bug).
    """
    doc = read_table(PATH)
    where = f"data/{PATH}"
    check_keys(doc, required=_TOP_LEVEL, where=where)
    sources = sources_of(PATH)
    items = _items(doc)
    investigations = frozenset(i.code for i in items if i.when == "finding")
    findings = _findings(doc, investigations)
    population = _section(doc, "population", {"adult_min_age_years"})
    apap = _section(doc, "acetaminophen", {"drug", "route", "min_weight"})
    route(apap["route"])
    nsaid = _section(
        doc,
        "nsaid",
        {"drug", "dose", "frequency", "route", "withhold_at", "anticoagulant_stand_in"},
    )
    route(nsaid["route"])
    frequency_label(nsaid["frequency"])
    dexa = _section(
        doc, "dexamethasone", {"drug", "dose", "route", "infection_findings", "infection_condition"}
    )
    route(dexa["route"])
    opioid = _section(
        doc,
        "opioid",
        {
            "oral_drug",
            "oral_dose",
            "oral_frequency",
            "oral_frequency_max",
            "oral_frequency_text",
            "oral_equivalent",
            "iv_drug",
            "iv_equivalent",
            "iv_reference_dose",
            "ratios",
        },
    )
    frequency_label(opioid["oral_frequency"])
    frequency_label(opioid["oral_frequency_max"])
    ketamine = _section(
        doc,
        "ketamine",
        {"concentration", "profile", "obesity_basis", "obesity_bmi_at_least", "obesity_source"},
    )
    _one_of(ketamine["obesity_basis"], frozenset(("ideal", "adjusted")), "[ketamine]")
    _one_of(ketamine["obesity_source"], frozenset(sources), "[ketamine] obesity_source")
    naloxone = _section(
        doc,
        "naloxone",
        {
            "drug",
            "route",
            "mme_at_least",
            "mme_table",
            "benzodiazepine_class",
            "conditions",
            "conditions_source",
            "oud_products",
        },
    )
    route(naloxone["route"])
    _one_of(naloxone["conditions_source"], frozenset(sources), "[naloxone] conditions_source")
    neuropathic = _section(doc, "neuropathic", {"candidates", "withhold_at"})
    Severity.parse(neuropathic["withhold_at"])
    for candidate in neuropathic["candidates"]:
        check_keys(candidate, required={"item", "drug", "route"}, where="[neuropathic] candidates")
        _one_of(candidate["item"], frozenset(i.code for i in items), "[neuropathic] item")
        route(candidate["route"])
    _quantity(ketamine["concentration"], "[ketamine] concentration", "concentration")
    gaba = _section(doc, "gabapentinoid", {"candidates"})
    taper = _section(
        doc,
        "taper",
        {
            "basis",
            "percent",
            "interval",
            "strengths",
            "equal_doses",
            "final_step",
            "stop_at",
            "duration_of_use",
        },
    )
    _quantity(taper["interval"], "[taper] interval", "time")
    _quantity(taper["stop_at"], "[taper] stop_at", "mass_rate")
    if not isinstance(taper["equal_doses"], bool):
        msg = f"{where} [taper]: equal_doses must be true or false."
        raise TableError(msg)
    _quantity(taper["duration_of_use"], "[taper] duration_of_use", "time")
    for strength in taper["strengths"]:
        _quantity(strength, "[taper] strengths", "mass")
    discharge = _section(
        doc, "discharge", {"scheduled_days_min", "scheduled_days_max", "referral_after"}
    )
    if not 0 < discharge["scheduled_days_min"] <= discharge["scheduled_days_max"]:
        msg = f"{where} [discharge]: need 0 < scheduled_days_min <= scheduled_days_max."
        raise TableError(msg)
    return PathwayData(
        source=sources["provenance"],
        sources=sources,
        severity_bands=_bands(doc),
        adult_min_age_years=float(population["adult_min_age_years"]),
        population_source=entry_source(population, PATH, "[population]"),
        acetaminophen=apap,
        acetaminophen_min_weight=_quantity(apap["min_weight"], "[acetaminophen]", "mass"),
        acetaminophen_steps=_steps(doc),
        nsaid=nsaid,
        nsaid_dose=_quantity(nsaid["dose"], "[nsaid] dose", "mass"),
        nsaid_withhold_at=Severity.parse(nsaid["withhold_at"]),
        dexamethasone=dexa,
        dexamethasone_dose=_quantity(dexa["dose"], "[dexamethasone] dose", "mass"),
        opioid=opioid,
        opioid_oral_dose=_quantity(opioid["oral_dose"], "[opioid] oral_dose", "mass"),
        ketamine=ketamine,
        gabapentinoid=gaba,
        naloxone=naloxone,
        neuropathic=neuropathic,
        taper=taper,
        discharge=discharge,
        referral_after=_quantity(discharge["referral_after"], "[discharge]", "time"),
        findings=findings,
        red_flags=_red_flags(doc, findings),
        items=items,
    )
