"""CSV import, domain-free: reading files (`reader`), cell parsers (`parsers`), fields, batches and summaries
(`core`), natural-key importers for one table (`records`), the registry of importable entities (`registry`) and
the page's and CLI's entry points (`flows`)."""
