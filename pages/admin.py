"""Admin: users, roles and the permission matrix, the audit log, and the directory sync."""

from nexus360.ui.admin import page

page.admin_page()
