"""Conversation search: the lemma index, the two full-text backends, searches and trackers."""
