"""Views of the marketing page."""
