"""The notebook that displays every result type runs without an error or a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "every-result.ipynb"


def test_every_result_notebook_runs_clean() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", (cell.source, output)
            assert output.get("name") != "stderr", (cell.source, output.get("text"))
    displayed = [o for c in cells for o in c.outputs if o.output_type == "execute_result"]
    # Every result cell showed itself as HTML (or a picture), not only as text.
    results = [c for c in cells if c.outputs]
    assert len(displayed) >= len(results) - 1
    html = [o for o in displayed if "text/html" in o.get("data", {})]
    assert len(html) >= 14
    assert any("image/png" in o.get("data", {}) for c in cells for o in c.outputs)
