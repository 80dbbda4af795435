"""The painrx command line: reports, --json, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from painrx import __version__
from painrx.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (EXIT_OK, "")
    return json.loads(out)


# ---------------------------------------------------------------- mme


def test_mme_report(capsys: pytest.CaptureFixture[str]) -> None:
    """CDC 2022 footnote: oxycodone 10 mg BID = 20 mg/day × 1.5 = 30 MME/day."""
    code, out, err = run(capsys, "mme", "oxycodone", "10 mg", "--frequency", "BID")
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0] == "oxycodone 10 mg BID: 30.0 MME/day"
    assert lines[1] == "  factor: 1.5 per mg/day (table CDC_2022)"
    assert lines[-1].startswith("  source: CDC_2022: ")


def test_mme_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "mme", "oxycodone", "10 mg", "--frequency", "2")
    assert data["value"] == 30.0
    assert data["table"] == "CDC_2022"
    assert data["alerts"] == []


def test_mme_prescription_mode(capsys: pytest.CaptureFixture[str]) -> None:
    """CDC NDC file: 25 mcg/h × (10 patches / 30 days) × 7.2 = 60 MME/day."""
    code, out, _ = run(
        capsys,
        "mme",
        "fentanyl",
        "25 mcg/h",
        "--quantity",
        "10",
        "--days-supply",
        "30",
        "--route",
        "transdermal",
    )
    assert code == EXIT_OK
    assert out.splitlines()[0] == "fentanyl 25 mcg/h × 10 / 30 days: 60.0 MME/day"
    assert "! [major] fentanyl_patch_caution:" in out
    assert "! [moderate] mme_threshold_50:" in out


def test_mme_prescription_mode_uses_the_threshold_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CDC NDC file: 10 mg oxycodone × (120 / 30 days) × 1.5 = 60 MME/day.

    60 is at or above CDC 2016's 50 but below the UK policy's single 90 threshold.
    """
    argv = ("mme", "oxycodone", "10 mg", "--quantity", "120", "--days-supply", "30")
    cdc = run_json(capsys, *argv)
    uk = run_json(capsys, *argv, "--thresholds", "UK_OPENPRESCRIBING_2025")
    assert cdc["value"] == uk["value"] == 60.0
    assert "mme_threshold_50" in cdc["alerts"]
    assert uk["alerts"] == []


def test_mme_prescription_by_volume(capsys: pytest.CaptureFixture[str]) -> None:
    """CDC NDC file: butorphanol 10 mg/mL × 2.5 mL / 30 days × 7 = 5.8 MME/day."""
    data = run_json(
        capsys,
        "mme",
        "butorphanol",
        "10 mg/mL",
        "--quantity",
        "2.5 mL",
        "--days-supply",
        "30 day",
        "--route",
        "nasal",
        "--form",
        "nasal_spray",
        "--table",
        "CDC_NDC_2018",
    )
    assert data["value"] == pytest.approx(5.8333, abs=1e-4)


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["mme", "oxycodon", "10 mg", "--frequency", "BID"], "UnknownDrugError"),
        (["mme", "oxycodone", "10 gr", "--frequency", "BID"], "UnitError"),
        (["mme", "oxycodone", "10", "--frequency", "BID"], "UnitError"),
        (["mme", "buprenorphine", "8 mg", "--frequency", "QD"], "NoFactorError"),
        (["convert", "oxycodone", "30 mg/day", "--to", "methadone"], "UnsafeConversionError"),
        (["mme", "oxycodone", "10 mg", "--frequency", "BID", "--table", "CDC_2099"], "InputError"),
    ],
)
def test_refusals_exit_1_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], kind: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == EXIT_REFUSED
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"painrx: error: {kind}: ")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["mme", "oxycodone"],
        ["mme", "oxycodone", "10 mg", "--bogus"],
        ["nonsense"],
        ["mme", "oxycodone", "10 mg", "--quantity", "120"],
        [
            "mme",
            "oxycodone",
            "10 mg",
            "--quantity",
            "120",
            "--days-supply",
            "30",
            "--frequency",
            "QD",
        ],
        ["check"],
        ["validate"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert out == ""
    assert err.count("\n") == 1
    assert "error:" in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK
    assert "validate" in out
    assert "Exit status: 0 ok, 1 refused input or rows with errors, 2 usage error." in out
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (EXIT_OK, f"painrx {__version__}\n")


# ---------------------------------------------------------------- other commands


def test_convert_seed(capsys: pytest.CaptureFixture[str]) -> None:
    """The seed article: oxycodone 5 mg = morphine 10 mg orally (ratio 2)."""
    code, out, _ = run(
        capsys, "convert", "oxycodone", "5 mg", "--to", "morphine", "--ratios", "SEED"
    )
    assert code == EXIT_OK
    assert out.splitlines()[:2] == [
        "oxycodone 5 mg oral = morphine 10 mg oral",
        "  ratio: 2 (table SEED)",
    ]
    data = run_json(
        capsys,
        "convert",
        "oxycodone",
        "5 mg",
        "--to",
        "morphine",
        "--route",
        "iv",
        "--ratios",
        "SEED",
    )
    assert data["dose"] == {"value": 5.0, "unit": "mg"}


def test_rotate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "rotate",
        "oxycodone",
        "60 mg/day",
        "--to",
        "hydromorphone",
        "--ratios",
        "MSD_MANUAL",
    )
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0] == "oxycodone 60 mg/day oral → hydromorphone oral"
    assert [line.split(":")[0].strip() for line in lines[1:4]] == [
        "equianalgesic",
        "recommended",
        "breakthrough",
    ]
    data = run_json(
        capsys,
        "rotate",
        "oxycodone",
        "60 mg/day",
        "--to",
        "hydromorphone",
        "--ratios",
        "MSD_MANUAL",
        "--reduction",
        "0.5",
    )
    assert data["recommended"]["value"] == pytest.approx(data["equianalgesic"]["value"] / 2)


