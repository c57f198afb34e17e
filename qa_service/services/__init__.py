"""Use cases (ingest, transcribe, score, review, calibrate, coach, report).

Each owns its transaction; none imports Flask or RQ — the entry points enqueue follow-up
jobs after a service has committed.
"""
