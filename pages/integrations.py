"""Integrations: connectors, their health and run log, the directory sync, retention."""

from nexus360.ui.integrations import integrations_page

integrations_page()
