"""In-memory state of the simulated Bot API: bots, chats, messages and files."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import io
import mimetypes
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from telegram_simulator.limits import FloodLimiter

BOT_ID = 7000000001
BOT_USERNAME = "motor_claims_bot"
BOT_FIRST_NAME = "Motor Claims"

# Telegram delivers every update type except these unless allowed_updates asks for them.
DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}

# PhotoSize longest sides Telegram generates ("s", "m", "x"); the original is always the last.
PHOTO_THUMB_SIDES = (90, 320, 800)

# A live location's live_period meaning "until stopped"; Location carries these fields only while live.
LIVE_FOREVER = 0x7FFFFFFF
LIVE_FIELDS = ("live_period", "heading", "proximity_alert_radius")


class ApiError(Exception):
    """An error answered to the bot exactly as Telegram would."""

    def __init__(self, description: str, code: int = 400, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.parameters = parameters  # Telegram's ResponseParameters, e.g. {"retry_after": 3}

    def answer(self) -> dict:
        """The error as the Bot API answers it."""
        answer: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            answer["parameters"] = self.parameters
        return answer


def bad_request(reason: str) -> ApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(f"Bad Request: {reason}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def now() -> int:
    """Unix time as Telegram dates are (live location expiry reads it here: tests may patch it)."""
    return int(time.time())


def bot_user() -> dict:
    """The bot's own User object (getMe answers more fields)."""
    return {"id": BOT_ID, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}


@dataclass
class FileEntry:
    """One stored file; file_path is what getFile returns and the download path."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # photo, document, sticker, voice
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    photo: list[dict] | None = None  # all sizes of the photo this file belongs to

    def as_file(self) -> dict:
        """The File object getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    """Files uploaded by the bot or sent by simulated users, addressable by file_id and path."""

    def __init__(self) -> None:
        self.by_id: dict[str, FileEntry] = {}
        self.by_path: dict[str, FileEntry] = {}
        self._count = 0

    def add(
        self, data: bytes, kind: str, *, file_name: str | None = None, mime_type: str | None = None
    ) -> FileEntry:
        """Store bytes and give them a fresh file_id (same bytes keep their file_unique_id)."""
        self._count += 1
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = (file_name and mimetypes.guess_type(file_name)[0]) or mime_type
        ext = _extension(kind, file_name, mime_type)
        folder = {"photo": "photos", "voice": "voice", "sticker": "stickers"}.get(kind, "documents")
        digest = hashlib.sha256(kind.encode() + data).hexdigest()
        entry = FileEntry(
            file_id=f"{_ID_PREFIX.get(kind, 'BQAC')}AgUAAxkBAAI{secrets.token_urlsafe(45)}",
            file_unique_id=f"AQAD{digest[:16]}",
            data=data,
            kind=kind,
            file_path=f"{folder}/file_{self._count}{ext}",
            mime_type=mime_type,
            file_name=file_name,
        )
        self.by_id[entry.file_id] = entry
        self.by_path[entry.file_path] = entry
        return entry

    def get(self, file_id: str) -> FileEntry:
        """The file with that id, or Telegram's error for an unknown one."""
        entry = self.by_id.get(file_id)
        if entry is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return entry

    def add_photo(self, data: bytes, *, strict: bool) -> list[dict]:
        """Store a photo as PhotoSizes, the largest with the original bytes."""
        sizes = _photo_sizes(data)
        if sizes is None:
            # Telegram refuses a bot's non-image upload; a simulated user's bytes may be anything.
            if strict:
                raise bad_request("IMAGE_PROCESS_FAILED")
            sizes = [(90, 68, data), (320, 240, data), (1280, 960, data)]
        photo = []
        for width, height, blob in sizes:
            entry = self.add(blob, "photo", mime_type="image/jpeg")
            photo.append(
                {
                    "file_id": entry.file_id,
                    "file_unique_id": entry.file_unique_id,
                    "file_size": len(blob),
                    "width": width,
                    "height": height,
                }
            )
        for size in photo:
            self.by_id[size["file_id"]].photo = photo
        return photo


_ID_PREFIX = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "sticker": "CAAC"}


def _extension(kind: str, file_name: str | None, mime_type: str | None) -> str:
    if kind == "photo":
        return ".jpg"
    if kind == "voice":
        return ".oga"
    if kind == "sticker":
        return ".webp"
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    return (mime_type and mimetypes.guess_extension(mime_type)) or ""


def _photo_sizes(data: bytes) -> list[tuple[int, int, bytes]] | None:
    """Thumbnails as Telegram makes them, plus the original; None if not an image."""
    try:
        from PIL import Image  # optional: reads dimensions and makes thumbnails
    except ImportError:
        return [(1280, 960, data)]
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:  # noqa: BLE001 - anything Pillow cannot read is "not an image"
        return None
    width, height = image.size
    sizes = []
    for side in PHOTO_THUMB_SIDES:
        if side < max(width, height):
            thumb = image.convert("RGB")
            thumb.thumbnail((side, side))
            out = io.BytesIO()
            thumb.save(out, "JPEG", quality=80)
            sizes.append((thumb.width, thumb.height, out.getvalue()))
    sizes.append((width, height, data))
    return sizes


