"""Views of the home page."""
