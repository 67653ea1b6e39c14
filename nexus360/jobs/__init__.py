"""The durable background work: the job queue (integration database) and the event outboxes."""
