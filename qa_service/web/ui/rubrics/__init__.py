"""Rubric admin pages."""
