"""Run every example in the Markdown docs with Sybil.

``>>>`` examples run as doctests. ``console`` blocks are shell sessions: each
``$ painrx ...`` line runs the command line (``painrx.cli.main``) in a scratch copy
of ``docs/examples/`` and its output must match the lines below it (``...`` matches
anything); ``; echo $?`` after a command prints its exit status, and ``$ cat FILE``
shows a file of that folder, so the pages show real commands with their real output.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import shutil
import tempfile
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE, OutputChecker
from pathlib import Path

from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

EXAMPLES = Path(__file__).parent / "examples"
# One scratch folder for the run (removed at exit), a copy of the examples per page.
_SCRATCH = tempfile.TemporaryDirectory(prefix="painrx-docs-")
_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE


def _sessions(text: str) -> list[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    pairs: list[tuple[str, list[str]]] = []
    continued = False
    for line in text.splitlines():
        if line.startswith("$ ") or continued:
            command = line.removeprefix("$ ")
            if continued:
                pairs[-1] = (pairs[-1][0] + " " + command.rstrip("\\").strip(), [])
            else:
                pairs.append((command.rstrip("\\").strip(), []))
            continued = line.endswith("\\")
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(lines).strip("\n") + "\n") for command, lines in pairs]


def _run(command: str, folder: Path) -> str:
    show_status = command.endswith("; echo $?")
    argv = shlex.split(command.removesuffix("; echo $?"))
    out = io.StringIO()
    if argv[0] == "cat":
        return (folder / argv[1]).read_text(encoding="utf-8")
    if argv[0] != "painrx":
        msg = f"docs console blocks run painrx and cat only, not {argv[0]!r}"
        raise ValueError(msg)
    from painrx.cli import main

    with (
        contextlib.chdir(folder),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
    ):
        status = main(argv[1:])
    return out.getvalue() + (f"{status}\n" if show_status else "")


def _evaluate_console(example: Example) -> str | None:
    folder = example.namespace.get("_console_folder")
    if folder is None:
        folder = Path(tempfile.mkdtemp(dir=_SCRATCH.name))
        shutil.copytree(EXAMPLES, folder, dirs_exist_ok=True)
        example.namespace["_console_folder"] = folder
    checker = OutputChecker()
    for command, expected in _sessions(str(example.parsed)):
        got = _run(command, folder)
        if not checker.check_output(expected, got, _FLAGS):
            return f"$ {command}\nexpected:\n{expected}got:\n{got}"
    return None


pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=_FLAGS),
        CodeBlockParser(language="console", evaluator=_evaluate_console),
        SkipParser(),
    ],
    patterns=["*.md"],
).pytest()
