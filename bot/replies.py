"""Turns Rasa's replies into Telegram messages (text, inline keyboards, images, share requests), and the bot's
own way of saying something: `say` sends and keeps it in the transcript."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.ext import ContextTypes

# Telegram allows at most 64 bytes of callback data; longer payloads are kept here and the
# button carries a short key instead.
CALLBACK_DATA_LIMIT = 64
LONG_PAYLOAD_PREFIX = "p:"
# Short titles (menus) go two to a row, long ones one per row so they stay readable on phones; a scale of
# numbers (0 to 10) goes six to a row.
SHORT_TITLE = 18
SCALE_PER_ROW = 6


async def say(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: str, **kwargs: Any) -> Message:
    """Send a message and keep it in the transcript."""
    sent = await context.bot.send_message(chat_id, message, **kwargs)
    await context.bot_data["store"].record(chat_id=chat_id, direction="out", sender="bot", text=message)
    return sent


def intent_payload(intent: str, **entities: Any) -> str:
    """A message that Rasa reads as an intent with entities, e.g. /share_location{"latitude": 1}."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def callback_data_for(payload: str, long_payloads: dict[str, str]) -> str:
    """The callback data for a button, storing payloads that are too long for Telegram."""
    if len(payload.encode()) <= CALLBACK_DATA_LIMIT:
        return payload
    key = LONG_PAYLOAD_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:16]
    long_payloads[key] = payload
    return key


def inline_keyboard(buttons: list[dict[str, Any]], long_payloads: dict[str, str]) -> InlineKeyboardMarkup:
    """Rasa buttons as an inline keyboard."""
    keys = [
        InlineKeyboardButton(b["title"], callback_data=callback_data_for(b["payload"], long_payloads))
        for b in buttons
    ]
    if all(b["title"].strip().isdigit() for b in buttons):
        per_row = SCALE_PER_ROW
    else:
        per_row = 2 if all(len(b["title"]) <= SHORT_TITLE for b in buttons) else 1
    return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])


def share_keyboard(custom: dict[str, Any]) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """A reply keyboard asking for the user's contact or location, from a custom payload."""
    if custom.get("remove_keyboard"):
        return ReplyKeyboardRemove()
    if title := custom.get("request_contact"):
        button = KeyboardButton(str(title), request_contact=True)
    elif title := custom.get("request_location"):
        button = KeyboardButton(str(title), request_location=True)
    else:
        return None
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def take_notices(answers: list[dict[str, Any]], kinds: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split off the custom payloads that tell the front end something (`{"notice": kind, ...}`) and are
    not for the user; the rest are answers to deliver."""
    notices = [a["custom"] for a in answers if (a.get("custom") or {}).get("notice") in kinds]
    return [a for a in answers if (a.get("custom") or {}).get("notice") not in kinds], notices


def merge_custom_parts(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's REST channel sends a response's `custom` part as a message of its own; put it back
    on the text it belongs to, so a share-contact keyboard arrives with its question."""
    merged: list[dict[str, Any]] = []
    for answer in answers:
        custom_only = answer.get("custom") and not (answer.get("text") or answer.get("image") or answer.get("buttons"))
        if custom_only and merged and "custom" not in merged[-1] and merged[-1].get("text"):
            merged[-1] = {**merged[-1], "custom": answer["custom"]}
        else:
            merged.append(answer)
    return merged


def button_title(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The title of the pressed button, to echo the choice into the chat."""
    if not markup:
        return None
    for row in markup.inline_keyboard:
        for key in row:
            if key.callback_data == data:
                return key.text
    return None
