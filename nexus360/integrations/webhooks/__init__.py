"""Outgoing webhooks (Standard Webhooks): signing, retry schedule, SSRF rules, delivery."""
