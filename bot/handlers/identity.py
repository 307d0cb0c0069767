"""Identity: the shared-contact check, /logout, and muting claim updates."""
from __future__ import annotations

from datetime import datetime, timezone

from telegram import Update
from telegram.ext import ContextTypes

from bot.replies import intent_payload, say
from bot.handlers.conversation import Sender, converse, language_of
from bot.handlers.media import file_uploads
from bot.texts import text
from claims.clock import minutes_until
from claims.services import chats, identity


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Check a shared contact against the policyholders; Rasa hears only the outcome."""
    sender = Sender.of(update)
    contact = update.effective_message.contact
    now = datetime.now(timezone.utc)
    result = await context.bot_data["store"].call(
        identity.verify_by_contact,
        chat_id=sender.chat_id,
        telegram_user_id=sender.user_id,
        contact_user_id=contact.user_id,
        phone=contact.phone_number,
        now=now,
        settings=context.bot_data["settings"],
    )
    entities: dict[str, object] = {"verification": result.outcome.value, "attempts_left": result.attempts_left}
    if result.locked_until:
        entities["locked_minutes"] = minutes_until(result.locked_until, now)
    await context.bot_data["flush_album"](sender, context)
    await converse(sender, context, intent_payload("share_contact", **entities))
    if result.outcome.value == "verified" and context.chat_data.get("unfiled_uploads"):
        await file_uploads(sender, context, [])  # photos sent before the check, filed now


async def logout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unlink this Telegram account from the policyholder."""
    sender = Sender.of(update)
    unlinked = await context.bot_data["store"].call(identity.logout, telegram_user_id=sender.user_id)
    language = await language_of(sender, context)
    await say(context, sender.chat_id, text("logged_out" if unlinked else "not_logged_in", language))


async def mute_updates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop proactive claim updates in this chat."""
    await _set_muted(update, context, True)


async def unmute_updates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Resume proactive claim updates in this chat."""
    await _set_muted(update, context, False)


async def surveys(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/surveys off` or `/surveys on`: whether satisfaction surveys are sent to this chat."""
    sender = Sender.of(update)
    language = await language_of(sender, context)
    choice = (context.args[0].lower() if context.args else "")
    if choice not in ("on", "off"):
        off = await context.bot_data["store"].call(chats.surveys_off, chat_id=sender.chat_id)
        state = text("surveys_state_off" if off else "surveys_state_on", language)
        await say(context, sender.chat_id, text("surveys_usage", language).format(state=state))
        return
    await context.bot_data["store"].call(chats.set_surveys_off, chat_id=sender.chat_id, off=choice == "off")
    await say(context, sender.chat_id, text("surveys_off" if choice == "off" else "surveys_on", language))


async def _set_muted(update: Update, context: ContextTypes.DEFAULT_TYPE, muted: bool) -> None:
    sender = Sender.of(update)
    await context.bot_data["store"].call(chats.set_updates_muted, chat_id=sender.chat_id, muted=muted)
    await say(context, sender.chat_id, text("updates_muted" if muted else "updates_unmuted", await language_of(sender, context)))
