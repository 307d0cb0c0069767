"""The simulator's HTTP server: Bot API endpoints, file downloads, webhook delivery and /sim/ control."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web

from devstack.loopback import LoopbackServer
from telegram_simulator.bot_api import BotApi, Params, Upload, decode_json_params
from telegram_simulator.control import ControlApi
from telegram_simulator.limits import SENDING_METHODS, FloodLimited, Grant, chat_key
from telegram_simulator.store import ApiError, BotState, FileStore

log = logging.getLogger(__name__)

MAX_UPLOAD = 60 * 1024 * 1024  # Telegram accepts documents up to 50 MB
WEBHOOK_RETRY_MAX = 10.0
_dumps = partial(json.dumps, ensure_ascii=False)


class BotApiSimulator(LoopbackServer):
    """An in-memory Telegram Bot API server for tests and local chat."""

    def __init__(self, *, token: str | None = None, allowed_tokens: set[str] | None = None,
                 webhook_retry_delay: float = 0.5) -> None:
        super().__init__()
        self.default_token = token
        self.allowed_tokens = allowed_tokens
        self.webhook_retry_delay = webhook_retry_delay
        self.bots: dict[str, BotState] = {}
        self.files = FileStore()
        self.calls: list[dict] = []
        self.callback_answers: list[dict] = []
        self._next_update_id = 1  # kept across resets so a running bot's offset stays valid
        self._api = BotApi(self)
        self._control = ControlApi(self)
        self.app = self._make_app()

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._control.add_routes(app.router)
        return app

    async def stop(self) -> None:
        """Stop serving; pending long polls answer at once."""
        self.closing = True
        for bot in self.bots.values():
            bot.wake()
            if bot.webhook_task:
                bot.webhook_task.cancel()
        await super().stop()

    # --- bots and updates ---------------------------------------------------------------

    def bot(self, token: str) -> BotState:
        """The bot behind a Bot API token; the first token seen becomes the default."""
        if self.allowed_tokens is not None and token not in self.allowed_tokens:
            raise ApiError("Unauthorized", 401)
        if token not in self.bots:
            unclaimed = self.bots.pop("", None) if self.default_token is None else None
            self.bots[token] = unclaimed or BotState(token)
            self.bots[token].token = token
        if self.default_token is None:
            self.default_token = token
        return self.bots[token]

    def control_bot(self, token: str | None = None) -> BotState:
        """The bot a control request is about; before any bot connects, updates wait unclaimed."""
        token = token or self.default_token or ""
        if token not in self.bots:
            self.bots[token] = BotState(token)
        return self.bots[token]

    def push_update(self, bot: BotState, kind: str, payload: dict) -> int | None:
        """Queue an update for the bot; None when allowed_updates filters it out."""
        if not bot.accepts(kind):
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        bot.updates.append({"update_id": update_id, kind: payload})
        bot.wake()
        return update_id

    def confirm_updates(self, bot: BotState, offset: int) -> None:
        """getUpdates offset semantics: drop confirmed updates; negative keeps only the last -offset."""
        if offset < 0:
            del bot.updates[:offset]
        else:
            bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]

    def reset(self, *, full: bool = False) -> None:
        """Forget chats, updates, files and records; full also forgets bots' webhooks, commands and
        flood limits (a plain reset keeps the limits set but starts counting afresh)."""
        for token, bot in list(self.bots.items()):
            bot.chats.clear()
            bot.updates.clear()
            bot.callback_queries.clear()
            bot.limits.clear()
            if full:
                bot.webhook = None
                bot.wake()
                del self.bots[token]
        if full:
            self.default_token = None
        self.files = FileStore()
        self.calls.clear()
        self.callback_answers.clear()

    # --- webhook delivery ---------------------------------------------------------------

    def start_webhook_delivery(self, bot: BotState) -> None:
        """Run the delivery loop for the bot's webhook unless it already runs."""
        if bot.webhook_task is None or bot.webhook_task.done():
            bot.webhook_task = asyncio.create_task(self._deliver(bot))

    async def _deliver(self, bot: BotState) -> None:
        """POST pending updates in order to the webhook; retry with backoff on failure."""
        delay = self.webhook_retry_delay
        while bot.webhook and not self.closing:
            if not bot.updates:
                await bot.wait(None)
                continue
            hook, update = bot.webhook, bot.updates[0]
            headers = {"Content-Type": "application/json"}
            if hook["secret_token"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
            try:
                async with self.http.post(hook["url"], data=_dumps(update).encode(), headers=headers,
                                          timeout=aiohttp.ClientTimeout(total=30)) as response:
                    body = await response.read()
                    error = None if response.status < 300 else (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                error = f"Connection error: {exc or type(exc).__name__}"
            if error is None:
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                delay = self.webhook_retry_delay
                await self._webhook_reply(bot, body)
                continue
            log.info("webhook delivery to %s failed: %s", hook["url"], error)
            hook.update(last_error_date=int(time.time()), last_error_message=error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, WEBHOOK_RETRY_MAX)

    async def _webhook_reply(self, bot: BotState, body: bytes) -> None:
        """Telegram runs a method given in the webhook's answer; its result is not reported."""
        try:
            reply = json.loads(body) if body else None
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            await self.call(bot.token, reply["method"], params, {})

    # --- HTTP handlers ------------------------------------------------------------------

    async def call(self, token: str, method: str, raw: dict[str, Any],
                   files: dict[str, Upload]) -> tuple[int, dict]:
        """Run one Bot API method and record it; returns (HTTP status, Telegram answer)."""
        record = {
            "method": method, "token": token, "params": decode_json_params(raw),
            "files": {name: {"file_name": f.file_name, "mime_type": f.mime_type, "size": len(f.data),
                             "sha256": hashlib.sha256(f.data).hexdigest()} for name, f in files.items()},
            "time": time.time(),
        }
        self.calls.append(record)
        try:
            found = self._api.handler(method)
            if found is None:
                raise ApiError("Not Found", 404)
            record["method"], handler = found
            bot = self.bot(token)
            grant = self._take_capacity(bot, record["method"], raw)
            try:
                result = await handler(bot, Params(raw, files))
            except BaseException:
                bot.limits.give_back(grant)  # only messages actually sent count
                raise
            record.update(ok=True)
            return 200, {"ok": True, "result": result}
        except ApiError as exc:
            record.update(ok=False, error_code=exc.code, description=exc.description)
            if exc.parameters:
                record["parameters"] = exc.parameters
            return exc.code, exc.answer()

    @staticmethod
    def _take_capacity(bot: BotState, method: str, raw: dict[str, Any]) -> Grant | None:
        """Telegram's flood limits, checked before a send runs; 429 with retry_after if exceeded."""
        if method not in SENDING_METHODS:
            return None
        try:
            return bot.limits.take(chat_key(raw.get("chat_id"), bot.chats))
        except FloodLimited as exc:
            raise ApiError(str(exc), 429, {"retry_after": exc.retry_after}) from None

    async def _handle_method(self, request: web.Request) -> web.Response:
        try:
            raw, files = await _read_params(request)
        except ValueError as exc:
            return web.json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"},
                                     status=400)
        status, answer = await self.call(request.match_info["token"], request.match_info["method"],
                                         raw, files)
        return web.json_response(answer, status=status, dumps=_dumps)

    async def _handle_file(self, request: web.Request) -> web.Response:
        entry = self.files.by_path.get(request.match_info["path"])
        token = request.match_info["token"]
        if entry is None or (self.allowed_tokens is not None and token not in self.allowed_tokens):
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                     status=404)
        return web.Response(body=entry.data, content_type=entry.mime_type or "application/octet-stream")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters from the query string and a JSON, form or multipart body, as Telegram accepts."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.read()
        if body.strip():
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("JSON object expected")
            raw.update(data)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content_type = part.headers.get(aiohttp.hdrs.CONTENT_TYPE)
                files[part.name] = Upload(await part.read(), part.filename, content_type)
            else:
                raw[part.name] = await part.text()
    elif request.body_exists:
        raw.update(await request.post())
    return raw, files
