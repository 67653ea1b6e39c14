"""Notifications: the signed-in user's own notifications."""

from nexus360.ui.notifications_view import notifications_page

notifications_page()
