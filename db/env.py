"""Alembic environment for relations. Run through relations.store.migrations, which
passes the open connection in ``config.attributes["connection"]``."""

from alembic import context

from relations.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through relations (relations.store.migrations.upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
