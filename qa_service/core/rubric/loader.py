"""Load rubric files: schema validation, semantic checks, phrases lemmatised once."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from qa_service.core import resources
from qa_service.core.morphology import lemma_phrase
from qa_service.core.rubric.model import (
    Applicability,
    Criterion,
    PhraseGroup,
    Rubric,
    Rule,
    RuleOverride,
    Window,
)
from qa_service.core.rubric.patterns import Pattern, PatternError, compile_pattern
from qa_service.core.rubric.problems import InvalidRubric, RubricProblem
from qa_service.core.rubric.source import (
    MAX_EXPANDED_NODES,
    FieldPath,
    RubricSource,
    RubricTooLarge,
    field_name,
    parse_source,
    read_source,
)
from qa_service.core.yaml_input import YamlTooLarge

DEFAULT_RUBRICS = {"call": "airline-call", "chat": "airline-chat", "email": "airline-email"}
_GROUP_FIELDS = ("before", "after", "ask", "stop", "placeholders", "holding", "urgent", "salutations", "personal_data",
                 "transaction", "booking", "confirm", "asks", "identifiers", "examples")
_REGEX_PREFIX = "re:"


def rubrics_dir() -> Path:
    """Where rubric ids resolve: `QA_RUBRICS_DIR` when set, else the rubrics shipped in the package."""
    return resources.current().rubrics


def default_rubric_id(channel: str) -> str:
    """The shipped rubric for a channel (`call`, `chat`, `email`)."""
    try:
        return DEFAULT_RUBRICS[channel]
    except KeyError:
        raise InvalidRubric(
            [RubricProblem("-", 0, "channel", f"неизвестный канал {channel!r}", f"unknown channel {channel!r}")]
        ) from None


@cache
def _schema() -> dict[str, Any]:
    # The schema belongs to this code, so it always comes from the package, even with QA_RUBRICS_DIR.
    path = resources.packaged("rubrics", "rubric.schema.json")
    schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return schema


class _Builder:
    """Builds the model from the YAML tree, collecting every problem instead of stopping."""

    def __init__(self, source: RubricSource) -> None:
        self.source = source
        self.problems: list[RubricProblem] = []

    def problem(self, path: FieldPath, ru: str, en: str) -> None:
        line = self.source.line_of(path)
        self.problems.append(RubricProblem(self.source.file, line, field_name(path), ru, en))

    def group(self, items: list[str], path: FieldPath) -> PhraseGroup:
        phrases: list[tuple[str, ...]] = []
        labels: list[str] = []
        regexes: list[Pattern] = []
        for index, item in enumerate(items):
            if item.startswith(_REGEX_PREFIX):
                try:
                    regexes.append(compile_pattern(item[len(_REGEX_PREFIX) :]))
                except PatternError as error:
                    self.problem((*path, index), f"регулярное выражение не принято: {error}",
                                 f"regex not accepted: {error}")
                continue
            lemmas = lemma_phrase(item)
            if not lemmas:
                self.problem((*path, index), "фраза без слов", "phrase has no words")
                continue
            phrases.append(lemmas)
            labels.append(item)
        return PhraseGroup(tuple(phrases), tuple(regexes), tuple(items), tuple(labels))

    def rule(self, raw: dict[str, Any], path: FieldPath) -> Rule:
        all_of = [self.group(g, (*path, "all_of", i)) for i, g in enumerate(raw.get("all_of") or [])]
        if raw.get("any_of"):
            all_of.insert(0, self.group(raw["any_of"], (*path, "any_of")))
        kind = raw["kind"]
        if kind in ("phrases", "forbidden") and not all_of:
            self.problem(path, "нужны фразы: any_of или all_of", "phrases needed: any_of or all_of")
        window = Window(**raw["window"]) if raw.get("window") else None
        speaker = raw.get("speaker")
        groups = {name: self.group(raw[name], (*path, name)) for name in _GROUP_FIELDS if raw.get(name)}
        params = {k: v for k, v in raw.items() if k not in {"kind", "speaker", "window", "any_of", "all_of",
                                                            "none_of", "same_turn", *_GROUP_FIELDS}}
        return Rule(
            kind=kind,
            speaker=None if speaker in (None, "any") else speaker,
            window=window,
            all_of=tuple(all_of),
            none_of=self.group(raw.get("none_of") or [], (*path, "none_of")),
            same_turn=bool(raw.get("same_turn", False)),
            groups=groups,
            params=params,
        )

    def criterion(self, raw: dict[str, Any], section: str, path: FieldPath) -> Criterion:
        applies = raw.get("applies") or {}
        depends = applies.get("depends_on") or {}
        return Criterion(
            id=raw["id"],
            title=raw["title"],
            weight=float(raw["weight"]),
            critical=bool(raw.get("critical", False)),
            section=section,
            rule=self.rule(raw["rule"], (*path, "rule")),
            applies=Applicability(
                channels=tuple(applies["channels"]) if "channels" in applies else None,
                directions=tuple(applies["directions"]) if "directions" in applies else None,
                topics=tuple(applies["topics"]) if "topics" in applies else None,
                depends_on=depends.get("criterion"),
                depends_answers=tuple(depends.get("answers") or ("yes",)),
            ),
            overrides=tuple(
                RuleOverride(
                    directions=tuple(o["directions"]) if "directions" in o else None,
                    topics=tuple(o["topics"]) if "topics" in o else None,
                    rule=self.rule(o["rule"], (*path, "overrides", i, "rule")),
                )
                for i, o in enumerate(raw.get("overrides") or [])
            ),
            training_module=raw.get("training_module"),
        )

    def build(self, version: str) -> Rubric | None:
        data = self.source.data
        validator = jsonschema.Draft202012Validator(_schema())
        for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
            path = tuple(error.absolute_path)
            self.problem(path, f"не соответствует схеме: {error.message}", f"schema violation: {error.message}")
        if self.problems:
            return None
        criteria: list[Criterion] = []
        for s, section in enumerate(data["sections"]):
            for c, raw in enumerate(section["criteria"]):
                criteria.append(self.criterion(raw, section["id"], ("sections", s, "criteria", c)))
        self.semantic_checks(criteria)
        if self.problems:
            return None
        review = (data.get("review") or {}).get("confidence_below", 0.6)
        return Rubric(data["id"], data["title"], data["channel"], version, tuple(criteria), float(review),
                      self.source.file)

    def semantic_checks(self, criteria: list[Criterion]) -> None:
        data = self.source.data
        seen: set[str] = set()
        for item, (_, path) in zip(criteria, _paths(data), strict=True):
            if item.id in seen:
                self.problem((*path, "id"), f"повторяется id {item.id!r}", f"duplicate id {item.id!r}")
            seen.add(item.id)
        ids = {item.id for item in criteria}
        for item, (_, path) in zip(criteria, _paths(data), strict=True):
            dep = item.applies.depends_on
            if dep is not None and dep not in ids:
                self.problem((*path, "applies", "depends_on", "criterion"),
                             f"ссылка на неизвестный критерий {dep!r}", f"depends on unknown criterion {dep!r}")
            if dep == item.id:
                self.problem((*path, "applies", "depends_on", "criterion"),
                             "критерий зависит от самого себя", "criterion depends on itself")
            if item.critical and item.weight:
                self.problem((*path, "weight"), "у критического критерия вес должен быть 0 (он обнуляет оценку)",
                             "a critical criterion must weigh 0 (it zeroes the score instead)")
            for o, override in enumerate(item.overrides):
                if override.rule.kind != item.rule.kind:
                    self.problem((*path, "overrides", o, "rule", "kind"), "вид ответа должен совпадать с основным",
                                 "override must keep the criterion's answer kind")
            if item.rule.kind == "classifier" and not item.rule.params.get("model"):
                self.problem((*path, "rule", "model"), "не указана модель классификатора", "classifier model missing")
        data_channel = data["channel"]
        for item, (_, path) in zip(criteria, _paths(data), strict=True):
            if item.applies.channels is not None and data_channel not in item.applies.channels:
                self.problem((*path, "applies", "channels"), f"критерий никогда не применим к каналу {data_channel}",
                             f"criterion never applies to channel {data_channel}")


def _paths(data: dict[str, Any]) -> list[tuple[str, FieldPath]]:
    return [
        (raw.get("id", ""), ("sections", s, "criteria", c))
        for s, section in enumerate(data["sections"])
        for c, raw in enumerate(section["criteria"])
    ]


def _source_or_problem(path: Path, text: str | None = None) -> tuple[RubricSource | None, list[RubricProblem]]:
    try:
        return (read_source(path) if text is None else parse_source(text, str(path))), []
    except OSError as error:
        return None, [RubricProblem(str(path), 0, "(файл)", f"не удалось прочитать файл: {error.strerror}",
                                    f"cannot read file: {error.strerror}")]
    except UnicodeDecodeError as error:
        return None, [RubricProblem(str(path), 0, "(файл)",
                                    f"файл не в кодировке UTF-8 (байт {error.start}) — это не текст рубрики",
                                    f"the file is not UTF-8 (byte {error.start}) — not a rubric text")]
    except RubricTooLarge:
        return None, [RubricProblem(str(path), 0, "(YAML)",
                                    f"больше {MAX_EXPANDED_NODES} узлов после раскрытия ссылок YAML (alias-бомба)",
                                    f"more than {MAX_EXPANDED_NODES} nodes once YAML aliases are expanded "
                                    "(alias bomb)")]
    except YamlTooLarge as error:
        return None, [RubricProblem(str(path), 0, "(YAML)", error.ru, error.en)]
    except RecursionError:
        return None, [RubricProblem(str(path), 0, "(YAML)", "YAML вложен слишком глубоко",
                                    "the YAML is nested too deeply")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        what = " ".join(str(getattr(error, "problem", None) or error).split())  # one line, even for a ReaderError
        return None, [RubricProblem(str(path), line, "(YAML)", f"ошибка синтаксиса YAML: {what}",
                                    f"YAML syntax error: {what}")]
    except ValueError as error:  # a value the YAML constructor cannot build: an integer of 5,000 digits
        what = " ".join(str(error).split())[:200]
        return None, [RubricProblem(str(path), 0, "(YAML)", f"значение не читается: {what}",
                                    f"a value cannot be read: {what}")]


def _build(path: Path, text: str | None = None) -> tuple[Rubric | None, list[RubricProblem]]:
    source, problems = _source_or_problem(path, text)
    if source is None:
        return None, problems
    version = "sha256:" + hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    builder = _Builder(source)
    if not isinstance(source.data, dict):
        builder.problem((), "рубрика должна быть YAML-словарём", "a rubric must be a YAML mapping")
        return None, builder.problems
    return builder.build(version), builder.problems


def check_rubric_file(path: str | Path) -> list[RubricProblem]:
    """Every problem in a rubric file (empty when it is valid)."""
    return _build(Path(path))[1]


def check_rubric_text(text: str, name: str = "rubric.yaml") -> list[RubricProblem]:
    """Every problem in a rubric's text, e.g. a stored version (empty when it is valid)."""
    return _build(Path(name), text)[1]


def load_rubric_text(text: str, name: str = "rubric.yaml") -> Rubric:
    """Load and validate a rubric from its text (a stored version), not a file; raises `InvalidRubric`."""
    rubric, problems = _build(Path(name), text)
    if rubric is None:
        raise InvalidRubric(problems)
    return rubric


def resolve_rubric_path(path_or_id: str | Path) -> Path:
    """A path as given, or `<rubrics_dir>/<id>.yaml` for a bare id."""
    candidate = Path(path_or_id)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return rubrics_dir() / f"{path_or_id}.yaml"


@cache
def _load_cached(path: str, stamp: float) -> Rubric:
    rubric, problems = _build(Path(path))
    if rubric is None:
        raise InvalidRubric(problems)
    return rubric


def load_rubric(path_or_id: str | Path) -> Rubric:
    """Load and validate a rubric by id (`airline-call`) or path; raises `InvalidRubric`."""
    path = resolve_rubric_path(path_or_id)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        raise InvalidRubric([RubricProblem(str(path), 0, "(файл)", "рубрика не найдена", "rubric not found")]) from None
    return _load_cached(str(path.resolve()), stamp)
