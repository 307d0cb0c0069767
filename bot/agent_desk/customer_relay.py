"""The customer's side of a handoff: their messages reach the case topic, in order, and none is lost.

Runs before the bot's own handlers. While the case waits in the queue, messages are copied to the topic
and the bot keeps helping; once an agent owns the case, messages go only to the agent.
"""
from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import replies
from bot.agent_desk.topics import desk_enabled
from bot.settings import BotSettings
from claims.enums import HandoffStatus
from claims.services import handoffs
from claims.services.handoffs import CaseRoute

logger = logging.getLogger(__name__)

CUSTOMER_MARK = "💬"
# Commands the bot still answers while an agent has the conversation.
BOT_COMMANDS_DURING_HANDOFF = ("/language",)


async def on_customer_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Copy the update to the case topic; stop the bot from answering while an agent owns the case."""
    settings: BotSettings = context.bot_data["settings"]
    chat = update.effective_chat
    if not desk_enabled(settings) or chat is None or chat.type != chat.PRIVATE:
        return
    route = await context.bot_data["store"].call(handoffs.route_for_chat, chat_id=chat.id)
    if route is None or route.topic_id is None:
        return  # no case, or its topic is still being opened (the card's transcript will show this)
    owned = route.status is HandoffStatus.assigned
    if update.callback_query is not None:
        if owned:
            await relay_button(update, context, route)
            raise ApplicationHandlerStop
        return
    message = update.effective_message
    if message is None:
        return
    if owned and (message.text or "").startswith(BOT_COMMANDS_DURING_HANDOFF):
        return
    relayed = await copy_to_topic(context, message, route, settings)
    if owned and relayed:
        await context.bot_data["store"].record(
            chat_id=chat.id, direction="in", sender="customer", text=describe(message))
        raise ApplicationHandlerStop


async def copy_to_topic(context: ContextTypes.DEFAULT_TYPE, message: Message, route: CaseRoute,
                        settings: BotSettings) -> bool:
    """The customer's message in the case topic: text marked as theirs, anything else copied as sent."""
    try:
        if message.text is not None:
            await context.bot.send_message(settings.agents_chat_id, f"{CUSTOMER_MARK} {message.text}",
                                           message_thread_id=route.topic_id)
        else:
            caption = f"{CUSTOMER_MARK} {message.caption}" if message.caption else None
            await context.bot.copy_message(settings.agents_chat_id, message.chat_id, message.message_id,
                                           message_thread_id=route.topic_id, caption=caption)
    except TelegramError:
        # The bot answers instead, so the customer is never left without a reply.
        logger.warning("could not relay a message of case %s to its topic", route.handoff_id, exc_info=True)
        return False
    return True


async def relay_button(update: Update, context: ContextTypes.DEFAULT_TYPE, route: CaseRoute) -> None:
    """An old bot button pressed while an agent has the chat: the agent sees the choice."""
    query = update.callback_query
    await query.answer()
    title = replies.button_title(query.message.reply_markup if query.message else None, query.data or "")
    choice = f"» {title or query.data}"
    settings: BotSettings = context.bot_data["settings"]
    try:
        await context.bot.send_message(settings.agents_chat_id, f"{CUSTOMER_MARK} {choice}",
                                       message_thread_id=route.topic_id)
    except TelegramError:
        logger.warning("could not relay a button press of case %s", route.handoff_id, exc_info=True)
    await context.bot_data["store"].record(chat_id=route.chat_id, direction="in", sender="customer", text=choice)


def describe(message: Message) -> str:
    """A message as the transcript keeps it: its text, or what was sent and its caption."""
    if message.text is not None:
        return message.text
    kinds = ("photo", "document", "location", "contact", "sticker", "voice", "video", "audio", "video_note")
    kind = next((k for k in kinds if getattr(message, k, None)), "message")
    return f"[{kind}] {message.caption}" if message.caption else f"[{kind}]"
