"""Pushes claim stage changes to policyholders, each exactly once (claims/services/deliveries.py).

A repeating job: turn new stage events into pending deliveries, take the due ones with a lease,
send, and record the result. A bot that dies mid-delivery leaves the lease to expire; the next
run (this process after a restart, or another one) picks the delivery up again.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from claims import wording
from claims.enums import DeliveryKind, Language
from claims.models import ChatPreference, Delivery
from claims.services import deliveries
from claims.stages import ClaimStage

logger = logging.getLogger(__name__)


def _take_due(context: ContextTypes.DEFAULT_TYPE) -> list[tuple[int, int, str]]:
    """Enqueue new stage events and lease the due deliveries: (id, chat, text) to send."""
    now = datetime.now(timezone.utc)
    with context.bot_data["store"].sessions() as session:
        settings = context.bot_data["settings"]
        deliveries.enqueue_stage_updates(session, now=now)
        due: list[Delivery] = deliveries.claim_due_deliveries(
            session, now=now, lease_seconds=settings.delivery_lease_seconds, max_attempts=settings.delivery_max_attempts,
            kinds=(DeliveryKind.stage_update,),
        )
        work = []
        for delivery in due:
            preference = session.get(ChatPreference, delivery.chat_id)
            language = preference.language.value if preference else Language.en.value
            payload = delivery.payload
            work.append((
                delivery.id,
                delivery.chat_id,
                wording.stage_update_text(ClaimStage(payload["to_stage"]), language, claim_number=payload["claim_number"]),
            ))
        return work


def record_delivery(
    context: ContextTypes.DEFAULT_TYPE, delivery_id: int, *, message_id: int | None = None, error: str | None = None,
    permanent: bool = False, retry_after: float | None = None,
) -> None:
    now = datetime.now(timezone.utc)
    settings = context.bot_data["settings"]
    with context.bot_data["store"].sessions() as session:
        if error is None:
            deliveries.mark_delivered(session, delivery_id, telegram_message_id=message_id, now=now)
        else:
            deliveries.mark_failed(
                session, delivery_id, error=error, now=now, max_attempts=settings.delivery_max_attempts,
                permanent=permanent, retry_after=timedelta(seconds=retry_after) if retry_after else None,
            )


async def record_send_failure(context: ContextTypes.DEFAULT_TYPE, delivery_id: int, error: Exception) -> None:
    """Record why a delivery did not go out: a blocked bot for good, Telegram's flood control as the time to
    retry, anything else with the usual back-off."""
    if isinstance(error, Forbidden):  # the user blocked the bot: retrying will not help
        logger.info("delivery %s: the chat blocked the bot", delivery_id)
        await asyncio.to_thread(record_delivery, context, delivery_id, error=f"forbidden: {error}", permanent=True)
    elif isinstance(error, RetryAfter):
        await asyncio.to_thread(record_delivery, context, delivery_id, error=str(error), retry_after=error.retry_after)
    else:
        logger.warning("delivery %s failed: %s", delivery_id, error)
        await asyncio.to_thread(record_delivery, context, delivery_id, error=str(error))


async def push_stage_updates(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One round: send every due stage update."""
    for delivery_id, chat_id, message in await asyncio.to_thread(_take_due, context):
        try:
            sent = await context.bot.send_message(chat_id, message)
        except TelegramError as error:
            await record_send_failure(context, delivery_id, error)
            continue
        await asyncio.to_thread(record_delivery, context, delivery_id, message_id=sent.message_id, error=None)
        await context.bot_data["store"].record(chat_id=chat_id, direction="out", sender="bot", text=message)
