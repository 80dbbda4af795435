"""The medication-text parser: free text such as ``"Percocet 10/325 mg"`` to a product. (public face: ``painrx.catalog``).

Names are resolved by :mod:`painrx.catalog._data`; this module reads what surrounds
them (strengths, forms, routes, frequencies) and reports what it did not understand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final, cast

import attrs

from painrx import vocabulary
from painrx._html import key_value_table
from painrx.catalog._codes import (
    Coding,
    UnknownCodeError,
    check_name_or_rxcui,
    ingredient_for_rxcui,
    ingredient_rxcui,
    rxnorm_product,
)
from painrx.catalog._data import (
    Product,
    _catalog,
    _check_text,
    _find,
    _product_for,
    _Resolved,
    _rxnorm_catalog_product,
    _unknown,
)
from painrx.catalog._strengths import check_combination, check_partial, unit_dose_alerts
from painrx.errors import (
    Alert,
    InputError,
    PainRxError,
    Severity,
    UnitError,
    UnknownDrugError,
)
from painrx.provenance import Provenance
from painrx.units import Q, Quantity, format_units, kind_of

__all__ = ["ParsedMedication", "parse_medication", "parse_strength"]

# Words that imply a route in free text but are not dose forms of the vocabulary.
_ROUTE_WORDS: Final[Mapping[str, str]] = {
    "gel": "topical",
    "cream": "topical",
    "ointment": "topical",
    "lotion": "topical",
    "topical": "topical",
}
# Words that change neither the ingredients, the amount nor the route ("as needed" still
# allows the full frequency, the conservative reading for cumulative doses).
_NEUTRAL_WORDS: Final = frozenset(
    {
        "prn",
        "as needed",
        "when needed",
        "for pain",
        "ec",
        "enteric coated",
        "enteric-coated",
        "low dose",
        "low-dose",
        "with food",
        "after food",
        "before food",
        "with meals",
        "after meals",
        "at night",
        "at bedtime",
    }
)
_NUM = r"(?:\d{1,9}(?:\.\d{1,9})?|\.\d{1,9})"
_BARE_NUMBER = re.compile(rf"\s*{_NUM}\s*")
_NUMBER_UNIT = re.compile(rf"\s*({_NUM})\s*([a-zµμ][a-zµμ/ ]*?)\s*", re.IGNORECASE)
# One strength group in free text: "400 mg", "10/325 mg", "5-325 mg", "25 mcg/h",
# "300 mg/30 mg", "10/325" (no unit: reported, never guessed).
_STRENGTH_TEXT = re.compile(
    rf"{_NUM}\s*[a-zµμ]*(?:\s*/\s*(?:{_NUM}\s*)?[a-zµμ]+)*"
    rf"(?:\s*[/-]\s*{_NUM}\s*[a-zµμ]*(?:\s*/\s*[a-zµμ]+)*)*"
)
_STRENGTH_KINDS: Final = ("mass", "mass_rate", "concentration", "dose_per_weight")
# The most words a drug name has ("tylenol with codeine no. 3", "oxycodone hydrochloride
# and acetaminophen"), with room to spare; a bound on the name search, not on the text.
_MAX_NAME_WORDS: Final = 12
# Dose forms taken by mouth (or none named): the forms the cited oral unit strengths cover.
_ORAL_FORMS: Final = frozenset({None, "tablet", "capsule", "er_tablet", "er_capsule", "solution"})
# Mass units painrx keeps for body weight: "1 kg" of a drug is a slip, never a strength.
_BODY_WEIGHT_UNITS: Final = frozenset({"kg", "lb"})


@attrs.frozen
class ParsedMedication:
    """A medication read from free text such as ``"Percocet 10/325 mg"``.

    Attributes:
        text: The text as given.
        product: The product it names.
        brand: The brand named in the text, if any.
        strengths: One strength per ingredient, in ``product.ingredients`` order, when the
            text gives them; a combination written with one strength (``"Percocet 5 mg"``)
            gives only its first (opioid) component; ``()`` when the text gives none.
        form: Dose form from the text, else the product's.
        route: Route from the text, else the product's.
        alerts: Parts of the text that were not understood or were refused (a strength
            without a unit is reported, never guessed); ``unrecognised_name_words`` when
            words inside the name were not read (they may name another ingredient).
        source: The catalog edition used.
        frequency: A frequency code written in the text (``"q6h"`` → ``"q6h"``,
            ``"bid"`` → ``"BID"``), else None.
        codes: The RxNorm codes it was read from (``parse_medication(rxcui=...)``): the
            drug's RxCUI, then its opioid ingredient's; empty for text.
    """

    text: str
    product: Product
    brand: str | None
    strengths: tuple[Quantity, ...]
    form: str | None
    route: str | None
    alerts: tuple[Alert, ...] = attrs.field(
        default=(), repr=lambda alerts: repr(tuple(a.code for a in alerts))
    )
    source: Provenance | None = attrs.field(default=None, repr=False)
    frequency: str | None = None
    codes: tuple[Coding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (strengths as value/unit pairs)."""
        return {
            "text": self.text,
            "product": self.product.to_dict(),
            "brand": self.brand,
            "strengths": [
                {"value": float(q.magnitude), "unit": format_units(q)} for q in self.strengths
            ],
            "form": self.form,
            "route": self.route,
            "frequency": self.frequency,
            "alerts": [a.to_dict() for a in self.alerts],
            "source": self.source.id if self.source is not None else None,
            "codes": [c.to_dict() for c in self.codes],
        }

    def _repr_html_(self) -> str:
        return key_value_table(
            f"Medication {self.text!r}",
            [
                ("product", self.product.id),
                ("brand", self.brand or "—"),
                ("strengths", " / ".join(str(q) for q in self.strengths) or "—"),
                ("form", self.form or "—"),
                ("route", self.route or "—"),
                ("alerts", "; ".join(a.message for a in self.alerts) or "—"),
                ("codes", ", ".join(f"{c.code} ({c.display})" for c in self.codes) or "—"),
            ],
        )


