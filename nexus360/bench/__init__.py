"""`python -m nexus360 bench crm|marketing|commissions`: one module per page (crm, marketing, compensation),
each a set of named queries timed by the harness in `common` through the services and as raw SQL."""
