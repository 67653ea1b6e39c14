"""Home: the headline figures and two charts (the CRM dashboard's own figures, for the whole company)."""

from nexus360.ui.home import overview

overview.home_page()
