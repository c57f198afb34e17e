"""Stored interactions read back: the list with search, and rows as domain objects."""
