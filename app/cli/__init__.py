"""Headless command line for hospital IT and HIS integration."""
