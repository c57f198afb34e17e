"""Impact preview of a draft rubric on in-memory interactions (the database path is the lead's)."""

from pathlib import Path

from scoring_helpers import chat

from qa_service.core.rubric import load_rubric, rubrics_dir
from qa_service.core.scoring import preview_impact, score_interaction

HELLO = "Здравствуйте! Меня зовут Анна, чем помочь?"


def _draft(tmp_path: Path) -> Path:
    text = (rubrics_dir() / "airline-chat.yaml").read_text("utf-8").replace("seconds: 60\n", "seconds: 30\n", 1)
    path = tmp_path / "airline-chat-draft.yaml"
    path.write_text(text, "utf-8")
    return path


def test_preview_counts_changed_answers_and_the_score_shift(tmp_path):
    current = load_rubric("airline-chat")
    draft = load_rubric(_draft(tmp_path))
    assert draft.version != current.version
    slow = chat([("customer", 0, "Здравствуйте"), ("agent", 45, HELLO)])
    fast = chat([("customer", 0, "Здравствуйте"), ("agent", 20, HELLO)])
    report = preview_impact([slow, fast, slow], current, draft)
    assert report.interactions == 3
    assert report.criteria["first_response"].changed == 2
    assert report.criteria["first_response"].transitions == {"yes→no": 2}
    assert report.criteria["greeting"].changed == 0
    before = [score_interaction(i, current).score for i in (slow, fast, slow)]
    after = [score_interaction(i, draft).score for i in (slow, fast, slow)]
    assert report.score_before == round(sum(before) / 3, 2)
    assert report.score_after == round(sum(after) / 3, 2)
    assert report.score_after < report.score_before
    text = report.format()
    assert "first_response" in text and "yes→no: 2" in text


def test_evaluations_keep_the_version_they_were_scored_with(tmp_path):
    item = chat([("customer", 0, "Здравствуйте"), ("agent", 45, HELLO)])
    old = score_interaction(item, load_rubric("airline-chat"))
    new = score_interaction(item, load_rubric(_draft(tmp_path)))
    assert old.rubric_version != new.rubric_version
    assert old.to_json()["rubric"]["version"].startswith("sha256:")
