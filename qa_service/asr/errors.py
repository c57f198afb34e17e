"""Errors of the speech pipeline that a user can act on (one line, Russian then English)."""

from __future__ import annotations

from qa_service.core.errors import UserFacingError


class ModelUnavailable(UserFacingError):
    """The Whisper model is missing, incomplete or fails its checksum."""


class BadAudio(UserFacingError):
    """A recording that cannot be decoded: corrupt, empty, unsupported or absurdly long."""
