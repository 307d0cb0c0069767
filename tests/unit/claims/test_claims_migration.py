"""The Alembic migration builds exactly the schema of the models, and can be undone."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from claims.db import alembic_config, make_engine, upgrade_database
from claims.models import Base
from claims.testing import temporary_database


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
        assert context.get_current_revision() == head


def test_every_table_is_created_and_downgrade_removes_them(database_backend):
    with temporary_database(database_backend) as url:
        upgrade_database(url)
        engine = make_engine(url)
        try:
            tables = set(inspect(engine).get_table_names())
            assert {table.name for table in Base.metadata.sorted_tables} <= tables
            assert len(Base.metadata.sorted_tables) == 22
            command.downgrade(alembic_config(url), "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade_database(url)  # and back up again
            assert "claims" in inspect(engine).get_table_names()
        finally:
            engine.dispose()
