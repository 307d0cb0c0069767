"""A lease in the database: which process does a deployment-wide job (the scheduler), for how long.

APScheduler 3 cannot share a job store between processes, so exactly one runs it at a time. The holder renews
its lease well before it expires; a process that dies stops renewing and another takes the lease once it has
expired. Works the same on PostgreSQL and SQLite: one conditional UPDATE (the row lock makes a second racing
update re-read the row and find it taken), or one INSERT for a lease nobody held yet (the primary key lets only
one of two racing inserts in).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.clock import require_aware
from claims.models import SchedulerLease


def hold_lease(session: Session, name: str, *, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the lease `name` or renew it for `holder` until now + ttl; False while another process holds it."""
    require_aware(now)
    if ttl <= timedelta(0):
        raise ValueError("a lease needs a positive duration")
    renewed = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= now))
        .values(holder=holder, expires_at=now + ttl,
                # the column's type, so that `now` is stored as UTC like expires_at
                acquired_at=case((SchedulerLease.holder == holder, SchedulerLease.acquired_at),
                                 else_=literal(now, SchedulerLease.acquired_at.type)))
        .execution_options(synchronize_session=False)
    ).rowcount
    if renewed:
        session.commit()
        return True
    session.rollback()
    session.add(SchedulerLease(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
    try:
        session.commit()
        return True
    except IntegrityError:  # it exists and is someone else's
        session.rollback()
        return False


def release_lease(session: Session, name: str, *, holder: str, now: datetime) -> None:
    """Give the lease up at once (a clean shutdown), so another process need not wait for it to expire."""
    require_aware(now)
    session.execute(
        update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=now).execution_options(synchronize_session=False)
    )
    session.commit()


def lease_holder(session: Session, name: str, *, now: datetime) -> str | None:
    """Who holds the lease now, if anyone."""
    lease = session.scalar(select(SchedulerLease).where(SchedulerLease.name == name))
    session.commit()
    return lease.holder if lease is not None and lease.expires_at > require_aware(now) else None
