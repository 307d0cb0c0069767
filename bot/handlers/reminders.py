"""`/reminders`: each kind of reminder with an on/off button; `/reminders off` and `/reminders on` for all."""
from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.handlers.conversation import Sender, language_of
from bot.replies import say
from bot.texts import text
from claims.enums import ReminderKind
from claims.services import chats

logger = logging.getLogger(__name__)

CALLBACK_PREFIX = "reminders:"  # reminders:<kind>:<on|off>, the state the button asks for


def reminder_keyboard(choices: dict[ReminderKind, bool], language: str) -> InlineKeyboardMarkup:
    """One button per kind, showing its state; pressing asks for the other state."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        f"{'✅' if on else '🔕'} {text(f'reminder_kind_{kind.value}', language)}",
        callback_data=f"{CALLBACK_PREFIX}{kind.value}:{'off' if on else 'on'}",
    )] for kind, on in choices.items()])


async def show_reminders(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chat's reminder choices as buttons; `off` / `on` switches every kind at once."""
    sender = Sender.of(update)
    language = await language_of(sender, context)
    store = context.bot_data["store"]
    choice = context.args[0].lower() if context.args else ""
    if choice in ("on", "off"):
        for kind in ReminderKind:
            await store.call(chats.set_reminder, chat_id=sender.chat_id, kind=kind, enabled=choice == "on")
        await say(context, sender.chat_id, text(f"reminders_all_{choice}", language))
        return
    choices = await store.call(chats.reminder_choices, chat_id=sender.chat_id)
    await say(context, sender.chat_id, text("reminders_intro", language),
              reply_markup=reminder_keyboard(choices, language))


def _parse(data: str) -> tuple[ReminderKind, bool] | None:
    """(kind, on) from callback data, or None for anything the bot never offered."""
    parts = data.removeprefix(CALLBACK_PREFIX).split(":")
    if len(parts) != 2 or parts[1] not in ("on", "off"):
        return None
    try:
        return ReminderKind(parts[0]), parts[1] == "on"
    except ValueError:
        return None


async def on_reminder_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reminder button: switch that kind and show the new state in the same message."""
    query = update.callback_query
    await query.answer()
    if update.effective_chat is None or update.effective_chat.type != update.effective_chat.PRIVATE:
        return
    sender = Sender.of(update)
    language = await language_of(sender, context)
    parsed = _parse(query.data or "")
    if parsed is None:
        await say(context, sender.chat_id, text("button_expired", language))
        return
    kind, on = parsed
    choices = await context.bot_data["store"].call(chats.set_reminder, chat_id=sender.chat_id, kind=kind, enabled=on)
    try:
        await query.edit_message_reply_markup(reply_markup=reminder_keyboard(choices, language))
    except BadRequest:  # the message is too old to edit, or unchanged: say it instead
        logger.debug("could not edit the reminders message", exc_info=True)
        await say(context, sender.chat_id, text("reminders_intro", language),
                  reply_markup=reminder_keyboard(choices, language))
