"""`security scan-cards` finds a security code after its cue in stored files (issue 26), showing none of it."""

from __future__ import annotations

from pathlib import Path

from qa_service.services.card_scan import CVV_MASK, CardScanReport, scan_files


def test_card_scan_reports_a_cvv_after_its_cue_without_showing_it(tmp_path: Path) -> None:
    (tmp_path / "transcript.txt").write_text("клиент: три цифры на обороте семь четыре два\n", encoding="utf-8")
    (tmp_path / "clean.txt").write_text("клиент: три цифры на обороте [CVV]\n", encoding="utf-8")
    report = CardScanReport()
    scan_files([tmp_path], report)
    assert [(Path(f.where).name, f.masked) for f in report.findings] == [("transcript.txt", CVV_MASK)]
    assert "742" not in " ".join(f.line() for f in report.findings)
