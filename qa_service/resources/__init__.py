"""Read-only data the wheel carries: the airline's rubrics and schema (`rubrics/`), the Whisper
manifest, trained classifiers and their training data (`models/`).

This is the one copy in git; the top-level `rubrics` and `models` entries of the repository
are symbolic links here, so the client's folders stay where they asked for them while the
installed package carries the same files.  Code finds them through `qa_service.core.resources`.
"""
