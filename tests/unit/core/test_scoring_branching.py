"""Rubric branching: a criterion that depends on another's answer, and a topic-specific rule."""

from scoring_helpers import call

from qa_service.core.rubric import load_rubric
from qa_service.core.scoring import score_interaction

RUBRIC = """\
id: branching
title: Ветвление
channel: call
sections:
  - id: s
    title: S
    criteria:
      - id: offered_insurance
        title: Предложил страховку
        weight: 5
        rule: {kind: phrases, speaker: agent, any_of: [страховка]}
      - id: insurance_price
        title: Назвал цену страховки
        weight: 5
        applies:
          depends_on: {criterion: offered_insurance, answers: ["yes"]}
        rule: {kind: phrases, speaker: agent, any_of: [рублей]}
      - id: topic_phrase
        title: Фраза по теме
        weight: 5
        rule: {kind: phrases, speaker: agent, any_of: [общая фраза]}
        overrides:
          - topics: [baggage]
            rule: {kind: phrases, speaker: agent, any_of: [норма багажа]}
"""


def _rubric(tmp_path):
    path = tmp_path / "branching.yaml"
    path.write_text(RUBRIC, "utf-8")
    return load_rubric(path)


def test_dependent_criterion_is_na_when_its_condition_fails(tmp_path):
    rubric = _rubric(tmp_path)
    offered = call([("agent", 0.0, 3.0, "Могу предложить страховку за 500 рублей.")])
    silent = call([("agent", 0.0, 3.0, "Билет оформлен за 5000 рублей.")])
    assert score_interaction(offered, rubric).answer("insurance_price").answer == "yes"
    evaluation = score_interaction(silent, rubric)
    assert evaluation.answer("offered_insurance").answer == "no"
    assert evaluation.answer("insurance_price").answer == "na"
    # The reason names the criterion it depends on by its title, and that criterion's answer in words.
    assert evaluation.answer("insurance_price").reason == "зависит от «Предложил страховку»: там «нет»"


def test_topic_override_picks_another_rule(tmp_path):
    rubric = _rubric(tmp_path)
    turns = [("agent", 0.0, 3.0, "Норма багажа — 23 кг.")]
    assert score_interaction(call(turns, topic="baggage"), rubric).answer("topic_phrase").answer == "yes"
    assert score_interaction(call(turns, topic="info"), rubric).answer("topic_phrase").answer == "no"
