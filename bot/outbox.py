"""Sends every queued proactive message but surveys (stage updates, reminders, broadcasts) from the delivery
outbox (claims/services/deliveries.py), each once, at a pace Telegram accepts (bot/pacing.py).

It runs in one process at a time, the scheduler's lease holder (bot/scheduler.py), so its pace is the
deployment's. One round: queue new stage updates, mark finished campaigns done, lease a batch
of due deliveries, word each for its recipient now (a reminder no longer due is skipped, one in the quiet hours
waits), then send them spaced out, several in flight, and record each result at once: sent with Telegram's
message id; 429: that chat (or, if several chats are refused at once, everything) waits `retry_after` and the
message is retried without counting an attempt; 403: the customer blocked the bot, the chat is marked and later
campaigns skip it; other Telegram errors: retried with back-off, then failed.

Each send is marked dispatched just before its request goes out (claims/services/deliveries.py): a clean stop
(SIGTERM) stops leasing, lets the messages in flight finish and records them, and gives the next batch back; a
process killed mid-send leaves its lease to expire, the next holder sends what it had not dispatched, and of
what was in flight it resends updates and reminders (at least once) but not broadcasts (at most once). A send
that timed out is in doubt the same way.
"""
from __future__ import annotations

import asyncio
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import ContextTypes
from telegram.warnings import PTBDeprecationWarning

from bot.replies import intent_payload
from bot.pacing import SendPacer
from bot.settings import BotSettings
from claims import wording
from claims.campaigns.service import campaign_message, finish_campaigns
from claims.enums import DeliveryKind
from claims.models import Delivery
from claims.outbound import Button, NotSent, OutboundMessage
from claims.reminders.messages import reminder_message
from claims.services import chats, deliveries, transcript
from claims.stages import ClaimStage

logger = logging.getLogger(__name__)

KINDS = (DeliveryKind.stage_update, DeliveryKind.reminder, DeliveryKind.broadcast)
IN_FLIGHT = 8  # sends awaiting Telegram's answer at once (the pace, not this, sets the rate)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's retry_after in seconds (PTB 22 gives an int, later a timedelta, and warns about the change)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# ------------------------------------------------------------------------------------------ recording results

def record_delivery(
    sessions: sessionmaker[Session], settings: BotSettings, delivery_id: int, *, message_id: int | None = None,
    error: str | None = None, permanent: bool = False, retry_after: float | None = None,
) -> None:
    now = _now()
    with sessions() as session:
        if error is None:
            deliveries.mark_delivered(session, delivery_id, telegram_message_id=message_id, now=now)
        else:
            deliveries.mark_failed(
                session, delivery_id, error=error, now=now, max_attempts=settings.delivery_max_attempts,
                permanent=permanent, retry_after=timedelta(seconds=retry_after) if retry_after else None,
            )


def _record_blocked(sessions: sessionmaker[Session], chat_id: int) -> None:
    with sessions() as session:
        chats.mark_blocked(session, chat_id=chat_id, now=_now())


async def record_send_failure(sessions: sessionmaker[Session], settings: BotSettings, delivery_id: int, chat_id: int,
                              error: Exception) -> None:
    """Why a delivery did not go out: a blocked bot for good (and the chat marked), a message Telegram refuses
    for good, flood control as the time to retry, anything else with the usual back-off."""
    if isinstance(error, Forbidden):  # the user blocked the bot: retrying will not help
        logger.info("delivery %s: the chat blocked the bot", delivery_id)
        await asyncio.to_thread(_record_blocked, sessions, chat_id)
        await asyncio.to_thread(record_delivery, sessions, settings, delivery_id, error=f"forbidden: {error}",
                                permanent=True)
    elif isinstance(error, BadRequest):  # chat not found, a malformed message: the same request fails again
        logger.warning("delivery %s refused: %s", delivery_id, error)
        await asyncio.to_thread(record_delivery, sessions, settings, delivery_id, error=f"bad request: {error}",
                                permanent=True)
    elif isinstance(error, RetryAfter):
        await asyncio.to_thread(record_delivery, sessions, settings, delivery_id, error=str(error),
                                retry_after=retry_after_seconds(error))
    else:
        logger.warning("delivery %s failed: %s", delivery_id, error)
        await asyncio.to_thread(record_delivery, sessions, settings, delivery_id, error=str(error))


