"""Rubrics as code: the model, the YAML loader and its checks."""

from qa_service.core.rubric.loader import (
    check_rubric_file,
    default_rubric_id,
    load_rubric,
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
    "default_rubric_id",
    "load_rubric",
    "resolve_rubric_path",
    "rubrics_dir",
]
