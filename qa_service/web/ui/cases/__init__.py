"""The case page: one timeline of a case's contacts across channels and its booking/payment events."""
