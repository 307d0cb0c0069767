"""The /sim/ control API: tests play the users and inspect what the bot did."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from telegram_simulator.bot_api import MAX_CAPTION, MAX_TEXT
from telegram_simulator.store import BotState, ChatState, now, utf16_len

if TYPE_CHECKING:
    from telegram_simulator.server import BotApiSimulator

_COMMAND = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])")
_CONTENT_KINDS = ("text", "photo", "document", "location", "contact", "sticker", "voice")
_PLACEHOLDER = {"sticker": b"RIFF\x1a\x00\x00\x00WEBPVP8 ", "voice": b"OggS\x00\x02simulated-voice"}


class ControlError(Exception):
    """A control request the simulator refuses; the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ControlApi:
    """Handlers for /sim/ routes."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the control routes."""
        routes = [
            ("POST", "/sim/users/message", self.user_message),
            ("POST", "/sim/users/press", self.press),
            ("POST", "/sim/users/block", self.block),
            ("POST", "/sim/chats", self.register_chat),
            ("GET", "/sim/chats/{chat_id}/messages", self.messages),
            ("GET", "/sim/chats/{chat_id}/messages/{message_id}", self.message),
            ("GET", "/sim/calls", self.calls),
            ("GET", "/sim/callback_answers", self.callback_answers),
            ("GET", "/sim/topics", self.topics),
            ("GET", "/sim/bots", self.bots),
            ("POST", "/sim/limits", self.set_limits),
            ("GET", "/sim/limits", self.limits),
            ("POST", "/sim/reset", self.reset),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, _json_endpoint(handler))

    # --- users act ----------------------------------------------------------------------

    async def user_message(self, body: dict, query: dict) -> dict:
        """A simulated user sends a message; the bot gets a message update."""
        bot = self.sim.control_bot(body.get("token"))
        content = self._content(body)
        chat, user = self._chat_and_user(bot, body)
        message: dict[str, Any] = {"from": user, "chat": copy.deepcopy(chat.info), "date": now()}
        reply = None
        if body.get("reply_to_message_id"):
            stored = chat.find(int(body["reply_to_message_id"]))
            if stored is None:
                raise ControlError(f"message {body['reply_to_message_id']} not found in chat {chat.info['id']}")
            reply = stored.message
        thread_id = body.get("message_thread_id") or (reply or {}).get("message_thread_id")
        if thread_id:
            topic = chat.topics.get(int(thread_id))
            if topic is None:
                raise ControlError(f"chat {chat.info['id']} has no forum topic {thread_id}")
            if topic["closed"] and user["id"] not in chat.administrators:
                raise ControlError(f"topic {thread_id} is closed")
            message.update(message_thread_id=int(thread_id), is_topic_message=True)
            reply = reply or chat.messages[int(thread_id)].message
        message = {"message_id": chat.new_message_id(), **message}
        if reply is not None:
            message["reply_to_message"] = {k: v for k, v in copy.deepcopy(reply).items()
                                           if k != "reply_to_message"}
        message.update(content)
        chat.add(message, by_bot=False)
        chat.blocked = False  # writing to the bot means they unblocked it
        update_id = self.sim.push_update(bot, "message", message)
        return {"update_id": update_id, "message_id": message["message_id"]}

    async def press(self, body: dict, query: dict) -> dict:
        """A simulated user presses an inline button of a bot message."""
        bot = self.sim.control_bot(body.get("token"))
        chat = self._existing_chat(bot, body["chat_id"])
        message_id = int(body["message_id"])
        stored = chat.find(message_id)
        if stored is None or not stored.by_bot:
            raise ControlError(f"chat {chat.info['id']} has no bot message {message_id}")
        buttons = [b for row in stored.message.get("reply_markup", {}).get("inline_keyboard", [])
                   for b in row]
        data = body.get("data")
        if not any(b.get("callback_data") == data for b in buttons):
            offered = [(b.get("text"), b.get("callback_data")) for b in buttons]
            raise ControlError(f"message {message_id} has no button with data {data!r}; buttons: {offered}")
        user = self._user(body.get("user"), chat)
        query_id = str(secrets.randbits(63))
        instance = int(hashlib.sha256(str(chat.info["id"]).encode()).hexdigest()[:15], 16)
        bot.callback_queries[query_id] = {
            "chat_id": chat.info["id"], "message_id": message_id, "data": data, "answered": False,
        }
        update_id = self.sim.push_update(bot, "callback_query", {
            "id": query_id, "from": user, "message": copy.deepcopy(stored.message),
            "chat_instance": str(instance), "data": data,
        })
        return {"update_id": update_id, "callback_query_id": query_id}

    async def block(self, body: dict, query: dict) -> dict:
        """The user blocks the bot (`blocked` true) or unblocks it; writing to the bot again unblocks it too."""
        bot = self.sim.control_bot(body.get("token"))
        chat = self._existing_chat(bot, body.get("chat_id"))
        chat.blocked = bool(body.get("blocked", True))
        return {"chat_id": chat.info["id"], "blocked": chat.blocked}

    async def register_chat(self, body: dict, query: dict) -> dict | list[dict]:
        """Create or update a chat before anyone writes in it (the agents' forum, a known customer);
        {"chats": [...]} registers many at once and answers their Chats in order."""
        bot = self.sim.control_bot(body.get("token"))
        if "chats" not in body:
            return self._register_chat(bot, body)
        chats = body["chats"]
        if not isinstance(chats, list):
            raise ControlError("chats must be a list of chats")
        for index, item in enumerate(chats):  # check them all first: a faulty one registers none
            try:
                _check_chat(item)
            except KeyError as exc:
                raise ControlError(f"chats[{index}]: {exc} missing") from None
            except (TypeError, ValueError, ControlError) as exc:
                raise ControlError(f"chats[{index}]: {exc}") from None
        return [self._register_chat(bot, item) for item in chats]

    def _register_chat(self, bot: BotState, body: dict) -> dict:
        chat_id = int(body["chat_id"])
        chat = bot.chats.get(chat_id)
        if chat is None:
            owner = _user_object({**body, "id": chat_id})  # only used for a private chat
            chat = bot.chats[chat_id] = ChatState(_chat_info(chat_id, body, owner))
            if chat.info["type"] == "private":
                chat.members[chat_id] = owner
        for key in ("title", "username"):
            if body.get(key):
                chat.info[key] = body[key]
        if "is_forum" in body and chat.info["type"] == "supergroup":
            chat.info["is_forum"] = bool(body["is_forum"])
        for raw in body.get("members", []) + body.get("administrators", []):
            user = _user_object(raw)
            chat.members[user["id"]] = user
        chat.administrators |= {int(raw["id"]) for raw in body.get("administrators", [])}
        return dict(chat.info)  # a flat dict of scalars: a shallow copy is a full one

    # --- inspection ---------------------------------------------------------------------

    async def messages(self, body: dict, query: dict) -> list[dict]:
        """The bot's messages in a chat after a message id (thread_id: one topic; all=1: users' too)."""
        bot = self.sim.control_bot(query.get("token"))
        chat = bot.chats.get(int(query["chat_id"]))
        if chat is None:
            return []
        after = int(query.get("after") or 0)
        thread_id = int(query["thread_id"]) if query.get("thread_id") else None
        everything = query.get("all") in ("1", "true")
        return [
            stored.view() for message_id, stored in sorted(chat.messages.items())
            if message_id > after
            and (everything or (stored.by_bot and not stored.service))
            and (thread_id is None or stored.message.get("message_thread_id") == thread_id)
        ]

    async def message(self, body: dict, query: dict) -> dict:
        """One message of the chat (anyone's, deleted too) with its edit history and live location state."""
        bot = self.sim.control_bot(query.get("token"))
        chat = self._existing_chat(bot, query["chat_id"])
        stored = chat.messages.get(int(query["message_id"]))
        if stored is None:
            raise ControlError(f"chat {chat.info['id']} has no message {query['message_id']}", 404)
        return stored.view()

    async def calls(self, body: dict, query: dict) -> list[dict]:
        """Recorded Bot API calls, optionally of one method / token / only failed ones."""
        method = (query.get("method") or "").lower()
        token = query.get("token")
        failed = query.get("failed") in ("1", "true")
        return [
            call for call in self.sim.calls
            if (not method or call["method"].lower() == method)
            and (not token or call["token"] == token)
            and (not failed or not call.get("ok"))
        ]

    async def callback_answers(self, body: dict, query: dict) -> list[dict]:
        """answerCallbackQuery calls, in order."""
        return self.sim.callback_answers

    async def topics(self, body: dict, query: dict) -> list[dict]:
        """Forum topics the bot created, optionally in one chat."""
        bot = self.sim.control_bot(query.get("token"))
        wanted = int(query["chat_id"]) if query.get("chat_id") else None
        return [topic for chat_id, chat in bot.chats.items() if wanted in (None, chat_id)
                for topic in chat.topics.values()]

    async def bots(self, body: dict, query: dict) -> list[dict]:
        """Connection state of every bot token seen (polling, webhook, pending updates)."""
        return [bot.summary() for token, bot in self.sim.bots.items() if token]

    async def set_limits(self, body: dict, query: dict) -> dict:
        """Set a bot's flood limits (values not given stay); answers the resulting config."""
        bot = self.sim.control_bot(body.get("token"))
        if "enabled" not in body:
            raise ControlError("give enabled (true or false)")
        try:
            config = bot.limits.configure(**{key: body.get(key) for key in (
                "enabled", "global_per_second", "per_chat_per_second", "per_chat_burst")})
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        return config.as_dict()

    async def limits(self, body: dict, query: dict) -> dict:
        """A bot's flood limits."""
        return self.sim.control_bot(query.get("token")).limits.config.as_dict()

    async def reset(self, body: dict, query: dict) -> dict:
        """Forget chats, updates, files and records (full: bots' webhooks, commands and limits too)."""
        self.sim.reset(full=bool(body.get("full")))
        return {"reset": True}

    # --- building blocks ----------------------------------------------------------------

    def _content(self, body: dict) -> dict:
        kinds = [kind for kind in _CONTENT_KINDS if body.get(kind) not in (None, "")]
        if len(kinds) != 1:
            raise ControlError(f"give exactly one of {', '.join(_CONTENT_KINDS)}; got {kinds or 'none'}")
        kind, value = kinds[0], body[kinds[0]]
        files = self.sim.files
        if kind == "text":
            if len(value) > MAX_TEXT:
                raise ControlError("text longer than 4096 characters")
            entities = [{"type": "bot_command", "offset": utf16_len(value[:m.start()]),
                         "length": utf16_len(m.group())} for m in _COMMAND.finditer(value)]
            return {"text": value, **({"entities": entities} if entities else {})}
        if kind == "location":
            return {"location": {"latitude": float(value["latitude"]), "longitude": float(value["longitude"])}}
        if kind == "contact":
            contact = {"phone_number": str(value["phone_number"]), "first_name": value["first_name"]}
            contact.update({k: value[k] for k in ("last_name", "user_id", "vcard") if value.get(k)})
            return {"contact": contact}
        if kind == "sticker":
            entry = files.add(_data(value, _PLACEHOLDER["sticker"]), "sticker", mime_type="image/webp")
            return {"sticker": {"file_id": entry.file_id, "file_unique_id": entry.file_unique_id,
                                "type": "regular", "width": 512, "height": 512, "is_animated": False,
                                "is_video": False, "emoji": value.get("emoji", "👍"),
                                "file_size": len(entry.data)}}
        if kind == "voice":
            entry = files.add(_data(value, _PLACEHOLDER["voice"]), "voice", mime_type="audio/ogg")
            return {"voice": {"file_id": entry.file_id, "file_unique_id": entry.file_unique_id,
                              "duration": int(value.get("duration", 1)), "mime_type": "audio/ogg",
                              "file_size": len(entry.data)}}
        content = _caption(value)
        if value.get("media_group_id"):
            content["media_group_id"] = str(value["media_group_id"])
        if kind == "photo":
            content["photo"] = files.add_photo(_data(value), strict=False)
        else:
            entry = files.add(_data(value), "document", file_name=value.get("file_name", "file"),
                              mime_type=value.get("mime_type"))
            content["document"] = {"file_id": entry.file_id, "file_unique_id": entry.file_unique_id,
                                   "file_name": entry.file_name,
                                   "mime_type": entry.mime_type or "application/octet-stream",
                                   "file_size": len(entry.data)}
        return content

    def _chat_and_user(self, bot: BotState, body: dict) -> tuple[ChatState, dict]:
        chat_id = int(body["chat_id"])
        chat = bot.chats.get(chat_id)
        if chat is not None and body.get("chat_type") not in (None, chat.info["type"]):
            raise ControlError(f"chat {chat_id} is a {chat.info['type']} chat")
        if chat is None:
            user = _user_object(body.get("user") or {"id": chat_id, "first_name": "User"})
            chat = ChatState(_chat_info(chat_id, body, user))
        user = self._user(body.get("user"), chat)
        bot.chats[chat_id] = chat
        chat.members[user["id"]] = user
        return chat, user

    def _user(self, raw: dict | None, chat: ChatState) -> dict:
        """The acting user: given, or in a private chat its owner."""
        info = chat.info
        if raw is None:
            if info["type"] != "private":
                raise ControlError(f"chat {info['id']} is a group: say which user acts")
            return chat.members.get(info["id"]) or _user_object({"id": info["id"], "first_name": "User"})
        user = _user_object(raw)
        if info["type"] == "private" and user["id"] != info["id"]:
            raise ControlError(f"in a private chat the user id must equal chat_id {info['id']}")
        return user

    def _existing_chat(self, bot: BotState, chat_id: Any) -> ChatState:
        chat = bot.chats.get(int(chat_id))
        if chat is None:
            raise ControlError(f"unknown chat {chat_id}", 404)
        return chat


