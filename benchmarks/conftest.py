"""Print every checked ratio as a table at the end of a benchmark session."""

from __future__ import annotations

import pytest

from benchmarks._ratio import RESULTS, targets


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write the table of ratios (measured, target, guard) after the tests."""
    if not RESULTS:
        return
    mode = "targets (make bench)" if targets() else "guards (make bench-check)"
    terminalreporter.section(f"painrx benchmark ratios, asserting the {mode}")
    width = max(len(c.name) for c in RESULTS)
    terminalreporter.write_line(f"{'check':<{width}}  measured  target   guard")
    for c in RESULTS:
        flag = "" if c.ok else "  <-- above the asserted bound"
        terminalreporter.write_line(
            f"{c.name:<{width}}  {c.measured:7.2f}x {c.target:6.2f}x {c.guard:6.2f}x{flag}"
        )
