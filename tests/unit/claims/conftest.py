"""Fixtures of the claims tests: settings independent of the developer's environment."""
from __future__ import annotations

import pytest

from claims.settings import DEFAULT_STAGE_TARGETS_DAYS, ClaimsSettings


@pytest.fixture
def settings() -> ClaimsSettings:
    """The defaults (3 failures lock for 15 minutes, the default stage targets), whatever .env says."""
    return ClaimsSettings(
        _env_file=None, database_url="sqlite://", business_timezone="Asia/Shanghai", currency="CNY",
        stage_targets_days=dict(DEFAULT_STAGE_TARGETS_DAYS), verification_lock_minutes=15,
        verification_max_failures=3, stage_update_max_age_hours=24,
    )
