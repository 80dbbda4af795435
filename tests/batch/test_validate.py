"""``painrx validate FILE.csv``: streamed rows, the summary, the output file, exit codes."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import write_csv
from painrx.batch import ADDED_COLUMNS, mme_prescriptions
from painrx.batch import _core as _batch_core
from painrx.batch import _validate as _batch_validate
from painrx.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main

HEADER = "drug,strength,strength_unit,quantity,days_supply\n"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("rx") / "rx.csv", 3_000, seed=11)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _write(tmp_path: Path, text: str, name: str = "rx.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_summary_and_output_agree_with_the_batch_api(
    synthetic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "out.csv"
    code, out, err = run(capsys, "validate", str(synthetic), "-o", str(out_path), "--json")
    assert code == EXIT_REFUSED  # the synthetic file has malformed rows
    assert err == ""
    summary = json.loads(out)

    source = pd.read_csv(synthetic, dtype=str, keep_default_na=False)
    expected = mme_prescriptions(source)
    written = pd.read_csv(out_path, dtype={"error": str, "alerts": str}, keep_default_na=False)
    assert len(written) == len(source) == summary["rows"] == 3_000
    assert list(written.columns) == [*source.columns, *ADDED_COLUMNS]
    assert written["drug"].tolist() == source["drug"].tolist()
    mme = pd.to_numeric(written["mme_per_day"].replace("", np.nan)).to_numpy()
    np.testing.assert_array_equal(mme, expected["mme_per_day"].to_numpy())
    errors = expected["error"].astype(object).where(expected["error"].notna(), "").tolist()
    assert written["error"].tolist() == errors

    failed = int(expected["error"].notna().sum())
    assert summary["rows_with_errors"] == failed > 0
    assert summary["rows_with_mme"] == 3_000 - failed
    assert sum(summary["errors_by_kind"].values()) == failed
    values = expected["mme_per_day"].dropna()
    at_or_above = {row["alert"]: row["rows"] for row in summary["at_or_above"]}
    assert at_or_above == {
        "mme_threshold_50": int((values >= 50).sum()),
        "mme_threshold_90": int((values >= 90).sum()),
    }
    distribution = summary["mme_per_day"]
    assert distribution["min"] == values.min()
    assert distribution["max"] == values.max()
    assert distribution["mean"] == pytest.approx(values.mean(), rel=1e-12)
    assert distribution["median"] == pytest.approx(values.median(), abs=0.05 + 1e-9)


def test_text_summary(synthetic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(synthetic))
    assert code == EXIT_REFUSED
    lines = out.splitlines()
    assert lines[0].startswith(f"{synthetic}: 3,000 rows, ")
    assert lines[0].endswith("with errors (table CDC_2022)")
    assert lines[1].startswith("MME/day: mean ")
    assert lines[2].startswith("  ≥ 50 MME/day (mme_threshold_50): ")
    assert lines[3].startswith("  ≥ 90 MME/day (mme_threshold_90): ")
    assert "errors by kind:" in lines
    assert "most frequent errors:" in lines


def test_clean_file_exits_0_and_header_names_are_forgiving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "NDC,Drug,Strength,Strength Unit,Quantity,Days-Supply\n"
        "00093002401,oxycodone,10,mg,120,30\n"
        "00093690045,Duragesic,25,mcg/h,10,30\n"
    )
    path = _write(tmp_path, text)
    out_path = tmp_path / "out.csv"
    code, out, _ = run(capsys, "validate", str(path), "-o", str(out_path))
    assert code == EXIT_OK
    assert "2 rows, 2 with MME/day, 0 with errors" in out
    written = pd.read_csv(out_path, dtype=str)
    assert written["NDC"].tolist() == ["00093002401", "00093690045"]  # leading zeros kept
    assert written["mme_per_day"].tolist() == ["60", "60"]


def test_malformed_lines_are_error_rows_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Too few or too many fields, an open quote: each line an error row with its number."""
    path = _write(
        tmp_path,
        HEADER
        + "oxycodone,10,mg,120,30\n"  # line 2
        + "oxycodone,10,mg\n"  # line 3: too few fields
        + "morphine,30,mg,90,30,extra\n"  # line 4: too many
        + '"oxycodone,10,mg,120,30\n'  # line 5: a quote left open...
        + "morphine,30,mg,90,30\n"  # line 6: ...runs over the lines after it
        + 'morphine,30,mg,90,30,"\n'  # line 7: ...up to the next quote
        + "morphine,30,mg,90,30\n",  # line 8
    )
    out_path = tmp_path / "out.csv"
    code, out, _ = run(capsys, "validate", str(path), "--json", "-o", str(out_path))
    assert code == EXIT_REFUSED
    summary = json.loads(out)
    assert (summary["rows"], summary["rows_with_errors"], summary["malformed_lines"]) == (7, 5, 5)
    assert summary["malformed_examples"] == [3, 4, 5, 6, 7]
    written = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert written["drug"].tolist()[:3] == ["oxycodone", "oxycodone", "morphine"]
    errors = written["error"].tolist()
    assert errors[0] == ""
    assert errors[1] == "CSVError: line 3: 3 field(s), expected 5: 'oxycodone,10,mg'"
    assert errors[2].startswith("CSVError: line 4: 6 field(s), expected 5")
    assert errors[3].startswith("CSVError: line 5: an unbalanced quote")
    assert errors[4] == "CSVError: line 6: after an unbalanced quote on line 5"
    assert errors[5] == "CSVError: line 7: after an unbalanced quote on line 5"
    # CDC file formula: morphine 30 mg x 90 / 30 days x 1 = 90 MME/day.
    assert (errors[6], written["mme_per_day"].tolist()[6]) == ("", "90")


