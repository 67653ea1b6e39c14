"""Assistant: answers from the knowledge base and the data you may see, with sources."""

from nexus360.ui.chat import chat_page

chat_page()
