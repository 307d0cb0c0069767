"""Exactly one process of the deployment schedules and sends proactive messages: the holder of the
`scheduler` lease in the claims database (claims/services/leases.py).

Every bot process tries to take or renew the lease every SCHEDULER_RENEW_SECONDS. The holder runs:
- APScheduler with its jobs in the claims database (`scheduler_jobs`), so that they survive restarts: the
  reminder planner and the campaign starter. A run missed while no process led (downtime) still runs if it is
  within SCHEDULER_MISFIRE_GRACE_SECONDS; several missed runs are coalesced into one; older ones are logged
  and skipped. APScheduler 3 cannot share a job store between processes, hence the lease.
- the outbox sender (bot/outbox.py), which paces every proactive message of the deployment;
- the NPS survey round (bot/surveys.py).
A holder that cannot renew (it lost the database, or another took the expired lease) stops all three at once;
one that dies stops renewing and another process takes over when the lease expires (SCHEDULER_LEASE_SECONDS).
A clean shutdown gives the lease up at once.

APScheduler stores a job as a reference to a module-level function; those below reach the running process's
database through `_current`, the one Leadership of this process that is leading.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.ext import Application, ContextTypes, Job
from telegram.request import HTTPXRequest

from bot import surveys
from bot.outbox import IN_FLIGHT, OutboxSender
from bot.settings import BotSettings
from claims.campaigns.service import start_due_campaigns
from claims.reminders.planner import plan_reminders
from claims.services.leases import hold_lease, release_lease

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
JOB_TABLE = "scheduler_jobs"
_current: Leadership | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------------------------- the persistent jobs

def plan_reminders_job() -> None:
    """Queue the reminders due now."""
    leader = _current
    if leader is None:
        return
    with leader.sessions() as session:
        queued = plan_reminders(session, now=_now(), rules=leader.settings.reminder_rules)
    if queued:
        logger.info("queued %d reminders", queued)


def start_campaigns_job() -> None:
    """Start the campaigns whose time has come."""
    leader = _current
    if leader is None:
        return
    with leader.sessions() as session:
        for campaign_id in start_due_campaigns(
                session, now=_now(), grace=timedelta(seconds=leader.settings.campaign_start_grace_seconds),
                tz=leader.settings.timezone):
            logger.info("campaign %s started", campaign_id)


def standing_jobs(settings: BotSettings) -> dict[str, tuple[str, float]]:
    """id -> (function reference, interval in seconds)."""
    return {
        "reminders": (f"{__name__}:plan_reminders_job", settings.reminder_interval_seconds),
        "campaigns": (f"{__name__}:start_campaigns_job", settings.campaign_poll_seconds),
    }


# ---------------------------------------------------------------------------------- leadership

class Leadership:
    """This process's part in the election, and what it runs while it leads."""

    def __init__(self, application: Application, settings: BotSettings, engine: Engine,
                 sessions: sessionmaker[Session]) -> None:
        self.application, self.settings, self.engine, self.sessions = application, settings, engine, sessions
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.scheduler: AsyncIOScheduler | None = None
        self.sender_bot: Bot | None = None
        self._sender: OutboxSender | None = None
        self._sender_task: asyncio.Task | None = None
        self._stop_sending: asyncio.Event | None = None
        self._survey_job: Job | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def _hold(self) -> bool:
        with self.sessions() as session:
            return hold_lease(session, LEASE_NAME, holder=self.holder, now=_now(),
                              ttl=timedelta(seconds=self.settings.scheduler_lease_seconds))

    def _release(self) -> None:
        with self.sessions() as session:
            release_lease(session, LEASE_NAME, holder=self.holder, now=_now())

    async def tick(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Take or renew the lease; start leading or stop."""
        try:
            held = await asyncio.to_thread(self._hold)
        except Exception:
            logger.exception("the scheduler lease could not be renewed")
            held = False
        if held and not self.leading:
            await self._lead()
        elif not held and self.leading:
            logger.warning("the scheduler lease is lost: this process stops scheduling")
            await self._step_down()

    async def _lead(self) -> None:
        global _current
        settings = self.settings
        logger.info("this process now schedules and sends proactive messages (%s)", self.holder)
        _current = self
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOB_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": settings.scheduler_misfire_grace_seconds},
            timezone=settings.timezone)
        scheduler.add_listener(_log_job_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        scheduler.start(paused=True)  # the stored jobs are loaded; none runs before they are checked
        for job_id, (function, seconds) in standing_jobs(settings).items():
            job = scheduler.get_job(job_id)
            if job is None or job.func_ref != function or job.trigger.interval != timedelta(seconds=seconds):
                # new, or the interval changed: (re)created; else the stored one, with its next run, is kept
                scheduler.add_job(function, "interval", seconds=seconds, id=job_id, replace_existing=True)
        scheduler.resume()
        self.scheduler = scheduler
        self.sender_bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_url,
                              base_file_url=settings.file_url,
                              request=HTTPXRequest(connection_pool_size=IN_FLIGHT + 2))
        await self.sender_bot.initialize()
        self._stop_sending = asyncio.Event()
        self._sender = OutboxSender(self.sender_bot, self.sessions, settings)
        self._sender_task = asyncio.create_task(self._sender.run(self._stop_sending), name="outbox")
        if settings.survey_interval_seconds > 0:
            self._survey_job = surveys.start_surveying(self.application, settings)

    async def _step_down(self) -> None:
        global _current
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self._survey_job is not None:
            if not self._survey_job.removed and self.application.job_queue.scheduler.running:
                self._survey_job.schedule_removal()
            self._survey_job = None
        if self._stop_sending is not None:
            self._stop_sending.set()
        if self._sender_task is not None:
            await asyncio.gather(self._sender_task, return_exceptions=True)
            self._sender_task = None
            self._sender.close()
        if self.sender_bot is not None:
            await self.sender_bot.shutdown()
            self.sender_bot = None
        if _current is self:
            _current = None

    def start(self) -> None:
        """Take part in the election from now on (a repeating job of the application's job queue)."""
        self.application.job_queue.run_repeating(
            self.tick, interval=self.settings.scheduler_renew_seconds, first=0.5, name="scheduler-lease")

    async def close(self) -> None:
        """Stop leading and give the lease up (shutdown)."""
        # (the job queue, and with it the lease's own job, has stopped by the time the application shuts down)
        was_leading = self.leading
        await self._step_down()
        if was_leading:
            try:
                await asyncio.to_thread(self._release)
            except Exception:
                logger.exception("the scheduler lease could not be given up; it expires on its own")


def _log_job_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        logger.warning("scheduled job %s missed its run at %s (outside the grace window): skipped, the next run "
                       "follows its interval", event.job_id, event.scheduled_run_time)
    elif event.exception is not None:
        logger.error("scheduled job %s failed: %r", event.job_id, event.exception)