def test_undecodable_bytes_are_an_error_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad byte marks its row (line number, column) and is written as U+FFFD, never dropped."""
    path = tmp_path / "rx.csv"
    good = b"oxycodone,10,mg,120,30\n" * 2_000
    path.write_bytes(HEADER.encode() + good + b"\xff\xfeoxy,10,mg,1,1\n" + good)
    out_path = tmp_path / "out.csv"
    code, out, err = run(capsys, "validate", str(path), "--json", "-o", str(out_path))
    assert (code, err) == (EXIT_REFUSED, "")
    summary = json.loads(out)
    assert (summary["rows"], summary["rows_with_errors"]) == (4_001, 1)
    written = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    row = written.iloc[2_000]
    assert row["drug"] == "\ufffd\ufffdoxy"
    assert row["error"] == "CSVError: line 2002: bytes that are not utf-8 in column 'drug'"
    assert set(written["mme_per_day"].drop(index=2_000)) == {"60"}


def test_encodings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """UTF-16 by its byte-order mark, a UTF-8 BOM skipped, others with --encoding."""
    rows = HEADER + "oxycodone,10,mg,120,30\n"
    for name, data in [
        ("utf16.csv", rows.encode("utf-16")),
        ("bom.csv", codecs.BOM_UTF8 + rows.encode()),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        code, out, _ = run(capsys, "validate", str(path), "--json")
        assert code == EXIT_OK
        assert json.loads(out)["mme_per_day"]["max"] == 60.0
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER.strip() + ",note\noxycodone,10,mg,120,30,café\n").encode("cp1252"))
    # Read as UTF-8, the é byte marks its row.
    code, out, _ = run(capsys, "validate", str(latin), "--json")
    assert code == EXIT_REFUSED
    assert json.loads(out)["top_errors"][0]["error"] == (
        "CSVError: bytes that are not utf-8 in column 'note'"
    )
    out_path = tmp_path / "out.csv"
    code, out, _ = run(capsys, "validate", str(latin), "--encoding", "cp1252", "-o", str(out_path))
    assert code == EXIT_OK
    assert pd.read_csv(out_path, dtype=str)["note"].tolist() == ["café"]
    code, _, err = run(capsys, "validate", str(latin), "--encoding", "klingon")
    assert code == EXIT_USAGE
    assert "unknown encoding 'klingon'" in err
    assert err.count("\n") == 1


def test_formula_like_cells_are_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """OWASP CSV injection: cells and header names starting = + - @ get a leading quote."""
    path = _write(
        tmp_path,
        HEADER.strip()
        + ",@note,-5\n"
        + 'oxycodone,10,mg,120,30,"=HYPERLINK(""http://x"")",-5\n'
        + "+cmd,10,mg,120,30,-2+3,@SUM(A1)\n",
    )
    out_path = tmp_path / "out.csv"
    run(capsys, "validate", str(path), "-o", str(out_path))
    written = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert list(written.columns)[5:7] == ["'@note", "-5"]  # -5 is a number, no formula
    assert written["'@note"].tolist() == ['\'=HYPERLINK("http://x")', "'-2+3"]
    assert written["-5"].tolist() == ["-5", "'@SUM(A1)"]
    assert written["drug"].tolist() == ["oxycodone", "'+cmd"]
    assert written["error"].tolist()[1].startswith("UnknownDrugError")


def test_output_to_stdout_symlinks_and_devices(
    synthetic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "validate", str(synthetic), "-o", "-")
    assert code == EXIT_REFUSED
    assert out.startswith('"drug","strength"')
    assert len(out.splitlines()) == 3_001
    assert "3,000 rows" in err  # the summary goes to stderr
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    run(capsys, "validate", str(synthetic), "-o", str(link))
    assert link.is_symlink()
    assert len(real.read_text(encoding="utf-8").splitlines()) == 3_001
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["link.csv", "real.csv"]
    devnull = Path(os.devnull)
    code, _, _ = run(capsys, "validate", str(synthetic), "-o", str(devnull))
    assert code == EXIT_REFUSED
    assert devnull.is_char_device()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-o", "{tmp}"], "it is a directory"),
        (["-o", "{tmp}/missing/out.csv"], "no such directory"),
        (["--block-size", "0"], "--block-size must be a number of bytes from 1,024"),
        (["--block-size", str(10**15)], "not 1000000000000000"),
        (["--block-size", "lots"], "invalid int value"),
    ],
)
def test_bad_output_and_block_size_are_one_error_line(
    synthetic: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code, out, err = run(
        capsys, "validate", str(synthetic), *[a.format(tmp=tmp_path) for a in argv]
    )
    assert (code, out) == (EXIT_USAGE, "")
    assert err.count("\n") == 1
    assert message in err


def test_a_directory_is_no_csv_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == EXIT_USAGE
    assert "is a directory" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("drug,strength\noxycodone,10\n", "has no column(s) strength_unit, quantity, days_supply"),
        ("drug,Drug\n", "has two columns named 'drug'"),
    ],
)
def test_unusable_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    code, out, err = run(capsys, "validate", str(_write(tmp_path, text)))
    assert (code, out) == (EXIT_USAGE, "")
    assert err.count("\n") == 1
    assert message in err


def test_missing_file_same_output_and_unknown_table_exit_2(
    tmp_path: Path, synthetic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.csv"))
    assert code == EXIT_USAGE
    assert "cannot read" in err
    code, _, err = run(capsys, "validate", str(synthetic), "-o", str(synthetic))
    assert code == EXIT_USAGE
    assert "must not be the input file" in err
    code, _, err = run(capsys, "validate", str(synthetic), "--table", "CDC_2099")
    assert code == EXIT_USAGE
    assert "Unknown MME table 'CDC_2099'" in err


def test_without_pandas_exit_2(
    synthetic: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a)
    )
    code, _, err = run(capsys, "validate", str(synthetic))
    assert code == EXIT_USAGE
    assert "pip install painrx[pandas]" in err
    assert err.count("\n") == 1


def test_empty_data_writes_a_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "out.csv"
    code, out, _ = run(capsys, "validate", str(_write(tmp_path, HEADER)), "-o", str(out_path))
    assert code == EXIT_OK
    assert "0 rows" in out
    lines = out_path.read_text(encoding="utf-8").splitlines()
    assert [next(csv.reader(lines))] == [[*HEADER.strip().split(","), *ADDED_COLUMNS]]
    assert len(lines) == 1


def test_streams_in_bounded_blocks(synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory is bounded by the block: no block sees more than a block's rows."""
    sizes: list[int] = []
    real = _batch_core.compute

    def spy(columns: Any, n: int, *args: Any, **kwargs: Any) -> Any:
        sizes.append(n)
        return real(columns, n, *args, **kwargs)

    monkeypatch.setattr(_batch_core, "compute", spy)
    summary = _batch_validate.validate_csv(synthetic, block_size=16_384)
    assert summary.rows == 3_000 == sum(sizes)
    assert len(sizes) > 5
    assert max(sizes) < 1_000


