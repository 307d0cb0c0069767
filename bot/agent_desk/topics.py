"""Case topics in the agents' forum: opened with the context card, kept current, swept for missed targets."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes

from bot.agent_desk import cards
from bot.agent_desk.texts import agent_text
from bot.settings import BotSettings
from bot.replies import say
from bot.texts import text
from claims.enums import HandoffStatus
from claims.services import agent_desk, case_context, handoffs
from claims.services.case_context import CaseContext

logger = logging.getLogger(__name__)

TAKE_CALLBACK_PREFIX = "desk:take:"


def desk_enabled(settings: BotSettings) -> bool:
    """Whether an agents' group is configured (without one, handoffs only queue)."""
    return settings.agents_chat_id is not None


def take_keyboard(handoff_id: int, lang: str) -> InlineKeyboardMarkup:
    """The one button that makes an agent the case's owner."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(agent_text("button_take", lang),
                                                       callback_data=f"{TAKE_CALLBACK_PREFIX}{handoff_id}")]])


def customer_context(application: Application, chat_id: int) -> ContextTypes.DEFAULT_TYPE:
    """A callback context for the customer's chat (its chat_data: language, albums), from anywhere."""
    return CallbackContext(application, chat_id=chat_id, user_id=chat_id)


async def customer_language(application: Application, route: handoffs.CaseRoute) -> str:
    """The language the customer of a case is answered in."""
    return await application.bot_data["store"].language_for(
        chat_id=route.chat_id, telegram_user_id=route.telegram_user_id, language_code=None)


async def load_context(application: Application, handoff_id: int) -> CaseContext | None:
    """The case's context card content, now."""
    settings: BotSettings = application.bot_data["settings"]
    return await application.bot_data["store"].call(
        case_context.case_context, handoff_id=handoff_id, now=datetime.now(timezone.utc), settings=settings,
    )


def _card(context: CaseContext, settings: BotSettings) -> tuple[str, InlineKeyboardMarkup | None, bool]:
    """The card's text, with the take button while the case waits, and the last messages below it when
    they fit in the same message (Telegram lets a bot send only 20 messages a minute to one group, so
    every message saved counts); the bool says whether they did."""
    lang = settings.agents_language
    markup = take_keyboard(context.handoff_id, lang) if context.status is HandoffStatus.queued else None
    card = cards.context_card(context, lang, settings.timezone, settings.currency)
    history = cards.transcript_messages(context.transcript, lang, settings.timezone)
    combined = f"{card}\n\n{history[0]}"
    if len(history) == 1 and len(combined) <= cards.MESSAGE_LIMIT:
        return combined, markup, True
    return card, markup, False


async def post_card(application: Application, context: CaseContext, topic_id: int) -> tuple[int, bool]:
    """Post the context card; returns its message id and whether the last messages are on it."""
    settings: BotSettings = application.bot_data["settings"]
    card, markup, with_history = _card(context, settings)
    message = await application.bot.send_message(
        settings.agents_chat_id, card, message_thread_id=topic_id, reply_markup=markup)
    return message.message_id, with_history


async def post_transcript(application: Application, context: CaseContext, topic_id: int) -> None:
    """The last messages of the conversation, below the card."""
    settings: BotSettings = application.bot_data["settings"]
    for chunk in cards.transcript_messages(context.transcript, settings.agents_language, settings.timezone):
        await application.bot.send_message(settings.agents_chat_id, chunk, message_thread_id=topic_id)


async def refresh_card(application: Application, handoff_id: int) -> None:
    """Rewrite the card in place (taken, transferred, closed), keeping the topic's history readable."""
    settings: BotSettings = application.bot_data["settings"]
    context = await load_context(application, handoff_id)
    if context is None or context.card_message_id is None:
        return
    card, markup, _ = _card(context, settings)
    try:
        await application.bot.edit_message_text(
            card, chat_id=settings.agents_chat_id, message_id=context.card_message_id, reply_markup=markup)
    except TelegramError:
        logger.debug("could not edit the card of case %s", handoff_id, exc_info=True)


async def _route(application: Application, handoff_id: int) -> handoffs.CaseRoute | None:
    return await application.bot_data["store"].call(handoffs.route_by_id, handoff_id=handoff_id)


