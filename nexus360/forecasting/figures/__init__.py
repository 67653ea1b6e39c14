"""The live figures of a period and scope: read from the CRM when asked, computed by the engines."""
