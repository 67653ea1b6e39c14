"""Deals: the pipeline's deals, their stage history, the board, and the reads other domains make of them."""
