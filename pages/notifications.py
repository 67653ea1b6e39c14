"""Notifications: the signed-in user's own notifications."""

from nexus360.ui.notifications.inbox import notifications_page

notifications_page()
