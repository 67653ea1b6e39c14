"""CRM: dashboards, the pipeline board, deals, companies, contacts, import."""

from nexus360.ui.crm import page

page.crm_page()
