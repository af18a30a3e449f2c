"""The schema revision this code expects, importable without SQLAlchemy.

tests/test_migrations.py checks it equals Alembic's head, so a new migration in
db/versions cannot forget to bump it.
"""

SCHEMA_REVISION = "0009"
