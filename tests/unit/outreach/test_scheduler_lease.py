"""The scheduler's lease in the database: one holder at a time, renewed by it, taken over once expired or
released, and exactly one winner when two processes race for it."""
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claims.db import make_session_factory, session_scope
from claims.models import SchedulerLease
from claims.services.leases import hold_lease, lease_holder, release_lease

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
TTL = timedelta(seconds=60)
NAME = "scheduler"


@pytest.fixture
def sessions(session, engine):
    """Sessions on the test database, one per call as each bot process's tick has (`session` empties the tables
    afterwards)."""
    return make_session_factory(engine)


def hold(sessions, holder: str, now: datetime, *, ttl: timedelta = TTL, name: str = NAME) -> bool:
    with session_scope(sessions) as session:
        return hold_lease(session, name, holder=holder, now=now, ttl=ttl)


def release(sessions, holder: str, now: datetime, *, name: str = NAME) -> None:
    with session_scope(sessions) as session:
        release_lease(session, name, holder=holder, now=now)


def holder_at(sessions, now: datetime, *, name: str = NAME) -> str | None:
    with session_scope(sessions) as session:
        return lease_holder(session, name, now=now)


def stored(sessions) -> SchedulerLease:
    with session_scope(sessions) as session:
        return session.scalar(select(SchedulerLease).where(SchedulerLease.name == NAME))


def test_the_first_process_gets_the_lease(sessions):
    assert holder_at(sessions, T0) is None
    assert hold(sessions, "bot-a", T0) is True
    lease = stored(sessions)
    assert (lease.holder, lease.acquired_at, lease.expires_at) == ("bot-a", T0, T0 + TTL)
    assert holder_at(sessions, T0 + timedelta(seconds=30)) == "bot-a"


def test_a_second_process_is_refused_while_the_lease_is_valid(sessions):
    hold(sessions, "bot-a", T0)
    assert hold(sessions, "bot-b", T0 + timedelta(seconds=1)) is False
    assert hold(sessions, "bot-b", T0 + TTL - timedelta(microseconds=1)) is False
    lease = stored(sessions)
    assert (lease.holder, lease.expires_at) == ("bot-a", T0 + TTL)


def test_the_holder_renews_its_lease_keeping_when_it_got_it(sessions):
    hold(sessions, "bot-a", T0)
    assert hold(sessions, "bot-a", T0 + timedelta(seconds=20)) is True
    lease = stored(sessions)
    assert (lease.holder, lease.acquired_at, lease.expires_at) == ("bot-a", T0, T0 + timedelta(seconds=80))
    # renewing after its own lease ran out also keeps it (nobody else took it meanwhile)
    assert hold(sessions, "bot-a", T0 + timedelta(minutes=5)) is True
    assert stored(sessions).acquired_at == T0
    assert hold(sessions, "bot-b", T0 + timedelta(minutes=5, seconds=1)) is False


def test_another_process_takes_the_lease_once_it_expired(sessions):
    hold(sessions, "bot-a", T0)
    assert holder_at(sessions, T0 + TTL) is None  # expired at expires_at
    assert hold(sessions, "bot-b", T0 + TTL) is True
    lease = stored(sessions)
    assert (lease.holder, lease.acquired_at, lease.expires_at) == ("bot-b", T0 + TTL, T0 + 2 * TTL)
    assert hold(sessions, "bot-a", T0 + TTL + timedelta(seconds=1)) is False
    assert holder_at(sessions, T0 + TTL + timedelta(seconds=1)) == "bot-b"


def test_a_released_lease_can_be_taken_at_once(sessions):
    hold(sessions, "bot-a", T0)
    release(sessions, "bot-a", T0 + timedelta(seconds=10))
    assert holder_at(sessions, T0 + timedelta(seconds=10)) is None
    assert hold(sessions, "bot-b", T0 + timedelta(seconds=10)) is True
    assert holder_at(sessions, T0 + timedelta(seconds=11)) == "bot-b"


