"""CSV/Excel imports of companies, contacts and deals (registered with nexus360.importing)."""
