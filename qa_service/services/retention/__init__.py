"""Per-tenant retention: old raw audio, redacted audio, transcripts and evaluation detail removed on schedule."""