def test_rotate_prints_the_range_and_the_breakthrough_drug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 15: the whole recommended range, and "morphine oral 1.2–2.4 mg per dose"."""
    code, out, _ = run(
        capsys, "rotate", "morphine", "120 mg/day", "--to", "methadone", "--method", "MSD_METHADONE"
    )
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[2] == "  recommended:   1.5–3.75 mg/day (after a 75–90% cross-tolerance reduction)"
    assert lines[3] == "  breakthrough:  morphine oral 1.2–2.4 mg per dose"


def test_infusion_seed_ketamine(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed: ketamine 0.25 mg/kg/h for 70 kg at 1 mg/mL is 17.5 mL/h."""
    code, out, _ = run(
        capsys,
        "infusion",
        "0.25 mg/kg/h",
        "--weight",
        "70 kg",
        "--concentration",
        "1 mg/mL",
        "--profile",
        "ketamine/perioperative_analgesia",
    )
    assert code == EXIT_OK
    assert out.splitlines()[0] == (
        "ketamine 0.25 mg/kg/h, 70 kg, 1 mg/mL: set the pump to 17.5 mL/h"
    )


def test_taper(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "taper",
        "oxycodone",
        "60 mg/day",
        "--percent",
        "10",
        "--interval",
        "7 day",
        "--strength",
        "5 mg",
    )
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0] == "oxycodone 60 mg/day: taper by 10% every 7 day"
    assert lines[2].split()[:3] == ["0", "60", "mg/day"]
    data = run_json(
        capsys, "taper", "oxycodone", "60 mg/day", "--percent", "10", "--interval", "7 day"
    )
    assert data["steps"][-1]["daily_dose"]["value"] == 0


def test_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "warfarin", "ibuprofen 400 mg")
    assert code == EXIT_OK
    assert out.startswith("1 finding(s), most severe: major")
    data = run_json(capsys, "check", "warfarin", "ibuprofen", "--age", "80", "--condition", "ckd")
    assert data["findings"][0]["severity"] == "major"


def test_check_unknown_drug(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "warfarin", "zzzfloxacin")
    assert code == EXIT_REFUSED
    assert err.startswith("painrx: error: UnknownDrugError: ")
    code, out, _ = run(capsys, "check", "warfarin", "zzzfloxacin", "--on-unknown", "report")
    assert code == EXIT_OK
    assert "NOT CHECKED (unknown): zzzfloxacin" in out


def test_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tables", "--kind", "mme_factors")
    assert code == EXIT_OK
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids == sorted(ids)
    assert {"CDC_2016", "CDC_2022", "CDC_NDC_2018"} <= set(ids)
    data = run_json(capsys, "tables")
    assert all({"id", "kind", "path", "source"} <= set(t) for t in data)


def test_python_dash_m_and_lazy_imports() -> None:
    """``python -m painrx`` works, and ``painrx mme`` never imports pandas or pyarrow."""
    code = (
        "import sys\n"
        "from painrx.cli import main\n"
        "status = main(['mme', 'oxycodone', '10 mg', '--frequency', 'BID'])\n"
        "print(status, sorted(m for m in ('pandas', 'pyarrow', 'painrx.batch') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.splitlines()[-1] == "0 []"
    found = subprocess.run(
        [sys.executable, "-m", "painrx", "--version"], capture_output=True, text=True, check=False
    )
    assert (found.returncode, found.stdout) == (0, f"painrx {__version__}\n")
