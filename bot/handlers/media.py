"""Photos, documents, locations and contacts: handled here, then passed to Rasa as intents."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.conversation import Sender, converse, intent_payload, language_of, say
from bot.texts import text

logger = logging.getLogger(__name__)

ACCEPTED_DOCUMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf")


def pending_albums(context: ContextTypes.DEFAULT_TYPE) -> dict[str, int]:
    """Photos received per album (media_group_id) in this chat, not yet passed on."""
    return context.chat_data.setdefault("albums", {})


async def flush_album(sender: Sender, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pass waiting album photos to Rasa as one batch; a no-op when nothing waits."""
    albums = context.chat_data.get("albums") if context.chat_data is not None else None
    if not albums:
        return
    count = sum(albums.values())
    albums.clear()
    await converse(sender, context, intent_payload("upload_photos", photo_count=count))


async def on_album_timer(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The album has stopped growing: pass it on, in its turn within the chat."""
    sender: Sender = context.job.data
    async with context.application.update_processor.chat_lock(sender.chat_id):
        await flush_album(sender, context)


async def receive_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count one photo or accepted file; albums wait for their last photo."""
    sender = Sender.of(update)
    message = update.effective_message
    if message.caption:
        await context.bot_data["store"].record(
            chat_id=sender.chat_id, direction="in", sender="customer", text=message.caption
        )
    group = message.media_group_id
    if group is None:
        await flush_album(sender, context)
        await converse(sender, context, intent_payload("upload_photos", photo_count=1))
        return
    albums = pending_albums(context)
    albums[group] = albums.get(group, 0) + 1
    job_name = f"album:{sender.chat_id}:{group}"
    for job in context.job_queue.get_jobs_by_name(job_name):
        job.schedule_removal()
    context.job_queue.run_once(
        on_album_timer,
        context.bot_data["settings"].album_wait_seconds,
        data=sender,
        name=job_name,
        chat_id=sender.chat_id,
    )


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, alone or part of an album."""
    await receive_upload(update, context)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file: images and PDFs are accepted like photos, anything else is refused politely."""
    document = update.effective_message.document
    if (document.mime_type or "").lower() in ACCEPTED_DOCUMENT_TYPES:
        await receive_upload(update, context)
        return
    sender = Sender.of(update)
    await say(context, sender.chat_id, text("empty_document", await language_of(sender, context)))


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location, passed on with its coordinates."""
    sender = Sender.of(update)
    location = update.effective_message.location
    await flush_album(sender, context)
    await converse(
        sender,
        context,
        intent_payload("share_location", latitude=location.latitude, longitude=location.longitude),
    )


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice notes, videos and the like get a clear answer, not silence."""
    sender = Sender.of(update)
    await say(context, sender.chat_id, text("unsupported_media", await language_of(sender, context)))
