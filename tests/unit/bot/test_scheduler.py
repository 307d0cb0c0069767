"""The elected process's scheduler: its jobs are kept in the claims database, so a restart keeps their next run;
a run missed by less than the grace window still happens (once, coalesced); one missed by more is logged and
skipped; a process that loses the lease stops scheduling."""
from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta, timezone

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select, update
from zoneinfo import ZoneInfo

from bot import scheduler as scheduling
from bot.scheduler import JOB_TABLE, Leadership
from bot.settings import BotSettings
from claims.db import make_session_factory
from claims.models import Delivery, SchedulerLease
from claims.testing import add_linked_customers
from telegram_simulator import BotApiSimulator

TOKEN = "7000000001:SCHEDULER-TEST"


def settings_for(database_url: str, simulator: BotApiSimulator, **overrides) -> BotSettings:
    values = dict(_env_file=None, database_url=database_url, telegram_bot_token=TOKEN,
                  telegram_api_url=f"{simulator.base_url}/bot", survey_interval_seconds=0, reminder_kinds="birthday",
                  reminder_quiet_hours="", reminder_send_time="00:00", reminder_interval_seconds=3600,
                  scheduler_misfire_grace_seconds=600)
    return BotSettings(**{**values, **overrides})


def job_store(engine) -> SQLAlchemyJobStore:
    """The job store itself, read and written without running a scheduler."""
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    store.start(BlockingScheduler(), "default")
    return store


def stored_next_run(engine, job_id: str) -> datetime:
    return job_store(engine).lookup_job(job_id).next_run_time


def move_next_run(engine, job_id: str, when: datetime) -> None:
    """What downtime does: the stored next run is now in the past."""
    store = job_store(engine)
    job = store.lookup_job(job_id)
    job.next_run_time = when
    store.update_job(job)


async def lead(engine, settings) -> Leadership:
    leadership = Leadership(None, settings, engine, make_session_factory(engine))
    await leadership.tick()
    assert leadership.leading
    return leadership


def birthday_today(session) -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    born = date(1988, today.month, today.day) if (today.month, today.day) != (2, 29) else date(1988, 2, 29)
    add_linked_customers(session, count=1, city="Unit", first_chat_id=890_000_001, date_of_birth=born)


def queued(session) -> int:
    session.expire_all()
    return len(session.scalars(select(Delivery)).all())


async def test_the_jobs_live_in_the_database_and_a_restart_keeps_their_next_run(session, engine, database_url,
                                                                               simulator):
    settings = settings_for(database_url, simulator)
    first = await lead(engine, settings)
    await first.close()
    planned = stored_next_run(engine, "reminders")
    assert planned > datetime.now(timezone.utc) + timedelta(minutes=59)  # an hour's interval
    second = await lead(engine, settings)  # another process, later
    await second.close()
    assert stored_next_run(engine, "reminders") == planned  # not rescheduled from scratch
    changed = await lead(engine, settings_for(database_url, simulator, reminder_interval_seconds=7200))
    await changed.close()
    assert stored_next_run(engine, "reminders") > planned + timedelta(minutes=59)  # a new interval: replaced


async def test_a_run_missed_within_the_grace_window_still_happens_once(session, engine, database_url, simulator):
    settings = settings_for(database_url, simulator)
    await (await lead(engine, settings)).close()
    birthday_today(session)
    missed = datetime.now(timezone.utc) - timedelta(minutes=5)
    move_next_run(engine, "reminders", missed)  # down for 5 minutes
    leader = await lead(engine, settings)
    try:
        for _ in range(100):
            if queued(session):
                break
            await asyncio.sleep(0.05)
        assert queued(session) == 1
        # the next run keeps to the hourly grid of the missed one
        assert abs(stored_next_run(engine, "reminders") - (missed + timedelta(hours=1))) < timedelta(seconds=1)
    finally:
        await leader.close()


async def test_a_run_missed_beyond_the_grace_window_is_logged_and_skipped(session, engine, database_url, simulator,
                                                                          caplog):
    settings = settings_for(database_url, simulator)
    await (await lead(engine, settings)).close()
    birthday_today(session)
    # Down for 2.5 hours with an hourly job: the latest missed run was 30 minutes ago, beyond the 10 minutes' grace.
    move_next_run(engine, "reminders", datetime.now(timezone.utc) - timedelta(hours=2, minutes=30))
    caplog.set_level(logging.WARNING, logger="bot.scheduler")
    leader = await lead(engine, settings)
    try:
        for _ in range(100):
            if "missed its run" in caplog.text:
                break
            await asyncio.sleep(0.05)
        assert "scheduled job reminders missed its run" in caplog.text
        assert queued(session) == 0  # not run late...
        assert stored_next_run(engine, "reminders") > datetime.now(timezone.utc)  # ...but scheduled on
    finally:
        await leader.close()


async def test_a_process_that_loses_the_lease_stops_scheduling(session, engine, database_url, simulator):
    leader = await lead(engine, settings_for(database_url, simulator))
    assert scheduling._current is leader
    session.execute(update(SchedulerLease).values(holder="another:1:x",
                                                  expires_at=datetime.now(timezone.utc) + timedelta(minutes=1)))
    session.commit()
    await leader.tick()
    assert not leader.leading and scheduling._current is None
    await leader.close()
    session.expire_all()
    assert session.scalar(select(SchedulerLease.holder)) == "another:1:x"  # closing did not release another's lease