async def open_case_topic(application: Application, handoff_id: int) -> None:
    """Open the case's topic with its card and transcript, once, whoever asks first."""
    settings: BotSettings = application.bot_data["settings"]
    if not desk_enabled(settings):
        return
    async with application.bot_data["desk_topic_lock"]:
        context = await load_context(application, handoff_id)
        if context is None or context.status is HandoffStatus.closed or context.topic_id is not None:
            return
        try:
            topic = await application.bot.create_forum_topic(settings.agents_chat_id, cards.topic_name(context))
            topic_id = topic.message_thread_id
            card_id, with_history = await post_card(application, context, topic_id)
            if not with_history:
                await post_transcript(application, context, topic_id)
        except TelegramError:
            # The case stays queued and the sweep tries again; the customer has been answered already.
            logger.warning("could not open a topic for case %s in the agents' group", handoff_id, exc_info=True)
            return
        attached = await application.bot_data["store"].call(
            handoffs.attach_topic, handoff_id=handoff_id, topic_id=topic_id, card_message_id=card_id,
            now=datetime.now(timezone.utc))
        if not attached:  # another bot process won: keep one topic per case
            await application.bot.delete_forum_topic(settings.agents_chat_id, topic_id)
        else:
            logger.info("opened topic %s for case %s", topic_id, handoff_id)


async def on_desk_notice(application: Application, notice: dict) -> None:
    """A handoff action's notice: open the new case's topic, or close the topic of a withdrawn one."""
    handoff_id = int(notice["handoff_id"])
    if notice["notice"] == "handoff_requested":
        await open_case_topic(application, handoff_id)
    elif notice["notice"] == "handoff_withdrawn":
        await close_withdrawn_topic(application, handoff_id)


async def close_withdrawn_topic(application: Application, handoff_id: int) -> None:
    """The customer left the queue: say so in the topic, update the card and close the topic."""
    settings: BotSettings = application.bot_data["settings"]
    route = await _route(application, handoff_id)
    if not desk_enabled(settings) or route is None or route.topic_id is None:
        return
    try:
        await application.bot.send_message(settings.agents_chat_id,
                                           agent_text("customer_left_queue", settings.agents_language),
                                           message_thread_id=route.topic_id)
        await refresh_card(application, handoff_id)
        await application.bot.close_forum_topic(settings.agents_chat_id, route.topic_id)
    except TelegramError:
        logger.warning("could not close the topic of withdrawn case %s", handoff_id, exc_info=True)


async def sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every few seconds: open missing topics, remind the group of cases past their first-response target."""
    application = context.application
    store = application.bot_data["store"]
    settings: BotSettings = application.bot_data["settings"]
    for handoff_id in await store.call(handoffs.handoffs_without_topic):
        route = await _route(application, handoff_id)
        if route is None:
            continue
        # In the customer's turn, so none of their messages falls between the card and the topic.
        async with application.update_processor.chat_lock(route.chat_id):
            await open_case_topic(application, handoff_id)
    now = datetime.now(timezone.utc)
    schedule = await store.call(agent_desk.desk_schedule, settings=settings, now=now)
    if not schedule.is_open(now):
        return  # nobody is at the desk to remind; targets only run in open hours
    for route in await store.call(handoffs.overdue_handoffs, now=now):
        if route.topic_id is None:
            continue
        async with application.update_processor.chat_lock(route.chat_id):
            if not await store.call(handoffs.mark_breached, handoff_id=route.handoff_id, now=now):
                continue
            await remind(application, route, settings)


async def remind(application: Application, route: handoffs.CaseRoute, settings: BotSettings) -> None:
    """A case missed its first-response target: nudge the agents, and tell the customer the wait is longer."""
    lang = settings.agents_language
    target = cards.duration_text(timedelta(seconds=settings.first_response_target_seconds))
    await application.bot.send_message(
        settings.agents_chat_id, agent_text("reminder", lang).format(target=target),
        message_thread_id=route.topic_id, reply_markup=take_keyboard(route.handoff_id, lang))
    await refresh_card(application, route.handoff_id)
    customer = customer_context(application, route.chat_id)
    await say(customer, route.chat_id, text("wait_longer", await customer_language(application, route)))


def start_sweeping(application: Application, settings: BotSettings) -> None:
    """Schedule the sweep; called from post_init when a desk is configured."""
    application.bot_data["desk_topic_lock"] = asyncio.Lock()
    application.job_queue.run_repeating(sweep, interval=settings.desk_sweep_interval_seconds, first=1,
                                        name="agent-desk-sweep")