def _split_number_unit(text: str) -> tuple[str, str] | None:
    match = _NUMBER_UNIT.fullmatch(text)
    if match is None:
        return None
    return match.group(1), match.group(2)


def _strength_quantity(text: str, original: str) -> Quantity:
    q = Q(text)
    kind = kind_of(q)
    if kind not in _STRENGTH_KINDS:
        msg = (
            f"Strength {original!r} is {kind or 'an unsupported unit'}; expected a drug amount "
            "('10 mg'), a patch rate ('25 mcg/h'), a concentration ('2 mg/mL') or a "
            "weight-based dose ('1 mg/kg')."
        )
        raise InputError(msg)
    if kind == "mass" and format_units(q) in _BODY_WEIGHT_UNITS:
        msg = (
            f"Strength {original!r}: kg and lb are body weights; a drug amount is written "
            "in g, mg or mcg."
        )
        raise UnitError(msg)
    if not q.magnitude > 0:
        msg = f"Strength {original!r} must be greater than zero."
        raise InputError(msg)
    return q


def parse_strength(text: str | Quantity, n_ingredients: int = 1) -> tuple[Quantity, ...]:
    """Parse a strength: one quantity per ingredient.

    Args:
        text: ``"10 mg"``, ``"10/325 mg"`` (one unit for all), ``"300 mg/30 mg"`` (one
            unit each), ``"5-325 mg"`` (combinations only) or ``"25 mcg/h"``; a painrx
            quantity is accepted for a single ingredient.
        n_ingredients: How many strengths are expected.

    Returns:
        The strengths in the order written.

    Raises:
        UnitError: A strength has no unit or a unit painrx does not accept.
        InputError: Malformed text, a count that differs from ``n_ingredients``, or a
            non-positive strength.

    >>> parse_strength("10/325 mg", 2)
    (<Quantity(10.0, 'mg')>, <Quantity(325.0, 'mg')>)
    >>> parse_strength("25 mcg/h")
    (<Quantity(25.0, 'mcg/h')>,)
    """
    count = cast("object", n_ingredients)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        msg = f"n_ingredients={n_ingredients!r} must be a whole number of at least 1."
        raise InputError(msg)
    if not isinstance(text, str):
        if n_ingredients != 1:
            msg = (
                f"A single quantity cannot give {n_ingredients} strengths; write e.g. '10/325 mg'."
            )
            raise InputError(msg)
        return (_strength_quantity(text, str(text)),)  # type: ignore[arg-type]
    original = _check_text(text, "strength")
    splitter = r"\s*[/-]\s*(?=[\d.])" if n_ingredients > 1 else r"\s*/\s*(?=[\d.])"
    parts = re.split(splitter, text.strip())
    if len(parts) == 1:
        result: tuple[Quantity, ...] = (_strength_quantity(parts[0], original),)
    else:
        last = _split_number_unit(parts[-1])
        if last is None:
            result = (_strength_quantity(parts[-1], original),)
        elif all(_BARE_NUMBER.fullmatch(p) for p in parts[:-1]):
            unit = last[1]
            leading = [_strength_quantity(f"{p.strip()} {unit}", original) for p in parts[:-1]]
            result = (*leading, _strength_quantity(parts[-1], original))
        else:
            result = tuple(_strength_quantity(p, original) for p in parts)
    if len(result) != n_ingredients:
        msg = (
            f"Strength {original!r} gives {len(result)} value(s); expected {n_ingredients} "
            "(one per ingredient, e.g. '10/325 mg')."
        )
        raise InputError(msg)
    return result


