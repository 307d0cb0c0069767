"""Async client of the simulator's /sim/ control API, for tests and the terminal chat."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable

import httpx

LIVE_FOREVER = 0x7FFFFFFF  # live_period of a live location shared until stopped


@dataclass(frozen=True)
class FakeUser:
    """A simulated Telegram user; in a private chat its id is the chat id."""

    id: int
    first_name: str = "Alice"
    language_code: str | None = "en"
    last_name: str | None = None
    username: str | None = None

    def as_dict(self) -> dict:
        """The user as the control API takes it."""
        return {k: v for k, v in asdict(self).items() if v is not None}


class SimulatorError(RuntimeError):
    """The simulator refused a control request."""


class SimulatorTimeout(AssertionError):
    """The bot did not send what a test waited for."""


def media_parts(message: dict) -> list[str]:
    """The photo, file and location of a message, as short bracketed notes."""
    parts = []
    if "photo" in message:
        largest = message["photo"][-1]
        parts.append(f"[photo {largest['width']}x{largest['height']}]")
    if "document" in message:
        parts.append(f"[file {message['document'].get('file_name')}]")
    if "location" in message:
        parts.append(f"[{location_note(message)}]")
    return parts


def location_note(message: dict) -> str:
    """'location LAT, LON', or 'live location LAT, LON, live for 60 min' (or ', stopped' / ', ended')."""
    location = message["location"]
    where = f"{location['latitude']}, {location['longitude']}"
    live = message.get("live_location")  # the control API's state of a live location
    if live is None:  # a Bot API Message: its location carries live_period only while live
        if "live_period" not in location:
            return f"location {where}"
        return f"live location {where}, {live_for(location['live_period'])}"
    state = live_for(live["live_period"]) if live["active"] else "stopped" if live["stopped"] else "ended"
    return f"live location {where}, {state}"


def live_for(live_period: int) -> str:
    """How long a live location is shared: 'live for 15 min', 'live for 8 h', 'live until stopped'."""
    if live_period == LIVE_FOREVER:
        return "live until stopped"
    if live_period >= 7200 and live_period % 3600 == 0:
        return f"live for {live_period // 3600} h"
    return f"live for {max(round(live_period / 60), 1)} min"


def describe(message: dict) -> str:
    """A one-line summary of a bot message for failure reports and logs."""
    parts = [f"#{message['message_id']}"]
    if message.get("message_thread_id"):
        parts.append(f"(topic {message['message_thread_id']})")
    if "text" in message:
        parts.append(repr(message["text"][:120]))
    parts += media_parts(message)
    if message.get("caption"):
        parts.append(f"caption={message['caption'][:80]!r}")
    markup = message.get("reply_markup") or {}
    for key in ("inline_keyboard", "keyboard"):
        if markup.get(key):
            labels = [b if isinstance(b, str) else b.get("text") for row in markup[key] for b in row]
            parts.append(f"{key}={labels}")
    if message.get("history"):
        parts.append(f"(edited {len(message['history'])}x)")
    if message.get("deleted"):
        parts.append("(deleted)")
    return " ".join(parts)


def _with_token(body: dict, token: str | None) -> dict:
    """A control request body for one bot: the given token, else the client's, else the default bot."""
    if token is not None:
        body["token"] = token
    return body


