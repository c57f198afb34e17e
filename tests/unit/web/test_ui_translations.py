"""Every user-facing string of the code and templates has a Russian translation (Russian is the default)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
RU_PO = ROOT / "qa_service" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
RU_MO = RU_PO.with_suffix(".mo")


def _source_msgids() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "lazy_gettext": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_msgid_has_a_russian_translation() -> None:
    with open(RU_PO, "rb") as handle:
        catalog = read_po(handle)
    missing = sorted(
        m.id for m in catalog if m.id and (not m.string or m.fuzzy)  # type: ignore[union-attr]
    )
    assert missing == []
    untranslated_in_code = sorted(msgid for msgid in _source_msgids() if not (catalog.get(msgid) and
                                                                              catalog.get(msgid).string))
    assert untranslated_in_code == [], "run pybabel extract/update and translate these"


def test_compiled_catalog_matches_the_po() -> None:
    with open(RU_PO, "rb") as handle:
        po = read_po(handle)
    with open(RU_MO, "rb") as handle:
        mo = read_mo(handle)
    for message in po:
        if message.id:
            compiled = mo.get(message.id)
            assert compiled is not None and compiled.string == message.string, f"recompile: {message.id!r}"
