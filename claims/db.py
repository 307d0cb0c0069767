"""Engines, sessions and migrations; nothing connects at import time."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless every connection asks for them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _create_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url`: SQLite with foreign keys and a created folder, PostgreSQL with pre-ping."""
    if make_url(url).get_backend_name() == "sqlite":
        _create_sqlite_folder(url)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):  # plain URLs would ask for psycopg2, not installed
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (they are handed to async handlers)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one unit of work at the edge; rolled back on error, always closed."""
    session = factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):
    """An Alembic config for the claims migrations, independent of the working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Run `alembic upgrade head` (or to `revision`) on `url`."""
    from alembic import command

    _create_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def unusable_database_message(error: Exception) -> str:
    """What the command lines print when the database cannot be used (not running, not migrated)."""
    reason = type(getattr(error, "orig", None) or error).__name__
    return f"error: the database could not be used ({reason}); is it running and migrated (python -m claims.migrate)?"
