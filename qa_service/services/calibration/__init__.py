"""Calibration: sessions, blind scoring, results and consensus, alignment, exports."""
