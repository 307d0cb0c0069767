"""Photos, documents, locations and contacts.

Photos and files go straight onto the customer's open claim (claims.services.documents checks and
stores them); the reply says what came in, what was refused and why, and what to send next. Locations
go to Rasa as an intent with their coordinates.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.replies import intent_payload, say
from bot.handlers.conversation import Sender, converse, language_of
from bot.texts import text
from claims import wording
from claims.services import documents
from claims.services.documents import CustomerIntake, IncomingFile, UploadProblem
from claims.stages import ClaimStage

logger = logging.getLogger(__name__)

# Kept for a customer who sends photos before the identity check, and filed once they pass it.
MAX_UNFILED_UPLOADS = 30


@dataclass(frozen=True)
class Upload:
    """A photo or file as Telegram announced it (downloaded only when it is filed)."""

    file_id: str
    file_size: int | None


def pending_albums(context: ContextTypes.DEFAULT_TYPE) -> dict[str, list[Upload]]:
    """Files received per album (media_group_id) in this chat, not yet filed."""
    return context.chat_data.setdefault("albums", {})


async def flush_album(sender: Sender, context: ContextTypes.DEFAULT_TYPE) -> None:
    """File waiting album photos as one batch; a no-op when nothing waits."""
    albums = context.chat_data.get("albums") if context.chat_data is not None else None
    if not albums:
        return
    uploads = [upload for album in albums.values() for upload in album]
    albums.clear()
    await file_uploads(sender, context, uploads)


async def on_album_timer(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The album has stopped growing: file it, in its turn within the chat."""
    sender: Sender = context.job.data
    async with context.application.update_processor.chat_lock(sender.chat_id):
        await flush_album(sender, context)


async def download(context: ContextTypes.DEFAULT_TYPE, upload: Upload) -> bytes:
    """The file's bytes from the Bot API."""
    telegram_file = await context.bot.get_file(upload.file_id)
    return bytes(await telegram_file.download_as_bytearray())


async def file_uploads(sender: Sender, context: ContextTypes.DEFAULT_TYPE, uploads: list[Upload]) -> None:
    """Download the files, file them on the customer's open claim, and say where the checklist stands."""
    settings, store = context.bot_data["settings"], context.bot_data["store"]
    uploads = context.chat_data.pop("unfiled_uploads", []) + uploads
    language = await language_of(sender, context)
    problems: dict[int, UploadProblem] = {}
    files: list[IncomingFile] = []
    positions: list[int] = []  # the customer's numbering of each downloaded file
    try:
        for position, upload in enumerate(uploads, start=1):
            if upload.file_size and upload.file_size > settings.max_upload_bytes:
                problems[position] = UploadProblem.too_large  # not even downloaded
                continue
            files.append(IncomingFile(content=await download(context, upload), telegram_file_id=upload.file_id))
            positions.append(position)
    except TelegramError:
        logger.warning("could not download an upload in chat %s", sender.chat_id, exc_info=True)
        await say(context, sender.chat_id, text("upload_failed", language))
        return
    intake: CustomerIntake = await store.call(
        documents.receive_customer_files, telegram_user_id=sender.user_id, files=files, settings=settings,
        now=datetime.now(timezone.utc),
    )
    if intake.outcome != "filed":
        if intake.outcome == "needs_verification":
            context.chat_data["unfiled_uploads"] = uploads[-MAX_UNFILED_UPLOADS:]
        # Rasa asks for the identity check, or says there is no open claim to add photos to.
        await converse(sender, context, intent_payload("upload_photos"))
        return
    for rejection in intake.result.rejected:
        problems[positions[rejection.position]] = rejection.problem
    await say(context, sender.chat_id, intake_reply(intake, problems, language, settings.max_upload_bytes))


def intake_reply(intake: CustomerIntake, problems: dict[int, UploadProblem], language: str, max_bytes: int) -> str:
    """What came in, what was refused and why, and what comes next."""
    result, lines = intake.result, []
    if result.accepted:
        lines.append(text("upload_received", language).format(items=wording.checklist_text(result.accepted, language)))
    for position, problem in sorted(problems.items()):
        lines.append(text(f"upload_{problem.value}", language).format(position=position, max_mb=max_bytes // 2**20))
    progress = result.progress
    if not progress.complete:
        lines.append(text("upload_progress", language).format(
            claim_number=intake.claim_number, received=len(progress.received), total=len(progress.required),
            next_item=wording.checklist_label(progress.next_item, language)))
    elif result.accepted:
        lines.append(text("upload_complete", language).format(claim_number=intake.claim_number))
        if result.moved_to is not None:
            lines.append(text("upload_moved_fast_track", language) if intake.fast_track and
                         result.moved_to is ClaimStage.loss_assessment else
                         text("upload_moved", language).format(stage=wording.stage_label(result.moved_to, language)))
    return "\n".join(lines)


async def receive_upload(update: Update, context: ContextTypes.DEFAULT_TYPE, upload: Upload) -> None:
    """File one photo or file now; album parts wait for the album's last one."""
    sender = Sender.of(update)
    message = update.effective_message
    if message.caption:
        await context.bot_data["store"].record(
            chat_id=sender.chat_id, direction="in", sender="customer", text=message.caption
        )
    group = message.media_group_id
    if group is None:
        await flush_album(sender, context)
        await file_uploads(sender, context, [upload])
        return
    pending_albums(context).setdefault(group, []).append(upload)
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
    """A photo, alone or part of an album (the largest size Telegram offers)."""
    photo = update.effective_message.photo[-1]
    await receive_upload(update, context, Upload(photo.file_id, photo.file_size))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file: judged by its content when filed, whatever its name or declared type."""
    document = update.effective_message.document
    await receive_upload(update, context, Upload(document.file_id, document.file_size))


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
