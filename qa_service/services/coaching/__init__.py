"""Coaching: training needs, coaching tasks and materials, notices, and their effect."""
