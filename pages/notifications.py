"""Notifications: the signed-in user's inbox, their preferences and (notifications.manage) the templates."""

from nexus360.ui.notifications.page import notifications_page

notifications_page()
