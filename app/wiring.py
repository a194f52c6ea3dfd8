"""Composition of the settlement engine: settings → store, platform client, services."""