def test_progress_bar_only_on_a_terminal(
    synthetic: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "validate", str(synthetic))
    assert err == ""  # not a terminal: silent
    code, _, err = run(capsys, "validate", str(synthetic), "--progress", "always")
    assert code == EXIT_REFUSED
    assert "rx.csv" in err
    assert "100%" in err
    assert err.endswith("\r\x1b[2K")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["validate", str(synthetic)]) == EXIT_REFUSED
    assert "100%" in terminal.getvalue()


def test_a_failure_mid_file_leaves_no_output_and_no_reader(
    synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    calls: list[int] = []
    real = _batch_core.compute

    def fail_second(columns: Any, n: int, *args: Any, **kwargs: Any) -> Any:
        calls.append(n)
        if len(calls) == 2:
            msg = "disk on fire"
            raise RuntimeError(msg)
        return real(columns, n, *args, **kwargs)

    monkeypatch.setattr(_batch_core, "compute", fail_second)
    out_path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError, match="disk on fire"):
        _batch_validate.validate_csv(synthetic, out=out_path, block_size=16_384)
    assert list(tmp_path.iterdir()) == []
    assert not any(t.name == "painrx-csv-reader" for t in threading.enumerate())


def test_threshold_policy_of_the_summary(
    synthetic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "validate", str(synthetic), "--thresholds", "UK_OPENPRESCRIBING_2025"
    )
    assert code == EXIT_REFUSED
    counted = [line for line in out.splitlines() if line.startswith("  ≥ ")]
    assert len(counted) == 1
    assert counted[0].startswith("  ≥ 90 MME/day (mme_threshold_90): ")
    code, _, err = run(capsys, "validate", str(synthetic), "--thresholds", "NOPE")
    assert code == EXIT_USAGE
    assert "Unknown threshold policy 'NOPE'" in err


