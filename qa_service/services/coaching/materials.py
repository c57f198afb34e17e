"""Coaching materials: documents checked by size, by what they really are and for card numbers; links."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlparse

from qa_service.core.errors import UserFacingError
from qa_service.core.redaction.card_words import stored_card_runs
from qa_service.services.document_text import document_texts

MAX_MATERIAL_BYTES = 20 * 1024 * 1024

# Extension → MIME type; the content is checked too (`_looks_like`), not just the name.
MATERIAL_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain; charset=utf-8",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_OFFICE_FOLDER = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
# The part every real document of the type has: a zip with only "xl/anything" is not a workbook.
_OFFICE_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
# An Office file is a zip: what it would unpack to is bounded too, or a 20 MB "workbook" can be a
# zip bomb that fills the disk or memory of whoever opens it (a reader, a text extractor, a scan).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # real Office XML compresses ~5-20x; bombs by thousands
MAX_ARCHIVE_ENTRIES = 10_000



class MaterialError(UserFacingError):
    pass


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def _looks_like(suffix: str, content: bytes) -> bool:
    if suffix == ".pdf":
        return content.startswith(b"%PDF-")
    if suffix in _OFFICE_FOLDER:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                entries = archive.infolist()
                names = {entry.filename for entry in entries}
                if "[Content_Types].xml" not in names or _OFFICE_MAIN_PART[suffix] not in names:
                    return False
                _check_unpacked_size(entries)
                _check_unpacks_as_declared(archive, entries)
                return True
        except (zipfile.BadZipFile, ValueError):  # ValueError: a corrupt directory zipfile cannot read
            return False
    if suffix == ".txt":
        try:
            return b"\x00" not in content and bool(content.decode("utf-8"))
        except UnicodeDecodeError:
            return False
    if suffix == ".mp3":
        return content.startswith(b"ID3") or content[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
    if suffix == ".wav":
        return content[:4] == b"RIFF" and content[8:12] == b"WAVE"
    if suffix == ".png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    return content.startswith(b"\xff\xd8\xff")  # .jpg / .jpeg


def _check_unpacked_size(entries: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive whose declared contents are too many, too big or too compressed (a bomb)."""
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if (len(entries) > MAX_ARCHIVE_ENTRIES or unpacked > MAX_UNPACKED_BYTES
            or unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)):
        raise MaterialError(
            f"архив документа распаковывается в {unpacked // (1024 * 1024)} МБ из {packed // 1024} КБ: "
            "похоже на zip-бомбу",
            f"the document's archive unpacks to {unpacked // (1024 * 1024)} MB from {packed // 1024} KB: "
            "it looks like a zip bomb",
        )


def _check_unpacks_as_declared(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Headers can lie about sizes: unpack for real, counting, and stop at the bound."""
    budget = min(MAX_UNPACKED_BYTES, MAX_COMPRESSION_RATIO * max(sum(e.compress_size for e in entries), 1))
    for entry in entries:
        with archive.open(entry) as member:  # zipfile also refuses data longer than the header said
            while chunk := member.read(1 << 20):
                budget -= len(chunk)
                if budget < 0:
                    raise MaterialError("архив документа распаковывается больше, чем заявлено: похоже на zip-бомбу",
                                        "the document's archive unpacks to more than it declares: a zip bomb")


def check_upload(upload: Upload) -> str:
    """The MIME type of an acceptable material, or a clear error (type by name *and* content; size)."""
    name = PurePath(upload.filename).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in MATERIAL_TYPES:
        raise MaterialError(
            f"файл {name}: допустимы PDF, DOCX, XLSX, PPTX, TXT, MP3, WAV, PNG, JPG",
            f"file {name}: allowed are PDF, DOCX, XLSX, PPTX, TXT, MP3, WAV, PNG, JPG",
        )
    if not upload.content:
        raise MaterialError(f"файл {name} пуст", f"file {name} is empty")
    if len(upload.content) > MAX_MATERIAL_BYTES:
        raise MaterialError(f"файл {name} больше 20 МБ", f"file {name} is over 20 MB")
    if not _looks_like(suffix, upload.content):
        raise MaterialError(
            f"файл {name}: содержимое не похоже на {suffix[1:].upper()}",
            f"file {name}: the content is not {suffix[1:].upper()}",
        )
    for text in document_texts(name, suffix, upload.content):
        if stored_card_runs(text):
            raise MaterialError(
                f"файл {name}: в документе номер банковской карты — уберите его и загрузите файл снова",
                f"file {name}: the document holds a payment card number; remove it and upload the file again",
            )
    return MATERIAL_TYPES[suffix]


def check_link(url: str) -> str:
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise MaterialError(f"ссылка должна начинаться с http:// или https://: {url[:80]}",
                            f"a link must start with http:// or https://: {url[:80]}")
    return url
