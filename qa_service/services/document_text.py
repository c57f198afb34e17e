"""The text inside an uploaded document, read before it is stored, so a card number in it is refused.

A `.txt` is its text; a DOCX/XLSX/PPTX is a zip whose XML parts hold the text (a DOCX's
`word/document.xml` may split «4111 1111 …» across `<w:t>` runs: the card rule reads markup as
text); a PDF's pages are extracted with pypdf.  Media and images hold no text to check.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator

from qa_service.core.errors import UserFacingError

log = logging.getLogger(__name__)

# A part bigger than this (uncompressed) is not read: the document is refused as one that cannot be checked.
MAX_PART_BYTES = 32 * 1024 * 1024
_TEXT_PARTS = (".xml", ".rels", ".txt")


class UncheckableDocument(UserFacingError):
    """A document whose text cannot be read to check it."""


def document_texts(name: str, suffix: str, content: bytes) -> Iterator[str]:
    """Every text of an uploaded document (for .txt, .docx/.xlsx/.pptx and .pdf; nothing for others)."""
    if suffix == ".txt":
        yield content.decode("utf-8", "replace")
    elif suffix in (".docx", ".xlsx", ".pptx"):
        yield from _zip_parts(name, content)
    elif suffix == ".pdf":
        yield from _pdf_pages(name, content)


def _zip_parts(name: str, content: bytes) -> Iterator[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.infolist():
                yield member.filename
                if not member.filename.lower().endswith(_TEXT_PARTS):
                    continue
                if member.file_size > MAX_PART_BYTES:
                    raise UncheckableDocument(f"файл {name}: часть документа слишком велика для проверки",
                                              f"file {name}: a part of the document is too large to check")
                yield archive.read(member).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise UncheckableDocument(f"файл {name}: документ не читается", f"file {name}: the document cannot be read"
                                  ) from error


def _pdf_pages(name: str, content: bytes) -> Iterator[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        # A PDF with no readable text layer (a scan, a stub) has no text to hold a card: its bytes are
        # still read by the card scan; refusing it would refuse every scanned handout.
        log.info("coaching upload %s: no PDF text to check (%s)", name, type(error).__name__)
        return
    yield from pages
