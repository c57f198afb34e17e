"""Text worker: ingestion, redaction and scoring of chats, e-mails and transcribed calls.

Cheap per job; run as many as the database allows:
    python -m workers.text
"""

from workers import run

if __name__ == "__main__":
    raise SystemExit(run("text"))
