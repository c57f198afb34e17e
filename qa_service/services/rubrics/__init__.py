"""Rubrics as the tenant stores them: versions, the criterion catalog and titles."""
