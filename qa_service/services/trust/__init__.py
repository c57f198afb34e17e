"""The AutoQA trust loop: agreement with people, withholding, its pages, classifier refits."""
