"""Text and button presses go to Rasa; Rasa's replies come back to the user."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import replies, roadside
from bot.replies import say
from bot.rasa_client import RasaUnavailable
from bot.texts import text
from claims.languages import written_language
from claims.roadside.notices import ROADSIDE_REQUESTED

logger = logging.getLogger(__name__)

TELEGRAM_TEXT_LIMIT = 4096
# The parts of a split paste arrive within a second or two of each other.
SPLIT_PART_SECONDS = 10

# Sent by an action that failed (actions/base.py); the front end apologises in its own words.
ACTION_FAILED = "action_failed"
# Sent by the handoff actions with the case's id, for the agents' console (bot/agent_desk/topics.py).
DESK_NOTICES = {"handoff_requested", "handoff_withdrawn"}
# chat_data: a share keyboard ("Send my location") is up, to be taken away once its question is answered.
REPLY_KEYBOARD_SHOWN = "reply_keyboard_shown"


@dataclass(frozen=True)
class Sender:
    """Who a message to Rasa is from: enough to address the reply and pick the language."""

    chat_id: int
    user_id: int | None
    language_code: str | None
    chat_type: str = "private"
    first_name: str | None = None  # shown to agents when the customer is not verified

    @classmethod
    def of(cls, update: Update) -> Sender:
        """The sender of an update."""
        user = update.effective_user
        return cls(
            chat_id=update.effective_chat.id,
            user_id=user.id if user else None,
            language_code=user.language_code if user else None,
            chat_type=update.effective_chat.type,
            first_name=user.full_name if user else None,
        )




async def language_of(sender: Sender, context: ContextTypes.DEFAULT_TYPE, message: str | None = None) -> str:
    """The chat's language, cached in chat_data and kept in the store; a message written in the other language
    switches it (unless the customer chose one with /language)."""
    cached = context.chat_data.get("language") if context.chat_data is not None else None
    written = written_language(message) if message else None
    if cached and (written is None or written.value == cached):
        return cached
    language = await context.bot_data["store"].language_for(
        chat_id=sender.chat_id, telegram_user_id=sender.user_id, language_code=sender.language_code, written=written
    )
    if context.chat_data is not None:
        context.chat_data["language"] = language
    return language


async def deliver(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: dict[str, Any],
                  remove_keyboard: bool = False) -> Message | None:
    """Send one of Rasa's replies: text with buttons, an image, or a share request; returns the last message.

    `remove_keyboard` takes away the reply keyboard of the question just answered (a "Send my location" button
    has no place under the next question).
    """
    custom = reply.get("custom") or {}
    if custom.get("notice") == ACTION_FAILED:
        return await say(context, chat_id, text("error", (context.chat_data or {}).get("language", "en")),
                         reply_markup=ReplyKeyboardRemove() if remove_keyboard else None)
    inline = replies.inline_keyboard(reply["buttons"], context.bot_data["long_payloads"]) if reply.get("buttons") else None
    share = replies.share_keyboard(custom) if custom else None
    if share is None and remove_keyboard:
        share = ReplyKeyboardRemove()
    if context.chat_data is not None and share is not None:
        context.chat_data[REPLY_KEYBOARD_SHOWN] = isinstance(share, ReplyKeyboardMarkup)
    message = reply.get("text") or custom.get("text")
    sent = None
    if reply.get("image"):
        sent = await context.bot.send_photo(chat_id, reply["image"], caption=message, reply_markup=share or inline)
    elif message:
        sent = await say(context, chat_id, message, reply_markup=share or inline)
    if inline and share:  # one message carries one keyboard: the buttons follow on their own
        sent = await say(context, chat_id, custom.get("buttons_text") or "⬇️", reply_markup=inline)
    return sent


def keyboard_goes_with(answers: list[dict[str, Any]]) -> int | None:
    """Which answer takes the shown reply keyboard away: the first that brings no keyboard of its own; None when
    one of them brings a new share keyboard (it replaces the old one)."""
    if any(replies.share_keyboard(a.get("custom") or {}) for a in answers):
        return None
    plain = [i for i, a in enumerate(answers) if not a.get("buttons") and (a.get("text") or a.get("image"))]
    return plain[0] if plain else (0 if answers else None)


async def converse(sender: Sender, context: ContextTypes.DEFAULT_TYPE, message: str) -> None:
    """Send a message to Rasa on the sender's behalf and deliver the answers."""
    language = await language_of(sender, context, message)
    metadata = {
        "chat_id": sender.chat_id,
        "telegram_user_id": sender.user_id,
        "language": language,
        "chat_type": sender.chat_type,
        "first_name": sender.first_name,
    }
    await context.bot.send_chat_action(sender.chat_id, ChatAction.TYPING)
    try:
        answers = await context.bot_data["rasa"].send(str(sender.chat_id), message, metadata)
    except RasaUnavailable as error:
        logger.warning("Rasa unavailable: %s", error)
        await say(context, sender.chat_id, text("unavailable", language))
        return
    answers, notices = replies.take_notices(answers, DESK_NOTICES | {ROADSIDE_REQUESTED})
    if not answers:  # never leave the user in silence
        logger.warning("Rasa gave no answer to an update in chat %s", sender.chat_id)
        await say(context, sender.chat_id, text("error", language))
    answers = replies.merge_custom_parts(answers)
    remover = keyboard_goes_with(answers) if (context.chat_data or {}).get(REPLY_KEYBOARD_SHOWN) else None
    for index, answer in enumerate(answers):
        await deliver(context, sender.chat_id, answer, remove_keyboard=index == remover)
    for notice in notices:  # after the customer has been answered
        if notice["notice"] == ROADSIDE_REQUESTED:
            await roadside.on_roadside_notice(context.application, notice)
        else:
            await context.bot_data["on_desk_notice"](context.application, notice)


