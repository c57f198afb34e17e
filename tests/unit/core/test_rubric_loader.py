import hashlib
import shutil
from pathlib import Path

import pytest

from qa_service.core.rubric import (
    InvalidRubric,
    check_rubric_file,
    default_rubric_id,
    load_rubric,
    rubrics_dir,
)

# The standard's tables (§1–§3): id → (weight, critical).
STANDARD = {
    "airline-call": {
        "greeting": (10, False), "agent_name": (5, False), "identify_booking": (10, False),
        "needs_discovery": (5, False), "fare_rules": (15, False), "readback": (10, False),
        "hold_etiquette": (10, False), "no_card_by_voice": (0, True), "politeness": (10, False),
        "no_interruptions": (5, False), "further_help": (5, False), "farewell": (5, False),
        "data_protection": (0, True), "accuracy": (10, False),
    },
    "airline-chat": {
        "first_response": (15, False), "response_time": (10, False), "greeting": (10, False),
        "identify_booking": (10, False), "fare_rules": (15, False), "no_card_by_voice": (0, True),
        "politeness": (10, False), "further_help": (10, False), "farewell": (10, False), "accuracy": (10, False),
    },
    "airline-email": {
        "reply_sla": (20, False), "greeting": (10, False), "answer_all_questions": (20, False),
        "fare_rules": (15, False), "no_card_by_voice": (0, True), "signature": (10, False),
        "politeness": (15, False), "accuracy": (10, False),
    },
}


@pytest.mark.parametrize("rubric_id", sorted(STANDARD))
def test_shipped_rubrics_implement_the_standard_ids_weights_and_critical_items(rubric_id):
    assert check_rubric_file(rubrics_dir() / f"{rubric_id}.yaml") == []
    rubric = load_rubric(rubric_id)
    assert {c.id: (c.weight, c.critical) for c in rubric.criteria} == STANDARD[rubric_id]
    text = (rubrics_dir() / f"{rubric_id}.yaml").read_bytes()
    assert rubric.version == "sha256:" + hashlib.sha256(text).hexdigest()


def test_shipped_thresholds_match_the_standard():
    call = load_rubric("airline-call")
    hold = call.criterion("hold_etiquette").rule.params
    assert (hold["pause_seconds"], hold["max_silence_seconds"]) == (20, 60)
    assert call.criterion("no_interruptions").rule.params == {"max_episodes": 2, "min_seconds": 1}
    assert call.criterion("greeting").rule.window.first_seconds == 15
    assert call.criterion("further_help").rule.window.last_seconds == 60
    assert call.criterion("farewell").rule.window.last_seconds == 30
    chat = load_rubric("airline-chat")
    assert chat.criterion("first_response").rule.params["seconds"] == 60
    assert chat.criterion("response_time").rule.params == {"median_seconds": 120, "max_seconds": 300}
    mail = load_rubric("airline-email").criterion("reply_sla").rule.params
    assert (mail["hours"], mail["urgent_hours"], mail["departure_within_hours"]) == (24, 8, 48)


def test_default_rubric_by_channel():
    assert [default_rubric_id(c) for c in ("call", "chat", "email")] == ["airline-call", "airline-chat",
                                                                          "airline-email"]
    with pytest.raises(InvalidRubric):
        default_rubric_id("fax")


BROKEN = """\
id: broken
title: Сломанная рубрика
channel: call
sections:
  - id: s
    title: S
    criteria:
      - id: greeting
        title: Приветствие
        weight: 10
        rule:
          kind: phrases
          any_of: [здравствуйте, 're:(']
      - id: greeting
        title: Дубль
        weight: 5
        applies:
          depends_on: {criterion: nowhere}
        rule:
          kind: phrases
          any_of: [добрый день]
      - id: card
        title: Карта
        weight: 5
        critical: true
        rule: {kind: manual}
"""


def test_check_reports_every_semantic_problem_with_line_and_field(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, "utf-8")
    problems = check_rubric_file(path)
    by_field = {p.field: p for p in problems}
    assert by_field["sections[0].criteria[0].rule.any_of[1]"].line == 13
    assert "регулярное" in by_field["sections[0].criteria[0].rule.any_of[1]"].message_ru
    assert by_field["sections[0].criteria[1].id"].line == 14
    assert "duplicate" in by_field["sections[0].criteria[1].id"].message_en
    assert by_field["sections[0].criteria[1].applies.depends_on.criterion"].line == 18
    assert by_field["sections[0].criteria[2].weight"].line == 24
    assert all(p.file == str(path) and p.message_ru and p.message_en for p in problems)
    with pytest.raises(InvalidRubric) as raised:
        load_rubric(path)
    assert "broken.yaml:13" in raised.value.one_line()


def test_schema_violations_name_the_line_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    text = BROKEN.replace("kind: phrases\n          any_of: [добрый", "kind: telepathy\n          any_of: [добрый")
    path.write_text(text.replace("weight: 10", "weight: -1"), "utf-8")
    problems = check_rubric_file(path)
    fields = {p.field: p.line for p in problems}
    assert fields["sections[0].criteria[0].weight"] == 10
    assert fields["sections[0].criteria[1].rule.kind"] == 20


def test_yaml_syntax_error_and_missing_file(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("id: x\nsections: [\n  - a: b\n", "utf-8")
    [problem] = check_rubric_file(path)
    assert problem.field == "(YAML)" and problem.line >= 2
    [missing] = check_rubric_file(tmp_path / "nope.yaml")
    assert "прочитать" in missing.message_ru


def test_rubric_ids_resolve_in_the_override_directory(tmp_path):
    from qa_service.config import Settings
    from qa_service.core import resources

    shutil.copy(rubrics_dir() / "airline-chat.yaml", tmp_path / "my-chat.yaml")
    settings = Settings.from_env({"QA_RUBRICS_DIR": str(tmp_path)})
    with resources.configured(settings.locations):
        assert rubrics_dir() == Path(tmp_path)
        assert load_rubric("my-chat").id == "airline-chat"
        with pytest.raises(InvalidRubric):
            load_rubric("airline-call")
    # Without the override, ids resolve in the copy shipped inside the package.
    assert rubrics_dir() == resources.packaged("rubrics")
    assert load_rubric("airline-call").id == "airline-call"
