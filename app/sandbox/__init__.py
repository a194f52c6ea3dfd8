"""Sandbox platform: a stand-in for the national platform for demo, training and tests."""