def context_recorder(context: ContextTypes.DEFAULT_TYPE):
    """(sessions, settings) of a PTB callback's application, for the functions above."""
    return context.bot_data["store"].sessions, context.bot_data["settings"]


# ------------------------------------------------------------------------------------------ wording a delivery

def stage_update_message(session: Session, delivery: Delivery) -> OutboundMessage:
    language = chats.chat_language(session, delivery.chat_id, None)
    payload = delivery.payload
    return OutboundMessage(wording.stage_update_text(ClaimStage(payload["to_stage"]), language,
                                                     claim_number=payload["claim_number"]))


def message_for(session: Session, delivery: Delivery, *, now: datetime, settings: BotSettings
                ) -> OutboundMessage | NotSent:
    """What to send for a leased delivery now, or why not."""
    if delivery.kind is DeliveryKind.stage_update:
        return stage_update_message(session, delivery)
    if delivery.kind is DeliveryKind.reminder:
        return reminder_message(session, delivery, now=now, rules=settings.reminder_rules)
    if delivery.kind is DeliveryKind.broadcast:
        return campaign_message(session, delivery)
    return NotSent(f"not sent by the outbox: {delivery.kind.value}")


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(b.title, url=b.url) if b.url else InlineKeyboardButton(b.title, callback_data=intent_payload(b.intent))
    ] for b in buttons])


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    chat_id: int
    message: OutboundMessage
    kind: DeliveryKind


# ------------------------------------------------------------------------------------------ the sender

