"""The interaction list and the interaction page."""
