"""Migration 0004 adds roadside dispatch: columns, events, roadside cover; `dispatched` becomes `booked`."""
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from claims.db import alembic_config, make_engine, upgrade_database
from claims.testing import temporary_database

NEW_COLUMNS = {"chat_id", "provider_job_id", "dispatch_attempts", "live_message_id", "told_status", "policy_id"}


def test_roadside_dispatch_comes_after_the_agent_desk():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision("0004_roadside_dispatch").down_revision == "0003_agent_desk"


def test_roadside_schema_comes_and_goes_and_keeps_the_data(database_backend):
    with temporary_database(database_backend) as url:
        command.upgrade(alembic_config(url), "0003_agent_desk")
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO policyholders (id, full_name, phone, date_of_birth, id_number_last4, preferred_language,"
                    " created_at) VALUES (1, 'A', '+8613800000000', '1980-01-01', '1234', 'en', '2026-01-01')"))
                connection.execute(text(
                    "INSERT INTO roadside_requests (id, reference, policyholder_id, service_type, status, created_at,"
                    " updated_at) VALUES (1, 'RSA-2026-000001', 1, 'tow', 'dispatched', '2026-01-01', '2026-01-01')"))
            upgrade_database(url)
            inspector = inspect(engine)
            assert NEW_COLUMNS <= {c["name"] for c in inspector.get_columns("roadside_requests")}
            assert "roadside_cover" in {c["name"] for c in inspector.get_columns("policies")}
            assert "roadside_events" in set(inspector.get_table_names())
            with engine.connect() as connection:
                row = connection.execute(text("SELECT status, dispatch_attempts FROM roadside_requests")).one()
            assert tuple(row) == ("booked", 0)
            command.downgrade(alembic_config(url), "0003_agent_desk")
            inspector = inspect(engine)
            assert not NEW_COLUMNS & {c["name"] for c in inspector.get_columns("roadside_requests")}
            assert "roadside_events" not in set(inspector.get_table_names())
            with engine.connect() as connection:
                assert connection.execute(text("SELECT status FROM roadside_requests")).scalar_one() == "dispatched"
        finally:
            engine.dispose()
