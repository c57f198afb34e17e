"""Use cases (ingest, transcribe, score, review, calibrate, coach, report).

Each owns its transaction; none imports Flask, RQ or Redis.  A service asks for follow-up
jobs inside its transaction (`services.after_commit.request_job`); the session sends them
once the transaction has committed and drops them if it rolls back.
"""