# Hostile lines: fields of text, numbers, formula starts, bad bytes; any field count.
FIELD = st.one_of(
    st.sampled_from(["oxycodone", "Norco", "10", "7.5", "mg", "120", "30", "", " ", "ten"]),
    st.sampled_from(["=1+1", "+cmd", "-5", "@SUM(A1)", "1e309", "\t", "é"]),
    st.binary(min_size=1, max_size=3).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b"")),
)


def _line(fields: list[str | bytes]) -> bytes:
    """One line of a file: no quote (a quote may join lines into one record), never blank."""
    line = b",".join(f.encode() if isinstance(f, str) else f for f in fields)
    line = line.replace(b'"', b"'")
    return line if line.strip(b" \t\r") else b"x"


# Each example writes and validates a file: slow on a busy machine, by design.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.lists(FIELD, min_size=1, max_size=8).map(_line), min_size=1, max_size=30))
def test_every_line_is_a_row(lines: list[bytes]) -> None:
    """Whatever a line holds, it is one output row; only painrx's own refusals, never a raw
    exception, and no cell a spreadsheet would run as a formula."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rx.csv"
        path.write_bytes(HEADER.encode() + b"\n".join(lines) + b"\n")
        out_path = Path(folder) / "out.csv"
        summary = _batch_validate.validate_csv(path, out=out_path)
        assert summary.rows == len(lines)
        with out_path.open(newline="", encoding="utf-8") as handle:
            written = list(csv.reader(handle))
    assert len(written) == len(lines) + 1
    for row in written[1:]:
        assert len(row) == len(written[0])
        assert not row[0].startswith(("=", "+", "@", "\t"))
