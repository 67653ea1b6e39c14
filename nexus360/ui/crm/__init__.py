"""Views of the crm page."""
