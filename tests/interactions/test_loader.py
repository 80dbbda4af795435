"""The interaction rule files are a declared shape: malformed copies are refused in one format.

Each case edits a fresh parse of the shipped rule set and expects the loader's single
error format, ``data/<file>: <path inside it>: <what was expected>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from painrx.interactions import RuleSet, default_rules
from painrx.tables import TableError, parse_table, shape_for, structure, table_info

_ID = "PAINRX_DDI_2026_1"
_FILE = table_info(_ID, kind="interaction_rules").path


def _edited(path: tuple[Any, ...], value: object) -> dict[str, Any]:
    doc = parse_table(_ID)
    node: Any = doc
    for step in path[:-1]:
        node = node[step]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("rules", 0, "severity"),
            "severe",
            "rules[0].severity: unknown severity 'severe'; accepted: [",
        ),
        (
            ("rules", 0, "members", 0, "classes"),
            ["nsaids"],
            "rules[0].members[0].classes[0]: unknown class 'nsaids'; see painrx.catalog.CLASSES",
        ),
        (
            ("rules", 0, "members", 1),
            {"ingredients": ["warfarinn"]},
            "rules[0].members[1].ingredients[0]: unknown ingredient id 'warfarinn'",
        ),
        (
            ("rules", 0, "members", 1),
            {"classes": ["doac"], "exclude_classes": ["anticoagulant"]},
            "rules[0].members[1]: matches no catalog ingredient",
        ),
        (
            ("rules", 0, "modifiers", 0, "member"),
            3,
            "rules[0].modifiers[0]: 'member' must be 1..2 (the rule's slot), got 3",
        ),
        (
            ("rules", 0, "modifiers", 0, "when"),
            "weather",
            "rules[0].modifiers[0].when: expected one of ['route', ",
        ),
        (
            ("rules", 0, "modifiers", 0, "routes"),
            _DELETE,
            (
                "rules[0].modifiers[0]: a 'route' modifier needs ['member', 'routes'], "
                "missing ['routes']"
            ),
        ),
        (
            ("rules", 0, "modifiers", 0, "to"),
            _DELETE,
            "rules[0].modifiers[0]: 'raise' and 'cap' need 'to'",
        ),
        (
            # Davidson 2014: HR 2.37 (95% CI 1.51-3.75); a CI that misses it is refused.
            ("rules", 0, "evidence", 0, "ci"),
            [2.5, 3.75],
            "rules[0].evidence[0].ci: ci [2.5, 3.75] must bracket the estimate 2.37",
        ),
        (("rules", 0, "colour"), "red", "rules[0]: unknown key(s) ['colour']; accepted: ["),
        (("rules", 0, "source"), "nowhere", "rules[0].source: a source must be one of ["),
        (("rules", 0, "id"), "Bad Id", "rules[0].id: ids are lower-case snake_case, got 'Bad Id'"),
        (("intensity", 0, "dose"), "40 mL", "intensity[0].dose: expected a positive mass, got"),
        (
            ("intensity", 0, "ingredient"),
            "ibuprofen",
            "intensity[0].ingredient: 'ibuprofen' is not an anticoagulant",
        ),
        (
            ("acetaminophen", "lower_daily"),
            "5 g/day",
            "acetaminophen.lower_daily: must be below max_daily",
        ),
        (
            ("acetaminophen", "weight_rule"),
            _DELETE,
            "acetaminophen: a weight-based limit needs all of ['weight_below', ",
        ),
        (
            ("daily_maximum", 0, "max_daily"),
            4000,
            "daily_maximum[0].max_daily: expected a quantity such as '10 mg', got 4000",
        ),
        (
            ("duplicate", "long_acting_forms"),
            ["slow_tablet"],
            "duplicate.long_acting_forms[0]: expected one of [",
        ),
        (
            ("drug_rules", 0, "conditions"),
            ["ckd3"],
            "drug_rules[0].conditions[0]: expected one of [",
        ),
        (
            ("rules", 0, "supersedes"),
            ["no_such_rule"],
            "rules[0]: 'supersedes' names unknown rule(s) ['no_such_rule']",
        ),
    ],
)
def test_a_malformed_rule_file_is_refused_in_the_single_format(
    path: tuple[Any, ...], value: object, message: str
) -> None:
    shape = shape_for("interaction_rules")
    assert shape is not None
    with pytest.raises(TableError, match="^" + re.escape(f"data/{_FILE}: {message}")):
        structure(_edited(path, value), shape, file=_FILE)


def test_a_rule_id_used_twice_is_refused() -> None:
    doc = parse_table(_ID)
    doc["rules"][1]["id"] = doc["rules"][0]["id"]
    shape = shape_for("interaction_rules")
    assert shape is not None
    expected = (
        f"data/{_FILE}: (top level): rule ids must be unique; used twice: ['nsaid_anticoagulant']"
    )
    with pytest.raises(TableError, match=re.escape(expected)):
        structure(doc, shape, file=_FILE)


def test_the_shipped_file_loads_by_kind() -> None:
    shape = shape_for("interaction_rules")
    assert shape is not None
    assert structure(parse_table(_ID), shape, file=_FILE) is not None
    assert default_rules().id == _ID


_SITE = """
[provenance]
id = "SITE_KB_9"
kind = "interaction_rules"
title = "Site knowledge base"
year = 2026
citation = "Example."
[[rules]]
id = "site_rule"
title = "t"
severity = "moderate"
members = [{ ingredients = ["tramadol"] }, { ingredients = ["ondansetron"] }]
message = "m"
management = "n"
source = "provenance"
[[rules.modifiers]]
id = "oral_only"
when = "route"
member = 1
routes = ["po"]
effect = "lower"
note = "n"
source = "provenance"
"""


def test_a_site_file_is_named_as_given_and_keeps_route_aliases(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(_SITE, encoding="utf-8")
    (modifier,) = RuleSet.from_file(path).rules[0].modifiers
    assert modifier.values == frozenset({"oral"})  # "po" is an alias of the oral route
    path.write_text(_SITE.replace('routes = ["po"]', 'routes = ["by osmosis"]'), encoding="utf-8")
    with pytest.raises(
        TableError, match="^" + re.escape(f"{path}: rules[0].modifiers[0].routes[0]: ")
    ):
        RuleSet.from_file(path)


def test_a_rule_set_that_is_not_a_document_is_refused() -> None:
    with pytest.raises(
        TableError, match=r"^site: expected a rule set document \(a table\), got \[\]"
    ):
        RuleSet.from_mapping([], label="site")  # type: ignore[arg-type]
