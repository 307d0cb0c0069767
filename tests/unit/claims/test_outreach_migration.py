"""Migration 0006 adds campaigns, reminder choices, the scheduler's lease and job store, blocked chats, the
vehicle's dates and the policyholder's city, and rewrites the outbox keys to `<kind>:<chat>:<object>:<occasion>`
(so that an update queued before the upgrade is not queued again after it)."""
import json

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from claims.db import alembic_config, make_engine, upgrade_database
from claims.testing import temporary_database

NEW_TABLES = {"campaigns", "reminder_preferences", "scheduler_leases", "scheduler_jobs"}


def columns(engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def keys(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT dedupe_key FROM deliveries ORDER BY id")).scalars())


def test_outreach_follows_the_survey():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision("0006_outreach").down_revision == "0005_nps_survey"
    assert script.get_revision("0007_written_language").down_revision == "0006_outreach"


def test_outreach_schema_comes_and_goes_and_the_keys_are_rewritten_both_ways(database_backend):
    with temporary_database(database_backend) as url:
        command.upgrade(alembic_config(url), "0005_nps_survey")
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                for row_id, kind, key, payload in (
                        (1, "stage_update", "stage_update:55", {"claim_id": 12, "event_id": 55}),
                        (2, "survey", "survey:7", {"survey_id": 7}),
                        (3, "broadcast", "test:3", {})):
                    connection.execute(text(
                        "INSERT INTO deliveries (id, kind, dedupe_key, chat_id, payload, status, attempts, created_at)"
                        " VALUES (:id, :kind, :key, 4242, :payload, 'sent', 1, '2026-11-01')"),
                        {"id": row_id, "kind": kind, "key": key, "payload": json.dumps(payload)})
            upgrade_database(url)
            assert NEW_TABLES <= set(inspect(engine).get_table_names())
            assert "campaign_id" in columns(engine, "deliveries")
            assert "blocked_at" in columns(engine, "chat_preferences")
            assert {"inspection_due_on", "maintenance_due_on"} <= columns(engine, "vehicles")
            assert "city" in columns(engine, "policyholders")
            assert keys(engine) == ["stage_update:4242:claim-12:event-55", "survey:4242:survey-7:invitation", "test:3"]
            command.downgrade(alembic_config(url), "0005_nps_survey")
            assert not NEW_TABLES & set(inspect(engine).get_table_names())
            assert "city" not in columns(engine, "policyholders")
            assert keys(engine) == ["stage_update:55", "survey:7"]  # the broadcast went with its kind
        finally:
            engine.dispose()
