"""Cases: contacts linked by keyed digests of what identifies the matter, their reasons and outcomes,
the platform's transaction events, and the discrepancies between what was said and what was done."""
