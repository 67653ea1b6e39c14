"""CSV/Excel import of leads (registered with nexus360.importing)."""
