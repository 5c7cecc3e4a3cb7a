"""Authentication rules."""
