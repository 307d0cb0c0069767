"""Minutes until a moment, as told to a locked-out user."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from claims.clock import minutes_until

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("later", "minutes"),
    [(timedelta(minutes=15), 15), (timedelta(minutes=14, seconds=1), 15), (timedelta(seconds=1), 1),
     (timedelta(0), 1), (timedelta(seconds=-30), 1)],
)
def test_rounds_up_and_never_says_zero(later, minutes):
    assert minutes_until(NOW + later, NOW) == minutes


def test_refuses_naive_times():
    with pytest.raises(ValueError):
        minutes_until(datetime(2026, 11, 23, 12, 15), NOW)
