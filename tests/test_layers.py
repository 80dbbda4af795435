"""The package's imports run one way: no loops, no import from a lower layer to a higher one.

The walk reads every module's source (no import), so it sees the imports inside
functions and ``TYPE_CHECKING`` blocks too: a lazy import is still a dependency, and
``importlib.import_module("painrx....")`` with a literal name counts as one.

Layers (docs/architecture.md draws them):

0. leaf modules: ``units``, ``errors``, ``provenance``, ``vocabulary`` and the private
   helpers ``_html``, ``_plotting``, ``_args``, ``_public``, ``_moved``, ``_version``,
   ``_numbers``;
1. ``tables``: reading and checking the cited data files;
2. ``catalog``: ingredients, classes, products, the name normaliser;
3. the four domains ``opioids``, ``infusions``, ``interactions``, ``tapers`` (only
   ``tapers`` may use another domain: ``opioids``, for the MME of a taper step);
4. what combines the domains: ``pathways``, ``batch``, ``fhir``, ``_versions``;
5. the front ends ``cli``, ``demo``, ``__main__``.

``painrx/__init__.py`` is the facade above them all: it names every public object
lazily and imports only ``tables`` and leaf modules itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS: dict[str, int] = {
    "units": 0,
    "errors": 0,
    "provenance": 0,
    "vocabulary": 0,
    "types": 0,
    "_html": 0,
    "_public": 0,
    "_moved": 0,
    "_version": 0,
    "_numbers": 0,
    "_plotting": 0,
    "_args": 0,
    "tables": 1,
    "catalog": 2,
    "opioids": 3,
    "infusions": 3,
    "interactions": 3,
    "tapers": 3,
    "pathways": 4,
    "batch": 4,
    "fhir": 4,
    "_versions": 4,
    "cli": 5,
    "demo": 5,
    "__main__": 5,
}
#: Domains (layer 3) that may use another domain, and which.
SIDEWAYS = {("tapers", "opioids")}
#: Loops other helpers are removing; each is an expected failure until it is gone.
KNOWN_LOOPS: dict[frozenset[str], str] = {
    # Landed with issue 18 (codes), after these loops were listed for removal: each pair
    # imports the other inside functions. Break them, then delete the entries.
}


@cache
def modules() -> dict[str, Path]:
    """Every module under src/painrx, by dotted name."""
    found = {}
    for path in sorted((SRC / "painrx").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(module: str, node: ast.AST) -> Iterator[str]:
    known = modules()
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if modules()[module].name != "__init__.py":
                package.pop()
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            name = f"{base}.{alias.name}"
            yield name if name in known else base
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        yield node.args[0].value


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes inside ``if TYPE_CHECKING:`` blocks (never run)."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }


@cache
def graph(*, runtime_only: bool = False) -> dict[str, frozenset[str]]:
    """Module → the painrx modules it imports anywhere in its source.

    With ``runtime_only``, imports for type checkers only are left out: they never
    run, so they cannot make an import loop (they still count for the layers).
    """
    known = modules()
    edges = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_only(tree) if runtime_only else set()
        found = {
            t for node in ast.walk(tree) if id(node) not in skip for t in _targets(module, node)
        }
        edges[module] = frozenset(t for t in found if t in known and t != module)
    return edges


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _loops() -> list[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative), at run time."""
    edges = graph(runtime_only=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(frozenset(group))
    return found


def test_every_module_has_a_layer() -> None:
    areas = {_area(m) for m in modules() if m != "painrx"}
    missing = sorted(areas - set(LAYERS))
    assert not missing, f"give these modules a layer in tests/test_layers.py: {missing}"


def test_the_walk_sees_lazy_and_dynamic_imports() -> None:
    # The CLI imports its domains inside each command, the facade through importlib.
    assert "painrx.opioids" in graph()["painrx.cli"]
    call = ast.parse('importlib.import_module("painrx.batch._kernel")').body[0]
    assert isinstance(call, ast.Expr)
    assert list(_targets("painrx.batch._core", call.value)) == ["painrx.batch._kernel"]


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_upward_or_sideways_import(module: str) -> None:
    if module == "painrx":
        return  # the facade: test_package.py checks that it imports nothing heavy
    area = _area(module)
    bad = []
    for target in sorted(graph()[module]):
        other = _area(target)
        if target == "painrx":
            if LAYERS[area] < 5:
                bad.append("painrx (the facade, for front ends only)")
            continue
        if other == area:
            continue
        if LAYERS[other] > LAYERS[area]:
            bad.append(f"{target} (layer {LAYERS[other]} above {area}'s {LAYERS[area]})")
        elif LAYERS[other] == LAYERS[area] == 3 and (area, other) not in SIDEWAYS:
            bad.append(f"{target} (another domain)")
    assert not bad, f"{module} imports {bad}"


def _is_known(found: frozenset[str], known: frozenset[str]) -> bool:
    """A loop is the known one while it still ties two of the known modules together.

    (A module added to the same loop later does not make it a new loop.)
    """
    return len(found & known) >= 2


def test_no_import_loops() -> None:
    unexpected = [
        sorted(loop)
        for loop in _loops()
        if not any(_is_known(loop, known) for known in KNOWN_LOOPS)
    ]
    assert not unexpected, f"import loops: {unexpected}"


@pytest.mark.parametrize(
    "loop",
    [
        pytest.param(loop, marks=pytest.mark.xfail(reason=why, strict=True), id=min(loop))
        for loop, why in KNOWN_LOOPS.items()
    ]
    or [pytest.param(frozenset(), id="none")],
)
def test_known_loops_are_gone(loop: frozenset[str]) -> None:
    assert not any(_is_known(found, loop) for found in _loops())
