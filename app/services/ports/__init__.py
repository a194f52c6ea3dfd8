"""Protocols the services depend on; adapters at the edges implement them structurally."""
