"""The operator's tools: `health` (is every database reachable, migrated and guarded, is the worker keeping up)
and `backup` / `restore` (pg_dump of all eight databases with a manifest of row counts). Like demo/, bench/ and
integrity.py they sit above the UI and may read any database directly, as its owner."""
