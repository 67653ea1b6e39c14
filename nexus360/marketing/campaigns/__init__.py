"""Campaigns: plan, edit, duplicate and move them through their statuses, with every edit kept as history."""
