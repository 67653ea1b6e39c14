"""Leads: capture, edit, qualify or disqualify, list and export them (the hand-off to sales is in flows.py)."""
