"""Speech worker: loads the Whisper model once, then serves the `asr` queue.

Run one per machine of 2 cores (the model uses both cores through its own threads):
    python -m workers.asr
"""

from workers import run

if __name__ == "__main__":
    raise SystemExit(run("asr"))
