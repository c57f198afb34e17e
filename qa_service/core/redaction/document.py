"""One text prepared once for every detector: lower-cased copy and its number runs."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from qa_service.core.redaction.numbers import NumberRun, number_runs


@dataclass
class Document:
    text: str
    lower: str = field(init=False)
    runs: list[NumberRun] = field(init=False)

    def __post_init__(self) -> None:
        self.lower = self.text.lower()
        self.runs = number_runs(self.text)
        # Runs never overlap, so both lists are sorted: window look-ups bisect them.
        self._starts = [run.start for run in self.runs]
        self._ends = [run.end for run in self.runs]

    def before(self, pattern: re.Pattern[str], at: int, reach: int) -> bool:
        """Does `pattern` occur within `reach` characters before offset `at`?"""
        return pattern.search(self.lower, max(0, at - reach), at) is not None

    def after(self, pattern: re.Pattern[str], at: int, reach: int) -> bool:
        """Does `pattern` occur within `reach` characters after offset `at`?"""
        return pattern.search(self.lower, at, min(len(self.lower), at + reach)) is not None

    def last_before(self, pattern: re.Pattern[str], at: int, reach: int) -> int:
        """Offset of the last `pattern` match ending within `reach` characters before `at`, or -1."""
        last = -1
        for match in pattern.finditer(self.lower, max(0, at - reach), at):
            last = match.start()
        return last

    def runs_between(self, start: int, end: int) -> list[NumberRun]:
        """Runs that start in [start, end)."""
        return self.runs[bisect.bisect_left(self._starts, start) : bisect.bisect_left(self._starts, end)]

    def runs_ending_between(self, low: int, high: int) -> list[NumberRun]:
        """Runs that end in [low, high]."""
        return self.runs[bisect.bisect_left(self._ends, low) : bisect.bisect_right(self._ends, high)]
