"""The /search page."""
