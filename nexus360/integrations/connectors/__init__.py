"""Connectors: per-type settings, secrets by reference or encrypted, test connection."""