def _alert(code: str, severity: Severity, message: str) -> Alert:
    return Alert(code, severity, message, _catalog().source)


@attrs.frozen
class _Words:
    form: str | None
    route: str | None
    frequency: str | None
    unknown_in_name: tuple[str, ...]
    unknown_after: tuple[str, ...]
    products: tuple[str, ...]


@lru_cache(maxsize=4096)
def _phrase_kind(phrase: str) -> tuple[str, str] | None:
    """What a phrase is: ``("route", "topical")``, ``("neutral", "")``…, or None (cached)."""
    if phrase in _NEUTRAL_WORDS:
        return "neutral", ""
    if phrase in _ROUTE_WORDS:
        return "route", _ROUTE_WORDS[phrase]
    for key, reader in (
        ("form", vocabulary.form),
        ("route", vocabulary.route),
        ("frequency", vocabulary.frequency_label),
    ):
        try:
            return key, reader(phrase)
        except InputError:
            continue
    return None


def _classify(phrase: str, found: dict[str, str]) -> bool:
    kind = _phrase_kind(phrase)
    if kind is None:
        return False
    if kind[0] != "neutral":
        found[kind[0]] = kind[1]
    return True


def _named_product(words: list[str], i: int) -> tuple[int, str] | None:
    """Return (word count, product id) when the words at ``i`` name a catalog drug."""
    for n in (3, 2, 1):
        if i + n <= len(words):
            found = _find(" ".join(words[i : i + n]))
            if found is not None:
                return n, found.product
    return None


def _read_words(
    name_words: list[str], rest: list[str], form: str | None, route: str | None
) -> _Words:
    """Classify the words around the drug name and strength.

    ``name_words`` are the words between the recognised name and the strength (all
    remaining words when there is no strength); ``rest`` the words after it. A word
    that names another catalog drug is returned in ``products``, never dropped.
    """
    words = name_words + rest
    found: dict[str, str] = {}
    unknown: list[int] = []
    named: list[str] = []
    i = 0
    while i < len(words):
        size = next(
            (
                n
                for n in (3, 2, 1)
                if i + n <= len(words) and _classify(" ".join(words[i : i + n]), found)
            ),
            0,
        )
        if not size:
            other = _named_product(words, i)
            if other is None:
                unknown.append(i)
            else:
                size = other[0]
                named.append(other[1])
        i += size or 1
    cut = len(name_words)
    return _Words(
        found.get("form", form),
        found.get("route", route),
        found.get("frequency"),
        tuple(words[i] for i in unknown if i < cut),
        tuple(words[i] for i in unknown if i >= cut),
        tuple(named),
    )


