"""domain/userpool."""
