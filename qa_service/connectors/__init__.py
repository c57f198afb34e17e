"""Adapters to the airline platform: one module per kind, all behind one interface."""
