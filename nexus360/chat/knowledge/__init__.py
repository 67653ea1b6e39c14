"""The knowledge base: articles from Markdown, text, PDF and Word files, their passages and the search."""
