"""Roadside rescues on Telegram: dispatch to the provider, follow the truck, tell the customer.

One round (a repeating job, and at once after a roadside action's notice): send each confirmed request no
provider has accepted yet (retried with back-off; the reference is the idempotency key, so a retry never books
two trucks), tell the provider of cancellations, poll each accepted job, then tell each customer what is new:
the assignment (driver, plate, ETA), the truck as one live location edited in place (at most every
ROADSIDE_LIVE_EDIT_SECONDS, stopped on arrival), ETA changes of more than ROADSIDE_ETA_CHANGE_MINUTES, "nearly
there", "arrived", "completed". Everything the round decides from is in the store, so a restarted bot carries on
where the last one stopped, editing the same live location message.

Polling rather than the provider's webhooks: the bot may run in polling mode with no public endpoint, and a
poll every few seconds per open rescue is well within a provider's limits and Telegram's pace for live locations.
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from bot.agent_desk import topics
from bot.settings import BotSettings
from bot.texts import text
from claims import wording
from claims.clock import business_date
from claims.enums import HandoffReason, RoadsideStatus
from claims.models import RoadsideRequest
from claims.roadside import dispatch
from claims.roadside.dispatch import CustomerUpdate
from claims.roadside.notices import CANCEL_ROADSIDE_PAYLOAD
from claims.roadside.provider_client import (
    CancelTooLate, ProviderDeclined, ProviderError, ProviderRejected, ProviderUnavailable, RoadsideProviderClient,
)
from claims.roadside.requests import calls_used
from claims.roadside.lifecycle import OPEN, TRUCK_MOVING
from claims.services import agent_desk, handoffs

logger = logging.getLogger(__name__)

# The updates after which a person takes the rescue over.
NEEDS_A_PERSON = {CustomerUpdate.declined, CustomerUpdate.cancelled_by_provider, CustomerUpdate.gone_on_arrival}
# Telegram keeps a live location for at most a day; a rescue that lasts longer is no rescue any more.
MAX_LIVE_PERIOD = 86400


@dataclass
class RoadsideDispatch:
    """What the rescue rounds need besides the store: the provider's client and one lock (rounds never overlap)."""

    client: RoadsideProviderClient
    provider_name: str
    lock: asyncio.Lock


def start_following(application: Application, settings: BotSettings) -> None:
    """Create the provider client and run a round every ROADSIDE_POLL_SECONDS."""
    api_key = settings.roadside_provider_api_key.get_secret_value() if settings.roadside_provider_api_key else None
    application.bot_data["roadside"] = RoadsideDispatch(
        client=RoadsideProviderClient(settings.roadside_provider_url, api_key=api_key,
                                      timeout=settings.roadside_provider_timeout_seconds),
        provider_name=settings.roadside_provider_name, lock=asyncio.Lock())
    application.job_queue.run_repeating(follow_rescues, interval=settings.roadside_poll_seconds, first=1,
                                        name="roadside")


async def stop_following(application: Application) -> None:
    """Close the provider client."""
    if dispatcher := application.bot_data.get("roadside"):
        await dispatcher.client.aclose()


async def on_roadside_notice(application: Application, notice: dict) -> None:
    """A request was stored or cancelled: run a round now rather than at the next tick."""
    if "roadside" in application.bot_data:
        application.job_queue.run_once(follow_rescues, 0, name="roadside-now")