def test_only_the_holder_can_release_the_lease(sessions):
    hold(sessions, "bot-a", T0)
    release(sessions, "bot-b", T0 + timedelta(seconds=10))
    assert holder_at(sessions, T0 + timedelta(seconds=10)) == "bot-a"
    release(sessions, "bot-a", T0, name="another job")  # nothing to release: no error


def test_leases_of_different_names_are_independent(sessions):
    assert hold(sessions, "bot-a", T0, name="scheduler")
    assert hold(sessions, "bot-b", T0, name="reports")
    assert holder_at(sessions, T0, name="scheduler") == "bot-a"
    assert holder_at(sessions, T0, name="reports") == "bot-b"


def test_lease_times_given_in_another_zone_mean_the_same_instant(sessions):
    shanghai = ZoneInfo("Asia/Shanghai")
    assert hold(sessions, "bot-a", T0.astimezone(shanghai))
    lease = stored(sessions)
    assert (lease.acquired_at, lease.expires_at) == (T0, T0 + TTL)
    assert holder_at(sessions, (T0 + timedelta(seconds=59)).astimezone(shanghai)) == "bot-a"
    assert holder_at(sessions, (T0 + TTL).astimezone(shanghai)) is None


def test_a_takeover_given_another_zone_records_the_same_instant(sessions):
    hold(sessions, "bot-a", T0)
    later = T0 + timedelta(minutes=2)
    assert hold(sessions, "bot-b", later.astimezone(ZoneInfo("Asia/Shanghai")))
    lease = stored(sessions)
    assert (lease.holder, lease.acquired_at, lease.expires_at) == ("bot-b", later, later + TTL)


@pytest.mark.parametrize("call", [
    lambda s: hold_lease(s, NAME, holder="bot-a", now=datetime(2026, 12, 1, 2, 0), ttl=TTL),
    lambda s: release_lease(s, NAME, holder="bot-a", now=datetime(2026, 12, 1, 2, 0)),
    lambda s: lease_holder(s, NAME, now=datetime(2026, 12, 1, 2, 0)),
])
def test_a_naive_time_is_refused(session, call):
    hold_lease(session, NAME, holder="bot-a", now=T0, ttl=TTL)
    with pytest.raises(ValueError):
        call(session)


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-5)])
def test_a_lease_needs_a_positive_duration(session, ttl):
    with pytest.raises(ValueError):
        hold_lease(session, NAME, holder="bot-a", now=T0, ttl=ttl)


def race(engine, now: datetime, holders=("bot-a", "bot-b")) -> dict[str, bool]:
    """Every holder asks for the lease at the same moment, each in its own session (thread)."""
    sessions = make_session_factory(engine)
    start = threading.Barrier(len(holders))
    results: dict[str, bool] = {}
    errors: list[BaseException] = []

    def contend(holder: str) -> None:
        session = sessions()
        try:
            start.wait(timeout=10)
            results[holder] = hold_lease(session, NAME, holder=holder, now=now, ttl=TTL)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=contend, args=(holder,)) for holder in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_two_processes_racing_for_a_new_lease_exactly_one_wins(sessions, engine):
    for attempt in range(5):  # a few rounds, so that the race really happens
        now = T0 + timedelta(hours=attempt)
        with session_scope(sessions) as session:
            session.query(SchedulerLease).delete()
            session.commit()
        results = race(engine, now)
        assert sorted(results.values()) == [False, True], results
        (winner,) = [holder for holder, won in results.items() if won]
        assert holder_at(sessions, now) == winner


def test_two_processes_racing_for_an_expired_lease_exactly_one_wins(sessions, engine):
    hold(sessions, "bot-old", T0)
    for attempt in range(5):
        now = T0 + TTL * (2 * attempt + 1)  # each round: after the previous winner's lease expired
        results = race(engine, now, holders=(f"bot-a{attempt}", f"bot-b{attempt}"))
        assert sorted(results.values()) == [False, True], results
        (winner,) = [holder for holder, won in results.items() if won]
        assert stored(sessions).holder == winner
