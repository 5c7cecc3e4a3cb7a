"""cognito-idp handlers; importing this package registers them all."""

from cognate.api.idp import auth, clients, groups, import_jobs, pools, tokens, users_admin, users_self

__all__ = ["auth", "clients", "groups", "import_jobs", "pools", "tokens", "users_admin", "users_self"]
