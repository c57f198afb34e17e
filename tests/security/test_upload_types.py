"""An upload that claims a type must be that type: a zip bomb named .xlsx is refused, a real workbook is not.

Through the checker every coaching-material upload passes (the one place that stores customer documents).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from qa_service.services.coaching.materials import MaterialError, Upload, check_upload


def _bomb(member: str = "xl/workbook.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, b"\0" * (300 * 1024 * 1024))  # 300 MB of zeros: ~300 KB packed
    return buffer.getvalue()


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["Тема", "Срок"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_zip_bomb_named_xlsx_is_refused() -> None:
    bomb = _bomb()
    assert len(bomb) < 2 * 1024 * 1024  # small enough to pass the 20 MB upload limit
    with pytest.raises(MaterialError) as refused:
        check_upload(Upload("plan.xlsx", bomb))
    assert "zip bomb" in refused.value.en and refused.value.ru


def test_a_zip_that_is_not_the_claimed_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/anything.bin", b"not a workbook")
    with pytest.raises(MaterialError):
        check_upload(Upload("plan.xlsx", buffer.getvalue()))
    with pytest.raises(MaterialError):
        check_upload(Upload("plan.docx", _workbook()))  # a real workbook is not a Word document


def test_a_real_workbook_passes() -> None:
    assert check_upload(Upload("plan.xlsx", _workbook())).endswith("spreadsheetml.sheet")
