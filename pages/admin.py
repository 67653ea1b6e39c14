"""Admin: users, roles and the permission matrix, the audit log (the directory sync is on Integrations)."""

from nexus360.ui.admin import page

page.admin_page()
