"""Fixtures of the action tests: the actions' store pointed at the test database."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from actions import store


@pytest.fixture
def use_test_database(engine, session, monkeypatch):
    """The actions open their sessions on the test database; returns the test's own session."""
    monkeypatch.setattr(store, "session_factory", lambda: sessionmaker(engine, expire_on_commit=False))
    return session
