"""Report arithmetic: the operational day (§3.2) and the quality day, from plain records, no SQL."""
