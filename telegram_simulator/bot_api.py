"""Bot API methods as Telegram answers them, over the simulator's in-memory state."""

from __future__ import annotations

import asyncio
import copy
import json
import math
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

import aiohttp

from telegram_simulator import formatting
from telegram_simulator.store import (
    BOT_ID,
    LIVE_FIELDS,
    LIVE_FOREVER,
    ApiError,
    BotState,
    ChatState,
    FileEntry,
    StoredMessage,
    bad_request,
    bot_user,
    now,
)

if TYPE_CHECKING:
    from telegram_simulator.server import BotApiSimulator

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}
# Parameters Telegram reads as JSON-serialized objects (PTB form-encodes them as JSON strings).
JSON_PARAMS = {
    "reply_markup", "reply_parameters", "entities", "caption_entities", "allowed_updates",
    "commands", "scope", "media", "link_preview_options",
}
# Message fields that carry content, copied by copyMessage / forwardMessage.
CONTENT_FIELDS = (
    "text", "entities", "photo", "document", "location", "contact", "sticker", "voice",
    "caption", "caption_entities",
)
# Live locations: Telegram's limits (seconds, degrees, meters).
LIVE_PERIOD_RANGE = (60, 86400)
LIVE_EXTEND_MAX = 86400  # an edit may extend live_period by at most a day...
LIVE_EXPIRY_MAX = 90 * 86400  # ...and the expiry must stay within the next 90 days
MAX_HEADING = 360
MAX_PROXIMITY_ALERT_RADIUS = 100000
MAX_HORIZONTAL_ACCURACY = 1500.0  # larger values are clamped, not refused
# Content Telegram can edit, so editMessageLiveLocation says "no live location" rather than "can't be edited".
EDITABLE_CONTENT = ("text", "photo", "document", "voice")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
# Real methods this bot may call that need no simulated behaviour beyond answering True.
ACCEPTED_NO_OPS = (
    "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
    "setMyDefaultAdministratorRights", "pinChatMessage", "unpinChatMessage",
)


@dataclass
class Upload:
    """A file part of a multipart request."""

    data: bytes
    file_name: str | None
    mime_type: str | None


class Params:
    """Request parameters with Telegram's lenient typing (form values are all strings)."""

    def __init__(self, raw: dict[str, Any], files: dict[str, Upload]) -> None:
        self.raw = raw
        self.files = files

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str, *, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} is empty")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, *, required: bool = False) -> int | None:
        return self._number(name, int, required=required)

    def float(self, name: str, *, required: bool = False) -> float | None:
        return self._number(name, float, required=required)

    def _number(self, name: str, kind: type, *, required: bool):
        """A numeric parameter, with Telegram's errors for empty and malformed values."""
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value) if value else None
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


