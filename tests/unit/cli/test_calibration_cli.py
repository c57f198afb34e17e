"""`qa-service calibration agreement`: the contract's JSON, the same figures as the app, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import krippendorff
import pytest

from qa_service.cli import main
from qa_service.core.agreement import reliability

KEYS = {"krippendorff_alpha", "fleiss_kappa", "percent_agreement", "n_units", "n_ratings"}


def _csv(tmp_path: Path, text: str, name: str = "ratings.csv") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


BALANCED = """unit,criterion,rater,answer
c1,greeting,olga,yes
c1,greeting,maria,yes
c1,greeting,ivan,no
c2,greeting,olga,no
c2,greeting,maria,no
c2,greeting,ivan,no
c3,greeting,olga,yes
c3,greeting,maria,na
c3,greeting,ivan,yes
c1,farewell,olga,yes
c1,farewell,maria,yes
c1,farewell,ivan,yes
c2,farewell,olga,no
c2,farewell,maria,yes
c2,farewell,ivan,
"""


def test_json_follows_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibration", "agreement", "--ratings", _csv(tmp_path, BALANCED), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"criteria", "overall"}
    assert set(document["criteria"]) == {"farewell", "greeting"}
    assert all(set(v) == KEYS for v in [*document["criteria"].values(), document["overall"]])
    greeting, farewell = document["criteria"]["greeting"], document["criteria"]["farewell"]
    assert greeting["n_units"] == 3 and greeting["n_ratings"] == 9
    assert greeting["fleiss_kappa"] is not None  # 3 raters on every unit
    assert farewell["fleiss_kappa"] is None  # c2's third rating is missing: unbalanced
    assert farewell["n_ratings"] == 5 and farewell["percent_agreement"] == 0.75
    # The same code path the app uses.
    expected = reliability({"c1": {"olga": "yes", "maria": "yes", "ivan": "no"},
                            "c2": {"olga": "no", "maria": "no", "ivan": "no"},
                            "c3": {"olga": "yes", "maria": "na", "ivan": "yes"}})
    assert greeting == expected.to_json()
    assert document["overall"]["n_units"] == 5 and document["overall"]["fleiss_kappa"] is None


def test_interval_level_matches_the_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "unit,criterion,rater,answer\n" + "".join(
        f"u{u},total,r{r},{v}\n" for u, row in enumerate([[90, 85, 88], [70, 60, 75], [100, 95, 100], [50, 55, 40]])
        for r, v in enumerate(row))
    assert main(["calibration", "agreement", "--ratings", _csv(tmp_path, text), "--level", "interval", "--json"]) == 0
    total = json.loads(capsys.readouterr().out)["criteria"]["total"]
    reference = krippendorff.alpha(reliability_data=[[90, 70, 100, 50], [85, 60, 95, 55], [88, 75, 100, 40]],
                                   level_of_measurement="interval")
    assert total["krippendorff_alpha"] == pytest.approx(reference, abs=1e-4)
    assert total["percent_agreement"] == pytest.approx(1 / 12, abs=1e-4)


@pytest.mark.parametrize(("text", "reason"), [
    ("unit,criterion,answer\n1,a,yes\n", "нет столбцов rater"),
    ("unit,criterion,rater,answer\n", "нет ни одной оценки"),
    ("unit,criterion,rater,answer\n1,a,x,yes\n1,a,x,no\n", "строка 3: повтор"),
    ("unit,criterion,rater,answer\n1,a,x,yes,extra\n", "строка 2: не то число полей"),
    ("unit,criterion,rater,answer\n1,,x,yes\n", "строка 2: пустые"),
])
def test_bad_csv_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                                        reason: str) -> None:
    assert main(["calibration", "agreement", "--ratings", _csv(tmp_path, text), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert reason in captured.err and " | " in captured.err and captured.err.count("\n") == 1


def test_interval_needs_numbers_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "unit,criterion,rater,answer\n1,a,x,yes\n1,a,y,3\n")
    assert main(["calibration", "agreement", "--ratings", path, "--level", "interval", "--json"]) == 1
    assert "не число" in capsys.readouterr().err
    assert main(["calibration", "agreement", "--ratings", str(tmp_path / "nope.csv"), "--json"]) == 1
    assert "не удалось прочитать" in capsys.readouterr().err


def test_installed_entry_point(tmp_path: Path) -> None:
    """The real `qa-service` process: exit 0 and JSON on stdout, exit 1 and no traceback on bad input."""
    exe = Path(sys.executable).with_name("qa-service")
    good = subprocess.run([str(exe), "calibration", "agreement", "--ratings", _csv(tmp_path, BALANCED), "--json"],
                          capture_output=True, text=True, check=False)
    assert good.returncode == 0 and json.loads(good.stdout)["overall"]["n_ratings"] == 14
    bad = subprocess.run([str(exe), "calibration", "agreement", "--ratings", _csv(tmp_path, "a,b\n1,2\n", "b.csv")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
