"""Connector admin pages."""
