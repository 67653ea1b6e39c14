"""The audit log: refusals and admin actions, with who, what, on which object, result and when."""
