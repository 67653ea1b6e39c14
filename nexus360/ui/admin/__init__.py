"""Views of the admin page."""
