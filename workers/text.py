"""Text worker: ingestion, redaction and scoring of chats, e-mails and transcribed calls.

Cheap per job; run as many as the database allows:
    python -m workers.text
"""

from qa_service.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["worker", "--queues", "text"]))
