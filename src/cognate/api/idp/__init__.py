"""cognito-idp handlers; importing this package registers them all."""

from cognate.api.idp import clients, import_jobs, pools, users_admin, users_self

__all__ = ["clients", "import_jobs", "pools", "users_admin", "users_self"]
