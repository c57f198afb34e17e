"""Errors a user can act on, worded in Russian first and English too.

The CLI prints both on one line; the web layer picks the user's language.  Code that
raises one says what is wrong and, where it can, where (file, line, field).
"""

from __future__ import annotations


class UserFacingError(Exception):
    """Bad input or a missing resource: shown to the user as one line, never a traceback."""

    def __init__(self, ru: str, en: str) -> None:
        super().__init__(ru)
        self.ru = ru
        self.en = en

    def one_line(self) -> str:
        """Both languages on one line, Russian first, newlines folded."""
        text = f"{self.ru} | {self.en}"
        return " ".join(text.split())


class InvalidInteraction(UserFacingError):
    """An interaction document does not match the interaction contract."""
