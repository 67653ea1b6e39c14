"""Movement between two snapshots of a period: a waterfall that reconciles exactly, with the deals behind it."""
