"""Use cases, one package per feature (accounts, calibration, coaching, connectors, ingestion,
interactions, reports, review, rubrics, trust); the modules they share sit at this level.

A service called from a web request takes the request's `Session` and flushes, never commits
(the request commits once: `web.ui.database`); one called by a job or the CLI takes `Settings`
and opens its own `transaction()`.  None imports Flask, RQ or Redis.  A service asks for
follow-up jobs inside its transaction (`services.after_commit.request_job`); the session sends
them once the transaction has committed and drops them if it rolls back.  See docs/architecture.md.
"""