class SimulatorClient:
    """Plays users and inspects the bot through the simulator's control API."""

    def __init__(self, base_url: str, *, token: str | None = None, user: FakeUser | None = None,
                 timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.user = user
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def __aenter__(self) -> SimulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def _request(self, method: str, path: str, *, body: dict | None = None,
                       params: dict | None = None) -> Any:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        if self.token:
            params.setdefault("token", self.token)
            if body is not None:
                body.setdefault("token", self.token)
        response = await self._http.request(method, path, json=body, params=params)
        if response.status_code >= 400:
            try:
                error = response.json().get("error", response.text)
            except ValueError:
                error = response.text
            raise SimulatorError(f"{method} {path}: {response.status_code} {error}")
        return response.json()

    # --- users act ----------------------------------------------------------------------

    async def send_update(self, chat_id: int, *, user: FakeUser | dict | None = None,
                          thread_id: int | None = None, reply_to: int | None = None,
                          chat_type: str | None = None, chat_title: str | None = None,
                          is_forum: bool | None = None, **content: Any) -> dict:
        """Any user message (content as in POST /sim/users/message); returns update_id, message_id."""
        user = user or self.user
        body: dict[str, Any] = {"chat_id": chat_id, **content}
        if user is not None:
            body["user"] = user.as_dict() if isinstance(user, FakeUser) else user
        optional = {"message_thread_id": thread_id, "reply_to_message_id": reply_to,
                    "chat_type": chat_type, "chat_title": chat_title, "is_forum": is_forum}
        body.update({k: v for k, v in optional.items() if v is not None})
        return await self._request("POST", "/sim/users/message", body=body)

    async def send_text(self, chat_id: int, text: str, *, user: FakeUser | None = None,
                        thread_id: int | None = None, reply_to: int | None = None) -> dict:
        """The user sends text (commands get a bot_command entity)."""
        return await self.send_update(chat_id, user=user, thread_id=thread_id, reply_to=reply_to, text=text)

    async def send_photo(self, chat_id: int, data: bytes, *, caption: str | None = None,
                         media_group_id: str | None = None, user: FakeUser | None = None,
                         thread_id: int | None = None) -> dict:
        """The user sends a photo (the bot sees several PhotoSizes, the largest with these bytes)."""
        photo = {"data_b64": base64.b64encode(data).decode(), "caption": caption,
                 "media_group_id": media_group_id}
        return await self.send_update(chat_id, user=user, thread_id=thread_id,
                                      photo={k: v for k, v in photo.items() if v is not None})

    async def send_document(self, chat_id: int, data: bytes, file_name: str,
                            mime_type: str = "application/octet-stream", *, caption: str | None = None,
                            user: FakeUser | None = None, thread_id: int | None = None) -> dict:
        """The user sends a file."""
        document = {"data_b64": base64.b64encode(data).decode(), "file_name": file_name,
                    "mime_type": mime_type, **({"caption": caption} if caption else {})}
        return await self.send_update(chat_id, user=user, thread_id=thread_id, document=document)

    async def send_location(self, chat_id: int, latitude: float, longitude: float, *,
                            user: FakeUser | None = None, thread_id: int | None = None) -> dict:
        """The user shares a location."""
        return await self.send_update(chat_id, user=user, thread_id=thread_id,
                                      location={"latitude": latitude, "longitude": longitude})

    async def send_contact(self, chat_id: int, phone_number: str, *, first_name: str | None = None,
                           user_id: int | None = None, user: FakeUser | None = None) -> dict:
        """The user shares a contact; by default their own (as a request_contact button does)."""
        acting = user or self.user
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or (acting.first_name if acting else "User"),
            "user_id": user_id or (acting.id if acting else chat_id),
        }
        return await self.send_update(chat_id, user=user, contact=contact)

    async def send_sticker(self, chat_id: int, emoji: str = "👍", *, user: FakeUser | None = None,
                           thread_id: int | None = None) -> dict:
        """The user sends a sticker."""
        return await self.send_update(chat_id, user=user, thread_id=thread_id, sticker={"emoji": emoji})

    async def send_voice(self, chat_id: int, duration: int = 2, *, user: FakeUser | None = None,
                         thread_id: int | None = None) -> dict:
        """The user sends a voice note."""
        return await self.send_update(chat_id, user=user, thread_id=thread_id, voice={"duration": duration})

    async def press(self, chat_id: int, message_id: int, data: str, *,
                    user: FakeUser | None = None) -> dict:
        """The user presses the inline button with this callback_data; returns callback_query_id."""
        body: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "data": data}
        acting = user or self.user
        if acting is not None:
            body["user"] = acting.as_dict()
        return await self._request("POST", "/sim/users/press", body=body)

    async def register_chat(self, chat_id: int, *, chat_type: str = "supergroup", title: str | None = None,
                            is_forum: bool = False, administrators: list[FakeUser] = (),
                            members: list[FakeUser] = (), owner: FakeUser | None = None) -> dict:
        """Create a chat before anyone writes in it: the agents' forum, or (owner) a known customer."""
        body = {
            "chat_id": chat_id, "type": chat_type, "title": title, "is_forum": is_forum,
            "administrators": [u.as_dict() for u in administrators],
            "members": [u.as_dict() for u in members],
        }
        if owner is not None:
            body.update({k: v for k, v in owner.as_dict().items() if k != "id"})
        return await self._request("POST", "/sim/chats", body=body)

    async def register_chats(self, chats: list[dict], token: str | None = None) -> list[dict]:
        """Create many chats at once, each a dict as POST /sim/chats takes one
        ({chat_id, type, first_name?, title?, ...}); returns their Chats in order."""
        return await self._request("POST", "/sim/chats", body=_with_token({"chats": chats}, token))

    async def block(self, chat_id: int, blocked: bool = True, *, token: str | None = None) -> dict:
        """The user of a private chat blocks the bot (sends to it answer 403) or unblocks it."""
        return await self._request("POST", "/sim/users/block",
                                   body=_with_token({"chat_id": chat_id, "blocked": blocked}, token))

    # --- flood limits -------------------------------------------------------------------

    async def set_limits(self, enabled: bool = True, *, global_per_second: int | None = None,
                         per_chat_per_second: float | None = None, per_chat_burst: int | None = None,
                         token: str | None = None) -> dict:
        """Set the bot's flood limits (values not given stay as they are; counting starts afresh);
        returns the config {enabled, global_per_second, per_chat_per_second, per_chat_burst}."""
        body = {"enabled": enabled, "global_per_second": global_per_second,
                "per_chat_per_second": per_chat_per_second, "per_chat_burst": per_chat_burst}
        body = {k: v for k, v in body.items() if v is not None}
        return await self._request("POST", "/sim/limits", body=_with_token(body, token))

    async def limits(self, token: str | None = None) -> dict:
        """The bot's flood limits, as set_limits() returns them."""
        return await self._request("GET", "/sim/limits", params={"token": token})

    # --- inspection ---------------------------------------------------------------------

    async def messages(self, chat_id: int, after: int = 0, thread_id: int | None = None, *,
                       include_all: bool = False) -> list[dict]:
        """The bot's messages in the chat after a message id (include_all: users' too)."""
        return await self._request("GET", f"/sim/chats/{chat_id}/messages", params={
            "after": after, "thread_id": thread_id, "all": "1" if include_all else None,
        })

    async def message(self, chat_id: int, message_id: int) -> dict:
        """One message of the chat, anyone's, as messages() shows it (history, deleted, live_location)."""
        return await self._request("GET", f"/sim/chats/{chat_id}/messages/{message_id}")

    async def live_location(self, chat_id: int, message_id: int) -> dict:
        """A live location message's state: latitude, longitude, live_period, stopped, active
        (editable: not stopped, live_period not over), heading, proximity_alert_radius,
        horizontal_accuracy, expires_at (None if shared until stopped), and positions, the
        (latitude, longitude) of the send and of every edit, in order."""
        message = await self.message(chat_id, message_id)
        live = message.get("live_location")
        if live is None:
            kind = "a location without live_period" if "location" in message else "not a location"
            raise SimulatorError(f"message {message_id} in chat {chat_id} is not a live location ({kind})")
        return {**live, "positions": [tuple(position) for position in live["positions"]]}

    async def wait_for_messages(self, chat_id: int, *, after: int, count: int = 1, timeout: float = 20,
                                predicate: Callable[[dict], bool] | None = None,
                                thread_id: int | None = None) -> list[dict]:
        """Poll until the bot sent `count` new messages (matching predicate if given) and return them."""
        started = time.time()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            arrived = await self.messages(chat_id, after=after, thread_id=thread_id)
            wanted = [m for m in arrived if predicate(m)] if predicate else arrived
            if len(wanted) >= count:
                return wanted
            if asyncio.get_running_loop().time() >= deadline:
                break
            await asyncio.sleep(0.05)
        # Failures just before the wait count too: the bot often fails right after the user's message.
        failed = [c for c in await self.calls(failed=True) if c["time"] >= started - 10][-5:]
        lines = [
            f"Timed out after {timeout}s waiting for {count} bot message(s)"
            f"{' matching the predicate' if predicate else ''} in chat {chat_id}"
            f"{f' topic {thread_id}' if thread_id else ''} after message {after}; "
            f"{len(arrived)} arrived{':' if arrived else '.'}",
            *(f"  {describe(m)}" for m in arrived),
        ]
        if failed:
            lines.append("Recent failed Bot API calls:")
            lines += [f"  {c['method']}: {c.get('description')}" for c in failed]
        raise SimulatorTimeout("\n".join(lines))

    async def calls(self, method: str | None = None, *, failed: bool = False) -> list[dict]:
        """Recorded Bot API calls (method, token, params, files' sha256, time, ok/description)."""
        return await self._request("GET", "/sim/calls", params={"method": method,
                                                                 "failed": "1" if failed else None})

    async def callback_answers(self) -> list[dict]:
        """answerCallbackQuery calls, in order."""
        return await self._request("GET", "/sim/callback_answers")

    async def topics(self, chat_id: int | None = None) -> list[dict]:
        """Forum topics the bot created."""
        return await self._request("GET", "/sim/topics", params={"chat_id": chat_id})

    async def bots(self) -> list[dict]:
        """Connection state of the bots (polling, webhook_url, pending_update_count)."""
        return await self._request("GET", "/sim/bots")

    async def wait_for_bot(self, timeout: float = 20) -> dict:
        """Wait until a bot long-polls or has a webhook, i.e. it is ready for updates."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            ready = [b for b in await self.bots() if b["polling"] or b["webhook_url"] or b["last_poll"]]
            if ready:
                return ready[0]
            await asyncio.sleep(0.1)
        raise SimulatorTimeout(f"no bot connected to the simulator within {timeout}s")

    async def reset(self, *, full: bool = False) -> None:
        """Forget chats, updates, files and records (full: also webhooks, commands and flood limits)."""
        await self._request("POST", "/sim/reset", body={"full": full})
