"""The AutoQA trust pages."""
