"""OAuth 2.0 / OpenID Connect endpoints, one module per spec."""
