"""User import jobs (being written)."""