async def follow_rescues(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One round: dispatch, cancellations, polling, telling the customers."""
    dispatcher: RoadsideDispatch = context.bot_data["roadside"]
    async with dispatcher.lock:
        await _dispatch_due(context, dispatcher)
        await _follow_jobs(context, dispatcher)
        await _tell_customers(context)


def _store(context: ContextTypes.DEFAULT_TYPE):
    return context.bot_data["store"]


def _settings(context: ContextTypes.DEFAULT_TYPE) -> BotSettings:
    return context.bot_data["settings"]


async def _in_session(context: ContextTypes.DEFAULT_TYPE, work):
    def run():
        with _store(context).sessions() as session:
            return work(session)
    return await asyncio.to_thread(run)


async def _one_by_one(items, work, what: str) -> None:
    """Run `work(item)` for each request; one request's failure is logged and never stalls the others'."""
    for item in items:
        try:
            await work(item)
        except Exception:
            logger.exception("roadside request %s: %s failed", item[0], what)


async def _dispatch_due(context: ContextTypes.DEFAULT_TYPE, dispatcher: RoadsideDispatch) -> None:
    now = datetime.now(timezone.utc)
    orders = await _in_session(context, lambda s: [(r.id, dispatch.job_order(r)) for r in dispatch.due_for_dispatch(s, now=now)])
    settings = _settings(context)

    async def send(item) -> None:
        request_id, order = item
        try:
            job = await dispatcher.client.create_job(order)
        except ProviderError as error:
            # Declined or rejected: retrying will not change the answer. Unavailable, timed out: retry later.
            permanent = isinstance(error, (ProviderDeclined, ProviderRejected))
            logger.warning("roadside request %s: dispatch failed (%s)%s", request_id, error,
                           "" if permanent else "; will retry")
            await _in_session(context, partial(dispatch.record_dispatch_failure, request_id=request_id,
                                               error=str(error), permanent=permanent,
                                               now=datetime.now(timezone.utc), settings=settings))
            return
        logger.info("roadside request %s accepted as job %s", request_id, job.job_id)
        await _in_session(context, partial(dispatch.record_accepted, request_id=request_id, job=job,
                                           provider_name=dispatcher.provider_name, now=datetime.now(timezone.utc)))

    await _one_by_one(orders, send, "dispatch")


async def _follow_jobs(context: ContextTypes.DEFAULT_TYPE, dispatcher: RoadsideDispatch) -> None:
    followed = await _in_session(context, lambda s: [(r.id, r.provider_job_id, r.provider_cancel_pending)
                                                      for r in dispatch.followed_requests(s)])

    async def follow(item) -> None:
        request_id, job_id, cancel_pending = item
        try:
            if cancel_pending:
                try:
                    await dispatcher.client.cancel_job(job_id)
                    note = None
                except CancelTooLate as error:  # it arrived meanwhile: the driver is told by the desk
                    note = f"provider: too late to cancel ({error.status})"
                await _in_session(context, partial(dispatch.record_provider_told_of_cancel, request_id=request_id,
                                                   note=note))
                return
            job = await dispatcher.client.get_job(job_id)
        except ProviderUnavailable as error:  # the next round asks again; the customer keeps the last news
            logger.info("roadside request %s: provider unavailable while following (%s)", request_id, error)
            return
        except ProviderError as error:
            logger.warning("roadside request %s: provider error while following: %s", request_id, error)
            return
        await _in_session(context, partial(dispatch.record_job, request_id=request_id, job=job,
                                           now=datetime.now(timezone.utc)))

    await _one_by_one(followed, follow, "following the job")


@dataclass(frozen=True)
class RescueView:
    """A request as the customer-facing part of a round needs it (read in one session)."""

    id: int
    chat_id: int
    language: str
    reference: str
    status: RoadsideStatus
    driver: str | None
    phone: str | None
    plate: str | None
    eta: int | None
    arrival_at: datetime | None
    distance: str | None
    truck: tuple[float, float] | None
    live_message_id: int | None
    live_updated_at: datetime | None
    live_stopped: bool
    updates: tuple[CustomerUpdate, ...]
    calls_used: int
    telegram_user_id: int | None


def _view(session, request_id: int, settings: BotSettings) -> RescueView | None:
    """The request as it stands now, or None when the customer has nothing new to see."""
    request, now = session.get(RoadsideRequest, request_id), datetime.now(timezone.utc)
    updates = tuple(dispatch.updates_due(request, now=now, eta_change_minutes=settings.roadside_eta_change_minutes))
    live_due = request.live_message_id is not None and not request.live_stopped
    if not updates and not live_due and not _needs_live_location(request):
        return None
    used = 0
    if CustomerUpdate.completed in updates and request.policy is not None:
        used = calls_used(session, policy_id=request.policy_id, starts_on=request.policy.starts_on,
                          on=business_date(request.created_at, settings.timezone), tz=settings.timezone)
    return RescueView(
        id=request.id, chat_id=request.chat_id, language=(request.language.value if request.language else "en"),
        reference=request.reference, status=request.status, driver=request.driver_name,
        phone=wording.format_phone(request.driver_phone) if request.driver_phone else "—",
        plate=request.truck_plate, eta=request.eta_minutes, arrival_at=dispatch.expected_arrival(request, now),
        distance=str(request.distance_km) if request.distance_km is not None else "?",
        truck=(request.truck_latitude, request.truck_longitude) if request.truck_latitude is not None else None,
        live_message_id=request.live_message_id, live_updated_at=request.live_updated_at,
        live_stopped=request.live_stopped, updates=updates, calls_used=used,
        telegram_user_id=request.policyholder.telegram_user_id if request.policyholder else None,
    )


def _needs_live_location(request: RoadsideRequest) -> bool:
    return (request.live_message_id is None and request.truck_latitude is not None
            and request.status in TRUCK_MOVING)


async def _tell_customers(context: ContextTypes.DEFAULT_TYPE) -> None:
    settings = _settings(context)
    candidates = await _in_session(context, lambda s: [(r.id, r.chat_id) for r in dispatch.requests_to_tell(s)])

    async def tell(item) -> None:
        request_id, chat_id = item
        # In the customer's turn, as every message to a chat: news of a request the customer has just
        # confirmed waits until the bot's own answer ("request RSA-... is in") has gone out. Read inside it,
        # so that what is told is the request as it stands then.
        async with context.application.update_processor.chat_lock(chat_id):
            view = await _in_session(context, partial(_view, request_id=request_id, settings=settings))
            if view is not None:
                await _tell(context, view, settings)

    await _one_by_one(candidates, tell, "telling the customer")


async def _tell(context: ContextTypes.DEFAULT_TYPE, view: RescueView, settings: BotSettings) -> None:
    for update in view.updates:
        await _send_update(context, view, update, settings)
        await _in_session(context, lambda s: dispatch.record_told(s, view.id, update, status=view.status,
                                                                  arrival_at=view.arrival_at))
        if update in NEEDS_A_PERSON:
            await _hand_to_desk(context, view)
    await _move_live_location(context, view, settings)


def _words(view: RescueView, key: str, settings: BotSettings) -> str:
    return text(key, view.language).format(
        reference=view.reference, driver=view.driver or "—", phone=view.phone or "—", plate=view.plate or "—",
        eta=view.eta if view.eta is not None else "?", distance=view.distance, used=view.calls_used,
        allowance=settings.roadside_free_calls_per_year)


async def _send_update(context: ContextTypes.DEFAULT_TYPE, view: RescueView, update: CustomerUpdate,
                       settings: BotSettings) -> None:
    markup = None
    if update is CustomerUpdate.assigned and view.status in OPEN:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(text("roadside_cancel_button", view.language),
                                                             callback_data=CANCEL_ROADSIDE_PAYLOAD)]])
    message = _words(view, f"roadside_{update.value}", settings)
    await context.bot.send_message(view.chat_id, message, reply_markup=markup)
    await _store(context).record(chat_id=view.chat_id, direction="out", sender="bot", text=message)


async def _move_live_location(context: ContextTypes.DEFAULT_TYPE, view: RescueView, settings: BotSettings) -> None:
    """Send the truck's live location once, move it at Telegram's pace, stop it when the truck is there."""
    now = datetime.now(timezone.utc)
    moving = view.status in TRUCK_MOVING
    if view.live_message_id is None:
        if moving and view.truck is not None:
            sent = await context.bot.send_location(
                view.chat_id, latitude=view.truck[0], longitude=view.truck[1],
                live_period=min(settings.roadside_live_period_seconds, MAX_LIVE_PERIOD))
            await _in_session(context, lambda s: dispatch.record_live_location(s, view.id, message_id=sent.message_id, now=now))
        return
    if view.live_stopped:
        return
    if not moving or view.truck is None:
        if view.truck is not None and view.status is RoadsideStatus.arrived:
            await _edit_live(context, view)  # the last position: at the customer
        try:
            await context.bot.stop_message_live_location(view.chat_id, view.live_message_id)
        except BadRequest as error:  # already stopped or expired: nothing left to stop
            logger.info("roadside request %s: live location not stopped: %s", view.id, error)
        await _in_session(context, lambda s: dispatch.record_live_location(s, view.id, now=now, stopped=True))
        return
    due = view.live_updated_at is None or now - view.live_updated_at >= timedelta(seconds=settings.roadside_live_edit_seconds)
    if due and await _edit_live(context, view):
        await _in_session(context, lambda s: dispatch.record_live_location(s, view.id, now=now))


async def _edit_live(context: ContextTypes.DEFAULT_TYPE, view: RescueView) -> bool:
    try:
        await context.bot.edit_message_live_location(view.chat_id, view.live_message_id,
                                                     latitude=view.truck[0], longitude=view.truck[1])
        return True
    except BadRequest as error:  # "not modified" (the truck stood still) or the live period ran out
        logger.debug("roadside request %s: live location not moved: %s", view.id, error)
        return False


async def _hand_to_desk(context: ContextTypes.DEFAULT_TYPE, view: RescueView) -> None:
    """No truck is coming: queue the rescue for the dispatch desk with everything the customer said."""
    settings, now = _settings(context), datetime.now(timezone.utc)

    def queue(session) -> int:
        handoff = handoffs.request_handoff(
            session, chat_id=view.chat_id, telegram_user_id=view.telegram_user_id, reason=HandoffReason.roadside,
            summary=f"{view.reference}: {view.status.value}", now=now,
            schedule=agent_desk.desk_schedule(session, settings=settings, now=now),
            target=agent_desk.first_response_target(settings))
        return handoff.id

    handoff_id = await _in_session(context, queue)
    await topics.on_desk_notice(context.application, {"notice": "handoff_requested", "handoff_id": handoff_id})
