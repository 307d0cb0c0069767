"""Migration 0003 adds the agent desk's handoff columns and tables, and removes them again."""
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from claims.db import alembic_config, make_engine, upgrade_database
from claims.testing import temporary_database

DESK_COLUMNS = {"customer_name", "card_message_id", "first_response_due_at", "breached_at", "transfer_count", "outcome"}


def test_the_agent_desk_follows_the_delivery_lease():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision("0003_agent_desk").down_revision == "0002_delivery_lease"


def test_desk_schema_comes_and_goes(database_backend):
    with temporary_database(database_backend) as url:
        upgrade_database(url)
        engine = make_engine(url)
        try:
            columns = {c["name"] for c in inspect(engine).get_columns("handoffs")}
            assert DESK_COLUMNS <= columns
            assert {"handoff_events", "desk_hours_overrides"} <= set(inspect(engine).get_table_names())
            command.downgrade(alembic_config(url), "0002_delivery_lease")
            inspector = inspect(engine)
            assert not DESK_COLUMNS & {c["name"] for c in inspector.get_columns("handoffs")}
            assert not {"handoff_events", "desk_hours_overrides"} & set(inspector.get_table_names())
        finally:
            engine.dispose()