def continues_a_split_message(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Telegram apps split a long paste into 4096-character messages sent back to back.

    Parts after the first are kept but not answered again: the first part's answer covers them.
    """
    previous = context.chat_data.get("split_message_at")
    context.chat_data["split_message_at"] = message.date if len(message.text) >= TELEGRAM_TEXT_LIMIT else None
    return previous is not None and (message.date - previous).total_seconds() <= SPLIT_PART_SECONDS


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed message: to Rasa, unless it is far too long to be a request."""
    sender = Sender.of(update)
    message = update.effective_message.text
    await context.bot_data["store"].record(chat_id=sender.chat_id, direction="in", sender="customer", text=message)
    if continues_a_split_message(update.effective_message, context):
        return
    if len(message) > context.bot_data["settings"].max_message_chars:
        await say(context, sender.chat_id, text("too_long", await language_of(sender, context, message[:1000])))
        return
    await context.bot_data["flush_album"](sender, context)
    await converse(sender, context, message)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button: echo the choice, then send its payload to Rasa."""
    query = update.callback_query
    if update.effective_chat is None or update.effective_chat.type != update.effective_chat.PRIVATE:
        await query.answer()
        return
    await query.answer()
    sender = Sender.of(update)
    data = query.data or ""
    payload = context.bot_data["long_payloads"].get(data) if data.startswith(replies.LONG_PAYLOAD_PREFIX) else data
    if not payload:
        await say(context, sender.chat_id, text("button_expired", await language_of(sender, context)))
        return
    title = replies.button_title(query.message.reply_markup if query.message else None, data)
    if title and query.message and query.message.text:
        try:  # keep the question, drop the keyboard, show what was chosen
            await query.edit_message_text(f"{query.message.text}\n\n» {title}")
        except BadRequest:
            logger.debug("could not edit the pressed message", exc_info=True)
    await context.bot_data["store"].record(
        chat_id=sender.chat_id, direction="in", sender="customer", text=title or payload
    )
    await converse(sender, context, payload)
