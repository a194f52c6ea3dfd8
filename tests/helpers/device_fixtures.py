"""Shared pytest fixtures (device_fixtures)."""