class OutboxSender:
    """The loop that sends the outbox while this process holds the scheduler's lease."""

    def __init__(self, bot: Bot, sessions: sessionmaker[Session], settings: BotSettings,
                 pacer: SendPacer | None = None) -> None:
        self.bot, self.sessions, self.settings = bot, sessions, settings
        self.pacer = pacer or SendPacer(settings.campaign_rate_per_second)
        self._in_flight: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(IN_FLIGHT)
        # Its own threads for the database, so that recording results never queues behind other work.
        self._database = ThreadPoolExecutor(max_workers=IN_FLIGHT + 2, thread_name_prefix="outbox")
        self._last_enqueue = 0.0

    # -- database work, in a worker thread

    def _prepare(self) -> list[Outgoing]:
        now = _now()
        settings = self.settings
        batch_size = max(10, int(settings.campaign_rate_per_second * 2))  # about two seconds of sending
        with self.sessions() as session:
            interval = settings.stage_update_interval_seconds  # 0: stage updates are not pushed
            if interval > 0 and now.timestamp() - self._last_enqueue >= interval:
                self._last_enqueue = now.timestamp()
                deliveries.enqueue_stage_updates(session, now=now)
            finish_campaigns(session, now=now)
            leased = deliveries.claim_due_deliveries(
                session, now=now, limit=batch_size, lease_seconds=settings.delivery_lease_seconds,
                max_attempts=settings.delivery_max_attempts, kinds=KINDS)
            work = []
            for delivery in leased:
                try:
                    message = message_for(session, delivery, now=now, settings=settings)
                except Exception:  # one broken row must not stop the others: retried with back-off, then failed
                    logger.exception("delivery %s could not be worded", delivery.id)
                    session.rollback()
                    deliveries.mark_failed(session, delivery.id, error="could not be worded", now=now,
                                           max_attempts=settings.delivery_max_attempts)
                    continue
                if isinstance(message, NotSent):
                    if message.until is not None:
                        deliveries.postpone(session, delivery.id, until=message.until, note=f"waits: {message.reason}")
                    else:
                        deliveries.mark_skipped(session, delivery.id, reason=message.reason, now=now)
                    continue
                work.append(Outgoing(delivery.id, delivery.chat_id, message, delivery.kind))
            return work

    def _record_sent(self, item: Outgoing, message_id: int) -> None:
        with self.sessions() as session:
            deliveries.mark_delivered(session, item.delivery_id, telegram_message_id=message_id, now=_now(), reload=False)
            transcript.record_message(session, chat_id=item.chat_id, direction="out", sender="bot",
                                      text=item.message.text)

    def _dispatching(self, item: Outgoing) -> None:
        with self.sessions() as session:
            deliveries.mark_dispatched(session, item.delivery_id, now=_now())

    def _unknown(self, item: Outgoing, error: Exception) -> None:
        with self.sessions() as session:
            deliveries.mark_failed(session, item.delivery_id, error=f"{deliveries.UNKNOWN_NOTE} ({error})", now=_now(),
                                   permanent=True)

    def _postpone(self, item: Outgoing, seconds: float) -> None:
        with self.sessions() as session:
            deliveries.postpone(session, item.delivery_id, until=_now() + timedelta(seconds=seconds),
                                note=f"telegram asked to wait {seconds:g} s")

    async def _in_database(self, work, *args):
        return await asyncio.get_running_loop().run_in_executor(self._database, partial(work, *args))

    # -- sending

    async def _send(self, item: Outgoing) -> None:
        await self._in_database(self._dispatching, item)
        try:
            sent = await self.bot.send_message(item.chat_id, item.message.text,
                                               reply_markup=keyboard(item.message.buttons))
        except TimedOut as error:
            if item.kind in deliveries.AT_MOST_ONCE:  # Telegram may have it: a broadcast is not sent twice
                logger.warning("delivery %s timed out: not sent again", item.delivery_id)
                await self._in_database(self._unknown, item, error)
            else:
                await record_send_failure(self.sessions, self.settings, item.delivery_id, item.chat_id, error)
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            everything = self.pacer.refused(item.chat_id, wait)
            logger.info("delivery %s: Telegram asked to wait %.0f s (%s)", item.delivery_id, wait,
                        "every chat" if everything else "this chat")
            await self._in_database(self._postpone, item, wait)
        except TelegramError as error:
            await record_send_failure(self.sessions, self.settings, item.delivery_id, item.chat_id, error)
        else:
            await self._in_database(self._record_sent, item, sent.message_id)

    async def _run_one(self, item: Outgoing) -> None:
        try:
            await self._send(item)
        except Exception:  # the database or a bug: the lease expires and the message is retried
            logger.exception("delivery %s: the result could not be recorded", item.delivery_id)
        finally:
            self._slots.release()

    async def _dispatch(self, work: list[Outgoing], stop: asyncio.Event | None = None) -> list[Outgoing]:
        """Start the sends of a batch at the pace, several in flight; returns those not started because `stop`
        was set."""
        queue = list(work)
        while queue:
            if stop is not None and stop.is_set():
                return queue
            # The first whose chat may be written to now; the others keep their place.
            ready = next((item for item in queue if self.pacer.chat_ready(item.chat_id)), None) or min(
                queue, key=lambda item: self.pacer.chat_free_at(item.chat_id))
            queue.remove(ready)
            await self.pacer.take_slot(ready.chat_id)
            await self._slots.acquire()
            task = asyncio.create_task(self._run_one(ready))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return []

    def _give_back(self, work: list[Outgoing]) -> None:
        """A batch leased but not sent (the sender stops): due again at once, the attempt not counted."""
        with self.sessions() as session:
            for item in work:
                deliveries.postpone(session, item.delivery_id, until=_now(), note="not sent: the sender stopped")

    async def send_round(self) -> int:
        """Lease, word and send one batch; returns how many sends were started."""
        work = await self._in_database(self._prepare)
        await self._dispatch(work)
        return len(work)

    async def run(self, stop: asyncio.Event) -> None:
        """Send batches until `stop` is set, then let the sends in flight finish. The next batch is leased and
        worded while one is being sent, so that the pace has no gap between batches."""
        prepared: asyncio.Task | None = None
        unsent: list[Outgoing] = []
        while not stop.is_set():
            try:
                work = await (prepared or self._in_database(self._prepare))
            except Exception:  # the database was unreachable, say: try again shortly
                logger.exception("outbox round failed")
                work = []
            prepared = None
            if work:
                prepared = asyncio.create_task(self._in_database(self._prepare))
                unsent = await self._dispatch(work, stop)
                continue
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.outbox_idle_seconds)
            except asyncio.TimeoutError:
                pass
        try:
            if prepared is not None:
                unsent += await prepared
            await self._in_database(self._give_back, unsent)
        except Exception:  # their leases expire and the next holder sends them
            logger.exception("the unsent batch could not be given back")
        await self.drain()

    async def drain(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    def close(self) -> None:
        """Release its threads (after `run` returned)."""
        self._database.shutdown(wait=True)
