"""Cashier-window client for cross-province outpatient chronic-disease settlement."""

__version__ = "0.1.0"
