"""Engines and sessions."""
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from claims.db import make_engine, make_session_factory, session_scope, upgrade_database
from claims.models import Policy, Policyholder
from tests.factories import make_policyholder


def test_sqlite_engine_creates_its_folder_and_enforces_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'claims.db'}"
    upgrade_database(url)
    assert (tmp_path / "nested" / "claims.db").exists()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with session_scope(make_session_factory(engine)) as session:
            session.add(Policy(policy_number="PMV-2026-0000001", policyholder_id=999, product="comprehensive",
                               starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), deductible=0,
                               sum_insured=1))
            with pytest.raises(IntegrityError):
                session.flush()
    finally:
        engine.dispose()


def test_session_scope_rolls_back_on_error_and_objects_survive_commit(engine, session):
    factory = make_session_factory(engine)
    with pytest.raises(RuntimeError):
        with session_scope(factory) as scoped:
            scoped.add(Policyholder(full_name="张伟", phone="+8613800000001", date_of_birth=date(1980, 1, 1),
                                    id_number_last4="1234"))
            scoped.flush()
            raise RuntimeError("boom")
    assert session.scalar(select(func.count()).select_from(Policyholder)) == 0
    with session_scope(factory) as scoped:
        holder = make_policyholder(scoped, full_name="李娜")
    assert holder.full_name == "李娜"  # expire_on_commit=False: still readable after the session closed
