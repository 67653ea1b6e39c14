"""Assistant (placeholder until its issue builds it)."""

from nexus360.ui import placeholder

placeholder.render(
    "Assistant",
    "An AI assistant that answers from the knowledge base and from the data you may see.",
)
