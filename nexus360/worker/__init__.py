"""The durable worker (`python -m nexus360 worker`): it relays event outboxes into the job queue and runs due jobs.

It sits above the domains (it calls integrations, notifications, auth and jobs services as the system actor),
as the CLI and the UI do; no domain imports it.
"""
