"""Speech worker: loads the Whisper model once, then serves the `asr` queue.

Run one per machine of 2 cores (the model uses both cores through its own threads):
    python -m workers.asr
"""

from qa_service.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["worker", "--queues", "asr"]))
