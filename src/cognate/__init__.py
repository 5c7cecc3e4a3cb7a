"""Cognate: a self-hosted identity platform speaking AWS Cognito's protocols."""
