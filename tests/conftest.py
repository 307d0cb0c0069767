"""Test-run wide: which database and conversation store the tests use, said up front and at the end."""
from __future__ import annotations

import os

import pytest

from claims.testing import BACKENDS, session_backend
from devstack.stack import redis_available


def _backends() -> list[str]:
    conversations = "redis at 127.0.0.1:6379" if redis_available() else "in memory (no Redis at 127.0.0.1:6379)"
    return [
        f"test database: {session_backend()} (TEST_DATABASE=sqlite|postgresql chooses)",
        f"e2e Rasa conversations: {conversations}",
    ]


def pytest_configure(config: pytest.Config) -> None:
    forced = os.environ.get("TEST_DATABASE", "").strip().lower()
    if forced and forced not in BACKENDS:  # refuse a typo before any test runs
        raise pytest.UsageError(f"TEST_DATABASE must be one of {BACKENDS}, not {forced!r}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    return _backends()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    for line in _backends():  # also shown with -q, which hides the header
        terminalreporter.write_line(line)
