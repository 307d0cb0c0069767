"""Migration 0002 adds the delivery lease column and the stage-event time index, and removes them again."""
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from claims.db import alembic_config, make_engine, upgrade_database
from claims.testing import temporary_database


def delivery_columns(engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("deliveries")}


def event_indexes(engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("claim_stage_events")}


def test_the_delivery_lease_follows_the_initial_schema():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision("0002_delivery_lease").down_revision == "0001_initial"


def test_locked_until_comes_and_goes(database_backend):
    with temporary_database(database_backend) as url:
        upgrade_database(url, "0001_initial")
        engine = make_engine(url)
        try:
            assert "locked_until" not in delivery_columns(engine)
            assert "ix_claim_stage_events_occurred_at" not in event_indexes(engine)
            upgrade_database(url)
            assert "locked_until" in delivery_columns(engine)
            assert "ix_claim_stage_events_occurred_at" in event_indexes(engine)
            column = next(c for c in inspect(engine).get_columns("deliveries") if c["name"] == "locked_until")
            assert column["nullable"] is True
            command.downgrade(alembic_config(url), "0001_initial")
            assert "locked_until" not in delivery_columns(engine)
            assert event_indexes(engine) == {"ix_claim_stage_events_claim_id"}
            assert {"dedupe_key", "status", "attempts"} <= delivery_columns(engine)  # the rest is kept
            inspector = inspect(engine)
            assert [u["column_names"] for u in inspector.get_unique_constraints("deliveries")] == [["dedupe_key"]]
            assert "ix_deliveries_status_created_at" in {i["name"] for i in inspector.get_indexes("deliveries")}
        finally:
            engine.dispose()
