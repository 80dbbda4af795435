"""The painrx command line: reports, --json, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from painrx import __version__
from painrx.cli import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main

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
    assert "Exit status: 0 ok, 1 refused input or rows with errors, 2 usage error" in out
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
    assert code == EXIT_INCOMPLETE  # an unchecked drug is never "no interaction"
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


# ---------------------------------------------------------------- for pharmacists and scripts


@pytest.mark.parametrize(
    ("fail_on", "status"),
    [
        # warfarin + ibuprofen is a MAJOR finding (nsaid_anticoagulant, PAINRX_DDI_2026_1).
        ("never", EXIT_OK),
        ("info", EXIT_FINDINGS),
        ("moderate", EXIT_FINDINGS),
        ("major", EXIT_FINDINGS),
        ("contraindicated", EXIT_OK),
    ],
)
def test_check_fail_on_exit_status(
    capsys: pytest.CaptureFixture[str], fail_on: str, status: int
) -> None:
    code, out, err = run(capsys, "check", "warfarin", "ibuprofen 400 mg", "--fail-on", fail_on)
    assert (code, err) == (status, "")
    assert out.splitlines()[0].endswith("finding(s), most severe: major")


def test_check_without_findings_exits_0_even_with_fail_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", "acetaminophen", "--fail-on", "info")
    assert code == EXIT_OK
    assert out.startswith("0 finding(s)")


def test_check_incomplete_wins_over_findings(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("check", "warfarin", "ibuprofen", "zzzfloxacin", "--on-unknown", "report")
    code, _, _ = run(capsys, *argv, "--fail-on", "major")
    assert code == EXIT_INCOMPLETE


def test_check_fail_on_refuses_an_unknown_severity(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "warfarin", "--fail-on", "severe")
    assert code == EXIT_USAGE
    assert "argument --fail-on: invalid choice: 'severe'" in err


def test_taper_prints_tablets_per_dose_and_dispensing(capsys: pytest.CaptureFixture[str]) -> None:
    """30 mg/day as 5 mg tablets three times a day; 25% of the original dose every week."""
    code, out, _ = run(
        capsys,
        "taper",
        "oxycodone",
        "30 mg/day",
        "--percent",
        "25",
        "--interval",
        "7 day",
        "--strength",
        "5 mg",
        "--doses-per-day",
        "3",
    )
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[1].split() == ["day", "daily", "dose", "per", "dose", "note"]
    assert lines[2].split()[:9] == ["0", "30", "mg/day", "2", "×", "5", "mg,", "3", "times"]
    assert "1½ × 5 mg, 3 times a day" in lines[3]
    dispense = lines.index("  dispense for the whole taper:")
    # The library's own total for this schedule, printed as the pharmacist needs it.
    from painrx import taper

    schedule = taper(
        "oxycodone",
        "30 mg/day",
        percent=25,
        interval="7 day",
        strengths=["5 mg"],
        doses_per_day=3,
    )
    (line,) = schedule.dispensing()
    assert lines[dispense + 1] == f"    5 mg: {line.quantity} (uses {line.used:g})"
    assert line.quantity >= line.used


def test_taper_doses_per_day_takes_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("taper", "oxycodone", "20 mg/day", "--percent", "50", "--interval", "2 day")
    code, out, _ = run(capsys, *argv, "--strength", "5 mg", "--no-split", "--doses-per-day", "BID")
    assert code == EXIT_OK
    assert "2 × 5 mg, twice a day" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["infusion", "0.25 mg/kg/h", "--weight", "80", "--concentration", "1 mg/mL"],
            "argument --weight: '80' has no unit: painrx never guesses one; write e.g. '80 kg'",
        ),
        (
            ["infusion", "0.25 mg/kg/h", "--weight", "80 kg", "--concentration", "1"],
            "write e.g. '1 mg/mL'",
        ),
        (["mme", "oxycodone", "10", "--frequency", "BID"], "write e.g. '10 mg'"),
        (
            ["taper", "oxycodone", "30", "--percent", "10", "--interval", "7 day"],
            "write e.g. '30 mg/day'",
        ),
        (
            ["taper", "oxycodone", "30 mg/day", "--percent", "10", "--interval", "7"],
            "write e.g. '7 day'",
        ),
    ],
)
def test_a_bare_number_names_the_option_and_a_unit(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (EXIT_USAGE, "")
    assert expected in err
    assert "'80 mg'" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["mme", "oxycodone", "10 mg"],
            "DOSE '10 mg' is one administration: give --frequency (e.g. 'BID')",
        ),
        (
            # No near name to suggest: the library's hint names a Python function.
            ["check", "warfarin", "qqqqqq"],
            "Check the spelling, or give the generic (ingredient) name.",
        ),
    ],
)
def test_errors_speak_the_command_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == EXIT_REFUSED
    assert expected in err
    for python in ("frequency=", "dose=", "painrx.catalog", "()"):
        assert python not in err


def test_tables_kind_takes_a_first_word(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tables", "--kind", "mme")
    assert code == EXIT_OK
    kinds = {line.split()[1] for line in out.splitlines()}
    assert kinds == {"mme_factors", "mme_thresholds"}
    code, _, err = run(capsys, "tables", "--kind", "mmme")
    assert code == EXIT_USAGE
    assert "no table of kind 'mmme'; kinds: " in err
    assert "mme_factors" in err


@pytest.mark.parametrize(
    "command", ["mme", "convert", "rotate", "infusion", "taper", "check", "tables", "validate"]
)
def test_every_subcommand_help_has_a_working_example(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    import shlex

    code, out, _ = run(capsys, command, "--help")
    assert code == EXIT_OK
    examples = out.split("example:\n")[-1].split("examples:\n")[-1].strip().splitlines()
    assert examples
    assert all(line.strip().startswith(f"painrx {command} ") for line in examples)
    if command == "validate":
        return  # its example names a file of the reader's
    for line in examples:
        code, _, err = run(capsys, *shlex.split(line)[1:])
        assert code in {EXIT_OK, EXIT_FINDINGS}, err


def test_mme_dose_may_be_a_count_when_the_drug_names_its_strength(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Percocet 10/325 mg, 2 tablets QID = 80 mg/day oxycodone x 1.5 (CDC 2022) = 120 MME/day."""
    code, out, _ = run(capsys, "mme", "Percocet 10/325 mg", "2", "--frequency", "QID")
    assert code == EXIT_OK
    assert out.splitlines()[0] == "Percocet 10/325 mg 2 QID: 120.0 MME/day"
    code, _, err = run(capsys, "mme", "oxycodone", "2", "--frequency", "QID")
    assert code == EXIT_USAGE
    assert "argument DOSE: '2' has no unit: painrx never guesses one; write e.g. '2 mg'" in err


def test_check_names_the_condition_of_a_drug_condition_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", "naproxen", "--condition", "ckd", "--fail-on", "major")
    assert code == EXIT_FINDINGS
    assert "  [major] naproxen + ckd: " in out
