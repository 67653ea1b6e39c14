"""Conversations and their messages (each user's own), thumbs up/down with a comment."""
