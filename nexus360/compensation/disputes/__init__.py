"""Disputes on statement lines, and a statement's history."""
