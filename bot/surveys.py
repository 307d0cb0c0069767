"""The NPS survey's bot side: a repeating round that schedules, releases and sends surveys (claims.survey).

One round:
1. schedule a survey for each newly paid claim and completed rescue; expire the unanswered ones;
2. for each survey now due, ask Rasa whether the customer is in a form, then let `release_survey` decide
   (withheld, deferred for quiet hours or a busy customer, or queued in the delivery outbox);
3. send the queued ones like any delivery (leased, marked with the message id, exactly once): inside the
   customer's turn, a last check that they have not just started something, then the survey form is started
   on their conversation and its first question (the 0-10 keyboard) delivered.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial

from sqlalchemy.orm import Session
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, Job

from bot import replies
from bot.outbox import context_recorder, record_delivery, record_send_failure
from bot.handlers.conversation import deliver
from bot.rasa_client import RasaUnavailable
from bot.settings import BotSettings
from claims import wording
from claims.enums import DeliveryKind
from claims.services import chats, deliveries
from claims.survey import invitations

logger = logging.getLogger(__name__)

SURVEY_FORM = "nps_survey_form"


@dataclass(frozen=True)
class SurveyStart:
    """What the form needs to ask: the survey, its subject line and the chat's language."""

    survey_id: int
    subject: str
    language: str


def _in_session(context: ContextTypes.DEFAULT_TYPE, work):
    with context.bot_data["store"].sessions() as session:
        return work(session)


def _schedule(session: Session, *, settings: BotSettings) -> list[invitations.DueSurvey]:
    now = datetime.now(timezone.utc)
    rules = settings.survey_rules
    invitations.schedule_surveys(session, now=now, rules=rules)
    invitations.expire_unanswered(session, now=now, rules=rules)
    return invitations.due_surveys(session, now=now)


def _release(session: Session, *, survey_id: int, in_conversation: str | None, settings: BotSettings):
    return invitations.release_survey(session, survey_id, now=datetime.now(timezone.utc), rules=settings.survey_rules,
                                      in_conversation=in_conversation)


def _take(session: Session, *, settings: BotSettings) -> list[tuple[int, int, int]]:
    due = deliveries.claim_due_deliveries(
        session, now=datetime.now(timezone.utc), lease_seconds=settings.delivery_lease_seconds,
        max_attempts=settings.delivery_max_attempts, kinds=(DeliveryKind.survey,))
    return [(d.id, d.chat_id, int(d.payload["survey_id"])) for d in due]


def _start(session: Session, *, survey_id: int, chat_id: int, settings: BotSettings) -> SurveyStart | str:
    """The survey to start now, or why not (it closed, or the customer became busy since it was queued)."""
    survey = invitations.survey_for_chat(session, survey_id, chat_id)
    if survey is None or survey.response is not None:
        return "closed"
    now = datetime.now(timezone.utc)
    busy = invitations.busy_reason(session, survey, chat_id, None,
                                   answering_since=now - settings.survey_rules.answer_window)
    if busy:
        return busy
    language = chats.chat_language(session, chat_id, survey.policyholder).value
    subject = wording.survey_subject(
        claim_number=survey.claim.claim_number if survey.claim else None,
        roadside_reference=survey.roadside_request.reference if survey.roadside_request else None,
        completed_at=survey.completed_at, lang=language, tz=settings.timezone)
    return SurveyStart(survey.id, subject, language)


def _dispatching(session: Session, *, delivery_id: int) -> None:
    deliveries.mark_dispatched(session, delivery_id, now=datetime.now(timezone.utc))


def _postpone(session: Session, *, delivery_id: int, why: str, settings: BotSettings) -> None:
    until = datetime.now(timezone.utc) + settings.survey_rules.busy_recheck
    deliveries.postpone(session, delivery_id, until=until, note=f"deferred: {why}")


async def _send(context: ContextTypes.DEFAULT_TYPE, delivery_id: int, chat_id: int, survey_id: int) -> None:
    settings: BotSettings = context.bot_data["settings"]
    rasa = context.bot_data["rasa"]
    async with context.application.update_processor.chat_lock(chat_id):
        loop = await rasa.active_loop(str(chat_id))
        start = await asyncio.to_thread(_in_session, context, partial(
            _start, survey_id=survey_id, chat_id=chat_id, settings=settings))
        if loop and loop != SURVEY_FORM and isinstance(start, SurveyStart):
            start = f"in {loop}"
        if start == "closed":
            # nothing to ask any more (answered or expired meanwhile): recorded as done, without a message
            await asyncio.to_thread(record_delivery, *context_recorder(context), delivery_id, message_id=None)
            return
        if isinstance(start, str):
            await asyncio.to_thread(_in_session, context, partial(
                _postpone, delivery_id=delivery_id, why=start, settings=settings))
            return
        await asyncio.to_thread(_in_session, context, partial(_dispatching, delivery_id=delivery_id))
        messages = await rasa.start_form(str(chat_id), SURVEY_FORM, {
            "language": start.language, "nps_survey_id": float(start.survey_id), "nps_subject": start.subject,
            "nps_score": None, "nps_reason": None, "nps_follow_up": None, "nps_score_error": None,
            "nps_failures": 0, "nps_outcome": None, "requested_slot": None,
        })
        sent = None
        for message in replies.merge_custom_parts(messages):
            sent = await deliver(context, chat_id, message) or sent
    await asyncio.to_thread(record_delivery, *context_recorder(context), delivery_id, message_id=sent.message_id if sent else None)


async def survey_round(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One round: schedule, release what is due, send what is queued."""
    settings: BotSettings = context.bot_data["settings"]
    rasa = context.bot_data["rasa"]
    due = await asyncio.to_thread(_in_session, context, partial(_schedule, settings=settings))
    for item in due:
        in_conversation = None
        if item.chat_id is not None:
            try:
                loop = await rasa.active_loop(str(item.chat_id))
            except RasaUnavailable:
                logger.warning("survey %s: Rasa unavailable, left for the next round", item.survey_id)
                continue
            in_conversation = f"in {loop}" if loop else None
        try:
            outcome = await asyncio.to_thread(_in_session, context, partial(
                _release, survey_id=item.survey_id, in_conversation=in_conversation, settings=settings))
        except Exception:  # left scheduled: the next round tries again, the others go on
            logger.exception("survey %s could not be released", item.survey_id)
            continue
        logger.info("survey %s: %s", item.survey_id, outcome.value)
    for delivery_id, chat_id, survey_id in await asyncio.to_thread(_in_session, context, partial(_take, settings=settings)):
        try:
            await _send(context, delivery_id, chat_id, survey_id)
        except (TelegramError, RasaUnavailable) as error:
            await record_send_failure(*context_recorder(context), delivery_id, chat_id, error)
        except Exception as error:  # one survey's fault must not hold up the others: retried, then failed
            logger.exception("survey delivery %s failed", delivery_id)
            await asyncio.to_thread(record_delivery, *context_recorder(context), delivery_id, error=f"{type(error).__name__}")


def start_surveying(application: Application, settings: BotSettings) -> Job:
    """Run the survey round every SURVEY_INTERVAL_SECONDS (while this process holds the scheduler's lease)."""
    return application.job_queue.run_repeating(survey_round, interval=settings.survey_interval_seconds, first=2,
                                               name="nps-surveys")