def _json_endpoint(handler):
    """Wrap a (body, query) -> result coroutine as a JSON aiohttp handler."""

    async def endpoint(request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.body_exists else {}
            query = {**request.query, **request.match_info}
            result = await handler(body or {}, query)
        except ControlError as exc:
            return web.json_response({"error": str(exc)}, status=exc.status)
        except (KeyError, TypeError, ValueError, OSError) as exc:
            return web.json_response({"error": f"bad control request: {exc!r}"}, status=400)
        return web.json_response(result, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    return endpoint


def _user_object(raw: dict) -> dict:
    """A Telegram User for a simulated person."""
    user = {"id": int(raw["id"]), "is_bot": False, "first_name": raw.get("first_name") or "User"}
    user.update({k: raw[k] for k in ("last_name", "username", "language_code") if raw.get(k)})
    return user


def _check_chat(body: Any) -> None:
    """Raise if a chat of a bulk registration would be refused, so a faulty list registers none."""
    if not isinstance(body, dict):
        raise ControlError("each chat must be an object")
    int(body["chat_id"])
    chat_type = body.get("chat_type") or body.get("type") or "private"
    if chat_type not in ("private", "group", "supergroup"):
        raise ControlError(f"unsupported chat type {chat_type!r}")
    for raw in body.get("members", []) + body.get("administrators", []):
        int(raw["id"])


def _chat_info(chat_id: int, body: dict, user: dict | None) -> dict:
    """The Chat object for a new private chat (from its user) or supergroup."""
    chat_type = body.get("chat_type") or body.get("type") or "private"
    if chat_type == "private":
        user = user or {"first_name": "User"}
        info = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        info.update({k: user[k] for k in ("last_name", "username") if user.get(k)})
        return info
    if chat_type not in ("group", "supergroup"):
        raise ControlError(f"unsupported chat type {chat_type!r}")
    info = {"id": chat_id, "type": chat_type, "title": body.get("chat_title") or body.get("title") or "Group"}
    if body.get("is_forum") and chat_type == "supergroup":
        info["is_forum"] = True
    if body.get("username"):
        info["username"] = body["username"]
    return info


def _data(value: dict, default: bytes | None = None) -> bytes:
    """File bytes from data_b64 or a local path."""
    if value.get("data_b64"):
        return base64.b64decode(value["data_b64"])
    if value.get("path"):
        return Path(value["path"]).expanduser().read_bytes()
    if default is not None:
        return default
    raise ControlError("give data_b64 or path")


def _caption(value: dict) -> dict:
    caption = value.get("caption")
    if not caption:
        return {}
    if len(caption) > MAX_CAPTION:
        raise ControlError("caption longer than 1024 characters")
    return {"caption": caption}
