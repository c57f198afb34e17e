"""Calibration pages."""
