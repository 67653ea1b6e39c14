"""The CRM dashboard's figures (Home shows some of them through the same service calls)."""
