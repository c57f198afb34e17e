"""Worker entry points: load heavy models once, then serve RQ queues (see README)."""
