"""Tokens: keys, signing, claims, revocation."""
