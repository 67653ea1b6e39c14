"""Commission statements: runs, approvals, adjustments, summaries and exports."""
