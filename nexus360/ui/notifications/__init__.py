"""Views of the notifications page."""