def _parse_strength_text(
    text: str, resolved: _Resolved, n: int, alerts: list[Alert]
) -> tuple[Quantity, ...]:
    count = len(re.split(r"\s*[/-]\s*(?=[\d.])", text))
    partial = n > 1 and count == 1
    try:
        values = parse_strength(text, 1 if partial else n)
    except PainRxError as exc:
        code = "strength_unit_missing" if "no unit" in exc.message else "strength_not_understood"
        alerts.append(_alert(code, Severity.MINOR, f"Strength not used: {exc.message}"))
        return ()
    # Read by position alone, "325/10 mg" would be 325 mg of oxycodone and "Percocet
    # 325 mg" the same: only marketed strengths are accepted for a combination painrx
    # holds the strength sets of (InputError, never an alert).
    if partial:
        first = _catalog().products[resolved.product][0]
        if resolved.order[0] != first:
            # One strength stands for the product's first ingredient (the opioid) to every
            # reader of ParsedMedication; a brand written another way round would make
            # "Tylenol with Codeine 300 mg" 300 mg of codeine.
            msg = (
                f"{text!r} gives one strength for {resolved.product}, whose label writes "
                f"{'/'.join(resolved.order)}: write every strength, in that order."
            )
            raise InputError(msg)
        check_partial(resolved.product, resolved.order, values[0], text)
        alerts.append(
            _alert(
                "combination_strength_partial",
                Severity.MINOR,
                f"{text!r} gives one strength for a {n}-ingredient product; it is read "
                f"as the {resolved.order[0]} component only.",
            )
        )
        return values
    by_id = dict(zip(resolved.order, values, strict=True))
    ingredients = _catalog().products[resolved.product]
    in_order = tuple(by_id[i] for i in ingredients)
    check_combination(resolved.product, ingredients, in_order, text, resolved.order)
    return in_order


def _words(text: str) -> tuple[list[str], int]:
    """Return the folded words of ``text`` and the index of the first number word."""
    # NFKC would turn "10²" into "102" and "４" into "4": numbers must be ASCII digits,
    # as painrx.units requires for every quantity.
    odd = next(
        (c for c in text if not c.isascii() and unicodedata.numeric(c, None) is not None), None
    )
    if odd is not None:
        msg = (
            f"{text!r} contains the character {odd!r} (U+{ord(odd):04X}); write numbers "
            "with ASCII digits."
        )
        raise InputError(msg)
    folded = unicodedata.normalize("NFKC", text).casefold()
    # "5mg" -> "5 mg", but "q6h" stays one word.
    folded = re.sub(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)(?=[a-zµμ])", r"\1 ", folded)
    words = folded.split()
    first_number = next(
        (i for i, w in enumerate(words) if w[0].isdigit() or (w[0] == "." and w[1:2].isdigit())),
        len(words),
    )
    if not first_number:
        msg = f"{text!r} does not start with a drug name; write e.g. 'ibuprofen 400 mg'."
        raise InputError(msg)
    return words, first_number


def _resolve_name(name_words: list[str]) -> tuple[_Resolved, int]:
    """Resolve the longest leading run of words that names a product; return it and its length."""
    # No catalog name is longer than _MAX_NAME_WORDS words: trying longer runs of a
    # hostile text would only make the search quadratic.
    for used in range(min(len(name_words), _MAX_NAME_WORDS), 0, -1):
        found = _find(" ".join(name_words[:used]))
        if found is not None:
            return found, used
    raise _unknown(" ".join(name_words))


def _word_alerts(name: str, words_read: _Words) -> list[Alert]:
    """Report the words that were neither the drug, a strength, a form, a route nor a frequency."""
    alerts: list[Alert] = []
    if words_read.unknown_in_name:
        alerts.append(
            _alert(
                "unrecognised_name_words",
                Severity.MINOR,
                f"Only {name!r} was recognised as the drug; "
                f"{' '.join(words_read.unknown_in_name)!r} was not understood and may name "
                "another ingredient, which painrx has then not read.",
            )
        )
    if words_read.unknown_after:
        alerts.append(
            _alert(
                "unparsed_text",
                Severity.INFO,
                "Words not used for product, strength, form, route or frequency: "
                f"{' '.join(words_read.unknown_after)!r}.",
            )
        )
    return alerts


