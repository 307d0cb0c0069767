"""Unit-test fixtures: a fresh database migrated with Alembic, PostgreSQL when reachable, else SQLite.

`TEST_DATABASE=sqlite` or `TEST_DATABASE=postgresql` forces one; each test session gets its own uniquely
named database (dropped at the end) and every test starts from empty tables.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `claims` and `tests.factories` importable however pytest is started
    sys.path.insert(0, str(ROOT))

from claims.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from claims.models import Base  # noqa: E402
from claims.testing import session_backend, temporary_database  # noqa: E402

@pytest.fixture(scope="session")
def database_backend() -> str:
    """'postgresql' or 'sqlite': the backend of this test session."""
    return session_backend()


@pytest.fixture(scope="session")
def database_url():
    """A new database for this test session, at the latest migration."""
    with temporary_database(session_backend()) as url:
        upgrade_database(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session on empty tables; what the test commits is deleted afterwards."""
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _empty_tables(engine)


def _empty_tables(engine) -> None:
    # DELETE rather than TRUNCATE: on a few rows it is much faster on PostgreSQL too.
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def now() -> datetime:
    """A fixed, aware 'now' for deterministic tests."""
    return datetime(2026, 11, 20, 2, 30, tzinfo=timezone.utc)
