"""What agents do in the agents' group: take a case, reply, note, transfer, hand back; see the queue.

Only users listed in AGENT_IDS who are still members of the group may act; anyone else is refused and
nothing they write reaches a customer. A case topic's messages from its owner go to the customer.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.agent_desk import cards, topics
from bot.agent_desk.canned import CannedReplies
from bot.agent_desk.customer_relay import describe
from bot.agent_desk.texts import agent_text
from bot.replies import intent_payload, say
from bot.handlers.conversation import Sender, converse
from bot.rasa_client import RasaUnavailable
from bot.settings import BotSettings
from bot.texts import text
from claims.clock import business_date
from claims.enums import HandoffStatus
from claims.services import agent_desk, handoffs
from claims.services.handoffs import Agent, CaseRoute
from claims.survey.chart import nps_chart_png
from claims.survey.report import nps_report, parse_period, report_text

logger = logging.getLogger(__name__)

CANNED_CALLBACK_PREFIX = "desk:reply:"
MEMBERSHIP_CACHE_SECONDS = 300
ACTIVE_MEMBER = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER,
                 ChatMemberStatus.RESTRICTED}


def _settings(context: ContextTypes.DEFAULT_TYPE) -> BotSettings:
    return context.bot_data["settings"]


def _t(context: ContextTypes.DEFAULT_TYPE, key: str, **values: object) -> str:
    return agent_text(key, _settings(context).agents_language).format(**values)


async def _is_agent(context: ContextTypes.DEFAULT_TYPE, user: User | None) -> bool:
    """Listed in AGENT_IDS and still a member of the agents' group (checked at most every 5 minutes)."""
    settings = _settings(context)
    if user is None or user.is_bot or user.id not in settings.agent_ids:
        return False
    cache: dict[int, tuple[bool, float]] = context.bot_data.setdefault("agent_membership", {})
    known = cache.get(user.id)
    if known and time.monotonic() - known[1] < MEMBERSHIP_CACHE_SECONDS:
        return known[0]
    try:
        member = await context.bot.get_chat_member(settings.agents_chat_id, user.id)
        is_member = member.status in ACTIVE_MEMBER
    except TelegramError:
        logger.warning("could not check the agents' group membership", exc_info=True)
        is_member = False
    cache[user.id] = (is_member, time.monotonic())
    return is_member


async def acting_agent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Agent | None:
    """The agent acting, or None after telling a non-agent that they may not act."""
    user = update.effective_user
    if await _is_agent(context, user):
        return Agent(user.id, user.first_name)
    if update.callback_query is not None:
        await update.callback_query.answer(_t(context, "not_an_agent_alert"), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(_t(context, "not_an_agent"))
    return None


async def topic_case(update: Update, context: ContextTypes.DEFAULT_TYPE) -> CaseRoute | None:
    """The case of the topic the message is in (None in the General topic)."""
    message = update.effective_message
    if message is None or not message.is_topic_message or message.message_thread_id is None:
        return None
    return await context.bot_data["store"].call(handoffs.route_for_topic, topic_id=message.message_thread_id)


async def _case_for_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Agent, CaseRoute] | None:
    """The acting agent and the topic's case, or None after saying why not."""
    agent = await acting_agent(update, context)
    if agent is None:
        return None
    route = await topic_case(update, context)
    if route is None:
        await update.effective_message.reply_text(_t(context, "no_case_here"))
        return None
    return agent, route


async def _ownership_problem(context: ContextTypes.DEFAULT_TYPE, route: CaseRoute, agent: Agent,
                             message: Message) -> bool:
    """True after telling the agent why they cannot speak for this case (not taken, someone else's, closed)."""
    if handoffs.owns(route, agent):
        return False
    if route.status is HandoffStatus.closed:
        await message.reply_text(_t(context, "case_closed"))
    elif route.status is HandoffStatus.queued:
        await message.reply_text(_t(context, "take_first"),
                                 reply_markup=topics.take_keyboard(route.handoff_id, _settings(context).agents_language))
    else:
        await message.reply_text(_t(context, "not_yours", agent=route.agent_name))
    return True


