"""MkDocs hooks: docstring examples as code, and the pictures drawn during the build.

* Docstrings show their examples as bare ``>>>`` lines (so pytest runs them as
  doctests); Markdown would read ``[...]`` in them as links. A small Markdown
  preprocessor fences every such example as ``pycon`` code, in the docs pages and in
  the API reference that mkdocstrings renders with the same extensions.
* The pictures of the docs (``img/*.png``) are drawn by painrx's own plot methods
  while the site is built, so they always show what the code computes today.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

_FENCE = re.compile(r"^\s*(```|~~~)")
_PROMPT = re.compile(r"^(\s*)>>> ")


class _DoctestBlocks(Preprocessor):  # type: ignore[misc]  # markdown ships no types
    """Wrap each run of ``>>>`` lines and their output in a ``pycon`` code fence."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_fence = False
        in_example = False
        indent = ""
        for line in lines:
            if in_example and not line.strip():
                out += [f"{indent}```", line]
                in_example = False
                continue
            if not in_example:
                if _FENCE.match(line):
                    in_fence = not in_fence
                prompt = _PROMPT.match(line)
                if prompt and not in_fence:
                    indent = prompt.group(1)
                    out += ["", f"{indent}```pycon"]
                    in_example = True
            out.append(line)
        if in_example:
            out.append(f"{indent}```")
        return out


class DoctestBlocksExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    """The Markdown extension that registers :class:`_DoctestBlocks`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 -- Markdown's API
        # Before the fenced-code preprocessor (priority 25), so the new fences are read.
        md.preprocessors.register(_DoctestBlocks(md), "painrx_doctest_blocks", 30)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # mkdocstrings keeps a reference to this list: its docstrings get the extension too.
    config.markdown_extensions.append(DoctestBlocksExtension())
    return config


def _png(draw: Callable[[Any], object]) -> bytes:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    try:
        draw(ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()


def pictures() -> dict[str, Callable[[Any], object]]:
    """The pictures the docs show, by file name: each draws on the Axes it is given."""
    import datetime as dt

    import painrx as rx

    def taper(ax: Any) -> object:
        schedule = rx.taper(
            "oxycodone", "60 mg/day", percent=10, interval="7 day",
            strengths=["10 mg", "5 mg"], doses_per_day=2, duration_of_use="2 year",
        )  # fmt: skip
        return schedule.plot(ax=ax)

    def period(ax: Any) -> object:
        start = dt.date(2026, 1, 1)
        prescriptions = [
            rx.Prescription("oxycodone", "10 mg", 60, 10, start=start),
            rx.Prescription("morphine", "30 mg", 60, 20, start=start + dt.timedelta(days=5)),
        ]
        end = start + dt.timedelta(days=29)
        return rx.opioids.mme_timeline(prescriptions, start=start, end=end, ax=ax)

    def infusion(ax: Any) -> object:
        return rx.infusion_profile("ketamine/perioperative_analgesia").plot(ax=ax)

    return {"img/taper.png": taper, "img/mme-period.png": period, "img/infusion.png": infusion}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, draw in pictures().items():
        files.append(File.generated(config, path, content=_png(draw)))
    return files
