"""Migration 0005 adds the NPS survey: invitations, the answer's reason, branch and channel, the opt-out."""
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from claims.db import alembic_config, make_engine, upgrade_database
from claims.testing import temporary_database


def test_the_survey_follows_roadside_dispatch():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision("0005_nps_survey").down_revision == "0004_roadside_dispatch"


def test_survey_schema_comes_and_goes_and_keeps_the_answers(database_backend):
    with temporary_database(database_backend) as url:
        command.upgrade(alembic_config(url), "0004_roadside_dispatch")
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO nps_responses (id, chat_id, score, follow_up, comment, created_at)"
                    " VALUES (1, 42, 9, 'why_recommend', 'quick', '2026-11-01')"))
            upgrade_database(url)
            inspector = inspect(engine)
            assert "nps_surveys" in inspector.get_table_names()
            assert {"survey_id", "reason", "branch", "channel"} <= {c["name"] for c in inspector.get_columns("nps_responses")}
            assert "branch" in {c["name"] for c in inspector.get_columns("policies")}
            assert "surveys_off" in {c["name"] for c in inspector.get_columns("chat_preferences")}
            with engine.connect() as connection:
                assert tuple(connection.execute(text("SELECT score, channel FROM nps_responses")).one()) == (9, "telegram")
            command.downgrade(alembic_config(url), "0004_roadside_dispatch")
            inspector = inspect(engine)
            assert "nps_surveys" not in inspector.get_table_names()
            assert "reason" not in {c["name"] for c in inspector.get_columns("nps_responses")}
            with engine.connect() as connection:
                assert connection.execute(text("SELECT score FROM nps_responses")).scalar_one() == 9
        finally:
            engine.dispose()