def _oral(words_read: _Words) -> bool:
    """Whether the text reads as an oral dose (no route, and no form of another route)."""
    if words_read.route is not None:
        return words_read.route == "oral"
    return words_read.form in _ORAL_FORMS


def _numbered_name(words: list[str], first_number: int) -> int:
    """Return where the name ends when a number is part of it ("Tylenol 3", "Tylenol #3").

    A brand numbered by strength ("Tylenol with Codeine #3") is often written without
    its "#"; the number belongs to the name only when name and number together are a
    catalog name, so "Tylenol 500 mg" keeps 500 as a strength.
    """
    if first_number < len(words) and _find(" ".join(words[: first_number + 1])) is not None:
        return first_number + 1
    return first_number


def _named_strengths(
    prod: Product, resolved: _Resolved, written: tuple[Quantity, ...]
) -> tuple[Quantity, ...]:
    """The strengths of a brand whose name states them ("Tylenol #3"), checked against the text.

    Raises:
        InputError: The text writes a strength the brand's name contradicts.
    """
    if not written:
        return prod.strengths
    stated = dict(zip(prod.ingredients, prod.strengths, strict=True))
    # One strength for a combination is its first ingredient's (the opioid's).
    expected = prod.strengths[: len(written)]
    if [q.to("mg").magnitude for q in written] != [q.to("mg").magnitude for q in expected]:
        label = "/".join(f"{stated[i].to('mg').magnitude:g}" for i in resolved.order)
        msg = (
            f"{prod.brands[0]} is {label} mg ({'/'.join(resolved.order)}) by its name; "
            f"the strength written, {'/'.join(format(q) for q in written)}, contradicts it."
        )
        raise InputError(msg)
    return written


@lru_cache(maxsize=4096)
def _parse_medication(text: str) -> ParsedMedication:
    words, first_number = _words(text)
    first_number = _numbered_name(words, first_number)
    name_words = words[:first_number]
    resolved, used = _resolve_name(name_words)
    prod = _product_for(resolved)
    strength_alerts: list[Alert] = []
    rest = " ".join(words[first_number:])
    strengths: tuple[Quantity, ...] = ()
    match = _STRENGTH_TEXT.match(rest) if rest else None
    if match is not None:
        strengths = _parse_strength_text(
            match.group().strip(), resolved, len(prod.ingredients), strength_alerts
        )
        rest = rest[match.end() :]
    if prod.strengths:
        strengths = _named_strengths(prod, resolved, strengths)
    words_read = _read_words(name_words[used:], rest.split(), prod.form, prod.route)
    ids = set(prod.ingredients)
    others = sorted({p for p in words_read.products if not set(_catalog().products[p]) <= ids})
    if others:
        # "oxycodone and clopidogrel", "ibuprofen, warfarin": reading only the first drug
        # would silently drop the others (first-word matching).
        raise UnknownDrugError(text.strip(), (prod.id, *others))
    alerts = strength_alerts + _word_alerts(" ".join(name_words[:used]), words_read)
    if len(strengths) == 1 and len(prod.ingredients) == 1 and _oral(words_read):
        # "oxycodone 10 mcg": a mg/mcg slip hides a real dose; flagged, never silent.
        alerts += unit_dose_alerts(prod.ingredients[0], strengths[0], "oral")
    return ParsedMedication(
        text=text,
        product=prod,
        brand=resolved.brand,
        strengths=strengths,
        form=words_read.form,
        route=words_read.route,
        alerts=tuple(alerts),
        source=_catalog().source,
        frequency=words_read.frequency,
    )


