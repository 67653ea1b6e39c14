"""Commissions: a rep's own earnings and statements; the team's periods, approvals and disputes; the rules."""

from nexus360.ui.compensation import page

page.commissions_page()
