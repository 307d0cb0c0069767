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


def add_linked_customers(session, *, count: int, city: str, first_chat_id: int, languages=("en", "zh"),
                         phone_prefix: str = "+86", date_of_birth=None) -> list[tuple[int, str]]:
    """`count` policyholders in `city`, each linked to a Telegram chat (first_chat_id, +1, ...) with an active
    policy and a car, their languages taken in turn from `languages`; inserted in bulk (campaign tests and the
    send-rate benchmark). Returns (chat id, language) of each."""
    from datetime import date, datetime, timezone
    from decimal import Decimal

    from sqlalchemy import insert, select

    from claims.models import Policy, Policyholder, Vehicle

    now = datetime.now(timezone.utc)
    people = [(first_chat_id + n, languages[n % len(languages)]) for n in range(count)]
    for offset in range(0, count, 1000):
        chunk = people[offset:offset + 1000]
        holders = [{"full_name": f"Customer {offset + i}", "phone": f"{phone_prefix}{chat_id}",
                    "date_of_birth": date_of_birth or date(1980, 1, 1), "id_number_last4": "0000", "preferred_language": language,
                    "telegram_user_id": chat_id, "city": city, "created_at": now}
                   for i, (chat_id, language) in enumerate(chunk)]
        session.execute(insert(Policyholder), holders)
        chat_of = dict(session.execute(select(Policyholder.id, Policyholder.telegram_user_id).where(
            Policyholder.telegram_user_id.in_([chat_id for chat_id, _ in chunk]))).all())
        ids = list(chat_of)
        session.execute(insert(Policy), [
            {"policy_number": f"PMV-T-{chat_of[holder_id]}", "policyholder_id": holder_id, "product": "comprehensive",
             "starts_on": date(2026, 6, 1), "ends_on": date(2027, 5, 31), "deductible": Decimal("500"),
             "sum_insured": Decimal("200000"), "status": "active", "roadside_cover": True}
            for holder_id in ids])
        policies = dict(session.execute(select(Policy.policyholder_id, Policy.id).where(Policy.policyholder_id.in_(ids))).all())
        session.execute(insert(Vehicle), [
            {"policy_id": policies[holder_id], "plate_number": f"T{chat_of[holder_id]}"[-10:], "vin": "LSVAB2BM5MN000000",
             "make": "Volkswagen", "model": "Lavida", "year": 2022, "colour": "white"}
            for holder_id in ids])
    session.commit()
    return people
