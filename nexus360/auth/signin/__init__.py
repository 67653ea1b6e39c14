"""Signing in: local accounts (passwords, throttling, sign-out) and Microsoft Entra ID."""
