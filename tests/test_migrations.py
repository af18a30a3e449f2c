"""Alembic migrations: a blank database gets exactly the schema of the metadata."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from relations.store.migrations import ensure_schema, migrations_dir
from relations.store.revision import SCHEMA_REVISION
from relations.store.schema import metadata


def test_migrated_database_matches_the_metadata(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_schema_revision_constant_is_alembic_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_a_new_database_needs_no_separate_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from relations.bootstrap import bootstrap
    from relations.services.queries import counts

    app = bootstrap(f"sqlite:///{tmp_path / 'new.db'}")
    assert counts(app) == {"events": 0, "retracted": 0}
    app.close()


def test_a_database_newer_than_the_code_is_refused_untouched(db_url: str) -> None:
    import pytest

    from relations.domain.errors import Refused
    from relations.store.engine import engine_for

    engine = engine_for(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        with pytest.raises(Refused, match="newer than this version of relations"):
            ensure_schema(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                "9999"
            )
    finally:
        with engine.begin() as connection:
            connection.execute(
                text(f"UPDATE alembic_version SET version_num = '{SCHEMA_REVISION}'")
            )
        engine.dispose()