def parse_medication(
    text: str | None = None, *, rxcui: str | int | None = None
) -> ParsedMedication:
    """Read a product, strengths, form and route from free text or an RxNorm code.

    Args:
        text: ``"Ibuprofen 400 mg tablet"``, ``"OXYCODONE HCL 5MG TAB"``,
            ``"Percocet 10/325 mg"``, ``"Eliquis 5mg"``, ``"oxycodone/acetaminophen 10/325 mg"``.
        rxcui: Instead of text, an RxNorm ingredient or opioid drug code: the drug's
            RxNorm name is read (``1049621`` → ``"oxycodone hydrochloride 5 MG Oral Tablet"``).

    Returns:
        The parsed medication. Words that were not understood and strengths that
        could not be read (``"Percocet 10/325"`` has no unit: painrx never guesses
        one) are reported in ``.alerts`` rather than guessed.

    Raises:
        InputError: Empty, None, non-string or over-long text, text with no drug name,
            or combination strengths that are not a marketed set of the product
            (``"Percocet 325/10 mg"``; the message names the marketed sets). An oral
            dose far outside the marketed unit strengths (``"oxycodone 10 mcg"``) is
            not refused: it gets a MAJOR ``dose_below_marketed_strength`` alert.
        UnknownDrugError: The drug name is not in the catalog, or the text names a
            second drug (``"oxycodone and clopidogrel"``) that is not part of the product.

    >>> m = parse_medication("Percocet 10/325 mg")
    >>> m.product.id, m.brand, [str(q) for q in m.strengths]
    ('oxycodone/acetaminophen', 'Percocet', ['10 mg', '325 mg'])
    >>> m = parse_medication("OXYCODONE HCL 5MG TAB")
    >>> m.product.id, str(m.strengths[0]), m.form
    ('oxycodone', '5 mg', 'tablet')
    """
    if rxcui is not None or text is None:
        return _medication_for_rxcui(text, rxcui)
    return _parse_medication(_check_text(text, "medication text"))


def _medication_for_rxcui(text: object, rxcui: object) -> ParsedMedication:
    """Return the medication an RxCUI denotes, with strengths, form and route from RxNorm.

    Raises:
        InputError: Both or neither of ``text`` and ``rxcui`` given, or a malformed RxCUI.
        UnknownCodeError: The code is unknown or its RxNorm name cannot be read whole
            (two salts of one ingredient, a pack, an ingredient the catalog lacks).
    """
    code = check_name_or_rxcui(text, rxcui, "medication text")
    ingredient = ingredient_for_rxcui(code)
    if ingredient is not None:
        coding = ingredient_rxcui(ingredient)
        codes = () if coding is None else (coding,)
        return attrs.evolve(parse_medication(ingredient), codes=codes)
    drug = rxnorm_product(code)
    found, name = _rxnorm_catalog_product(drug)
    if len(name.strengths) != len(name.ingredients):
        raise UnknownCodeError(
            drug.rxcui,
            "RxCUI",
            f"its RxNorm name {drug.name!r} gives two strengths of one ingredient (two salts).",
        )
    if name.pack is not None:
        # The code names the pack (here two single-dose sprays, one dose), but its strength
        # is one unit's: a count of packs and a count of units would differ N-fold.
        raise UnknownCodeError(
            drug.rxcui,
            "RxCUI",
            f"its RxNorm name {drug.name!r} is a pack of {name.pack} units whose strength is "
            f"per unit; give the unit's strength and count instead "
            f"(e.g. '{found.id} {name.strengths[0][1]:g} {name.strengths[0][2]}').",
        )
    by_id = {c[0]: Q(c[1], c[2]) for c in name.strengths}
    # Form and route come from the catalog's reading of the RxNorm dose form words; a
    # dose form the vocabulary names whole ("Extended Release Oral Capsule") decides the form.
    shape = parse_medication(f"{drug.ingredient} {drug.dose_form}")
    try:
        form: str | None = vocabulary.form(drug.dose_form)
    except InputError:
        form = shape.form
    return ParsedMedication(
        text=drug.name,
        product=found,
        brand=name.brand,
        strengths=tuple(by_id[i] for i in found.ingredients),
        form=form,
        route=shape.route,
        source=_catalog().source,
        codes=(drug.coding, *filter(None, (ingredient_rxcui(drug.ingredient),))),
    )
