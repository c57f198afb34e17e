"""Conversation search in domain terms: the search box's language, lemma text, highlighted snippets."""
