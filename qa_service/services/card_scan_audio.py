"""The card scan's ear: every stored recording transcribed again, each decoded word kept, and read for a card.

A "redacted" recording is silenced where the redactor found a card in the words it was given.  A
word the quality gate dropped before the redaction (a repetition filter drops «один один один …»,
exactly the repeats of a card like 4111 1111 1111 1111) was never seen by it, so its sound could
stay.  The scan therefore does not trust the stored transcript: it runs the speech model over the
stored file, keeps every word of every segment (no gate), and applies the redactor's reading of
speech and the stored-text rule to each channel's whole word stream.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sqlalchemy import select

from qa_service.config import Settings
from qa_service.core.redaction.card_words import stored_card_runs
from qa_service.core.redaction.cards import find_cards
from qa_service.core.redaction.document import Document
from qa_service.core.redaction.numbers import number_runs
from qa_service.core.redaction.spans import SpanIndex
from qa_service.db.blobs import BlobStore
from qa_service.db.models import Recording
from qa_service.db.session import session_factory
from qa_service.services.card_scan import CardFinding, CardScanReport

log = logging.getLogger(__name__)


def heard_cards(path: Path) -> list[str]:
    """The masked card numbers audible in the recording at `path` (every decoded word, no gate)."""
    from qa_service.asr.isolated_decode import decode_isolated
    from qa_service.asr.metrics import speech_intervals
    from qa_service.asr.transcriber import get_transcriber

    audio = decode_isolated(path)
    engine = get_transcriber()
    found: list[str] = []
    for samples in audio.channels:
        speech = speech_intervals(samples)
        if not speech:
            continue
        words = [w.word for segment in engine.transcribe_channel(samples, speech) for w in segment.words]
        text = "".join(words)
        # The redactor's reading of speech (cues, a digit misheard) and the stored-text rule.
        digits = [_digits(text[s.start : s.end]) for s in find_cards(Document(text), SpanIndex([]))]
        digits += [run.digits for run in stored_card_runs(text)]
        for number in dict.fromkeys(d for d in digits if len(d) >= 13):
            found.append("*" * (len(number) - 4) + number[-4:])
    return found


def _digits(piece: str) -> str:
    """A found card's digits, its words turned into digits."""
    return "".join(run.digits for run in number_runs(piece))


def scan_recordings(settings: Settings, report: CardScanReport) -> None:
    """Every stored recording of every tenant, listened to (see the module's note)."""
    store = BlobStore.from_url(settings.blob_url)
    with session_factory(settings.sqlalchemy_url)() as session:
        stored = list(session.execute(select(Recording.interaction_id, Recording.blob_key)
                                      .where(Recording.blob_key.is_not(None)).order_by(Recording.id)))
    for interaction_id, key in stored:
        if key is None or not store.exists(key):
            continue
        report.recordings += 1
        with store.open(key) as blob, tempfile.NamedTemporaryFile(suffix=Path(key).suffix) as copy:
            copy.write(blob.stream.read())
            copy.flush()
            try:
                heard = heard_cards(Path(copy.name))
            except Exception as error:  # a file the decoder refuses cannot be listened to: say so, go on
                log.warning("card scan: recording of interaction %s not readable (%s)", interaction_id, error)
                continue
        for masked in heard:
            report.findings.append(CardFinding("recordings (audio)", f"interaction_id={interaction_id}", masked))
