"""Test support: a throw-away, uniquely named database on PostgreSQL or SQLite (unit and e2e tests)."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def postgres_admin_url() -> str:
    """The server where test databases are created (`TEST_POSTGRES_URL`, default the local `test`)."""
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_reachable(url: str | None = None, *, timeout_seconds: int = 2) -> bool:
    """Whether PostgreSQL answers at `url`."""
    engine = create_engine(url or postgres_admin_url(), connect_args={"connect_timeout": timeout_seconds})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


@lru_cache(maxsize=1)
def session_backend() -> str:
    """The backend of this test run, chosen once (see choose_test_backend)."""
    return choose_test_backend()


def choose_test_backend() -> str:
    """`TEST_DATABASE` (sqlite or postgresql) when set, else PostgreSQL if reachable, else SQLite."""
    forced = os.environ.get("TEST_DATABASE", "").strip().lower()
    if forced:
        if forced not in BACKENDS:
            raise ValueError(f"TEST_DATABASE must be one of {BACKENDS}, not {forced!r}")
        return forced
    return "postgresql" if postgres_reachable() else "sqlite"


@contextmanager
def temporary_database(backend: str) -> Iterator[str]:
    """Yield the URL of a new empty database, dropped afterwards; never touches existing data."""
    if backend == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="claims-test-"))
        try:
            yield f"sqlite:///{directory / 'claims.db'}"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    if backend != "postgresql":
        raise ValueError(f"unknown test backend {backend!r}")
    admin_url = make_url(postgres_admin_url())
    name = f"claims_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
