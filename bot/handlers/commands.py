"""Slash commands: /start, /help, /language, /cancel, /agent, and unknown ones."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.replies import intent_payload, say
from bot.handlers.conversation import Sender, converse, language_of
from bot.texts import text

LANGUAGE_CHOICES = {"en": "English", "zh": "中文"}
LANGUAGE_CALLBACK_PREFIX = "lang:"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with the main menu."""
    await converse(Sender.of(update), context, intent_payload("greet"))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop whatever is in progress."""
    await converse(Sender.of(update), context, intent_payload("cancel"))


async def agent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for a person."""
    await converse(Sender.of(update), context, intent_payload("request_human"))


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch language: `/language zh` directly, or choose from buttons."""
    sender = Sender.of(update)
    choice = (context.args or [""])[0].lower()[:2]
    if choice in LANGUAGE_CHOICES:
        await set_language(sender, context, choice)
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(name, callback_data=LANGUAGE_CALLBACK_PREFIX + code) for code, name in LANGUAGE_CHOICES.items()]]
    )
    await say(context, sender.chat_id, text("choose_language", await language_of(sender, context)), reply_markup=keyboard)


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language chosen from the /language buttons."""
    query = update.callback_query
    await query.answer()
    choice = query.data.removeprefix(LANGUAGE_CALLBACK_PREFIX)
    if choice in LANGUAGE_CHOICES:
        await query.edit_message_reply_markup(None)
        await set_language(Sender.of(update), context, choice)


async def set_language(sender: Sender, context: ContextTypes.DEFAULT_TYPE, choice: str) -> None:
    """Store the choice; the next message to Rasa carries it into the `language` slot."""
    await context.bot_data["store"].set_language(chat_id=sender.chat_id, language=choice)
    context.chat_data["language"] = choice
    await say(context, sender.chat_id, text("language_set", choice))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain the commands instead of ignoring an unknown one."""
    sender = Sender.of(update)
    await say(context, sender.chat_id, text("unknown_command", await language_of(sender, context)))
