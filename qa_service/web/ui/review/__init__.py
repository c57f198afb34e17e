"""Review pages: the review form, the queue, disputes and the agent's own view."""
