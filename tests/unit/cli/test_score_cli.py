"""`qa-service score`, `rubric check`, `rubric preview` and `train-classifiers` through main()."""

import json
from pathlib import Path

import pytest

from qa_service.cli import main

DATA = Path(__file__).resolve().parents[2] / "data" / "interactions"
REPO = Path(__file__).resolve().parents[3]


def _write(tmp_path: Path, data: object, name: str = "i.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), "utf-8")
    return str(path)


def test_score_prints_exactly_one_evaluation_document(capsys):
    assert main(["score", str(DATA / "call-exchange.json"), "--json"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)
    assert document["interaction"] == "call-2026-11-20-0001"
    assert document["rubric"]["id"] == "airline-call"
    assert document["score"] == 100.0
    first = document["criteria"][0]
    assert set(first) == {"id", "answer", "points", "max_points", "critical", "confidence", "reason", "evidence"}
    assert set(first["evidence"][0]) == {"turn", "start", "end", "quote"}


def test_score_with_an_explicit_rubric_path(capsys, tmp_path):
    rubric = str(REPO / "rubrics" / "airline-chat.yaml")
    assert main(["score", str(DATA / "chat-refund.json"), "--rubric", rubric, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["rubric"]["id"] == "airline-chat"
    assert document["criteria"][0]["evidence"][0]["at"].startswith("2026-11-21T10:00:10")


BASE = {"external_id": "x", "channel": "call", "agent_id": "a", "started_at": "2026-11-20T10:00:00+03:00",
        "turns": []}


@pytest.mark.parametrize(("content", "needle"), [
    ("{not json", "JSON"),
    ({k: v for k, v in BASE.items() if k != "agent_id"}, "agent_id"),
    (BASE | {"channel": "fax"}, "channel"),
    (BASE | {"started_at": "вчера"}, "started_at"),
    (BASE | {"turns": [{"speaker": "agent", "text": "Алло", "start": 5, "end": 2}]}, "turns[0]"),
])
def test_malformed_input_exits_1_with_one_line(capsys, tmp_path, content, needle):
    assert main(["score", _write(tmp_path, content), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in captured.err


def test_missing_file_and_unknown_rubric(capsys, tmp_path):
    assert main(["score", str(tmp_path / "none.json")]) == 1
    assert main(["score", str(DATA / "call-exchange.json"), "--rubric", "no-such-rubric"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_text_is_redacted_before_scoring(capsys, tmp_path):
    # A test card number (Luhn-valid, test range) that must never reach the output.
    data = BASE | {"recording": {"channels": {"0": "agent", "1": "customer"}}, "turns": [
        {"speaker": "agent", "start": 0.5, "end": 4.0, "text": "Здравствуйте, «Северный Ветер», меня зовут Анна."},
        {"speaker": "customer", "start": 5.0, "end": 12.0, "text": "Запишите карту 4111 1111 1111 1111"},
        {"speaker": "agent", "start": 12.5, "end": 15.0, "text": "Записала."},
    ]}
    assert main(["score", _write(tmp_path, data), "--json"]) == 0
    out = capsys.readouterr().out
    assert "4111" not in out
    card = next(c for c in json.loads(out)["criteria"] if c["id"] == "no_card_by_voice")
    assert card["answer"] == "no" and "[карта]" in card["evidence"][0]["quote"]


def test_rubric_check_valid_and_broken(capsys, tmp_path):
    assert main(["rubric", "check", str(REPO / "rubrics" / "airline-email.yaml")]) == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: b\ntitle: B\nchannel: call\nsections:\n  - id: s\n    title: S\n    criteria:\n"
                      "      - id: greeting\n        title: G\n        weight: 10\n        rule: {kind: magic}\n",
                      "utf-8")
    assert main(["rubric", "check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:11: sections[0].criteria[0].rule.kind" in err and "|" in err


def test_rubric_preview_reads_stored_interactions(capsys, monkeypatch, tmp_path):
    # The database reader is the lead's (services.interactions.history); here it is replaced by the sample chat.
    from qa_service.core.interaction import parse_interaction
    from qa_service.services.interactions import history

    sample = parse_interaction(json.loads((DATA / "chat-refund.json").read_text("utf-8")))
    seen = {}

    def fake(since, channel=None, **_):
        seen.update(since=since, channel=channel)
        return iter([sample])

    monkeypatch.setattr(history, "iter_stored_interactions", fake)
    draft = tmp_path / "draft.yaml"
    draft.write_text((REPO / "rubrics" / "airline-chat.yaml").read_text("utf-8").replace("seconds: 60\n",
                                                                                          "seconds: 30\n", 1))
    assert main(["rubric", "preview", str(draft), "--since", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert seen["channel"] == "chat" and seen["since"].year == 2026
    assert "first_response" in out and "yes→no: 1" in out
    assert main(["rubric", "preview", str(draft), "--since", "не дата"]) == 1


def test_train_classifiers_prints_per_class_accuracy(capsys, tmp_path):
    from qa_service.core import resources

    # Figures of a model not retrained now must survive a `--only` run.
    (tmp_path / "metrics.json").write_text(json.dumps({"topic": {"samples": 7}}), "utf-8")
    assert main(["train-classifiers", "--only", "clarifying_question", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "clarifying_question" in out and "yes" in out and "no" in out
    assert (tmp_path / "clarifying_question.joblib").exists()
    lines = resources.packaged("models", "training-data", "clarifying_question.jsonl").read_text("utf-8").split("\n")
    metrics = json.loads((tmp_path / "metrics.json").read_text("utf-8"))
    assert metrics["clarifying_question"]["samples"] == sum(1 for line in lines if line.strip())
    assert metrics["topic"] == {"samples": 7}
