"""Rubrics as code: the model, the YAML loader and its checks."""

from qa_service.core.rubric.loader import (
    check_rubric_file,
    check_rubric_text,
    default_rubric_id,
    load_rubric,
    load_rubric_text,
    resolve_rubric_path,
    rubrics_dir,
)
from qa_service.core.rubric.model import TOPICS, Criterion, PhraseGroup, Rubric, Rule, Window
from qa_service.core.rubric.problems import InvalidRubric, RubricProblem

__all__ = [
    "TOPICS",
    "Criterion",
    "InvalidRubric",
    "PhraseGroup",
    "Rubric",
    "RubricProblem",
    "Rule",
    "Window",
    "check_rubric_file",
    "check_rubric_text",
    "default_rubric_id",
    "load_rubric",
    "load_rubric_text",
    "resolve_rubric_path",
    "rubrics_dir",
]
