"""Pure domain: rubrics, scoring, transcripts, redaction, sampling, agreement statistics.

Standard library, spaCy, numpy and small pure libraries only; never Flask, RQ or SQL.
"""