@dataclass
class StoredMessage:
    """A message in a chat with what the simulator knows beyond the Telegram object."""

    message: dict
    by_bot: bool
    markup: dict | None = None  # reply_markup as sent: inline, reply keyboard, remove, force reply
    parse_mode: str | None = None
    history: list[dict] = field(default_factory=list)
    deleted: bool = False
    # A live location: live_period, heading, proximity_alert_radius (None if not given), stopped,
    # and positions [[latitude, longitude], ...] from the send through every edit.
    live: dict | None = None

    @property
    def service(self) -> bool:
        """Whether this is a service message (forum topic created/edited/closed...)."""
        return any(key.startswith("forum_topic_") for key in self.message)

    def live_active(self) -> bool:
        """Whether this live location can still be edited: not stopped, live_period not over."""
        live = self.live
        if live is None or live["stopped"]:
            return False
        return live["live_period"] == LIVE_FOREVER or now() - self.message["date"] < live["live_period"]

    def sync_live(self) -> None:
        """Location shows live_period (heading, proximity_alert_radius) only while live, as on Telegram."""
        if self.live is None or "location" not in self.message:
            return
        location = self.message["location"]
        for key in LIVE_FIELDS:
            location.pop(key, None)
        if self.live_active():
            location.update({key: self.live[key] for key in LIVE_FIELDS if self.live[key]})

    def live_view(self) -> dict | None:
        """The live location's state for the control API, or None if this is not one."""
        if self.live is None:
            return None
        location, live = self.message["location"], self.live
        forever = live["live_period"] == LIVE_FOREVER
        return {
            "latitude": location["latitude"], "longitude": location["longitude"],
            "horizontal_accuracy": location.get("horizontal_accuracy"),
            "live_period": live["live_period"], "heading": live["heading"],
            "proximity_alert_radius": live["proximity_alert_radius"],
            "stopped": live["stopped"], "active": self.live_active(),
            "expires_at": None if forever else self.message["date"] + live["live_period"],
            "positions": copy.deepcopy(live["positions"]),
        }

    def view(self) -> dict:
        """The message as the control API shows it to tests."""
        self.sync_live()
        view = copy.deepcopy(self.message)
        view.pop("reply_markup", None)
        view["reply_markup"] = copy.deepcopy(self.markup)
        view["parse_mode"] = self.parse_mode
        view["by_bot"] = self.by_bot
        view["deleted"] = self.deleted
        view["history"] = copy.deepcopy(self.history)
        view["live_location"] = self.live_view()
        return view


@dataclass
class ChatState:
    """One chat as one bot sees it: message ids are per chat and increasing."""

    info: dict  # the Chat object
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    topics: dict[int, dict] = field(default_factory=dict)
    members: dict[int, dict] = field(default_factory=dict)  # user id -> User
    administrators: set[int] = field(default_factory=set)
    next_message_id: int = 1
    blocked: bool = False  # the user blocked the bot: sends answer 403 until they write again

    def new_message_id(self) -> int:
        """Allocate the next message id."""
        self.next_message_id += 1
        return self.next_message_id - 1

    def add(self, message: dict, *, by_bot: bool, markup: dict | None = None,
            parse_mode: str | None = None) -> StoredMessage:
        """Store a message under its id."""
        stored = StoredMessage(message, by_bot, markup, parse_mode)
        self.messages[message["message_id"]] = stored
        return stored

    def find(self, message_id: int) -> StoredMessage | None:
        """A message that still exists (a live location shown as it is now)."""
        stored = self.messages.get(message_id)
        if stored is None or stored.deleted:
            return None
        stored.sync_live()
        return stored


@dataclass
class BotState:
    """Everything Telegram keeps per bot token."""

    token: str
    chats: dict[int, ChatState] = field(default_factory=dict)
    updates: list[dict] = field(default_factory=list)  # unconfirmed, oldest first
    allowed_updates: list[str] | None = None
    webhook: dict | None = None
    webhook_task: asyncio.Task | None = None
    commands: dict[str, list[dict]] = field(default_factory=dict)
    callback_queries: dict[str, dict] = field(default_factory=dict)
    poll_generation: int = 0
    polls_waiting: int = 0
    last_poll: float | None = None
    limits: FloodLimiter = field(default_factory=FloodLimiter)  # off unless POST /sim/limits
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Wake every long poll and webhook loop waiting on this bot."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float | None) -> None:
        """Wait until wake() or the timeout."""
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def accepts(self, update_type: str) -> bool:
        """Whether allowed_updates lets this update type through."""
        if self.allowed_updates:
            return update_type in self.allowed_updates
        return update_type not in DEFAULT_EXCLUDED_UPDATES

    def user(self, user_id: int) -> dict | None:
        """A user this bot has seen in any chat."""
        for chat in self.chats.values():
            if user_id in chat.members:
                return chat.members[user_id]
        return None

    def summary(self) -> dict[str, Any]:
        """The bot's connection state for the control API."""
        hook = self.webhook
        return {
            "token": self.token,
            "webhook_url": hook["url"] if hook else None,
            "polling": self.polls_waiting > 0,
            "last_poll": self.last_poll,
            "pending_update_count": len(self.updates),
            "allowed_updates": self.allowed_updates,
            "limits": self.limits.config.as_dict(),
        }
