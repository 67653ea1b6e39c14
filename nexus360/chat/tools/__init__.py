"""Read-only data tools that call the other domains' services as the signed-in user."""
