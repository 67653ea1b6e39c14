"""Views of the Notifications page: the inbox, preferences and the template editor."""
