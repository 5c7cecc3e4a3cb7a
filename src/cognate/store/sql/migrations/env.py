"""Alembic environment: migrations run in-process at server start (``store/sql/migrate.py``)."""

from __future__ import annotations

from alembic import context

from cognate.store.sql.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
