"""Answering a question: retrieval, tools, the language model (or the offline answer), citations."""
