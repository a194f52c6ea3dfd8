"""Shared pytest fixtures (store_fixtures)."""
