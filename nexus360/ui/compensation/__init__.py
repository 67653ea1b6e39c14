"""Views of the compensation page."""