def decode_json_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Parameters with JSON-serialized values decoded, for the call log."""
    decoded = dict(raw)
    for name in JSON_PARAMS & raw.keys():
        if isinstance(raw[name], str):
            try:
                decoded[name] = json.loads(raw[name])
            except ValueError:
                pass
    return decoded


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class BotApi:
    """The Bot API methods; handler(name) finds one case-insensitively like Telegram."""

    METHODS = (
        "getMe", "logOut", "close", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
        "sendMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup",
        "editMessageLiveLocation", "stopMessageLiveLocation", "deleteMessage",
        "answerCallbackQuery", "sendPhoto", "sendDocument", "sendLocation", "sendMediaGroup",
        "sendChatAction", "getFile", "setMyCommands", "getMyCommands", "deleteMyCommands",
        "getChat", "getChatMember", "copyMessage", "forwardMessage", "createForumTopic",
        "editForumTopic", "closeForumTopic", "reopenForumTopic",
    )

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim
        self._handlers: dict[str, tuple[str, Callable[[BotState, Params], Awaitable[Any]]]] = {
            name.lower(): (name, getattr(self, _snake(name))) for name in self.METHODS
        }
        for name in ACCEPTED_NO_OPS:
            self._handlers[name.lower()] = (name, self._accept)

    def handler(self, name: str) -> tuple[str, Callable[[BotState, Params], Awaitable[Any]]] | None:
        """(canonical name, coroutine function) for a method name, or None if unknown."""
        return self._handlers.get(name.lower())

    async def _accept(self, bot: BotState, p: Params) -> bool:
        return True

    # --- bot and updates ---------------------------------------------------------------

    async def get_me(self, bot: BotState, p: Params) -> dict:
        return {
            **bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, bot: BotState, p: Params) -> bool:
        return True

    async def close(self, bot: BotState, p: Params) -> bool:
        return True

    async def get_updates(self, bot: BotState, p: Params) -> list[dict]:
        if bot.webhook:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first", 409,
            )
        offset = p.int("offset")
        limit = min(max(p.int("limit") or 100, 1), 100)
        timeout = max(p.float("timeout") or 0.0, 0.0)
        if "allowed_updates" in p.raw:
            bot.allowed_updates = p.json("allowed_updates") or None
        if offset is not None:
            self.sim.confirm_updates(bot, offset)
        # A newer getUpdates ends an older one waiting, as Telegram does.
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.wake()
        bot.last_poll = time.time()
        deadline = asyncio.get_running_loop().time() + timeout
        bot.polls_waiting += 1
        try:
            while True:
                if generation != bot.poll_generation:
                    raise ApiError(
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running", 409,
                    )
                if bot.webhook:
                    raise ApiError("Conflict: terminated by setWebhook request", 409)
                remaining = deadline - asyncio.get_running_loop().time()
                if bot.updates or remaining <= 0 or self.sim.closing:
                    return copy.deepcopy(bot.updates[:limit])
                await bot.wait(remaining)
        finally:
            bot.polls_waiting -= 1

    async def set_webhook(self, bot: BotState, p: Params) -> bool:
        url = p.str("url") or ""
        if not url:
            return await self.delete_webhook(bot, p)
        # Telegram demands HTTPS; the simulator accepts http:// so a local bot can be the target.
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        if p.bool("drop_pending_updates"):
            bot.updates.clear()
        if "allowed_updates" in p.raw:
            bot.allowed_updates = p.json("allowed_updates") or None
        previous = bot.webhook or {}
        bot.webhook = {
            "url": url,
            "secret_token": p.str("secret_token"),
            "max_connections": p.int("max_connections") or 40,
            "ip_address": p.str("ip_address") or "127.0.0.1",
            "last_error_date": previous.get("last_error_date") if previous.get("url") == url else None,
            "last_error_message": previous.get("last_error_message") if previous.get("url") == url else None,
        }
        self.sim.start_webhook_delivery(bot)
        bot.wake()
        return True

    async def delete_webhook(self, bot: BotState, p: Params) -> bool:
        if p.bool("drop_pending_updates"):
            bot.updates.clear()
        bot.webhook = None
        bot.wake()
        return True

    async def get_webhook_info(self, bot: BotState, p: Params) -> dict:
        info: dict[str, Any] = {
            "url": "", "has_custom_certificate": False, "pending_update_count": len(bot.updates),
        }
        if bot.webhook:
            hook = bot.webhook
            info.update(url=hook["url"], max_connections=hook["max_connections"],
                        ip_address=hook["ip_address"])
            if hook["last_error_date"]:
                info.update(last_error_date=hook["last_error_date"],
                            last_error_message=hook["last_error_message"])
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
        return info

    # --- sending ------------------------------------------------------------------------

    async def send_message(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        text, entities = self._text(p, "text", "entities", MAX_TEXT, "message is too long")
        if not text.strip():
            raise bad_request("message text is empty")
        content = {"text": text, **({"entities": entities} if entities else {})}
        if p.json("link_preview_options"):
            content["link_preview_options"] = p.json("link_preview_options")
        return self._post(bot, chat, p, content).message

    async def send_photo(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        content = self._caption(p)
        content["photo"] = await self._photo(p, "photo")
        return self._post(bot, chat, p, content).message

    async def send_document(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        content = self._caption(p)
        content["document"] = _document(await self._file(p, "document", "document"))
        return self._post(bot, chat, p, content).message

    async def send_location(self, bot: BotState, p: Params) -> dict:
        """A location; with live_period a live location the bot can edit until it expires or is stopped."""
        chat = self._chat(bot, p)
        location = self._location(p)
        live_period = p.int("live_period") or 0
        low, high = LIVE_PERIOD_RANGE
        if live_period and live_period != LIVE_FOREVER and not low <= live_period <= high:
            raise bad_request("wrong live location period specified")
        heading, radius = self._heading_and_radius(p)
        stored = self._post(bot, chat, p, {"location": location})
        if live_period:
            stored.live = {
                "live_period": live_period, "heading": heading, "proximity_alert_radius": radius,
                "stopped": False, "positions": [[location["latitude"], location["longitude"]]],
            }
            stored.sync_live()
        return stored.message

    async def send_media_group(self, bot: BotState, p: Params) -> list[dict]:
        chat = self._chat(bot, p)
        media = p.json("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the album: must be between 2 and 10")
        kinds = {item.get("type") for item in media if isinstance(item, dict)}
        if not kinds <= {"photo", "document"} or len(kinds) != 1:
            raise bad_request("media group must contain only photos or only documents")
        group_id = str(secrets.randbelow(10**18))
        contents = []
        for item in media:  # resolve every file first so a bad item sends nothing
            item_params = Params(item, p.files)
            content = self._caption(item_params)
            if item["type"] == "photo":
                content["photo"] = await self._photo(item_params, "media")
            else:
                content["document"] = _document(await self._file(item_params, "media", "document"))
            contents.append({**content, "media_group_id": group_id})
        no_markup = Params({k: v for k, v in p.raw.items() if k != "reply_markup"}, p.files)
        return [self._post(bot, chat, no_markup, content).message for content in contents]

    async def send_chat_action(self, bot: BotState, p: Params) -> bool:
        self._chat(bot, p)
        if p.str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def copy_message(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        source = self._source_message(bot, p)
        content = _copied_content(source.message)
        if "caption" in p and ("photo" in content or "document" in content):
            content.pop("caption_entities", None)
            content.update(self._caption(p))
        return {"message_id": self._post(bot, chat, p, content).message["message_id"]}

    async def forward_message(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        source = self._source_message(bot, p)
        original = source.message
        content = _copied_content(original)
        content["forward_origin"] = {
            "type": "user", "date": original["date"], "sender_user": copy.deepcopy(original["from"]),
        }
        no_markup = Params({k: v for k, v in p.raw.items() if k != "reply_markup"}, p.files)
        return self._post(bot, chat, no_markup, content).message

    # --- editing ------------------------------------------------------------------------

    async def edit_message_text(self, bot: BotState, p: Params) -> dict:
        _, stored = self._editable(bot, p)
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(p, "text", "entities", MAX_TEXT, "message is too long")
        if not text.strip():
            raise bad_request("message text is empty")
        content = {"text": text, "entities": entities}
        return self._edit(stored, p, content)

    async def edit_message_caption(self, bot: BotState, p: Params) -> dict:
        _, stored = self._editable(bot, p)
        if not ({"photo", "document"} & stored.message.keys()):
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(p)
        return self._edit(stored, p, {"caption": caption.get("caption"),
                                      "caption_entities": caption.get("caption_entities")})

    async def edit_message_reply_markup(self, bot: BotState, p: Params) -> dict:
        _, stored = self._editable(bot, p)
        return self._edit(stored, p, {})

    async def edit_message_live_location(self, bot: BotState, p: Params) -> dict:
        location = self._location(p)
        _, stored = self._live_editable(bot, p)
        live = stored.live
        live_period = self._new_live_period(stored, p.int("live_period") or 0)
        heading, radius = self._heading_and_radius(p)
        changes = {"live_period": live_period, "heading": heading, "proximity_alert_radius": radius}
        shown = {**location, **{key: value for key, value in changes.items() if value}}
        self._edit(stored, p, {"location": shown})  # the same position etc. is "not modified"
        live.update(changes)
        live["positions"].append([location["latitude"], location["longitude"]])
        stored.sync_live()
        return copy.deepcopy(stored.message)

    async def stop_message_live_location(self, bot: BotState, p: Params) -> dict:
        _, stored = self._live_editable(bot, p)
        self._edit(stored, p, {"location": _static_location(stored.message["location"])})
        stored.live["stopped"] = True
        return copy.deepcopy(stored.message)

    async def delete_message(self, bot: BotState, p: Params) -> bool:
        chat = self._chat(bot, p)
        stored = chat.find(p.int("message_id", required=True))
        if stored is None:
            raise bad_request("message to delete not found")
        stored.deleted = True
        return True

    async def answer_callback_query(self, bot: BotState, p: Params) -> bool:
        query_id = p.str("callback_query_id", required=True)
        query = bot.callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(p.str("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        self.sim.callback_answers.append({
            "callback_query_id": query_id, "chat_id": query["chat_id"],
            "message_id": query["message_id"], "data": query["data"], "text": p.str("text"),
            "show_alert": p.bool("show_alert"), "url": p.str("url"),
            "cache_time": p.int("cache_time"), "time": now(),
        })
        return True

    # --- files, commands, chats ---------------------------------------------------------

    async def get_file(self, bot: BotState, p: Params) -> dict:
        file_id = p.str("file_id", required=True)
        entry = self.sim.files.by_id.get(file_id)
        if entry is None:
            raise bad_request("invalid file_id")
        if len(entry.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return entry.as_file()

    async def set_my_commands(self, bot: BotState, p: Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be non-empty")
        bot.commands[self._commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def get_my_commands(self, bot: BotState, p: Params) -> list[dict]:
        return copy.deepcopy(bot.commands.get(self._commands_key(p), []))

    async def delete_my_commands(self, bot: BotState, p: Params) -> bool:
        bot.commands.pop(self._commands_key(p), None)
        return True

    async def get_chat(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        return {
            **chat.info, "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                "premium_subscription": False, "gifts_from_channels": False,
            },
        }

    async def get_chat_member(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        user_id = p.int("user_id", required=True)
        if user_id == BOT_ID:
            if chat.info["type"] == "private":
                return {"status": "member", "user": bot_user()}
            return _administrator(bot_user())
        user = chat.members.get(user_id)
        if user is None:
            user = bot.user(user_id)
            if user is None:
                raise bad_request("user not found")
            return {"status": "left", "user": user}
        if user_id in chat.administrators:
            return _administrator(user)
        return {"status": "member", "user": user}

    # --- forum topics -------------------------------------------------------------------

    async def create_forum_topic(self, bot: BotState, p: Params) -> dict:
        chat = self._chat(bot, p)
        if not chat.info.get("is_forum"):
            raise bad_request("the chat is not a forum")
        name = p.str("name", required=True)
        if len(name) > 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        color = p.int("icon_color") or TOPIC_COLORS[0]
        if color not in TOPIC_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")
        thread_id = chat.next_message_id
        topic = {"message_thread_id": thread_id, "name": name, "icon_color": color}
        if p.str("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = p.str("icon_custom_emoji_id")
        self._service(chat, thread_id, {"forum_topic_created": {"name": name, "icon_color": color}})
        chat.topics[thread_id] = {**topic, "chat_id": chat.info["id"], "closed": False, "date": now()}
        return topic

    async def edit_forum_topic(self, bot: BotState, p: Params) -> bool:
        chat, topic = self._topic(bot, p)
        changes = {k: p.str(k) for k in ("name", "icon_custom_emoji_id") if p.str(k) is not None}
        if all(topic.get(k) == v for k, v in changes.items()):
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.update(changes)
        self._service(chat, topic["message_thread_id"], {"forum_topic_edited": changes})
        return True

    async def close_forum_topic(self, bot: BotState, p: Params) -> bool:
        return self._set_topic_closed(bot, p, True)

    async def reopen_forum_topic(self, bot: BotState, p: Params) -> bool:
        return self._set_topic_closed(bot, p, False)

    async def delete_forum_topic(self, bot: BotState, p: Params) -> bool:
        chat, topic = self._topic(bot, p)
        del chat.topics[topic["message_thread_id"]]
        return True

    def _set_topic_closed(self, bot: BotState, p: Params, closed: bool) -> bool:
        chat, topic = self._topic(bot, p)
        if topic["closed"] == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        event = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._service(chat, topic["message_thread_id"], {event: {}})
        return True

    # --- helpers ------------------------------------------------------------------------

    def _chat(self, bot: BotState, p: Params, name: str = "chat_id") -> ChatState:
        raw = p.str(name, required=True)
        if raw.startswith("@"):
            for chat in bot.chats.values():
                if chat.info.get("username", "").lower() == raw[1:].lower():
                    return chat
            raise bad_request("chat not found")
        try:
            chat = bot.chats.get(int(raw))
        except ValueError:
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _text(self, p: Params, name: str, entities: str, limit: int, too_long: str) -> tuple[str, list]:
        text = p.str(name) or ""
        plain, parsed = formatting.parse(text, p.str("parse_mode"), p.json(entities))
        if len(plain) > limit:
            raise bad_request(too_long)
        return plain, parsed

    def _caption(self, p: Params) -> dict:
        caption, entities = self._text(p, "caption", "caption_entities", MAX_CAPTION,
                                       "message caption is too long")
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return content

    def _markup(self, p: Params) -> dict | None:
        markup = p.json("reply_markup")
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            for button in (b for row in rows for b in row):
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text must be non-empty")
                if len(button) == 1:
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            return markup if any(rows) else None
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request("can't parse reply keyboard markup JSON object")
            for button in (b for row in rows for b in row):
                if not (isinstance(button, str) or (isinstance(button, dict) and button.get("text"))):
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _post(self, bot: BotState, chat: ChatState, p: Params, content: dict) -> StoredMessage:
        """Store a new bot message in the chat, as every send method does."""
        if chat.blocked:
            raise ApiError("Forbidden: bot was blocked by the user", 403)
        markup = self._markup(p)
        reply = self._replied(chat, p)
        thread_id = p.int("message_thread_id")
        if thread_id is None and reply is not None:
            thread_id = reply.get("message_thread_id")  # a reply lands in the replied topic
        if thread_id is not None and thread_id not in chat.topics:
            raise bad_request("message thread not found")
        message: dict[str, Any] = {
            "message_id": chat.new_message_id(), "from": bot_user(),
            "chat": copy.deepcopy(chat.info), "date": now(),
        }
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
            if reply is None:
                reply = chat.messages[thread_id].message  # topic messages reply to its creation
        if reply is not None:
            message["reply_to_message"] = _without_reply(reply)
        message.update(content)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Message.reply_markup only carries inline keyboards
        return chat.add(message, by_bot=True, markup=markup, parse_mode=p.str("parse_mode"))

    def _replied(self, chat: ChatState, p: Params) -> dict | None:
        params = p.json("reply_parameters") or {}
        message_id = params.get("message_id") or p.int("reply_to_message_id")
        if not message_id:
            return None
        if params.get("chat_id") not in (None, chat.info["id"], str(chat.info["id"])):
            return None  # replies to other chats are shown as external replies; not simulated
        stored = chat.find(int(message_id))
        if stored is None:
            if params.get("allow_sending_without_reply") or p.bool("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return stored.message

    def _editable(self, bot: BotState, p: Params) -> tuple[ChatState, StoredMessage]:
        if "inline_message_id" in p:
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(bot, p)
        stored = chat.find(p.int("message_id", required=True))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.by_bot or stored.service:
            raise bad_request("message can't be edited")
        return chat, stored

    def _live_editable(self, bot: BotState, p: Params) -> tuple[ChatState, StoredMessage]:
        """A live location the bot may still edit or stop, with Telegram's errors otherwise."""
        chat, stored = self._editable(bot, p)
        if stored.live is None and any(key in stored.message for key in EDITABLE_CONTENT):
            raise bad_request("there is no live location in the message to edit")
        if not stored.live_active():  # a plain location, or live_period over, or stopped
            raise bad_request("message can't be edited")
        return chat, stored

    @staticmethod
    def _location(p: Params) -> dict:
        latitude = p.float("latitude", required=True)
        longitude = p.float("longitude", required=True)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong location specified")
        location = {"latitude": latitude, "longitude": longitude}
        accuracy = p.float("horizontal_accuracy") or 0.0
        if math.isfinite(accuracy) and accuracy > 0:
            location["horizontal_accuracy"] = min(accuracy, MAX_HORIZONTAL_ACCURACY)
        return location

    @staticmethod
    def _heading_and_radius(p: Params) -> tuple[int | None, int | None]:
        """heading and proximity_alert_radius of a live location; 0 or absent is none."""
        heading = p.int("heading") or 0
        if heading and not 1 <= heading <= MAX_HEADING:
            raise bad_request("wrong live location heading specified")
        radius = p.int("proximity_alert_radius") or 0
        if not 0 <= radius <= MAX_PROXIMITY_ALERT_RADIUS:
            raise bad_request("wrong live location proximity alert radius specified")
        return heading or None, radius or None

    @staticmethod
    def _new_live_period(stored: StoredMessage, requested: int) -> int:
        """editMessageLiveLocation's live_period: absent keeps it; longer by at most a day, < 90 days."""
        current = stored.live["live_period"]
        if not requested or requested == LIVE_FOREVER:
            return requested or current
        too_long = current != LIVE_FOREVER and requested > current + LIVE_EXTEND_MAX
        if requested < 0 or too_long or stored.message["date"] + requested > now() + LIVE_EXPIRY_MAX:
            raise bad_request("wrong live location period specified")
        return requested

    def _edit(self, stored: StoredMessage, p: Params, content: dict) -> dict:
        """Apply an edit; a missing reply_markup removes the inline keyboard, as on Telegram."""
        markup = self._markup(p)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        message = stored.message
        changed = {k: v for k, v in content.items() if (message.get(k) or None) != (v or None)}
        if not changed and message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        stored.history.append({
            key: copy.deepcopy(message.get(key))
            for key in ("text", "caption", "location", "edit_date") if key in message
        } | {"reply_markup": copy.deepcopy(stored.markup)})
        for key, value in content.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = now()
        stored.markup = markup
        if "text" in content or "caption" in content:
            stored.parse_mode = p.str("parse_mode")
        return copy.deepcopy(message)

    def _source_message(self, bot: BotState, p: Params) -> StoredMessage:
        source_chat = self._chat(bot, p, "from_chat_id")
        stored = source_chat.find(p.int("message_id", required=True))
        if stored is None:
            raise bad_request("message to copy not found")
        if stored.service:
            raise bad_request("message can't be copied")
        return stored

    def _service(self, chat: ChatState, thread_id: int, event: dict) -> None:
        """A forum topic service message sent by the bot."""
        message = {
            "message_id": chat.new_message_id(), "from": bot_user(),
            "chat": copy.deepcopy(chat.info), "date": now(),
            "message_thread_id": thread_id, "is_topic_message": True, **event,
        }
        if "forum_topic_created" not in event:
            message["reply_to_message"] = _without_reply(chat.messages[thread_id].message)
        chat.add(message, by_bot=True)

    def _topic(self, bot: BotState, p: Params) -> tuple[ChatState, dict]:
        chat = self._chat(bot, p)
        if not chat.info.get("is_forum"):
            raise bad_request("the chat is not a forum")
        topic = chat.topics.get(p.int("message_thread_id", required=True))
        if topic is None:
            raise bad_request("message thread not found")
        return chat, topic

    @staticmethod
    def _commands_key(p: Params) -> str:
        scope = p.json("scope") or {"type": "default"}
        return json.dumps([scope, p.str("language_code") or ""], sort_keys=True)

    async def _photo(self, p: Params, name: str) -> list[dict]:
        upload = self._upload(p, name)
        if upload is not None:
            return self.sim.files.add_photo(upload.data, strict=True)
        entry = await self._file(p, name, "photo")
        if entry.photo is None:
            raise bad_request(f"can't use file of type {entry.kind.capitalize()} as Photo")
        return copy.deepcopy(entry.photo)

    async def _file(self, p: Params, name: str, kind: str) -> FileEntry:
        """A file given as upload, attach:// reference, existing file_id or HTTP URL."""
        upload = self._upload(p, name)
        if upload is not None:
            return self.sim.files.add(upload.data, kind, file_name=upload.file_name or "file",
                                      mime_type=upload.mime_type)
        value = p.str(name)
        if value.startswith(("http://", "https://")):
            data, mime_type = await self._download(value)
            if kind == "photo":
                photo = self.sim.files.add_photo(data, strict=True)
                return self.sim.files.by_id[photo[-1]["file_id"]]
            file_name = value.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "file"
            return self.sim.files.add(data, kind, file_name=file_name, mime_type=mime_type)
        entry = self.sim.files.get(value)
        if entry.kind != kind:
            raise bad_request(f"can't use file of type {entry.kind.capitalize()} as {kind.capitalize()}")
        return entry

    def _upload(self, p: Params, name: str) -> Upload | None:
        value = p.raw.get(name)
        if value is None or value == "":
            if name in p.files:
                return p.files[name]
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            upload = p.files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return upload
        return None

    async def _download(self, url: str) -> tuple[bytes, str | None]:
        try:
            async with self.sim.http.get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
                response.raise_for_status()
                return await response.read(), response.content_type
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            raise bad_request("failed to get HTTP URL content") from None


def _document(entry: FileEntry) -> dict:
    return {
        "file_id": entry.file_id, "file_unique_id": entry.file_unique_id,
        "file_name": entry.file_name or "file", "mime_type": entry.mime_type or "application/octet-stream",
        "file_size": len(entry.data),
    }


def _static_location(location: dict) -> dict:
    return {key: value for key, value in location.items() if key not in LIVE_FIELDS}


def _copied_content(message: dict) -> dict:
    """A message's content for copyMessage / forwardMessage: a live location arrives as a plain one."""
    content = {k: copy.deepcopy(v) for k, v in message.items() if k in CONTENT_FIELDS}
    if "location" in content:
        content["location"] = _static_location(content["location"])
    return content


def _without_reply(message: dict) -> dict:
    """A replied-to message as nested in a reply: Telegram nests one level only."""
    nested = copy.deepcopy(message)
    nested.pop("reply_to_message", None)
    return nested


def _administrator(user: dict) -> dict:
    rights = (
        "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
        "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
        "can_edit_stories", "can_delete_stories", "can_pin_messages", "can_manage_topics",
    )
    return {"status": "administrator", "user": user, "can_be_edited": False,
            "is_anonymous": False, **{right: True for right in rights}}
