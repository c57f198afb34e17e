"""Rubric problems: where (file, line, field) and what, in Russian and English."""

from __future__ import annotations

from dataclasses import dataclass

from qa_service.core.errors import UserFacingError


@dataclass(frozen=True)
class RubricProblem:
    file: str
    line: int
    field: str
    message_ru: str
    message_en: str

    def format(self) -> str:
        """One line: `file:line: field: ru | en`."""
        return f"{self.file}:{self.line}: {self.field}: {self.message_ru} | {self.message_en}"


class InvalidRubric(UserFacingError):
    """A rubric file that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[RubricProblem]) -> None:
        first = problems[0]
        more_ru = f" (и ещё {len(problems) - 1})" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        where = f"{first.file}:{first.line}: {first.field}"
        super().__init__(f"{where}: {first.message_ru}{more_ru}", f"{where}: {first.message_en}{more_en}")
        self.problems = problems
