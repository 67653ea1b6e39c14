"""Run logs, health and retention."""