# --- taking a case ---------------------------------------------------------------------------------

async def on_take(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The take button: the first agent to press owns the case; the customer is told who joined."""
    query = update.callback_query
    agent = await acting_agent(update, context)
    if agent is None:
        return
    handoff_id = int(query.data.removeprefix(topics.TAKE_CALLBACK_PREFIX))
    store, application = context.bot_data["store"], context.application
    route = await store.call(handoffs.route_by_id, handoff_id=handoff_id)
    if route is None:
        await query.answer(_t(context, "case_closed"), show_alert=True)
        return
    # In the customer's turn: each of their messages is either before the take (bot) or after it (agent).
    async with application.update_processor.chat_lock(route.chat_id):
        result = await store.call(handoffs.take_handoff, handoff_id=handoff_id, agent=agent,
                                  now=datetime.now(timezone.utc))
        if not result.taken:
            closed = result.case.status is HandoffStatus.closed
            await query.answer(_t(context, "case_closed") if closed else
                               _t(context, "already_taken", agent=result.case.agent_name), show_alert=True)
            return
        await query.answer()
        route = result.case
        await topics.refresh_card(application, handoff_id)
        if query.message is not None and query.message.message_id != route.card_message_id:
            await _drop_keyboard(query.message)
        await context.bot.send_message(_settings(context).agents_chat_id, _t(context, "taken_notice", agent=agent.name),
                                       message_thread_id=route.topic_id)
        await _rasa_paused(context, route, paused=True)
        customer = topics.customer_context(application, route.chat_id)
        await say(customer, route.chat_id, text("agent_joined", await topics.customer_language(context.application, route))
                  .format(agent=agent.name))


async def _drop_keyboard(message: Message) -> None:
    try:
        await message.edit_reply_markup(None)
    except TelegramError:
        logger.debug("could not remove a take button", exc_info=True)


async def _rasa_paused(context: ContextTypes.DEFAULT_TYPE, route: CaseRoute, *, paused: bool) -> None:
    """Keep Rasa's tracker truthful: paused while a person has the conversation. The front end stops
    forwarding either way, so a failure here loses nothing."""
    rasa = context.bot_data["rasa"]
    try:
        await (rasa.pause if paused else rasa.resume)(str(route.chat_id))
    except RasaUnavailable:
        logger.warning("could not %s Rasa for case %s", "pause" if paused else "resume", route.handoff_id)


# --- talking to the customer -------------------------------------------------------------------------

async def on_agent_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in a case topic: from its owner, relayed to the customer; anyone else is told why not."""
    route = await topic_case(update, context)
    if route is None:
        return  # the General topic: agents talking among themselves
    agent = await acting_agent(update, context)
    if agent is None or await _ownership_problem(context, route, agent, update.effective_message):
        return
    await relay_to_customer(context, route, agent, update.effective_message)


async def relay_to_customer(context: ContextTypes.DEFAULT_TYPE, route: CaseRoute, agent: Agent,
                            message: Message, *, body: str | None = None) -> None:
    """The agent's words (or photo, file, location) in the customer's chat, signed with their name."""
    language = await topics.customer_language(context.application, route)
    line = text("agent_line", language)
    try:
        if body is not None or message.text is not None:
            words = line.format(agent=agent.name, text=body if body is not None else message.text)
            await context.bot.send_message(route.chat_id, words)
            recorded = words
        else:
            caption = line.format(agent=agent.name, text=message.caption) if message.caption else None
            await context.bot.copy_message(route.chat_id, message.chat_id, message.message_id, caption=caption)
            recorded = describe(message)
    except TelegramError as error:
        await message.reply_text(_t(context, "relay_failed", error=error.message))
        return
    await context.bot_data["store"].record(chat_id=route.chat_id, direction="out", sender="agent", text=recorded)


# --- commands in a case topic ---------------------------------------------------------------------

def _command_text(message: Message) -> str:
    """What follows the command, as typed (line breaks kept)."""
    return (message.text or "").partition(" ")[2].strip()


async def note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/note TEXT: an internal note on the case, never sent to the customer."""
    found = await _case_for_command(update, context)
    if found is None:
        return
    agent, route = found
    words = _command_text(update.effective_message)
    if not words:
        await update.effective_message.reply_text(_t(context, "note_empty"))
        return
    await context.bot_data["store"].call(handoffs.add_note, handoff_id=route.handoff_id, agent=agent, text=words,
                                         now=datetime.now(timezone.utc))
    await update.effective_message.reply_text(_t(context, "note_saved"))


async def claim_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claim: the context card again, as it is now."""
    found = await _case_for_command(update, context)
    if found is None:
        return
    _, route = found
    case = await topics.load_context(context.application, route.handoff_id)
    card_id, _ = await topics.post_card(context.application, case, route.topic_id)
    await context.bot_data["store"].call(handoffs.set_card_message, handoff_id=route.handoff_id,
                                         card_message_id=card_id)


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history: the conversation's last messages."""
    found = await _case_for_command(update, context)
    if found is None:
        return
    _, route = found
    case = await topics.load_context(context.application, route.handoff_id)
    await topics.post_transcript(context.application, case, route.topic_id)


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reply KEY sends a canned reply; /reply alone lists them as buttons."""
    found = await _case_for_command(update, context)
    if found is None:
        return
    agent, route = found
    canned: CannedReplies = context.bot_data["canned_replies"]
    key = _command_text(update.effective_message).lower()
    message = update.effective_message
    if not key:
        buttons = [[InlineKeyboardButton(k, callback_data=f"{CANNED_CALLBACK_PREFIX}{k}")] for k in canned.keys()]
        await message.reply_text(_t(context, "canned_list") + "\n" + canned.preview(_settings(context).agents_language),
                                 reply_markup=InlineKeyboardMarkup(buttons))
        return
    await send_canned(context, route, agent, message, key)


async def on_canned_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A canned reply chosen from the /reply list."""
    query = update.callback_query
    agent = await acting_agent(update, context)
    if agent is None:
        return
    await query.answer()
    route = await topic_case(update, context)
    if route is None:
        return
    await send_canned(context, route, agent, query.message, query.data.removeprefix(CANNED_CALLBACK_PREFIX))


async def send_canned(context: ContextTypes.DEFAULT_TYPE, route: CaseRoute, agent: Agent, message: Message,
                      key: str) -> None:
    """The canned reply in the customer's language, from its owner only."""
    canned: CannedReplies = context.bot_data["canned_replies"]
    if key not in canned:
        await message.reply_text(_t(context, "canned_unknown", key=key, keys=", ".join(canned.keys())))
        return
    if await _ownership_problem(context, route, agent, message):
        return
    words = canned.text(key, await topics.customer_language(context.application, route), agent=agent.name)
    await relay_to_customer(context, route, agent, message, body=words)


async def transfer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/transfer: back to the queue for a colleague; the bot helps the customer meanwhile."""
    await _release(update, context, handoffs.release_handoff, _after_transfer)


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/done: close the case and give the conversation back to the bot, which greets the customer."""
    await _release(update, context, handoffs.hand_back, _after_hand_back)


async def _release(update: Update, context: ContextTypes.DEFAULT_TYPE, change, follow_up) -> None:
    """The owner lets go of the case (`change` in the store), then `follow_up` tells everyone.

    In the customer's turn: each of their messages is before it (to the topic) or after it (to the bot).
    """
    found = await _case_for_command(update, context)
    if found is None:
        return
    agent, route = found
    async with context.application.update_processor.chat_lock(route.chat_id):
        if not await context.bot_data["store"].call(change, handoff_id=route.handoff_id, agent=agent,
                                                    now=datetime.now(timezone.utc)):
            await _ownership_problem(context, route, agent, update.effective_message)
            return
        await topics.refresh_card(context.application, route.handoff_id)
        await _rasa_paused(context, route, paused=False)
        await follow_up(update, context, agent, route)


async def _after_transfer(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent, route: CaseRoute) -> None:
    await update.effective_message.reply_text(
        _t(context, "transferred", agent=agent.name),
        reply_markup=topics.take_keyboard(route.handoff_id, _settings(context).agents_language))
    customer = topics.customer_context(context.application, route.chat_id)
    await say(customer, route.chat_id,
              text("agent_transferred", await topics.customer_language(context.application, route)).format(agent=agent.name))


async def _after_hand_back(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent, route: CaseRoute) -> None:
    await update.effective_message.reply_text(_t(context, "handed_back", agent=agent.name))
    try:
        await context.bot.close_forum_topic(_settings(context).agents_chat_id, route.topic_id)
    except TelegramError:
        logger.debug("could not close the topic of case %s", route.handoff_id, exc_info=True)
    customer = topics.customer_context(context.application, route.chat_id)
    sender = Sender(chat_id=route.chat_id, user_id=route.telegram_user_id, language_code=None)
    await converse(sender, customer, intent_payload("return_to_bot"))


# --- the desk as a whole ----------------------------------------------------------------------------

async def queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/queue: who is waiting, for how long, and who owns what."""
    if await acting_agent(update, context) is None:
        return
    settings = _settings(context)
    entries = await context.bot_data["store"].call(agent_desk.desk_queue)
    await update.effective_message.reply_text(
        cards.queue_text(entries, settings.agents_language, settings.timezone, datetime.now(timezone.utc)))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: today's handoffs, first response, hand-back time and bot containment."""
    if await acting_agent(update, context) is None:
        return
    settings, now = _settings(context), datetime.now(timezone.utc)
    figures = await context.bot_data["store"].call(agent_desk.desk_stats, now=now, settings=settings)
    day = business_date(now, settings.timezone).isoformat()
    await update.effective_message.reply_text(cards.stats_text(figures, settings.agents_language, day))


def _nps_figures(session, *, period_text: str | None, branch: str | None, settings: BotSettings):
    today = business_date(datetime.now(timezone.utc), settings.timezone)
    report = nps_report(session, period=parse_period(period_text, today=today), tz=settings.timezone, branch=branch)
    return report_text(report, settings.agents_language, tz=settings.timezone), nps_chart_png(report)


async def nps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nps [period] [branch]: the survey report as text and as a chart (2026-11, 90d, all; Shanghai)."""
    if await acting_agent(update, context) is None:
        return
    settings = _settings(context)
    words = _command_text(update.effective_message).split()
    period_text = next((w for w in words if w[:1].isdigit() or w.lower() == "all"), None)
    branch = " ".join(w for w in words if w != period_text) or None
    try:
        report, chart = await context.bot_data["store"].call(
            _nps_figures, period_text=period_text, branch=branch, settings=settings)
    except ValueError:
        await update.effective_message.reply_text(_t(context, "nps_usage"))
        return
    await update.effective_message.reply_text(report)
    await update.effective_message.reply_photo(chart, caption=_t(context, "nps_chart_caption"))


async def desk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/desk [open|close] [30m|2h]: see or change whether the desk is staffed."""
    agent = await acting_agent(update, context)
    if agent is None:
        return
    settings, now, store = _settings(context), datetime.now(timezone.utc), context.bot_data["store"]
    words = _command_text(update.effective_message).lower().split()
    action = words[0] if words else ""
    duration = parse_duration(words[1]) if len(words) > 1 else None
    if action in ("open", "close"):
        change = agent_desk.open_desk if action == "open" else agent_desk.close_desk
        await store.call(change, agent=agent, now=now, settings=settings, duration=duration)
    elif action:
        await update.effective_message.reply_text(_t(context, "desk_usage"))
        return
    schedule = await store.call(agent_desk.desk_schedule, settings=settings, now=now)
    await update.effective_message.reply_text(cards.desk_text(schedule, now, settings.agents_language))


def parse_duration(word: str) -> timedelta | None:
    """'30m', '2h', '90' (minutes) as a timedelta; None when unreadable."""
    word = word.strip().lower()
    unit = {"m": 1, "h": 60}.get(word[-1:], None)
    number = word[:-1] if unit else word
    if not number.isdigit() or int(number) == 0:
        return None
    return timedelta(minutes=int(number) * (unit or 1))
