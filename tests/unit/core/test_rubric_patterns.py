"""Rubric regular expressions run in linear time (RE2), and what RE2 cannot run is refused at the check.

The hostile pattern of the probe, `(a+)+$`, held a worker until it was killed: with Python's
backtracking engine 30 letters already take minutes.  Scoring runs in a child process here so that
the old engine fails the test by its deadline instead of hanging the run.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qa_service.core.interaction import Interaction, Turn
from qa_service.core.rubric import InvalidRubric, check_rubric_file, load_rubric
from qa_service.core.scoring.engine import score_interaction

RUBRIC = """\
id: hostile
title: Враждебная рубрика
channel: chat
sections:
  - id: s
    title: S
    criteria:
      - id: greeting
        title: Приветствие
        weight: 100
        rule:
          kind: phrases
          any_of: [{pattern}]
"""


def _rubric(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(RUBRIC.format(pattern=pattern), "utf-8")
    return path


def _chat(text: str) -> Interaction:
    return Interaction(external_id="H-1", channel="chat", agent_id="A-1", started_at=datetime(2026, 11, 20, tzinfo=UTC),
                       turns=[Turn("agent", text)])


def _score_in_child(path: str, text: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    began = time.monotonic()
    score_interaction(_chat(text), load_rubric(Path(path)))
    queue.put(time.monotonic() - began)


def test_a_catastrophic_pattern_scores_a_long_turn_within_the_bound(tmp_path: Path) -> None:
    path = _rubric(tmp_path, "'re:(a+)+$'")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_score_in_child, args=(str(path), "a" * 100_000 + "!", queue))
    child.start()
    child.join(20)
    finished = not child.is_alive()
    if not finished:
        child.kill()
        child.join()
    assert finished, "scoring one turn against (a+)+$ did not finish in 20 s"
    assert queue.get(timeout=1) < 5


@pytest.mark.parametrize(("pattern", "says"), [
    (r"'re:(\w)\1'", "no backreferences"),
    (r"'re:(?<!\w)щас'", "no backreferences or lookarounds"),
    (r"'re:\bщас\b'", "Latin letters only"),
])
def test_what_re2_cannot_run_is_refused_with_file_line_and_field(tmp_path: Path, pattern: str, says: str) -> None:
    path = _rubric(tmp_path, pattern)
    (problem,) = check_rubric_file(path)
    assert (problem.file, problem.line, problem.field) == (str(path), 13, "sections[0].criteria[0].rule.any_of[0]")
    assert says in problem.message_en and problem.message_ru
    with pytest.raises(InvalidRubric):
        load_rubric(path)


def test_classes_keep_their_unicode_meaning(tmp_path: Path) -> None:
    # RE2's own \w and \s are ASCII: rewritten, a Cyrillic word and a no-break space still match.
    rubric = load_rubric(_rubric(tmp_path, r"'re:(?i)(?:^|\W)(?P<m>ваш\w*\sбронь)(?:\W|$)'"))
    found = score_interaction(_chat("Вижу вашу\u00a0бронь, спасибо"), rubric)
    result = found.answer("greeting")
    assert result.answer == "yes"
    assert any("вашу\u00a0бронь" in e.quote for e in result.evidence)
