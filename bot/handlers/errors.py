"""The global error handler: log the error, and never leave the user without an answer."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.texts import text

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception with the update's ids (no message content) and apologise."""
    chat = update.effective_chat if isinstance(update, Update) else None
    logger.error(
        "error handling update %s in chat %s",
        getattr(update, "update_id", None),
        chat.id if chat else None,
        exc_info=context.error,
    )
    if chat is None:
        return
    language = (context.chat_data or {}).get("language", "en") if context.chat_data is not None else "en"
    try:
        await context.bot.send_message(chat.id, text("error", language))
    except Exception:  # the apology itself failed (e.g. Telegram unreachable): already logged
        logger.warning("could not send the apology to chat %s", chat.id)
