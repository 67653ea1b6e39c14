"""Test connection: one harmless exchange with each kind of outside system, logged as a run."""
